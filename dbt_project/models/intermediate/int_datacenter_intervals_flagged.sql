{#-
  Data-centre telemetry, one row per silver row, in time order per data centre, each with its status:
    measured       kept: its energies count as measured
    duplicate      a later row for a (facility_id, interval_start) already seen (the silver suite
                   quarantines these first; kept here as a guard): the first in file and row order wins
    overlap        starts before the end of an earlier interval of the same data centre (e.g. a 15-minute
                   row inside an hourly one): excluded, the earlier interval wins
    counter_reset  a meter counter reset written as an interval energy: the interval's power (kWh per
                   hour) on the IT or the facility channel is more than the policy's
                   counter_reset_spike_ratio times the higher power of its two neighbouring intervals
                   (the one neighbour at either end of the series; never when both neighbours are 0).
                   Its energies are unreliable: it is excluded and its time becomes a gap, filled by the
                   documented method. A reset written as a negative interval energy never gets here:
                   the silver suite quarantines it (negative_quantity), and its time is a gap as well.
  Rows arrive in any order: the window functions sort them by interval_start_at.
-#}
{{ config(materialized='table') }}

with telemetry as (

    select * from {{ ref('stg_datacenter_telemetry') }}

),

datacenters as (

    select facility_id, counter_reset_spike_ratio from {{ ref('int_datacenter_settings_resolved') }}

),

intervals as (

    select
        facility_id,
        interval_start_at,
        {{ dbt.dateadd('minute', 'interval_minutes', 'interval_start_at') }} as interval_end_at,
        interval_minutes,
        it_energy_kwh,
        facility_energy_kwh,
        it_energy_kwh * 60.0 / interval_minutes as it_power_kw,
        facility_energy_kwh * 60.0 / interval_minutes as facility_power_kw,
        source_file,
        source_row,
        activity_month,
        row_number() over (
            partition by facility_id, interval_start_at
            order by source_file, source_row
        ) as key_occurrence
    from telemetry

),

first_of_key as (

    select
        intervals.*,
        max(interval_end_at) over (
            partition by facility_id
            order by interval_start_at
            rows between unbounded preceding and 1 preceding
        ) as previous_end_at
    from intervals
    where key_occurrence = 1

),

not_overlapping as (

    select
        first_of_key.*,
        lag(it_power_kw) over (partition by facility_id order by interval_start_at) as previous_it_power_kw,
        lead(it_power_kw) over (partition by facility_id order by interval_start_at) as next_it_power_kw,
        lag(facility_power_kw) over (partition by facility_id order by interval_start_at) as previous_facility_power_kw,
        lead(facility_power_kw) over (partition by facility_id order by interval_start_at) as next_facility_power_kw
    from first_of_key
    where previous_end_at is null or interval_start_at >= previous_end_at

),

neighbour_power as (

    select
        not_overlapping.*,
        case
            when coalesce(previous_it_power_kw, next_it_power_kw) > coalesce(next_it_power_kw, previous_it_power_kw)
                then coalesce(previous_it_power_kw, next_it_power_kw)
            else coalesce(next_it_power_kw, previous_it_power_kw)
        end as neighbour_it_power_kw,
        case
            when coalesce(previous_facility_power_kw, next_facility_power_kw)
                > coalesce(next_facility_power_kw, previous_facility_power_kw)
                then coalesce(previous_facility_power_kw, next_facility_power_kw)
            else coalesce(next_facility_power_kw, previous_facility_power_kw)
        end as neighbour_facility_power_kw
    from not_overlapping

),

resets_flagged as (

    select
        neighbour_power.*,
        case
            when neighbour_power.neighbour_it_power_kw > 0
                and neighbour_power.it_power_kw
                    > datacenters.counter_reset_spike_ratio * neighbour_power.neighbour_it_power_kw
                then true
            when neighbour_power.neighbour_facility_power_kw > 0
                and neighbour_power.facility_power_kw
                    > datacenters.counter_reset_spike_ratio * neighbour_power.neighbour_facility_power_kw
                then true
            else false
        end as is_counter_reset
    from neighbour_power
    left join datacenters
        on neighbour_power.facility_id = datacenters.facility_id

),

statuses as (

    select
        facility_id, interval_start_at, interval_end_at, interval_minutes, it_energy_kwh, facility_energy_kwh,
        it_power_kw, facility_power_kw, source_file, source_row, activity_month,
        'duplicate' as interval_status
    from intervals
    where key_occurrence > 1

    union all

    select
        facility_id, interval_start_at, interval_end_at, interval_minutes, it_energy_kwh, facility_energy_kwh,
        it_power_kw, facility_power_kw, source_file, source_row, activity_month,
        'overlap' as interval_status
    from first_of_key
    where previous_end_at is not null and interval_start_at < previous_end_at

    union all

    select
        facility_id, interval_start_at, interval_end_at, interval_minutes, it_energy_kwh, facility_energy_kwh,
        it_power_kw, facility_power_kw, source_file, source_row, activity_month,
        case when is_counter_reset then 'counter_reset' else 'measured' end as interval_status
    from resets_flagged

),

final as (

    select
        statuses.*,
        interval_status = 'measured' as is_measured
    from statuses

)

select * from final

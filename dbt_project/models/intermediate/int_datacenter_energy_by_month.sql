{#-
  Each data centre's energy per local month, the two terms of PUE (ISO/IEC 30134-2):
    it_energy_kwh        E_IT: IT energy of the measured intervals plus the filled gaps
    facility_energy_kwh  E_DC: total data-centre energy = telemetry facility energy (measured + filled)
                         - the office load metered inside it (policy office_load_kw x hours covered)
                         + generator diesel burnt at the site (landing/energy, energy_type diesel,
                           litres x diesel_kwh_per_litre) + district chilled water (energy_type
                           chilled_water, kWh of cooling x chilled_water_conversion_factor)
  with the minutes measured, filled and left unfilled against the minutes expected, and the counts of
  intervals set aside (counter resets, duplicates, overlaps).
-#}
with months as (

    select * from {{ ref('int_datacenter_months_expected') }}

),

datacenters as (

    select * from {{ ref('int_datacenter_settings_resolved') }}

),

intervals as (

    select * from {{ ref('int_datacenter_intervals_flagged') }}

),

gap_pieces as (

    select * from {{ ref('int_datacenter_gaps_split_by_month') }}

),

energy_pieces as (

    select * from {{ ref('int_energy_split_by_month') }}
    where energy_type in ('diesel', 'chilled_water')

),

densities as (

    select * from {{ ref('fuel_densities') }}

),

measured as (

    select
        facility_id,
        activity_month,
        sum(case when is_measured then it_energy_kwh else 0.0 end) as measured_it_energy_kwh,
        sum(case when is_measured then facility_energy_kwh else 0.0 end) as measured_facility_energy_kwh,
        sum(case when is_measured then interval_minutes else 0 end) as measured_minutes,
        sum(case when is_measured then 1 else 0 end) as measured_intervals,
        max(case when is_measured then interval_minutes end) as longest_interval_minutes,
        sum(case when interval_status = 'counter_reset' then 1 else 0 end) as counter_reset_intervals,
        sum(case when interval_status = 'duplicate' then 1 else 0 end) as duplicate_intervals,
        sum(case when interval_status = 'overlap' then 1 else 0 end) as overlapping_intervals
    from intervals
    group by facility_id, activity_month

),

gaps as (

    select
        facility_id,
        activity_month,
        sum(case when is_filled then minutes_in_month else 0 end) as filled_minutes,
        sum(case when is_filled then 0 else minutes_in_month end) as unfilled_gap_minutes,
        sum(filled_it_energy_kwh) as filled_it_energy_kwh,
        sum(filled_facility_energy_kwh) as filled_facility_energy_kwh
    from gap_pieces
    group by facility_id, activity_month

),

other_energy as (

    select
        energy_pieces.facility_id,
        energy_pieces.activity_month,
        sum(
            case
                when energy_pieces.energy_type = 'diesel' and energy_pieces.quantity_unit = 'm3'
                    then energy_pieces.quantity * 1000.0 * datacenters.diesel_kwh_per_litre
                when energy_pieces.energy_type = 'diesel' and energy_pieces.quantity_unit = 'kg'
                    then energy_pieces.quantity / densities.kg_per_litre * datacenters.diesel_kwh_per_litre
                when energy_pieces.energy_type = 'diesel' and energy_pieces.quantity_unit = 'kWh'
                    then energy_pieces.quantity
                else 0.0
            end
        ) as diesel_energy_kwh,
        sum(
            case
                when energy_pieces.energy_type = 'chilled_water' and energy_pieces.quantity_unit = 'kWh'
                    then energy_pieces.quantity * datacenters.chilled_water_conversion_factor
                else 0.0
            end
        ) as chilled_water_energy_kwh
    from energy_pieces
    inner join datacenters
        on energy_pieces.facility_id = datacenters.facility_id
    left join densities
        on energy_pieces.energy_type = densities.fuel
    group by energy_pieces.facility_id, energy_pieces.activity_month

),

joined as (

    select
        months.facility_id,
        months.reporting_year,
        months.activity_month,
        months.month_start_at,
        months.month_end_at,
        months.expected_minutes,
        coalesce(measured.measured_minutes, 0) as measured_minutes,
        coalesce(gaps.filled_minutes, 0) as filled_minutes,
        coalesce(gaps.unfilled_gap_minutes, 0) as unfilled_gap_minutes,
        coalesce(measured.measured_intervals, 0) as measured_intervals,
        measured.longest_interval_minutes,
        coalesce(measured.counter_reset_intervals, 0) as counter_reset_intervals,
        coalesce(measured.duplicate_intervals, 0) as duplicate_intervals,
        coalesce(measured.overlapping_intervals, 0) as overlapping_intervals,
        coalesce(measured.measured_it_energy_kwh, 0.0) as measured_it_energy_kwh,
        coalesce(measured.measured_facility_energy_kwh, 0.0) as measured_facility_energy_kwh,
        coalesce(gaps.filled_it_energy_kwh, 0.0) as filled_it_energy_kwh,
        coalesce(gaps.filled_facility_energy_kwh, 0.0) as filled_facility_energy_kwh,
        datacenters.office_load_kw,
        coalesce(other_energy.diesel_energy_kwh, 0.0) as diesel_energy_kwh,
        coalesce(other_energy.chilled_water_energy_kwh, 0.0) as chilled_water_energy_kwh
    from months
    inner join datacenters
        on months.facility_id = datacenters.facility_id
    left join measured
        on months.facility_id = measured.facility_id
        and months.activity_month = measured.activity_month
    left join gaps
        on months.facility_id = gaps.facility_id
        and months.activity_month = gaps.activity_month
    left join other_energy
        on months.facility_id = other_energy.facility_id
        and months.activity_month = other_energy.activity_month

),

final as (

    select
        joined.*,
        measured_it_energy_kwh + filled_it_energy_kwh as it_energy_kwh,
        measured_facility_energy_kwh + filled_facility_energy_kwh as telemetry_facility_energy_kwh,
        office_load_kw * (measured_minutes + filled_minutes) / 60.0 as office_energy_kwh,
        measured_facility_energy_kwh + filled_facility_energy_kwh
            - office_load_kw * (measured_minutes + filled_minutes) / 60.0
            + diesel_energy_kwh
            + chilled_water_energy_kwh as facility_energy_kwh
    from joined

)

select * from final

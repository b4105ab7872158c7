{#-
  Gaps in each data centre's telemetry: the interval grid is contiguous (each interval ends where the
  next begins), so a gap is the time between the end of a measured interval and the start of the next
  measured one. Missing rows, rows quarantined in silver (negative energies, facility < IT, ...) and
  intervals excluded here (counter resets, overlaps) all leave gaps. Time before a data centre's first
  or after its last interval is not a gap: it lowers data completeness only.

  Filling (policy gap_fill_method = neighbour_mean): every missing minute gets the mean power of the
  measured interval just before and just after the gap, per channel (IT and facility), so a gap of n
  missing 15-minute intervals between intervals of a and b kWh is filled with n x (a + b) / 2 kWh.
  Gaps longer than max_fill_gap_minutes, or any gap under gap_fill_method = none, stay unfilled and
  are reported. Filled energy is flagged (data_source 'estimate' in Scope 2).
-#}
{{ config(materialized='table') }}

with intervals as (

    select * from {{ ref('int_datacenter_intervals_flagged') }}
    where is_measured

),

datacenters as (

    select facility_id, gap_fill_method, max_fill_gap_minutes from {{ ref('int_datacenter_settings_resolved') }}

),

with_next as (

    select
        intervals.*,
        lead(interval_start_at) over (partition by facility_id order by interval_start_at) as next_start_at,
        lead(it_power_kw) over (partition by facility_id order by interval_start_at) as next_it_power_kw,
        lead(facility_power_kw) over (partition by facility_id order by interval_start_at) as next_facility_power_kw
    from intervals

),

gaps as (

    select
        with_next.facility_id,
        with_next.interval_end_at as gap_start_at,
        with_next.next_start_at as gap_end_at,
        {{ dbt.datediff('with_next.interval_end_at', 'with_next.next_start_at', 'minute') }} as gap_minutes,
        with_next.interval_minutes as expected_interval_minutes,
        with_next.source_file as before_source_file,
        with_next.source_row as before_source_row,
        with_next.it_power_kw as before_it_power_kw,
        with_next.facility_power_kw as before_facility_power_kw,
        with_next.next_it_power_kw as after_it_power_kw,
        with_next.next_facility_power_kw as after_facility_power_kw
    from with_next
    where with_next.next_start_at > with_next.interval_end_at

),

final as (

    select
        gaps.facility_id,
        gaps.gap_start_at,
        gaps.gap_end_at,
        gaps.gap_minutes,
        gaps.expected_interval_minutes,
        cast(gaps.gap_minutes as double) / gaps.expected_interval_minutes as missing_intervals,
        gaps.before_source_file,
        gaps.before_source_row,
        gaps.before_it_power_kw,
        gaps.before_facility_power_kw,
        gaps.after_it_power_kw,
        gaps.after_facility_power_kw,
        (gaps.before_it_power_kw + gaps.after_it_power_kw) / 2.0 as fill_it_power_kw,
        (gaps.before_facility_power_kw + gaps.after_facility_power_kw) / 2.0 as fill_facility_power_kw,
        case
            when datacenters.gap_fill_method = 'none' then false
            when gaps.gap_minutes > datacenters.max_fill_gap_minutes then false
            else true
        end as is_filled,
        case
            when datacenters.gap_fill_method = 'none' then 'not_filled_policy_none'
            when gaps.gap_minutes > datacenters.max_fill_gap_minutes then 'not_filled_longer_than_max'
            else datacenters.gap_fill_method
        end as fill_method
    from gaps
    inner join datacenters
        on gaps.facility_id = datacenters.facility_id

)

select * from final

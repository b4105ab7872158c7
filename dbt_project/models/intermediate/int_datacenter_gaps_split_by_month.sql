{#-
  Each telemetry gap cut at the local month boundaries it crosses (a gap from 23:30 on 31 March to
  00:15 on 1 April is 30 minutes of March and 15 of April), with the energy filled in each piece
  (fill power x minutes; 0 where the gap stays unfilled). first_missing_start_at is where the piece
  begins: the start of the first missing interval in that month.
-#}
with gaps as (

    select * from {{ ref('int_datacenter_gaps_detected') }}

),

months as (

    select * from {{ ref('int_datacenter_months_expected') }}

),

pieces as (

    select
        gaps.*,
        months.reporting_year,
        months.activity_month,
        case when gaps.gap_start_at > months.month_start_at then gaps.gap_start_at else months.month_start_at end
            as piece_start_at,
        case when gaps.gap_end_at < months.month_end_at then gaps.gap_end_at else months.month_end_at end
            as piece_end_at
    from gaps
    inner join months
        on gaps.facility_id = months.facility_id
        and months.month_start_at < gaps.gap_end_at
        and months.month_end_at > gaps.gap_start_at

),

final as (

    select
        facility_id,
        reporting_year,
        activity_month,
        gap_start_at,
        gap_end_at,
        gap_minutes,
        piece_start_at as first_missing_start_at,
        {{ dbt.datediff('piece_start_at', 'piece_end_at', 'minute') }} as minutes_in_month,
        is_filled,
        fill_method,
        before_source_file,
        before_source_row,
        case when is_filled then fill_it_power_kw * {{ dbt.datediff('piece_start_at', 'piece_end_at', 'minute') }} / 60.0
            else 0.0 end as filled_it_energy_kwh,
        case when is_filled then fill_facility_power_kw * {{ dbt.datediff('piece_start_at', 'piece_end_at', 'minute') }} / 60.0
            else 0.0 end as filled_facility_energy_kwh
    from pieces

)

select * from final

{#-
  Data-centre electricity from telemetry as energy pieces, with the columns of
  int_energy_split_by_month, for the data centres whose authoritative source is telemetry (see
  int_energy_pieces_authoritative). One piece per measured interval: total facility energy (office
  loads included: all of it is purchased electricity), record_id = facility_id || '|' || interval
  start in UTC (e.g. 'DC-1|2022-03-31T12:00:00Z'), data_source 'meter'. One piece per filled gap and
  month: the filled facility energy, record_id = facility_id || '|' || start of its first missing
  interval in that month, data_source 'estimate', and as source the row just before the gap with
  file 'gap_fill:<file>' (so each piece has its own source key for the factor lookup). Counter
  resets, duplicates and overlaps are never pieces.
-#}
{%- set interval_start_text = "replace(cast(intervals.interval_start_at as " ~ dbt.type_string() ~ "), ' ', 'T')" -%}
{%- set gap_start_text = "replace(cast(gap_pieces.first_missing_start_at as " ~ dbt.type_string() ~ "), ' ', 'T')" -%}

with datacenters as (

    select facility_id from {{ ref('int_datacenter_settings_resolved') }}
    where authoritative_source = 'telemetry'

),

intervals as (

    select * from {{ ref('int_datacenter_intervals_flagged') }}
    where is_measured

),

gap_pieces as (

    select * from {{ ref('int_datacenter_gaps_split_by_month') }}
    where is_filled and minutes_in_month > 0

),

measured as (

    select
        {{ dbt.concat(["intervals.facility_id", "'|'", interval_start_text, "'Z'"]) }} as record_id,
        intervals.facility_id,
        'electricity' as energy_type,
        'meter' as data_source,
        intervals.facility_energy_kwh as quantity,
        'kWh' as quantity_unit,
        intervals.source_file,
        intervals.source_row,
        intervals.activity_month,
        cast(substr(intervals.activity_month, 1, 4) as integer) as reporting_year
    from intervals
    inner join datacenters
        on intervals.facility_id = datacenters.facility_id

),

filled as (

    select
        {{ dbt.concat(["gap_pieces.facility_id", "'|'", gap_start_text, "'Z'"]) }} as record_id,
        gap_pieces.facility_id,
        'electricity' as energy_type,
        'estimate' as data_source,
        gap_pieces.filled_facility_energy_kwh as quantity,
        'kWh' as quantity_unit,
        {{ dbt.concat(["'gap_fill:'", "gap_pieces.before_source_file"]) }} as source_file,
        gap_pieces.before_source_row as source_row,
        gap_pieces.activity_month,
        gap_pieces.reporting_year
    from gap_pieces
    inner join datacenters
        on gap_pieces.facility_id = datacenters.facility_id

),

final as (

    select *, 1 as days_in_piece, 1 as period_days from measured
    union all
    select *, 1 as days_in_piece, 1 as period_days from filled

)

select * from final

{#-
  The reporting periods of each data centre: every calendar month (cut in the policy's reporting
  time zone) of every year in which it sent telemetry, as a UTC window [month_start_at, month_end_at)
  and the minutes telemetry is expected to cover in it (the part of the month in which the facility
  is valid, valid_from to valid_to inclusive). Daylight-saving months have their true length.
-#}
with datacenters as (

    select * from {{ ref('int_datacenter_settings_resolved') }}

),

telemetry_years as (

    select distinct
        facility_id,
        cast(substr(activity_month, 1, 4) as integer) as reporting_year
    from {{ ref('stg_datacenter_telemetry') }}

),

months as (

    select * from {{ ref('calendar_months') }}

),

local_windows as (

    select
        datacenters.facility_id,
        datacenters.reporting_timezone,
        cast(months.reporting_year as integer) as reporting_year,
        months.activity_month,
        cast(months.month_start_date as timestamp) as month_start_local,
        cast({{ dbt.dateadd('day', 1, 'months.month_end_date') }} as timestamp) as month_end_local,
        cast(
            case
                when datacenters.valid_from_date > months.month_start_date then datacenters.valid_from_date
                else months.month_start_date
            end as timestamp
        ) as valid_start_local,
        cast({{ dbt.dateadd('day', 1,
            "case when datacenters.valid_to_date < months.month_end_date then datacenters.valid_to_date
                  else months.month_end_date end") }} as timestamp) as valid_end_local
    from telemetry_years
    inner join datacenters
        on telemetry_years.facility_id = datacenters.facility_id
    inner join months
        on telemetry_years.reporting_year = months.reporting_year

),

utc_windows as (

    select
        facility_id,
        reporting_year,
        activity_month,
        {{ local_to_utc_timestamp('month_start_local', 'reporting_timezone') }} as month_start_at,
        {{ local_to_utc_timestamp('month_end_local', 'reporting_timezone') }} as month_end_at,
        {{ local_to_utc_timestamp('valid_start_local', 'reporting_timezone') }} as valid_start_at,
        {{ local_to_utc_timestamp('valid_end_local', 'reporting_timezone') }} as valid_end_at
    from local_windows

),

final as (

    select
        facility_id,
        reporting_year,
        activity_month,
        month_start_at,
        month_end_at,
        {{ dbt.datediff('month_start_at', 'month_end_at', 'minute') }} as month_minutes,
        case
            when valid_end_at > valid_start_at then {{ dbt.datediff('valid_start_at', 'valid_end_at', 'minute') }}
            else 0
        end as expected_minutes
    from utc_windows

)

select * from final

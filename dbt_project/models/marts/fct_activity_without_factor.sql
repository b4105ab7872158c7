{#-
  Activity the policy gives no factor for (e.g. electricity outside the mainland grids until a factor
  set for that place is pinned). Listed, with the reason, in the run summary and a check; never
  silently dropped or counted as zero.
-#}
{{ config(
    materialized='incremental',
    on_schema_change='append_new_columns',
    tags=['monthly'],
    pre_hook="{{ delete_run_window() }}",
    **monthly_incremental_config()
) }}

with electricity_location_based as (

    select * from {{ ref('int_electricity_joined_to_factors') }}
    where factor_id is null

),

settings as (

    select max(policy_sha256) as policy_sha256 from {{ ref('stg_policy_settings') }}

),

final as (

    select
        electricity_location_based.reporting_year,
        electricity_location_based.activity_month,
        electricity_location_based.entity_id,
        electricity_location_based.facility_id,
        electricity_location_based.scope,
        electricity_location_based.category,
        electricity_location_based.scope2_method,
        electricity_location_based.source_file,
        electricity_location_based.source_row,
        electricity_location_based.record_id,
        electricity_location_based.activity_quantity,
        electricity_location_based.activity_unit,
        electricity_location_based.factor_set,
        electricity_location_based.missing_factor_reason,
        settings.policy_sha256
    from electricity_location_based
    cross join settings
    where {{ in_run_window('electricity_location_based.activity_month') }}

)

select * from final

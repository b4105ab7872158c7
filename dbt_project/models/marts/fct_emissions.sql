{#-
  The inventory's fact table: one row per source row x activity month x gas x Scope 2 method, with
  the factor applied, the GWP set and the policy of the run. Month-partitioned and incremental.
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
    where factor_id is not null

),

settings as (

    select
        max(case when setting = 'gwp_set' then value end) as gwp_set,
        max(policy_sha256) as policy_sha256
    from {{ ref('stg_policy_settings') }}

),

emission_rows as (

    select * from electricity_location_based

),

final as (

    select
        emission_rows.reporting_year,
        emission_rows.activity_month,
        emission_rows.entity_id,
        emission_rows.facility_id,
        emission_rows.scope,
        emission_rows.category,
        emission_rows.scope2_method,
        emission_rows.gas,
        emission_rows.source_file,
        emission_rows.source_row,
        emission_rows.record_id,
        emission_rows.activity_quantity,
        emission_rows.activity_unit,
        emission_rows.factor_set,
        emission_rows.factor_id,
        emission_rows.kg_per_unit,
        settings.gwp_set,
        emission_rows.data_source,
        emission_rows.data_quality_score,
        emission_rows.t_co2e,
        settings.policy_sha256
    from emission_rows
    cross join settings
    where {{ in_run_window('emission_rows.activity_month') }}

)

select * from final

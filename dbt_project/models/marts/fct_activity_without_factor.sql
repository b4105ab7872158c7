{#-
  Activity the policy gives no factor for (no pin for the year, no factor in the pinned sets for that
  place, an unknown refrigerant or a blend component without a GWP in the chosen set). Listed, with
  the reason, in the run summary and a check; never silently dropped or counted as zero.
-#}
{{ config(
    materialized='incremental',
    on_schema_change='append_new_columns',
    tags=['monthly'],
    pre_hook="{{ delete_run_window() }}",
    **monthly_incremental_config()
) }}

with energy as (

    select * from {{ ref('int_energy_joined_to_factors') }}
    where missing_factor_reason is not null

),

electricity_market_based as (

    select * from {{ ref('int_electricity_market_based') }}
    where missing_factor_reason is not null

),

fleet as (

    select * from {{ ref('int_fleet_joined_to_factors') }}
    where missing_factor_reason is not null

),

refrigerants as (

    select * from {{ ref('int_refrigerants_joined_to_gwp') }}
    where missing_factor_reason is not null

),

scope3 as (

    select * from {{ ref('int_scope3_emissions') }}
    where missing_factor_reason is not null

),

settings as (

    select max(policy_sha256) as policy_sha256 from {{ ref('stg_policy_settings') }}

),

missing_rows as (

    select distinct {{ missing_factor_columns() }} from energy
    union
    select distinct {{ missing_factor_columns() | replace('pin_key,', "'electricity_market_based' as pin_key,") }}
    from electricity_market_based
    union
    select distinct {{ missing_factor_columns() }} from fleet
    union
    select distinct {{ missing_factor_columns() }} from refrigerants
    union
    select distinct {{ missing_factor_columns() }} from scope3

),

final as (

    select
        missing_rows.*,
        settings.policy_sha256
    from missing_rows
    cross join settings
    where {{ in_run_window('missing_rows.activity_month') }}

)

select * from final

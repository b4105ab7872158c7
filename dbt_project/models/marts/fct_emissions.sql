{#-
  The inventory's fact table: one row per source row x activity month x gas x Scope 2 method, with
  the factor applied (factor_id, its set, kg per unit, the GWP and its set), the data-quality score
  and the policy of the run. Month-partitioned and incremental (the run's months are replaced).
  Only gross emissions: avoided emissions of the carbon accounts never enter this table.
-#}
{{ config(
    materialized='incremental',
    on_schema_change='append_new_columns',
    tags=['monthly'],
    pre_hook="{{ delete_run_window() }}",
    **monthly_incremental_config()
) }}

with energy as (

    select
        *,
        case when scope = 2 then 'location_based_average' end as scope2_basis,
        cast(null as double) as instrument_covered_kwh
    from {{ ref('int_energy_joined_to_factors') }}
    where missing_factor_reason is null

),

electricity_market_based as (

    select * from {{ ref('int_electricity_market_based') }}
    where missing_factor_reason is null

),

fleet as (

    select
        *,
        cast(null as {{ dbt.type_string() }}) as scope2_basis,
        cast(null as double) as instrument_covered_kwh
    from {{ ref('int_fleet_joined_to_factors') }}
    where missing_factor_reason is null

),

refrigerants as (

    select
        *,
        cast(null as {{ dbt.type_string() }}) as scope2_basis,
        cast(null as double) as instrument_covered_kwh
    from {{ ref('int_refrigerants_joined_to_gwp') }}
    where missing_factor_reason is null and scope is not null

),

scope3 as (

    select * from {{ ref('int_scope3_emissions') }}
    where missing_factor_reason is null

),

settings as (

    select max(policy_sha256) as policy_sha256 from {{ ref('stg_policy_settings') }}

),

factors as (

    select factor_id, max(uncertainty_pct) as uncertainty_pct
    from {{ ref('int_emission_factors_unioned') }}
    group by factor_id

),

uncertainty_defaults as (

    select * from {{ ref('uncertainty_defaults') }}

),

quality as (

    select * from {{ ref('data_quality_scores') }}

),

emission_rows as (

    select {{ emission_row_columns() }} from energy
    union all
    select {{ emission_row_columns() }} from electricity_market_based
    union all
    select {{ emission_row_columns() }} from fleet
    union all
    select {{ emission_row_columns() }} from refrigerants
    union all
    select {{ emission_row_columns() }} from scope3

),

final as (

    select
        emission_rows.*,
        {#- 95% half-widths in percent: the factor's own where the library states it, else the
            documented default of its category; the activity's by how it was measured. -#}
        coalesce(factors.uncertainty_pct, uncertainty_defaults.factor_uncertainty_pct) as factor_uncertainty_pct,
        quality.activity_uncertainty_pct,
        settings.policy_sha256
    from emission_rows
    cross join settings
    left join factors
        on emission_rows.factor_id = factors.factor_id
    left join uncertainty_defaults
        on emission_rows.category = uncertainty_defaults.category
    left join quality
        on emission_rows.data_source = quality.data_source
    where {{ in_run_window('emission_rows.activity_month') }}
        {#- Biogenic CO2 is reported outside the scopes (rpt_memo_items_annual). #}
        and emission_rows.gas <> 'CO2_biogenic'

)

select * from final

{#-
  Every Scope 3 emission row (categories 1, 3, 5, 6, 7), in the columns of emission_row_columns()
  plus pin_key and missing_factor_reason (null when a factor was applied). fct_emissions takes the
  rows with a factor; fct_activity_without_factor lists the others.
    category 1 and 5: int_materials_joined_to_factors (paper, water supply; waste by treatment, wastewater)
    category 3:       int_fuel_energy_upstream (well-to-tank of fuels and electricity, T&D losses)
    category 6:       int_travel_joined_to_factors (flights with rf_uplift rows, rail, road, hotels, WTT)
    category 7:       int_commuting_extrapolated_to_strata (survey extrapolated to entity x city strata)
  Category 15 (financed emissions) is not computed: rpt_scope3_screening discloses it as a material
  omission until a PCAF module exists.
-#}
{#- A table on DuckDB too: fct_emissions, fct_activity_without_factor, the Scope 3 marts and the tests
    all read it, and the view stack under it (five factor joins) is costly to plan each time. -#}
{{ config(materialized='table') }}

{%- set columns -%}
    cast(reporting_year as integer) as reporting_year,
    activity_month,
    entity_id,
    facility_id,
    cast(scope as integer) as scope,
    category,
    scope2_method,
    gas,
    source_file,
    cast(source_row as bigint) as source_row,
    record_id,
    cast(quantity as double) as quantity,
    quantity_unit,
    factor_set,
    factor_id,
    cast(kg_per_unit as double) as kg_per_unit,
    cast(gwp100 as double) as gwp100,
    gwp_set,
    data_source,
    is_estimate,
    is_geographic_proxy,
    cast(data_quality_score as integer) as data_quality_score,
    cast(t_co2e as double) as t_co2e,
    scope2_basis,
    cast(instrument_covered_kwh as double) as instrument_covered_kwh,
    market_code,
    pin_key,
    missing_factor_reason
{%- endset %}

with materials as (

    select * from {{ ref('int_materials_joined_to_factors') }}

),

{#- Well-to-tank is an optional upstream component: a year whose '_wtt' key the policy does not pin
    computes none (rpt_exclusions_register lists what it leaves out); any other missing factor is kept. -#}
fuel_energy as (

    select * from {{ ref('int_fuel_energy_upstream') }}
    where not (component = 'wtt' and coalesce(missing_factor_reason, '') = 'no_factor_pinned_for_year')

),

travel as (

    select * from {{ ref('int_travel_joined_to_factors') }}
    where not (component = 'wtt' and coalesce(missing_factor_reason, '') = 'no_factor_pinned_for_year')

),

{#- Walking, cycling, e-bikes and remote work have no factor to name: they stay in the commuting model
    (they count in each stratum's mean) but add no row here. -#}
commuting as (

    select * from {{ ref('int_commuting_extrapolated_to_strata') }}
    where coalesce(factor_id, '') <> 'zero_emission_mode'

),

final as (

    select {{ columns }} from materials
    union all
    select {{ columns }} from fuel_energy
    union all
    select {{ columns }} from travel
    union all
    select {{ columns }} from commuting

)

select * from final

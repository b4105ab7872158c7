{#-
  Invariant: every row of fct_emissions carries the factor that produced it: a factor_id, its value
  (kg_per_unit), the GWP set, and a factor_id that is in the factor library
  (int_emission_factors_unioned), except the contractual ids of market-based Scope 2
  (contractual_instruments, supplier:<id>), which name the instrument instead and carry no GWP set
  of ours (the supplier's disclosure is in CO2e as published), and the refrigerant ids
  gwp_<set>_<refrigerant>, which must name a GWP set of gwp_values and a gas of gwp_values or a
  blend of refrigerant_blends. Activity without a
  factor belongs in fct_activity_without_factor, never here with a null or zero factor.
-#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_emissions'}}}) }}

with emissions as (

    select * from {{ ref('fct_emissions') }}

),

library as (

    select distinct factor_id from {{ built_relation('int_emission_factors_unioned') }}

),

gwp_sets as (

    select distinct gwp_set from {{ ref('gwp_values') }}

),

gwp_library as (

    select {{ dbt.concat(["'gwp_'", "gwp_sets.gwp_set", "'_'", "gases.gas"]) }} as factor_id
    from gwp_sets
    cross join (
        select gas from {{ ref('gwp_values') }}
        union
        select refrigerant as gas from {{ ref('refrigerant_blends') }}
    ) as gases

)


select
    'no factor_id, factor value or GWP set' as problem,
    emissions.source_file, emissions.source_row, emissions.activity_month, emissions.gas, emissions.factor_id
from emissions
where emissions.factor_id is null or emissions.kg_per_unit is null
    or (emissions.gwp_set is null
        and not (emissions.factor_id = 'contractual_instruments' or emissions.factor_id like 'supplier:%'))

union all

select
    'factor_id not in the factor library' as problem,
    emissions.source_file, emissions.source_row, emissions.activity_month, emissions.gas, emissions.factor_id
from emissions
left join library
    on emissions.factor_id = library.factor_id
left join gwp_library
    on emissions.factor_id = gwp_library.factor_id
where emissions.factor_id is not null
    and library.factor_id is null
    and gwp_library.factor_id is null
    and not (emissions.factor_id = 'contractual_instruments' or emissions.factor_id like 'supplier:%')

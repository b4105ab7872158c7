{#-
  Invariant: every row of fct_emissions carries the factor that produced it: a factor_id, its value
  (kg_per_unit), the GWP set, and a factor_id that is in the factor library
  (int_emission_factors_unioned), except the contractual ids of market-based Scope 2
  (contractual_instruments, supplier:<id>), which name the instrument instead. Activity without a
  factor belongs in fct_activity_without_factor, never here with a null or zero factor.
-#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_emissions'}}}) }}

with emissions as (

    select * from {{ ref('fct_emissions') }}

),

library as (

    select distinct factor_id from {{ built_relation('int_emission_factors_unioned') }}

)


select
    'no factor_id, factor value or GWP set' as problem,
    emissions.source_file, emissions.source_row, emissions.activity_month, emissions.gas, emissions.factor_id
from emissions
where emissions.factor_id is null or emissions.kg_per_unit is null or emissions.gwp_set is null

union all

select
    'factor_id not in the factor library' as problem,
    emissions.source_file, emissions.source_row, emissions.activity_month, emissions.gas, emissions.factor_id
from emissions
left join library
    on emissions.factor_id = library.factor_id
where emissions.factor_id is not null
    and library.factor_id is null
    and not (emissions.factor_id = 'contractual_instruments' or emissions.factor_id like 'supplier:%')

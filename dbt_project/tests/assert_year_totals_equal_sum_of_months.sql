{#-
  Invariant: every entity row of rpt_ghg_inventory_annual (year x entity x scope x category x
  method) equals the sum of its months in fct_emissions (radiative-forcing rows counted only when
  the policy includes them), and every month of fct_emissions lies in its reporting year. Returns the
  years that differ. fct_emissions and the policy settings are read through built_relation() so the
  test runs only in the annual step (see macros/generic_tests/built_relation.sql).
-#}
{{ config(meta={'dagster': {'ref': {'name': 'rpt_ghg_inventory_annual'}}}) }}

with inventory as (

    select * from {{ ref('rpt_ghg_inventory_annual') }}
    where not is_group_total

),

emissions as (

    select * from {{ built_relation('fct_emissions') }}

),

settings as (

    select max(case when setting = 'include_radiative_forcing' then value end) as include_radiative_forcing
    from {{ built_relation('stg_policy_settings') }}

),

months as (

    select
        emissions.reporting_year,
        emissions.entity_id,
        emissions.scope,
        emissions.category,
        coalesce(emissions.scope2_method, '(none)') as method_key,
        emissions.activity_month,
        sum(emissions.t_co2e) as t_co2e
    from emissions
    cross join settings
    where emissions.gas <> 'rf_uplift' or settings.include_radiative_forcing = 'true'
    group by
        emissions.reporting_year, emissions.entity_id, emissions.scope, emissions.category,
        coalesce(emissions.scope2_method, '(none)'), emissions.activity_month

),

sum_of_months as (

    select reporting_year, entity_id, scope, category, method_key, sum(t_co2e) as t_co2e, count(*) as months
    from months
    group by reporting_year, entity_id, scope, category, method_key

),

year_rows as (

    select
        reporting_year, entity_id, scope, category, coalesce(scope2_method, '(none)') as method_key,
        sum(t_co2e) as t_co2e
    from inventory
    group by reporting_year, entity_id, scope, category, coalesce(scope2_method, '(none)')

),

compared as (

    select
        'year total is not the sum of its months' as problem,
        coalesce(year_rows.reporting_year, sum_of_months.reporting_year) as reporting_year,
        coalesce(year_rows.entity_id, sum_of_months.entity_id) as entity_id,
        coalesce(year_rows.scope, sum_of_months.scope) as scope,
        coalesce(year_rows.category, sum_of_months.category) as category,
        coalesce(year_rows.method_key, sum_of_months.method_key) as scope2_method,
        year_rows.t_co2e as t_co2e_year,
        sum_of_months.t_co2e as t_co2e_sum_of_months
    from year_rows
    full outer join sum_of_months
        on year_rows.reporting_year = sum_of_months.reporting_year
        and year_rows.entity_id = sum_of_months.entity_id
        and year_rows.scope = sum_of_months.scope
        and year_rows.category = sum_of_months.category
        and year_rows.method_key = sum_of_months.method_key
    where year_rows.t_co2e is null
        or sum_of_months.t_co2e is null
        or abs(year_rows.t_co2e - sum_of_months.t_co2e) > 0.000001 * (1 + abs(sum_of_months.t_co2e))

),

month_outside_its_year as (

    select
        'activity_month outside its reporting_year' as problem,
        reporting_year, entity_id, scope, category, method_key as scope2_method,
        cast(null as double) as t_co2e_year, t_co2e as t_co2e_sum_of_months
    from months
    where cast(substr(activity_month, 1, 4) as integer) <> reporting_year

)

select * from compared
union all
select * from month_outside_its_year

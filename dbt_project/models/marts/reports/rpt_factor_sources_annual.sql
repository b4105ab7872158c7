{#-
  The emission-factor sets behind each reporting year's figures, per scope, category and Scope 2
  method: the set, its publisher, data year and verification, the GWP set the rows are expressed in,
  how many factors of the set were used and the tonnes they produced (fct_emissions). The report's
  "methodology and factor sources" table and the workbook's factor versions come from here.
-#}
with emissions as (

    select * from {{ ref('fct_emissions') }}

),

factor_sets as (

    select * from {{ ref('int_factor_sets_unioned') }}

),

factors as (

    select
        factor_set,
        min(source) as source,
        min(source_url) as source_url,
        min(publisher) as publisher,
        min(data_year) as data_year
    from {{ ref('int_emission_factors_unioned') }}
    group by factor_set

),

used as (

    select
        reporting_year,
        scope,
        category,
        scope2_method,
        factor_set,
        gwp_set,
        count(distinct factor_id) as factors_used,
        sum(t_co2e) as t_co2e
    from emissions
    where factor_set is not null
    group by reporting_year, scope, category, scope2_method, factor_set, gwp_set

),

set_details as (

    select
        factor_set,
        min(publisher) as publisher,
        min(data_year) as data_year,
        min(verification) as verification,
        min(description) as description
    from factor_sets
    group by factor_set

),

final as (

    select
        used.reporting_year,
        used.scope,
        used.category,
        used.scope2_method,
        used.factor_set,
        coalesce(set_details.publisher, factors.publisher) as publisher,
        coalesce(set_details.data_year, factors.data_year) as factor_data_year,
        set_details.verification,
        set_details.description,
        factors.source,
        factors.source_url,
        used.gwp_set,
        used.factors_used,
        used.t_co2e
    from used
    left join set_details
        on used.factor_set = set_details.factor_set
    left join factors
        on used.factor_set = factors.factor_set

)

select * from final

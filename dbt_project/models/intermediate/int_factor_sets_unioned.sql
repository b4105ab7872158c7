{#- The catalogue of factor sets a policy may pin, with the geography level each is keyed by. -#}
with cn_electricity as (

    select * from {{ ref('factor_sets_cn_electricity') }}

),

gb_electricity as (

    select * from {{ ref('factor_sets_gb_electricity') }}

),

us_electricity as (

    select * from {{ ref('factor_sets_us_electricity') }}

),

fuels as (

    select * from {{ ref('factor_sets_fuels') }}

),

heat as (

    select * from {{ ref('factor_sets_heat') }}

),

travel as (

    select * from {{ ref('factor_sets_travel') }}

),

materials_waste as (

    select * from {{ ref('factor_sets_materials_waste') }}

),

custom as (

    select distinct factor_set, activity from {{ ref('stg_policy_custom_factors') }}

),

library as (

    {% for family in ['cn_electricity', 'gb_electricity', 'us_electricity', 'fuels', 'heat', 'travel', 'materials_waste'] %}
    select
        cast(factor_set as {{ dbt.type_string() }}) as factor_set,
        cast(activity as {{ dbt.type_string() }}) as activity,
        cast(geography_level as {{ dbt.type_string() }}) as geography_level,
        cast(data_year as integer) as data_year,
        cast(publisher as {{ dbt.type_string() }}) as publisher,
        cast(scope2_method as {{ dbt.type_string() }}) as scope2_method,
        cast(verification as {{ dbt.type_string() }}) as verification,
        cast(description as {{ dbt.type_string() }}) as description
    from {{ family }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

custom_sets as (

    select
        factor_set,
        activity,
        'custom' as geography_level,
        cast(null as integer) as data_year,
        'policy (custom factor)' as publisher,
        cast(null as {{ dbt.type_string() }}) as scope2_method,
        'custom_factor_stated_in_policy' as verification,
        'custom factor set declared in carbonledger.yml' as description
    from custom

),

final as (

    select * from library
    union all
    select * from custom_sets

)

select * from final

{#- The catalogue of factor sets a policy may pin, with the geography level each is keyed by. -#}
with cn_electricity as (

    select * from {{ ref('factor_sets_cn_electricity') }}

),

custom as (

    select distinct factor_set, activity from {{ ref('stg_policy_custom_factors') }}

),

library as (

    select
        factor_set,
        activity,
        geography_level,
        cast(data_year as integer) as data_year,
        publisher,
        scope2_method,
        verification,
        description
    from cn_electricity

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

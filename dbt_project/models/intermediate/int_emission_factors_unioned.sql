{#- Every factor of the library (the dbt seeds under seeds/factors) plus the policy's custom factors. -#}
with cn_electricity as (

    select * from {{ ref('ef_cn_electricity') }}

),

custom as (

    select * from {{ ref('stg_policy_custom_factors') }}

),

library as (

    select
        factor_id,
        factor_set,
        activity,
        {#- Seeds load empty text columns as integers unless typed; cast so the union is stable. -#}
        coalesce(cast(activity_variant as {{ dbt.type_string() }}), '') as activity_variant,
        geography,
        gas,
        cast(kg_per_unit as double) as kg_per_unit,
        activity_unit,
        coalesce(cast(gwp_set as {{ dbt.type_string() }}), '') as gwp_set,
        cast(data_year as integer) as data_year,
        cast(valid_from as date) as valid_from_date,
        cast(valid_to as date) as valid_to_date,
        publisher,
        source,
        source_url,
        verification,
        cast(uncertainty_pct as double) as uncertainty_pct,
        'library' as origin
    from cn_electricity

),

custom_factors as (

    select
        factor_id,
        factor_set,
        activity,
        coalesce(activity_variant, '') as activity_variant,
        geography,
        gas,
        kg_per_unit,
        activity_unit,
        coalesce(gwp_set, '') as gwp_set,
        data_year,
        cast(null as date) as valid_from_date,
        cast(null as date) as valid_to_date,
        'policy (custom factor)' as publisher,
        source,
        cast(null as {{ dbt.type_string() }}) as source_url,
        'custom_factor_stated_in_policy' as verification,
        cast(null as double) as uncertainty_pct,
        'policy' as origin
    from custom

),

final as (

    select * from library
    union all
    select * from custom_factors

)

select * from final

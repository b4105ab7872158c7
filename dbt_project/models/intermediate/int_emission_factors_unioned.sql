{#- Every factor of the library (the dbt seeds under seeds/factors) plus the policy's custom factors. -#}
with cn_electricity as (

    select * from {{ ref('ef_cn_electricity') }}

),

gb_electricity as (

    select * from {{ ref('ef_gb_electricity') }}

),

us_electricity as (

    select * from {{ ref('ef_us_electricity') }}

),

fuels as (

    select * from {{ ref('ef_fuels') }}

),

heat as (

    select * from {{ ref('ef_heat') }}

),

travel as (

    select * from {{ ref('ef_travel') }}

),

materials_waste as (

    select * from {{ ref('ef_materials_waste') }}

),

custom as (

    select * from {{ ref('stg_policy_custom_factors') }}

),

{#- Seeds load empty text columns as integers unless typed; cast each family so the union is stable. -#}
library as (

    {% for family in ['cn_electricity', 'gb_electricity', 'us_electricity', 'fuels', 'heat', 'travel', 'materials_waste'] %}
    select
        cast(factor_id as {{ dbt.type_string() }}) as factor_id,
        cast(factor_set as {{ dbt.type_string() }}) as factor_set,
        cast(activity as {{ dbt.type_string() }}) as activity,
        coalesce(cast(activity_variant as {{ dbt.type_string() }}), '') as activity_variant,
        cast(geography as {{ dbt.type_string() }}) as geography,
        cast(gas as {{ dbt.type_string() }}) as gas,
        cast(kg_per_unit as double) as kg_per_unit,
        cast(activity_unit as {{ dbt.type_string() }}) as activity_unit,
        coalesce(cast(gwp_set as {{ dbt.type_string() }}), '') as gwp_set,
        cast(data_year as integer) as data_year,
        cast(valid_from as date) as valid_from_date,
        cast(valid_to as date) as valid_to_date,
        cast(publisher as {{ dbt.type_string() }}) as publisher,
        cast(source as {{ dbt.type_string() }}) as source,
        cast(source_url as {{ dbt.type_string() }}) as source_url,
        cast(verification as {{ dbt.type_string() }}) as verification,
        cast(uncertainty_pct as double) as uncertainty_pct,
        'library' as origin
    from {{ family }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

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

{#-
  Scope 1 mobile combustion: fuel bought for vehicles the entity owns or controls, with the factors
  the policy pins for that fuel (variant 'mobile'). Litres become kilograms with the documented
  densities when the pinned factor is per kg.
-#}
with fleet as (

    select * from {{ ref('stg_fleet') }}

),

entities as (

    select * from {{ ref('stg_org_entities') }}

),

classification as (

    select * from {{ ref('activity_classification') }}
    where source_table = 'fleet'

),

densities as (

    select * from {{ ref('fuel_densities') }}

),

activity as (

    select
        cast(substr(fleet.activity_month, 1, 4) as integer) as reporting_year,
        fleet.activity_month,
        fleet.entity_id,
        cast(null as {{ dbt.type_string() }}) as facility_id,
        cast(classification.scope as integer) as scope,
        classification.category,
        cast(null as {{ dbt.type_string() }}) as scope2_method,
        classification.pin_key,
        classification.factor_activity,
        coalesce(classification.factor_variant, '') as factor_variant,
        fleet.source_file,
        fleet.source_row,
        fleet.record_id,
        fleet.quantity_canonical as quantity,
        fleet.unit_canonical as quantity_unit,
        densities.kg_per_litre as density_kg_per_litre,
        upper(trim(entities.country)) as market_code,
        cast(null as {{ dbt.type_string() }}) as province_iso,
        cast(null as {{ dbt.type_string() }}) as grid_region_id,
        'invoice' as data_source,
        false as is_estimate,
        2 as data_quality_score
    from fleet
    inner join classification
        on fleet.fuel_type = classification.source_type
    left join entities
        on fleet.entity_id = entities.entity_id
    left join densities
        on fleet.fuel_type = densities.fuel

),

final as (

    select * from {{ apply_pinned_factors('activity') }}

)

select * from final

{#-
  Energy pieces ready for factors: where the site is (market, province, grid), what each energy type
  counts as (scope, category, the policy's pin key; activity_classification seed) and its data
  quality (by data_source). Landlord-allocated and gap-filled energy are flagged as estimates.
-#}
with pieces as (

    select * from {{ ref('int_energy_gaps_filled') }}

),

facilities as (

    select * from {{ ref('int_facilities_mapped_to_grid') }}

),

classification as (

    select * from {{ ref('activity_classification') }}
    where source_table = 'energy'

),

quality as (

    select * from {{ ref('data_quality_scores') }}

),

densities as (

    select * from {{ ref('fuel_densities') }}

),

final as (

    select
        pieces.reporting_year,
        pieces.activity_month,
        facilities.entity_id,
        pieces.facility_id,
        facilities.facility_type,
        cast(classification.scope as integer) as scope,
        classification.category,
        nullif(classification.scope2_method, '') as scope2_method,
        classification.pin_key,
        classification.factor_activity,
        coalesce(classification.factor_variant, '') as factor_variant,
        pieces.energy_type,
        pieces.source_file,
        pieces.source_row,
        pieces.record_id,
        pieces.quantity,
        pieces.quantity_unit,
        densities.kg_per_litre as density_kg_per_litre,
        facilities.market_code,
        facilities.province_iso,
        facilities.grid_region_id,
        facilities.is_mainland_grid,
        pieces.data_source,
        pieces.data_source in ('landlord_allocation', 'estimate') as is_estimate,
        pieces.fill_method,
        pieces.filled_from_month,
        quality.data_quality_score
    from pieces
    inner join facilities
        on pieces.facility_id = facilities.facility_id
    inner join classification
        on pieces.energy_type = classification.source_type
    left join quality
        on pieces.data_source = quality.data_source
    left join densities
        on pieces.energy_type = densities.fuel

)

select * from final

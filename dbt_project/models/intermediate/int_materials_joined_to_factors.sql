{#-
  Scope 3 categories 1 (paper, water supply) and 5 (waste by treatment, wastewater) from
  landing/materials, with the factors the policy pins (one pin key per material,
  scope3_activity_classification). Lines are split by days into the months they cover, as energy is
  (period_end is inclusive). The site gives the entity and the place; a UK factor for a site elsewhere
  is a geographic proxy (data quality at least 4). Quantities are the canonical kg or m3.
-#}
with materials as (

    select * from {{ ref('stg_materials') }}

),

months as (

    select * from {{ ref('calendar_months') }}

),

facilities as (

    select * from {{ ref('int_facilities_mapped_to_grid') }}

),

classification as (

    select * from {{ ref('scope3_activity_classification') }}
    where source_table = 'materials'

),

pieces as (

    select
        materials.record_id,
        materials.facility_id,
        materials.material,
        materials.quantity_canonical,
        materials.unit_canonical,
        materials.source_file,
        materials.source_row,
        months.activity_month,
        months.reporting_year,
        {{ dbt.datediff('materials.period_start_date', 'materials.period_end_date', 'day') }} + 1 as period_days,
        {{ dbt.datediff(
            'case when materials.period_start_date > months.month_start_date then materials.period_start_date else months.month_start_date end',
            'case when materials.period_end_date < months.month_end_date then materials.period_end_date else months.month_end_date end',
            'day') }} + 1 as days_in_piece
    from materials
    inner join months
        on months.month_start_date <= materials.period_end_date
        and months.month_end_date >= materials.period_start_date

),

activity as (

    select
        cast(pieces.reporting_year as integer) as reporting_year,
        pieces.activity_month,
        facilities.entity_id,
        pieces.facility_id,
        3 as scope,
        classification.category,
        cast(null as {{ dbt.type_string() }}) as scope2_method,
        classification.pin_key,
        classification.factor_activity,
        coalesce(cast(classification.factor_variant as {{ dbt.type_string() }}), '') as factor_variant,
        pieces.material,
        pieces.source_file,
        pieces.source_row,
        pieces.record_id,
        pieces.quantity_canonical * pieces.days_in_piece / pieces.period_days as quantity,
        pieces.unit_canonical as quantity_unit,
        -- water and waste water delivered by mass (kg) meet factors per m3 at 1 kg a litre
        cast(case when classification.factor_activity in ('water_supply', 'wastewater', 'water_treatment')
                  then 1.0 end as double) as density_kg_per_litre,
        facilities.market_code,
        facilities.province_iso,
        facilities.grid_region_id,
        'invoice' as data_source,
        false as is_estimate,
        2 as data_quality_score
    from pieces
    inner join facilities
        on pieces.facility_id = facilities.facility_id
    inner join classification
        on pieces.material = classification.source_type

),

with_factors as (

    select * from {{ apply_pinned_factors('activity') }}

),

final as (

    select
        reporting_year,
        activity_month,
        entity_id,
        facility_id,
        scope,
        category,
        scope2_method,
        gas,
        source_file,
        source_row,
        record_id,
        quantity,
        quantity_unit,
        factor_set,
        factor_id,
        kg_per_unit,
        gwp100,
        gwp_set,
        data_source,
        is_estimate,
        is_geographic_proxy,
        data_quality_score,
        t_co2e,
        cast(null as {{ dbt.type_string() }}) as scope2_basis,
        cast(null as double) as instrument_covered_kwh,
        market_code,
        pin_key,
        missing_factor_reason,
        material
    from with_factors

)

select * from final

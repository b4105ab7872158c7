{#-
  Purchased electricity, location-based: each meter or invoice line joined to the factor the policy
  pins for its reporting year and place (national, the facility's regional grid, or its province).
  Lines with no applicable factor stay, with the reason, so they are listed and never zeroed.
-#}
with electricity as (

    select * from {{ ref('stg_energy') }}
    where energy_type = 'electricity'

),

facilities as (

    select * from {{ ref('int_facilities_mapped_to_grid') }}

),

pins as (

    select * from {{ ref('stg_policy_factor_pins') }}
    where pin_key = 'electricity_location_based'

),

factor_sets as (

    select * from {{ ref('int_factor_sets_unioned') }}

),

factors as (

    select * from {{ ref('int_emission_factors_unioned') }}
    where activity = 'electricity'

),

quality as (

    select * from {{ ref('data_quality_scores') }}

),

located as (

    select
        electricity.*,
        cast(substr(electricity.activity_month, 1, 4) as integer) as reporting_year,
        facilities.entity_id,
        facilities.facility_type,
        facilities.province_iso,
        facilities.grid_region_id,
        facilities.is_mainland_grid
    from electricity
    left join facilities
        on electricity.facility_id = facilities.facility_id

),

pinned as (

    select
        located.*,
        pins.factor_set,
        factor_sets.geography_level
    from located
    left join pins
        on located.reporting_year = pins.reporting_year
    left join factor_sets
        on pins.factor_set = factor_sets.factor_set

),

matched as (

    select
        pinned.*,
        factors.factor_id,
        factors.gas,
        factors.kg_per_unit,
        factors.activity_unit as factor_unit
    from pinned
    left join factors
        on pinned.factor_set = factors.factor_set
        and factors.activity_unit = pinned.unit_canonical
        and (
            (pinned.geography_level = 'national' and pinned.is_mainland_grid and factors.geography = 'CN')
            or (pinned.geography_level = 'grid_region' and factors.geography = pinned.grid_region_id)
            or (pinned.geography_level = 'province' and pinned.is_mainland_grid and factors.geography = pinned.province_iso)
            or (pinned.geography_level = 'custom' and factors.geography in ('*', pinned.province_iso, pinned.grid_region_id))
        )

),

final as (

    select
        matched.reporting_year,
        matched.activity_month,
        matched.entity_id,
        matched.facility_id,
        matched.facility_type,
        2 as scope,
        's2_purchased_electricity' as category,
        'location_based' as scope2_method,
        matched.gas,
        matched.source_file,
        matched.source_row,
        matched.record_id,
        matched.quantity_canonical as activity_quantity,
        matched.unit_canonical as activity_unit,
        matched.factor_set,
        matched.factor_id,
        matched.kg_per_unit,
        matched.data_source,
        quality.data_quality_score,
        matched.quantity_canonical * matched.kg_per_unit / 1000.0 as t_co2e,
        case
            when matched.factor_set is null then 'no_factor_pinned_for_year'
            when not matched.is_mainland_grid and matched.geography_level <> 'custom' then 'outside_mainland_grids'
            when matched.factor_id is null then 'no_factor_in_set_for_geography'
        end as missing_factor_reason
    from matched
    left join quality
        on matched.data_source = quality.data_source

)

select * from final

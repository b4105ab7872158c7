{#-
  Purchased electricity, market-based, by the Scope 2 Guidance hierarchy: certificates first (their
  share of the site's year, applied to each month), then a supplier-specific rate for the rest, then
  the residual mix of the same market pinned by the policy (for the mainland, the MEE series excluding
  market-traded non-fossil power, a disclosed proxy), then the location-based factor flagged as the
  market-based fallback. activity_quantity is the whole piece; t_co2e is on the uncovered part.
-#}

{%- set mb_columns -%}
    reporting_year, activity_month, entity_id, facility_id, scope, category, scope2_method, gas, source_file,
    source_row, record_id, piece_quantity as quantity, quantity_unit, factor_set, factor_id, kg_per_unit, gwp100,
    gwp_set, data_source, is_estimate, is_geographic_proxy, data_quality_score, t_co2e, instrument_covered_kwh,
    market_code
{%- endset %}

with electricity as (

    select * from {{ ref('int_energy_activity_rows') }}
    where energy_type = 'electricity'

),

allocation as (

    select * from {{ ref('int_electricity_instruments_allocated') }}

),

pieces as (

    select
        electricity.reporting_year,
        electricity.activity_month,
        electricity.entity_id,
        electricity.facility_id,
        electricity.facility_type,
        electricity.scope,
        electricity.category,
        'market_based' as scope2_method,
        electricity.factor_activity,
        electricity.factor_variant,
        electricity.source_file,
        electricity.source_row,
        electricity.record_id,
        electricity.quantity as piece_quantity,
        electricity.quantity * (1 - coalesce(allocation.covered_share, 0.0)) as quantity,
        electricity.quantity * coalesce(allocation.covered_share, 0.0) as instrument_covered_kwh,
        electricity.quantity_unit,
        electricity.density_kg_per_litre,
        electricity.market_code,
        electricity.province_iso,
        electricity.grid_region_id,
        electricity.data_source,
        electricity.is_estimate,
        electricity.data_quality_score,
        allocation.supplier_kg_per_kwh,
        allocation.supplier_instrument_id
    from electricity
    left join allocation
        on electricity.reporting_year = allocation.reporting_year
        and electricity.facility_id = allocation.facility_id

),

fully_covered as (

    select
        pieces.*,
        'contractual_instruments' as factor_set,
        'contractual_instruments' as factor_id,
        'CO2' as gas,
        0.0 as kg_per_unit,
        1.0 as gwp100,
        cast(null as {{ dbt.type_string() }}) as gwp_set,
        false as is_geographic_proxy,
        0.0 as t_co2e,
        'contractual_instrument' as scope2_basis
    from pieces
    where pieces.quantity <= 0

),

supplier_specific as (

    select
        pieces.*,
        'supplier_specific' as factor_set,
        {{ dbt.concat(["'supplier:'", "pieces.supplier_instrument_id"]) }} as factor_id,
        'CO2e' as gas,
        pieces.supplier_kg_per_kwh as kg_per_unit,
        1.0 as gwp100,
        cast(null as {{ dbt.type_string() }}) as gwp_set,
        false as is_geographic_proxy,
        pieces.quantity * pieces.supplier_kg_per_kwh / 1000.0 as t_co2e,
        'supplier_specific' as scope2_basis
    from pieces
    where pieces.quantity > 0 and pieces.supplier_kg_per_kwh is not null

),

residual_candidates as (

    select pieces.*, 'electricity_market_based' as pin_key
    from pieces
    where pieces.quantity > 0 and pieces.supplier_kg_per_kwh is null

),

residual as (

    select * from {{ apply_pinned_factors('residual_candidates') }}

),

residual_missing as (

    select distinct source_file, source_row, activity_month
    from residual
    where missing_factor_reason is not null

),

fallback_candidates as (

    select pieces.*, 'electricity_location_based' as pin_key
    from pieces
    inner join residual_missing
        on pieces.source_file = residual_missing.source_file
        and pieces.source_row = residual_missing.source_row
        and pieces.activity_month = residual_missing.activity_month

),

fallback as (

    select * from {{ apply_pinned_factors('fallback_candidates') }}

),

final as (

    select {{ mb_columns }}, scope2_basis, cast(null as {{ dbt.type_string() }}) as missing_factor_reason
    from fully_covered
    union all
    select {{ mb_columns }}, scope2_basis, cast(null as {{ dbt.type_string() }}) as missing_factor_reason
    from supplier_specific
    union all
    select {{ mb_columns }}, 'residual_mix' as scope2_basis, missing_factor_reason
    from residual
    where missing_factor_reason is null
    union all
    select {{ mb_columns }}, 'location_based_fallback' as scope2_basis, missing_factor_reason
    from fallback

)

select * from final

{#-
  Scope 3 category 3, fuel- and energy-related activities not in Scopes 1 and 2:
  - well-to-tank (extraction, refining, transport) of the fuels burnt on site and in the fleet, and of
    the fuels burnt to generate purchased electricity, heat and steam: the same activity as Scopes 1
    and 2 (after data-centre source selection and gap filling) x the pinned '<fuel>_wtt' factor;
  - transmission and distribution losses of purchased electricity: kWh x the grid's loss rate x the
    location-based factor applied in Scope 2, per gas, only where that factor is per kWh generated
    (seed scope3_grid_loss_rates: the DESNZ UK factors, loss rate = DESNZ's T&D factor / its
    generation factor of the same edition; eGRID2023, EPA's grid gross loss). The MEE/NBS and ETS
    factors are published for electricity consumption, so no loss is added to them. The row's
    activity is the electricity lost (kWh x loss rate, pin key electricity_td_losses) and its factor
    the location-based factor of the piece, so every row still names a library factor.
  Well-to-tank rows of a year whose '_wtt' key the policy does not pin are kept here with that reason
  but left out of int_scope3_emissions (rpt_exclusions_register lists them).
  A UK well-to-tank factor used for a site elsewhere is a geographic proxy (data quality at least 4).
  The upstream of electricity is computed for the kWh Scope 2 counts: a piece without a location-based
  factor (a grid the library does not cover, e.g. Hong Kong) is already listed in
  fct_activity_without_factor under Scope 2, and its upstream is not proxied on its own nor listed twice.
-#}
with energy as (

    select * from {{ ref('int_energy_activity_rows') }}

),

energy_with_factors as (

    select * from {{ ref('int_energy_joined_to_factors') }}

),

fleet as (

    select * from {{ ref('stg_fleet') }}

),

entities as (

    select * from {{ ref('stg_org_entities') }}

),

densities as (

    select * from {{ ref('fuel_densities') }}

),

classification as (

    select * from {{ ref('scope3_activity_classification') }}
    where component = 'wtt' and source_table in ('energy', 'fleet')

),

loss_rates as (

    select
        factor_set,
        geography,
        kwh_basis,
        coalesce(
            cast(loss_rate_pct as double) / 100.0,
            cast(td_kg_co2e_per_kwh as double) / cast(generation_kg_co2e_per_kwh as double)
        ) as loss_rate
    from {{ ref('scope3_grid_loss_rates') }}

),

{#- Electricity pieces Scope 2 found a location-based factor for: the grid is characterised. -#}
electricity_located as (

    select distinct record_id, source_file, source_row, activity_month
    from energy_with_factors
    where energy_type = 'electricity' and scope2_method = 'location_based' and missing_factor_reason is null

),

energy_wtt as (

    select
        energy.reporting_year,
        energy.activity_month,
        energy.entity_id,
        energy.facility_id,
        3 as scope,
        classification.category,
        cast(null as {{ dbt.type_string() }}) as scope2_method,
        classification.pin_key,
        classification.factor_activity,
        coalesce(cast(classification.factor_variant as {{ dbt.type_string() }}), '') as factor_variant,
        'wtt' as component,
        energy.source_file,
        energy.source_row,
        energy.record_id,
        energy.quantity,
        energy.quantity_unit,
        energy.density_kg_per_litre,
        energy.market_code,
        energy.province_iso,
        energy.grid_region_id,
        energy.data_source,
        energy.is_estimate,
        energy.data_quality_score
    from energy
    inner join classification
        on classification.source_table = 'energy'
        and energy.energy_type = classification.source_type
    left join electricity_located
        on energy.record_id = electricity_located.record_id
        and energy.source_file = electricity_located.source_file
        and energy.source_row = electricity_located.source_row
        and energy.activity_month = electricity_located.activity_month
    where energy.energy_type <> 'electricity' or electricity_located.source_file is not null

),

fleet_wtt as (

    select
        cast(substr(fleet.activity_month, 1, 4) as integer) as reporting_year,
        fleet.activity_month,
        fleet.entity_id,
        cast(null as {{ dbt.type_string() }}) as facility_id,
        3 as scope,
        classification.category,
        cast(null as {{ dbt.type_string() }}) as scope2_method,
        classification.pin_key,
        classification.factor_activity,
        coalesce(cast(classification.factor_variant as {{ dbt.type_string() }}), '') as factor_variant,
        'wtt' as component,
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
        on classification.source_table = 'fleet'
        and fleet.fuel_type = classification.source_type
    left join entities
        on fleet.entity_id = entities.entity_id
    left join densities
        on fleet.fuel_type = densities.fuel

),

rows_to_factor as (

    select * from energy_wtt
    union all
    select * from fleet_wtt

),

wtt_with_factors as (

    select * from {{ apply_pinned_factors('rows_to_factor') }}

),

{#- The electricity lost on the way (kWh x loss rate) x the location-based factor (per gas) of the
    same piece: the row's activity is the lost kWh, its factor the library's location-based factor. -#}
td_losses as (

    select
        energy_with_factors.reporting_year,
        energy_with_factors.activity_month,
        energy_with_factors.entity_id,
        energy_with_factors.facility_id,
        3 as scope,
        's3_03_fuel_energy' as category,
        cast(null as {{ dbt.type_string() }}) as scope2_method,
        energy_with_factors.gas,
        energy_with_factors.source_file,
        energy_with_factors.source_row,
        energy_with_factors.record_id,
        energy_with_factors.quantity * loss_rates.loss_rate as quantity,
        energy_with_factors.quantity_unit,
        energy_with_factors.factor_set,
        energy_with_factors.factor_id,
        energy_with_factors.kg_per_unit,
        energy_with_factors.gwp100,
        energy_with_factors.gwp_set,
        energy_with_factors.data_source,
        energy_with_factors.is_estimate,
        energy_with_factors.is_geographic_proxy,
        energy_with_factors.data_quality_score,
        energy_with_factors.t_co2e * loss_rates.loss_rate as t_co2e,
        energy_with_factors.market_code,
        'electricity_td_losses' as pin_key,
        cast(null as {{ dbt.type_string() }}) as missing_factor_reason,
        'td_loss' as component
    from energy_with_factors
    inner join loss_rates
        on energy_with_factors.factor_set = loss_rates.factor_set
        and loss_rates.geography in ('*', energy_with_factors.factor_geography)
    where energy_with_factors.energy_type = 'electricity'
        and energy_with_factors.scope2_method = 'location_based'
        and energy_with_factors.missing_factor_reason is null
        and loss_rates.kwh_basis = 'generated'
        and loss_rates.loss_rate is not null

),

{%- set columns -%}
    reporting_year, activity_month, entity_id, facility_id, scope, category, scope2_method, gas, source_file,
    source_row, record_id, quantity, quantity_unit, factor_set, factor_id, kg_per_unit, gwp100, gwp_set,
    data_source, is_estimate, is_geographic_proxy, data_quality_score, t_co2e
{%- endset %}

final as (

    select
        {{ columns }},
        cast(null as {{ dbt.type_string() }}) as scope2_basis,
        cast(null as double) as instrument_covered_kwh,
        market_code,
        pin_key,
        missing_factor_reason,
        component
    from wtt_with_factors
    union all
    select
        {{ columns }},
        cast(null as {{ dbt.type_string() }}) as scope2_basis,
        cast(null as double) as instrument_covered_kwh,
        market_code,
        pin_key,
        missing_factor_reason,
        component
    from td_losses

)

select * from final

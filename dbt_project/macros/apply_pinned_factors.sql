{#
  Applies the policy's pinned emission factors to activity rows, one output row per gas.

  `rows` is a relation (usually a CTE name) with at least:
    reporting_year, pin_key, factor_activity, factor_variant, quantity, quantity_unit (a canonical
    unit: kWh, m3, kg, km, each), density_kg_per_litre (null unless a liquid fuel), market_code
    (ISO country, or HK/MO/TW), province_iso, grid_region_id, data_quality_score
  and any other columns, which are carried through.

  For the row's reporting year the policy pins one or more factor sets (in priority order); the row
  takes the first set that has a factor for its activity, variant, unit and place. Geography is
  matched at the set's level (national/country: market_code; grid_region; province; global: any
  place). A factor from another place (a UK factor for a trip in China) is a geographic proxy and
  raises the data-quality score to at least 4. CO2e is the quantity in the factor's unit x kg per
  unit x the GWP of the policy's set (1 for CO2 and for factors published only as CO2e, which keep
  their own GWP set), in tonnes. Rows with no factor come out once with `missing_factor_reason`.
#}
{% macro apply_pinned_factors(rows) %}
    {{ return(adapter.dispatch('apply_pinned_factors', 'carbonledger')(rows)) }}
{% endmacro %}

{% macro default__apply_pinned_factors(rows) %}
(
    with activity as (

        select
            r.*,
            {{ dbt.concat(["r.source_file", "'#'", "cast(r.source_row as " ~ dbt.type_string() ~ ")", "'#'",
                           "r.activity_month", "'#'", "r.pin_key", "'#'", "coalesce(r.factor_variant, '')", "'#'",
                           "coalesce(r.record_id, '')"]) }}
                as factor_match_key
        from {{ rows }} as r

    ),

    pins as (

        select * from {{ ref('stg_policy_factor_pins') }}

    ),

    factor_sets as (

        select * from {{ ref('int_factor_sets_unioned') }}

    ),

    factors as (

        select * from {{ ref('int_emission_factors_unioned') }}

    ),

    bridges as (

        select * from {{ ref('factor_unit_bridges') }}

    ),

    gwp as (

        select * from {{ ref('gwp_values') }}

    ),

    gwp_set as (

        select max(case when setting = 'gwp_set' then value end) as gwp_set from {{ ref('stg_policy_settings') }}

    ),

    candidates as (

        select
            activity.factor_match_key,
            pins.priority,
            pins.factor_set,
            factor_sets.geography_level,
            factors.factor_id,
            factors.gas,
            factors.kg_per_unit,
            factors.activity_unit as factor_unit,
            factors.gwp_set as factor_gwp_set,
            factors.geography as factor_geography,
            factors.data_year as factor_data_year,
            factors.uncertainty_pct as factor_uncertainty_pct,
            activity.quantity
                * bridges.multiplier
                * (case when bridges.density = 'multiply' then activity.density_kg_per_litre else 1.0 end)
                / (case when bridges.density = 'divide' then activity.density_kg_per_litre else 1.0 end)
                as quantity_in_factor_unit
        from activity
        inner join pins
            on activity.pin_key = pins.pin_key
            and activity.reporting_year = pins.reporting_year
        inner join factor_sets
            on pins.factor_set = factor_sets.factor_set
        inner join factors
            on pins.factor_set = factors.factor_set
            and activity.factor_activity = factors.activity
            and coalesce(activity.factor_variant, '') = coalesce(factors.activity_variant, '')
        inner join bridges
            on activity.quantity_unit = bridges.from_unit
            and factors.activity_unit = bridges.to_unit
            -- a bridge through a density needs one: without it the row has no factor (listed), never a null tonne
            and (bridges.density is null or activity.density_kg_per_litre is not null)
        where
            case
                when factor_sets.geography_level in ('national', 'country') then factors.geography = activity.market_code
                when factor_sets.geography_level = 'grid_region' then factors.geography = activity.grid_region_id
                when factor_sets.geography_level = 'province' then factors.geography = activity.province_iso
                when factor_sets.geography_level = 'global' then true
                when factor_sets.geography_level = 'custom' then
                    factors.geography in ('*', activity.market_code, activity.province_iso, activity.grid_region_id)
                else false
            end

    ),

    first_set as (

        select factor_match_key, min(priority) as priority
        from candidates
        group by factor_match_key

    ),

    chosen as (

        select candidates.*
        from candidates
        inner join first_set
            on candidates.factor_match_key = first_set.factor_match_key
            and candidates.priority = first_set.priority

    ),

    pinned_years as (

        select distinct pin_key, reporting_year from pins

    ),

    final as (

        select
            activity.*,
            chosen.factor_set,
            chosen.factor_id,
            chosen.gas,
            chosen.kg_per_unit,
            chosen.factor_unit,
            chosen.factor_data_year,
            chosen.factor_uncertainty_pct,
            chosen.quantity_in_factor_unit,
            case
                when chosen.gas in ('CO2', 'CO2e', 'rf_uplift') then 1.0
                else gwp.gwp100
            end as gwp100,
            case
                when chosen.gas in ('CO2e', 'rf_uplift') then chosen.factor_gwp_set
                else gwp_set.gwp_set
            end as gwp_set,
            chosen.factor_geography,
            case
                when chosen.factor_id is null then false
                when chosen.factor_geography in ('*', activity.market_code, activity.province_iso, activity.grid_region_id)
                    then false
                else true
            end as is_geographic_proxy,
            chosen.quantity_in_factor_unit * chosen.kg_per_unit
                * case when chosen.gas in ('CO2', 'CO2e', 'rf_uplift') then 1.0 else gwp.gwp100 end
                / 1000.0 as t_co2e,
            case
                when pinned_years.pin_key is null then 'no_factor_pinned_for_year'
                when chosen.factor_id is null then 'no_factor_in_pinned_sets_for_place'
                when chosen.gas not in ('CO2', 'CO2e', 'rf_uplift') and gwp.gwp100 is null then 'no_gwp_for_gas_in_policy_set'
            end as missing_factor_reason
        from activity
        cross join gwp_set
        left join pinned_years
            on activity.pin_key = pinned_years.pin_key
            and activity.reporting_year = pinned_years.reporting_year
        left join chosen
            on activity.factor_match_key = chosen.factor_match_key
        {# AR6 gives methane from fossil sources 29.8 and from non-fossil sources 27.0 (WG1 Table 7.15):
            combustion CH4 is fossil; waste and wastewater CH4 is non-fossil. #}
        left join gwp
            on gwp.gwp_set = gwp_set.gwp_set
            and gwp.gas = case
                when chosen.gas = 'CH4' and gwp_set.gwp_set = 'AR6' and activity.factor_activity in
                    ('waste_general', 'waste_food', 'waste_recycled', 'wastewater', 'water_supply') then 'CH4_non_fossil'
                when chosen.gas = 'CH4' and gwp_set.gwp_set = 'AR6' then 'CH4_fossil'
                else chosen.gas
            end

    )

    select * from final
)
{% endmacro %}

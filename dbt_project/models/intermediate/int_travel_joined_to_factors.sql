{#-
  Scope 3 category 6, business travel: every trip segment and hotel stay of landing/travel with the
  factors the policy pins, one row per gas (flights also carry an rf_uplift row, counted in totals only
  as the policy says), plus the well-to-tank of the travel fuels as its own rows (pin keys '<mode>_wtt').

  Flights: the distance given, else the great-circle distance between the two airports (haversine,
  radius 6,371 km; DEFRA's 8% routing uplift is already in its factors). DEFRA's "to/from UK" classes
  only when a UK airport is at either end (domestic when both are; short-haul up to the policy's
  scope3_air_short_haul_max_km, long-haul beyond); every other flight, domestic China included, takes
  "International, to/from non-UK"; cabin by scope3_air_cabin_classes. A flight's place (market_code)
  is GB when a UK airport is involved, else the origin's country, so a DEFRA factor for a non-UK flight
  is a geographic proxy (data quality at least 4). Ground travel: the distance given, at the row's
  country. Hotels: nights x the factor of the hotel's country (DEFRA publishes hotel factors per
  country: a country-level set, so the hotel's own country is matched and is not a proxy). A segment without a distance (or nights) falls back to spend x the pinned spend factor
  (pin key business_travel_spend, variant = mode) when the policy allows it, flagged data quality 5;
  otherwise it is listed without a factor with the reason. Well-to-tank rows of a year whose '_wtt'
  key the policy does not pin are kept here with that reason but left out of int_scope3_emissions
  (an optional upstream component the policy chose not to compute; rpt_exclusions_register lists it).
-#}
with travel as (

    select * from {{ ref('stg_travel') }}

),

airports as (

    select * from {{ ref('airports') }}

),

cabin_classes as (

    select * from {{ ref('scope3_air_cabin_classes') }}

),

classification as (

    select * from {{ ref('scope3_activity_classification') }}
    where source_table = 'travel'

),

settings as (

    select
        cast(max(case when setting = 'scope3_air_short_haul_max_km' then value end) as double) as short_haul_max_km,
        coalesce(max(case when setting = 'scope3_spend_based_fallback' then value end), 'true') = 'true'
            as spend_based_fallback
    from {{ ref('stg_policy_settings') }}

),

flights_located as (

    select
        travel.trip_id,
        origin_airport.country_code as origin_country,
        destination_airport.country_code as destination_country,
        case
            when origin_airport.iata_code is not null and destination_airport.iata_code is not null then
                {{ great_circle_km('origin_airport.latitude', 'origin_airport.longitude',
                                   'destination_airport.latitude', 'destination_airport.longitude') }}
        end as great_circle_km
    from travel
    left join airports as origin_airport
        on upper(trim(travel.origin)) = origin_airport.iata_code
    left join airports as destination_airport
        on upper(trim(travel.destination)) = destination_airport.iata_code
    where travel.mode = 'air'

),

segments_measured as (

    select
        travel.*,
        flights_located.origin_country,
        flights_located.destination_country,
        flights_located.great_circle_km,
        case
            when travel.mode = 'hotel' then cast(travel.nights as double)
            when travel.mode = 'air' then coalesce(travel.distance_km, flights_located.great_circle_km)
            else travel.distance_km
        end as measured_quantity,
        case
            when travel.mode = 'hotel' then 'each'
            else 'km'
        end as measured_unit,
        case
            when travel.mode = 'hotel' then 'nights'
            when travel.distance_km is not null then 'distance_given'
            when flights_located.great_circle_km is not null then 'great_circle'
        end as distance_basis,
        (flights_located.origin_country = 'GB' or flights_located.destination_country = 'GB') as is_uk_flight
    from travel
    left join flights_located
        on travel.trip_id = flights_located.trip_id

),

segments_classified as (

    select
        segments_measured.*,
        case
            when segments_measured.mode <> 'air' then null
            when not coalesce(segments_measured.is_uk_flight, false) then 'international'
            when segments_measured.origin_country = 'GB' and segments_measured.destination_country = 'GB' then 'domestic'
            when segments_measured.measured_quantity <= settings.short_haul_max_km then 'short_haul'
            else 'long_haul'
        end as air_haul,
        case
            when segments_measured.mode = 'air' and coalesce(segments_measured.is_uk_flight, false) then 'GB'
            when segments_measured.mode = 'air' then coalesce(segments_measured.origin_country, upper(trim(segments_measured.country)))
            else upper(trim(segments_measured.country))
        end as place_code,
        settings.spend_based_fallback
    from segments_measured
    cross join settings

),

{#- What each segment is measured by: its distance or nights, spend as the fallback, or nothing. -#}
segments_routed as (

    select
        segments_classified.*,
        case
            when measured_quantity is not null then 'activity'
            when spend_cny is not null and spend_based_fallback then 'spend_based'
        end as basis,
        case
            when measured_quantity is not null then null
            when spend_cny is not null and spend_based_fallback then null
            when mode = 'air' and great_circle_km is null then 'unknown_airport_and_no_distance'
            when spend_cny is not null then 'no_distance_and_spend_based_fallback_disabled'
            when mode = 'hotel' then 'no_nights_and_no_spend'
            else 'no_distance_and_no_spend'
        end as unquantified_reason
    from segments_classified

),

activity as (

    select
        cast(substr(segments_routed.activity_month, 1, 4) as integer) as reporting_year,
        segments_routed.activity_month,
        segments_routed.entity_id,
        cast(null as {{ dbt.type_string() }}) as facility_id,
        3 as scope,
        classification.category,
        cast(null as {{ dbt.type_string() }}) as scope2_method,
        classification.pin_key,
        classification.factor_activity,
        case classification.variant_rule
            when 'air_class' then cabin_classes.factor_variant
            else coalesce(cast(classification.factor_variant as {{ dbt.type_string() }}), '')
        end as factor_variant,
        classification.component,
        segments_routed.mode,
        segments_routed.air_haul,
        segments_routed.cabin_class,
        segments_routed.origin,
        segments_routed.destination,
        segments_routed.distance_basis,
        segments_routed.source_file,
        segments_routed.source_row,
        segments_routed.trip_id as record_id,
        segments_routed.measured_quantity / coalesce(classification.vehicle_occupancy, 1) as quantity,
        segments_routed.measured_unit as quantity_unit,
        cast(null as double) as density_kg_per_litre,
        segments_routed.place_code as market_code,
        cast(null as {{ dbt.type_string() }}) as province_iso,
        cast(null as {{ dbt.type_string() }}) as grid_region_id,
        'invoice' as data_source,
        false as is_estimate,
        2 as data_quality_score
    from segments_routed
    inner join classification
        on segments_routed.mode = classification.source_type
    left join cabin_classes
        on segments_routed.air_haul = cabin_classes.haul
        and coalesce(segments_routed.cabin_class, 'average') = cabin_classes.cabin_class
    where segments_routed.basis = 'activity'

),

spend_activity as (

    select
        cast(substr(activity_month, 1, 4) as integer) as reporting_year,
        activity_month,
        entity_id,
        cast(null as {{ dbt.type_string() }}) as facility_id,
        3 as scope,
        's3_06_business_travel' as category,
        cast(null as {{ dbt.type_string() }}) as scope2_method,
        'business_travel_spend' as pin_key,
        'business_travel_spend' as factor_activity,
        mode as factor_variant,
        'spend_based' as component,
        mode,
        air_haul,
        cabin_class,
        origin,
        destination,
        'spend_based' as distance_basis,
        source_file,
        source_row,
        trip_id as record_id,
        spend_cny as quantity,
        'CNY' as quantity_unit,
        cast(null as double) as density_kg_per_litre,
        place_code as market_code,
        cast(null as {{ dbt.type_string() }}) as province_iso,
        cast(null as {{ dbt.type_string() }}) as grid_region_id,
        'spend_based' as data_source,
        true as is_estimate,
        5 as data_quality_score
    from segments_routed
    where basis = 'spend_based'

),

rows_to_factor as (

    select * from activity
    union all
    select * from spend_activity

),

with_factors as (

    select * from {{ apply_pinned_factors('rows_to_factor') }}

),

unquantified as (

    select
        cast(substr(activity_month, 1, 4) as integer) as reporting_year,
        activity_month,
        entity_id,
        cast(null as {{ dbt.type_string() }}) as facility_id,
        3 as scope,
        's3_06_business_travel' as category,
        cast(null as {{ dbt.type_string() }}) as scope2_method,
        case when mode = 'air' then 'air_travel' else mode end as pin_key,
        mode,
        source_file,
        source_row,
        trip_id as record_id,
        cast(null as double) as quantity,
        case when mode = 'hotel' then 'each' else 'km' end as quantity_unit,
        place_code as market_code,
        'invoice' as data_source,
        unquantified_reason as missing_factor_reason
    from segments_routed
    where basis is null

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
        component,
        mode,
        air_haul,
        factor_variant,
        distance_basis
    from with_factors
    union all
    select
        reporting_year,
        activity_month,
        entity_id,
        facility_id,
        scope,
        category,
        scope2_method,
        cast(null as {{ dbt.type_string() }}) as gas,
        source_file,
        source_row,
        record_id,
        quantity,
        quantity_unit,
        cast(null as {{ dbt.type_string() }}) as factor_set,
        cast(null as {{ dbt.type_string() }}) as factor_id,
        cast(null as double) as kg_per_unit,
        cast(null as double) as gwp100,
        cast(null as {{ dbt.type_string() }}) as gwp_set,
        data_source,
        false as is_estimate,
        false as is_geographic_proxy,
        2 as data_quality_score,
        cast(null as double) as t_co2e,
        cast(null as {{ dbt.type_string() }}) as scope2_basis,
        cast(null as double) as instrument_covered_kwh,
        market_code,
        pin_key,
        missing_factor_reason,
        'direct' as component,
        mode,
        cast(null as {{ dbt.type_string() }}) as air_haul,
        cast(null as {{ dbt.type_string() }}) as factor_variant,
        cast(null as {{ dbt.type_string() }}) as distance_basis
    from unquantified

)

select * from final

{#-
  Totals and intensity per year x entity, and the group row. Totals are Scope 1 + Scope 2 (per
  method) + the Scope 3 categories the policy reports. Per capita uses the headline method's total
  over the mean of the monthly headcount; per m2 leaves data centres out of both numerator and
  denominator. Year-on-year changes are in percent (-23.0 is a 23% fall).
-#}
with emissions as (

    select * from {{ ref('int_emissions_aggregated_to_entity_year') }}

),

boundary as (

    select * from {{ ref('int_entities_in_boundary') }}

),

categories as (

    select * from {{ ref('stg_policy_scope3_categories') }}

),

headcount as (

    select * from {{ ref('stg_org_headcount') }}

),

facilities as (

    select * from {{ ref('stg_org_facilities') }}

),

settings as (

    select
        max(case when setting = 'root_entity_id' then value end) as root_entity_id,
        max(case when setting = 'scope2_headline_method' then value end) as headline_method,
        max(policy_sha256) as policy_sha256
    from {{ ref('stg_policy_settings') }}

),

in_totals as (

    select
        emissions.*,
        case
            when emissions.scope = 1 then true
            when emissions.scope = 2 then true
            when emissions.scope = 3 then coalesce(categories.is_reported, false)
            else false
        end as counts_in_total
    from emissions
    left join categories
        on emissions.category = categories.category

),

headline_by_factor as (

    select
        in_totals.reporting_year,
        in_totals.entity_id,
        false as is_group_total,
        in_totals.factor_id,
        in_totals.facility_id,
        in_totals.category,
        in_totals.data_source,
        in_totals.factor_uncertainty_pct,
        in_totals.t_co2e,
        in_totals.t_co2e_activity_uncertainty
    from in_totals
    cross join settings
    where in_totals.counts_in_total
        and (in_totals.scope <> 2 or in_totals.scope2_method = settings.headline_method)
    union all
    select
        in_totals.reporting_year,
        settings.root_entity_id as entity_id,
        true as is_group_total,
        in_totals.factor_id,
        in_totals.facility_id,
        in_totals.category,
        in_totals.data_source,
        in_totals.factor_uncertainty_pct,
        in_totals.t_co2e * boundary.consolidation_share as t_co2e,
        in_totals.t_co2e_activity_uncertainty * boundary.consolidation_share as t_co2e_activity_uncertainty
    from in_totals
    cross join settings
    inner join boundary
        on in_totals.entity_id = boundary.entity_id
    where in_totals.counts_in_total
        and (in_totals.scope <> 2 or in_totals.scope2_method = settings.headline_method)
        and boundary.consolidation_share > 0

),

headline_terms as (

    select
        reporting_year, entity_id, is_group_total,
        power(sum(t_co2e) * max(coalesce(factor_uncertainty_pct, 0)) / 100.0, 2) as variance
    from headline_by_factor
    group by reporting_year, entity_id, is_group_total, factor_id
    union all
    select
        reporting_year, entity_id, is_group_total,
        power(sum(t_co2e_activity_uncertainty), 2) as variance
    from headline_by_factor
    group by reporting_year, entity_id, is_group_total, facility_id, category, data_source

),

headline_uncertainty as (

    select reporting_year, entity_id, is_group_total, sqrt(sum(variance)) as t_co2e_uncertainty_95
    from headline_terms
    group by reporting_year, entity_id, is_group_total

),

years_with_market_based as (

    select distinct reporting_year from emissions where scope2_method = 'market_based'

),

entity_totals as (

    select
        in_totals.reporting_year,
        in_totals.entity_id,
        sum(case when counts_in_total and coalesce(scope2_method, 'location_based') = 'location_based' then t_co2e else 0 end)
            as t_co2e_total_location_based,
        sum(case when counts_in_total and coalesce(scope2_method, 'market_based') = 'market_based' then t_co2e else 0 end)
            as t_co2e_total_market_based,
        sum(case when counts_in_total and not is_data_center and coalesce(scope2_method, 'location_based') = 'location_based' then t_co2e else 0 end)
            as t_co2e_non_dc_location_based,
        sum(case when counts_in_total and not is_data_center and coalesce(scope2_method, 'market_based') = 'market_based' then t_co2e else 0 end)
            as t_co2e_non_dc_market_based
    from in_totals
    where counts_in_total
    group by in_totals.reporting_year, in_totals.entity_id

),

entity_headcount as (

    select
        cast(substr(activity_month, 1, 4) as integer) as reporting_year,
        entity_id,
        avg(cast(headcount as double)) as headcount
    from headcount
    group by cast(substr(activity_month, 1, 4) as integer), entity_id

),

years as (

    select distinct reporting_year from entity_totals
    union
    select distinct reporting_year from entity_headcount

),

entity_floor_area as (

    select
        years.reporting_year,
        facilities.entity_id,
        sum(facilities.floor_area_m2) as floor_area_m2
    from facilities
    inner join years
        on facilities.valid_from_date <= cast({{ dbt.concat(["cast(years.reporting_year as " ~ dbt.type_string() ~ ")", "'-12-31'"]) }} as date)
        and (
            facilities.valid_to_date is null
            or facilities.valid_to_date >= cast({{ dbt.concat(["cast(years.reporting_year as " ~ dbt.type_string() ~ ")", "'-01-01'"]) }} as date)
        )
    where facilities.facility_type <> 'data_center'
    group by years.reporting_year, facilities.entity_id

),

entity_rows as (

    select
        coalesce(entity_totals.reporting_year, entity_headcount.reporting_year) as reporting_year,
        coalesce(entity_totals.entity_id, entity_headcount.entity_id) as entity_id,
        false as is_group_total,
        coalesce(entity_totals.t_co2e_total_location_based, 0) as t_co2e_total_location_based,
        coalesce(entity_totals.t_co2e_total_market_based, 0) as t_co2e_total_market_based,
        coalesce(entity_totals.t_co2e_non_dc_location_based, 0) as t_co2e_non_dc_location_based,
        coalesce(entity_totals.t_co2e_non_dc_market_based, 0) as t_co2e_non_dc_market_based,
        entity_headcount.headcount
    from entity_totals
    full outer join entity_headcount
        on entity_totals.reporting_year = entity_headcount.reporting_year
        and entity_totals.entity_id = entity_headcount.entity_id

),

entity_rows_with_area as (

    select
        entity_rows.*,
        entity_floor_area.floor_area_m2
    from entity_rows
    left join entity_floor_area
        on entity_rows.reporting_year = entity_floor_area.reporting_year
        and entity_rows.entity_id = entity_floor_area.entity_id

),

group_rows as (

    select
        entity_rows_with_area.reporting_year,
        settings.root_entity_id as entity_id,
        true as is_group_total,
        sum(t_co2e_total_location_based * boundary.consolidation_share) as t_co2e_total_location_based,
        sum(t_co2e_total_market_based * boundary.consolidation_share) as t_co2e_total_market_based,
        sum(t_co2e_non_dc_location_based * boundary.consolidation_share) as t_co2e_non_dc_location_based,
        sum(t_co2e_non_dc_market_based * boundary.consolidation_share) as t_co2e_non_dc_market_based,
        sum(headcount * boundary.consolidation_share) as headcount,
        sum(floor_area_m2 * boundary.consolidation_share) as floor_area_m2
    from entity_rows_with_area
    inner join boundary
        on entity_rows_with_area.entity_id = boundary.entity_id
    cross join settings
    where boundary.consolidation_share > 0
    group by entity_rows_with_area.reporting_year, settings.root_entity_id

),

unioned as (

    select * from entity_rows_with_area
    union all
    select * from group_rows

),

with_headline as (

    select
        unioned.reporting_year,
        unioned.entity_id,
        unioned.is_group_total,
        unioned.t_co2e_total_location_based,
        case when years_with_market_based.reporting_year is not null then unioned.t_co2e_total_market_based end
            as t_co2e_total_market_based,
        unioned.headcount,
        unioned.floor_area_m2,
        settings.headline_method,
        case
            when settings.headline_method = 'market_based' and years_with_market_based.reporting_year is not null
                then unioned.t_co2e_total_market_based
            when settings.headline_method = 'market_based' then cast(null as double)
            else unioned.t_co2e_total_location_based
        end as t_co2e_headline,
        case
            when settings.headline_method = 'market_based' and years_with_market_based.reporting_year is not null
                then unioned.t_co2e_non_dc_market_based
            when settings.headline_method = 'market_based' then cast(null as double)
            else unioned.t_co2e_non_dc_location_based
        end as t_co2e_headline_excluding_data_centers,
        settings.policy_sha256
    from unioned
    cross join settings
    left join years_with_market_based
        on unioned.reporting_year = years_with_market_based.reporting_year

),

with_intensity as (

    select
        with_headline.*,
        case when headcount > 0 then t_co2e_headline / headcount end as t_co2e_per_capita,
        case when floor_area_m2 > 0 then t_co2e_headline_excluding_data_centers * 1000.0 / floor_area_m2 end
            as kg_co2e_per_m2
    from with_headline

),

final as (

    select
        current_year.reporting_year,
        current_year.entity_id,
        current_year.is_group_total,
        current_year.t_co2e_total_location_based,
        current_year.t_co2e_total_market_based,
        current_year.headline_method,
        current_year.t_co2e_headline,
        headline_uncertainty.t_co2e_uncertainty_95 as t_co2e_headline_uncertainty_95,
        current_year.headcount,
        current_year.t_co2e_per_capita,
        current_year.floor_area_m2,
        current_year.kg_co2e_per_m2,
        case when previous_year.t_co2e_headline > 0
            then (current_year.t_co2e_headline / previous_year.t_co2e_headline - 1) * 100.0 end as yoy_change_pct,
        case when previous_year.t_co2e_per_capita > 0
            then (current_year.t_co2e_per_capita / previous_year.t_co2e_per_capita - 1) * 100.0 end as yoy_change_per_capita_pct,
        current_year.policy_sha256
    from with_intensity as current_year
    left join headline_uncertainty
        on current_year.reporting_year = headline_uncertainty.reporting_year
        and current_year.entity_id = headline_uncertainty.entity_id
        and current_year.is_group_total = headline_uncertainty.is_group_total
    left join with_intensity as previous_year
        on current_year.entity_id = previous_year.entity_id
        and current_year.is_group_total = previous_year.is_group_total
        and current_year.reporting_year = previous_year.reporting_year + 1

)

select * from final

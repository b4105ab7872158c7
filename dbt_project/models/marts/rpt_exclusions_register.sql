{#-
  Register of the Scope 3 sources left out of the reported total, per reporting year, each with an
  estimated size against the policy's materiality_threshold_pct of the group's reported total
  (Scope 1 + Scope 2 headline method + the Scope 3 categories the policy reports, group row of
  rpt_ghg_inventory_annual). Kinds of exclusion and how each is sized:
    not_relevant / omitted       categories screened out (scope3_screening): not estimated, with the
                                 reason; category 15 is "not estimated - PCAF module pending" and is
                                 material by declaration for a bank and an insurer;
    partial_remainder            the uncovered part of a partial category: not estimated;
    not_reported_by_policy       a computed category the policy does not report: its computed tonnes;
    excluded_by_policy           radiative forcing of flights when the policy leaves it out: the
                                 stored rf_uplift tonnes;
    activity_without_factor      Scope 3 activity the pinned sets give no factor for, per category,
                                 pin key and reason: its quantity x the mean tonnes per unit of the same
                                 pin key and unit with a factor (same year, else all years);
    upstream_not_pinned          well-to-tank of fuels, electricity or travel in a year whose '_wtt'
                                 key the policy does not pin: sized the same way;
    commuting_not_surveyed       entity x city strata with employees but no survey: their headcount x
                                 the mean commuting tonnes per head of the surveyed strata of the year.
  Estimates are consolidated as the group row is (each entity times its consolidation share).
  is_above_threshold is null when a source is not estimated; is_material is true when above the
  threshold or declared material.
-#}
with screening as (

    select * from {{ ref('rpt_scope3_screening') }}

),

screening_seed as (

    select * from {{ ref('scope3_screening') }}

),

inventory as (

    select * from {{ ref('rpt_ghg_inventory_annual') }}

),

scope3_rows as (

    select * from {{ ref('int_scope3_emissions') }}

),

fuel_energy as (

    select * from {{ ref('int_fuel_energy_upstream') }}

),

travel as (

    select * from {{ ref('int_travel_joined_to_factors') }}

),

strata as (

    select * from {{ ref('int_commuting_strata') }}

),

boundary as (

    select * from {{ ref('int_entities_in_boundary') }}

),

settings as (

    select
        cast(max(case when setting = 'materiality_threshold_pct' then value end) as double) as materiality_threshold_pct,
        max(case when setting = 'scope2_headline_method' then value end) as scope2_headline_method,
        max(case when setting = 'include_radiative_forcing' then value end) = 'true' as include_radiative_forcing,
        max(policy_sha256) as policy_sha256
    from {{ ref('stg_policy_settings') }}

),

policy_categories as (

    select * from {{ ref('stg_policy_scope3_categories') }}

),

reported_total as (

    select
        inventory.reporting_year,
        sum(inventory.t_co2e) as total_t_co2e
    from inventory
    cross join settings
    left join policy_categories
        on inventory.category = policy_categories.category
    where inventory.is_group_total
        and (
            inventory.scope = 1
            or (inventory.scope = 2 and inventory.scope2_method = settings.scope2_headline_method)
            or (inventory.scope = 3 and coalesce(policy_categories.is_reported, false))
        )
    group by inventory.reporting_year

),

screened_out as (

    select
        screening.reporting_year,
        {{ dbt.concat(["'category:'", "screening.category"]) }} as exclusion_id,
        screening.category,
        case when screening.status = 'partial' then 'partial_remainder' else screening.status end as exclusion_type,
        case
            when screening.status = 'partial' then {{ dbt.concat(["screening.category_name", "' (not covered: all but '", "screening.covered", "')'"]) }}
            else screening.category_name
        end as source_description,
        screening.reason,
        coalesce(screening_seed.exclusion_estimate_method, 'not estimated: screened as not relevant') as estimation_method,
        cast(null as double) as estimated_t_co2e,
        screening.is_material_omission as is_declared_material
    from screening
    inner join screening_seed
        on screening.category = screening_seed.category
    where screening.status in ('not_relevant', 'omitted', 'partial')

),

not_reported as (

    select
        screening.reporting_year,
        {{ dbt.concat(["'not_reported:'", "screening.category"]) }} as exclusion_id,
        screening.category,
        'not_reported_by_policy' as exclusion_type,
        screening.category_name as source_description,
        'Computed, but not in scope3_categories_reported of the policy.' as reason,
        'computed tonnes of the category (group, consolidated)' as estimation_method,
        screening.t_co2e as estimated_t_co2e,
        false as is_declared_material
    from screening
    where screening.status in ('computed', 'partial') and not screening.is_reported

),

rf_excluded as (

    select
        screening.reporting_year,
        'rf_uplift' as exclusion_id,
        screening.category,
        'excluded_by_policy' as exclusion_type,
        'Radiative forcing of flights (rf_uplift rows)' as source_description,
        'The policy sets include_radiative_forcing: false; the uplift is stored, not counted.' as reason,
        'stored rf_uplift tonnes (DEFRA with-RF minus without-RF factors, group, consolidated)' as estimation_method,
        screening.t_co2e_rf_uplift_stored as estimated_t_co2e,
        false as is_declared_material
    from screening
    cross join settings
    where screening.category = 's3_06_business_travel'
        and not settings.include_radiative_forcing
        and screening.t_co2e_rf_uplift_stored > 0

),

{#- Mean tonnes per unit of activity with a factor, per pin key and unit: by year and over all years. -#}
factored_pieces as (

    select
        reporting_year, pin_key, quantity_unit, source_file, source_row, activity_month,
        max(quantity) as quantity,
        sum(case when gas = 'rf_uplift' and not settings.include_radiative_forcing then 0.0 else t_co2e end) as t_co2e
    from scope3_rows
    cross join settings
    where missing_factor_reason is null and quantity > 0
    group by reporting_year, pin_key, quantity_unit, source_file, source_row, activity_month

),

intensity_by_year as (

    select reporting_year, pin_key, quantity_unit, sum(t_co2e) / sum(quantity) as t_per_unit
    from factored_pieces
    group by reporting_year, pin_key, quantity_unit

),

intensity_all_years as (

    select pin_key, quantity_unit, sum(t_co2e) / sum(quantity) as t_per_unit
    from factored_pieces
    group by pin_key, quantity_unit

),

missing_pieces as (

    select distinct
        'activity_without_factor' as exclusion_type, reporting_year, entity_id, category, pin_key, quantity_unit,
        missing_factor_reason, source_file, source_row, activity_month, quantity
    from scope3_rows
    where missing_factor_reason is not null
    union all
    select distinct
        'upstream_not_pinned' as exclusion_type, reporting_year, entity_id, category, pin_key, quantity_unit,
        missing_factor_reason, source_file, source_row, activity_month, quantity
    from fuel_energy
    where component = 'wtt' and missing_factor_reason = 'no_factor_pinned_for_year'
    union all
    select distinct
        'upstream_not_pinned' as exclusion_type, reporting_year, entity_id, category, pin_key, quantity_unit,
        missing_factor_reason, source_file, source_row, activity_month, quantity
    from travel
    where component = 'wtt' and missing_factor_reason = 'no_factor_pinned_for_year'

),

missing_grouped as (

    select
        missing_pieces.exclusion_type,
        missing_pieces.reporting_year,
        missing_pieces.category,
        missing_pieces.pin_key,
        missing_pieces.missing_factor_reason,
        count(*) as pieces,
        sum(coalesce(missing_pieces.quantity, 0) * boundary.consolidation_share) as quantity,
        max(missing_pieces.quantity_unit) as quantity_unit,
        sum(case when missing_pieces.quantity is null then 1 else 0 end) as pieces_without_quantity,
        sum(missing_pieces.quantity * boundary.consolidation_share
            * coalesce(intensity_by_year.t_per_unit, intensity_all_years.t_per_unit)) as estimated_t_co2e,
        max(case when intensity_by_year.t_per_unit is null then 1 else 0 end) as used_other_years
    from missing_pieces
    inner join boundary
        on missing_pieces.entity_id = boundary.entity_id
    left join intensity_by_year
        on missing_pieces.reporting_year = intensity_by_year.reporting_year
        and missing_pieces.pin_key = intensity_by_year.pin_key
        and missing_pieces.quantity_unit = intensity_by_year.quantity_unit
    left join intensity_all_years
        on missing_pieces.pin_key = intensity_all_years.pin_key
        and missing_pieces.quantity_unit = intensity_all_years.quantity_unit
    where boundary.consolidation_share > 0
    group by missing_pieces.exclusion_type, missing_pieces.reporting_year, missing_pieces.category,
        missing_pieces.pin_key, missing_pieces.missing_factor_reason

),

without_factor as (

    select
        reporting_year,
        {{ dbt.concat(["exclusion_type", "':'", "category", "':'", "pin_key", "':'", "missing_factor_reason"]) }} as exclusion_id,
        category,
        exclusion_type,
        case
            when exclusion_type = 'upstream_not_pinned'
                then {{ dbt.concat(["cast(pieces as " ~ dbt.type_string() ~ ")", "' pieces: '", "pin_key",
                                    "' (well-to-tank) not pinned by the policy for the year'"]) }}
            else {{ dbt.concat(["cast(pieces as " ~ dbt.type_string() ~ ")", "' pieces of '", "pin_key",
                                "' activity without a factor'"]) }}
        end as source_description,
        missing_factor_reason as reason,
        case
            when estimated_t_co2e is null or pieces_without_quantity > 0
                then 'not estimated in full: no factored activity of the same pin key and unit, or no quantity'
            when used_other_years = 1
                then 'quantity x mean tonnes per unit of the same pin key and unit with a factor, all years'
            else 'quantity x mean tonnes per unit of the same pin key and unit with a factor, same year'
        end as estimation_method,
        estimated_t_co2e,
        false as is_declared_material
    from missing_grouped

),

commuting_per_head as (

    select
        scope3_rows.reporting_year,
        sum(scope3_rows.t_co2e) as t_co2e
    from scope3_rows
    where scope3_rows.category = 's3_07_employee_commuting' and scope3_rows.missing_factor_reason is null
    group by scope3_rows.reporting_year

),

surveyed_heads as (

    select reporting_year, sum(stratum_headcount) as headcount
    from strata
    where has_survey and not coalesce(is_city_unmatched, false)
    group by reporting_year

),

not_surveyed as (

    select
        strata.reporting_year,
        sum(strata.stratum_headcount * boundary.consolidation_share) as headcount,
        count(*) as strata
    from strata
    inner join boundary
        on strata.entity_id = boundary.entity_id
    where not strata.has_survey and boundary.consolidation_share > 0 and strata.stratum_headcount > 0
    group by strata.reporting_year

),

commuting_gaps as (

    select
        not_surveyed.reporting_year,
        'commuting_not_surveyed' as exclusion_id,
        's3_07_employee_commuting' as category,
        'commuting_not_surveyed' as exclusion_type,
        {{ dbt.concat(["cast(not_surveyed.strata as " ~ dbt.type_string() ~ ")",
                       "' entity x city strata with employees but no commuting survey'"]) }} as source_description,
        'No survey answer from these strata in or before the year.' as reason,
        'their headcount x the mean commuting tonnes per head of the surveyed strata of the year' as estimation_method,
        not_surveyed.headcount * commuting_per_head.t_co2e / nullif(surveyed_heads.headcount, 0) as estimated_t_co2e,
        false as is_declared_material
    from not_surveyed
    left join commuting_per_head
        on not_surveyed.reporting_year = commuting_per_head.reporting_year
    left join surveyed_heads
        on not_surveyed.reporting_year = surveyed_heads.reporting_year

),

register as (

    select * from screened_out
    union all
    select * from not_reported
    union all
    select * from rf_excluded
    union all
    select * from without_factor
    union all
    select * from commuting_gaps

),

final as (

    select
        {{ dbt.concat(["cast(register.reporting_year as " ~ dbt.type_string() ~ ")", "'|'", "register.exclusion_id"]) }}
            as register_id,
        register.reporting_year,
        register.exclusion_id,
        3 as scope,
        register.category,
        register.exclusion_type,
        register.source_description,
        register.reason,
        register.estimation_method,
        register.estimated_t_co2e,
        register.estimated_t_co2e is not null as is_estimated,
        reported_total.total_t_co2e as reported_total_t_co2e,
        register.estimated_t_co2e * 100.0 / nullif(reported_total.total_t_co2e, 0) as estimated_share_pct,
        settings.materiality_threshold_pct,
        case
            when register.estimated_t_co2e is null then null
            else register.estimated_t_co2e * 100.0 / nullif(reported_total.total_t_co2e, 0) > settings.materiality_threshold_pct
        end as is_above_threshold,
        register.is_declared_material,
        register.is_declared_material
            or coalesce(register.estimated_t_co2e * 100.0 / nullif(reported_total.total_t_co2e, 0)
                        > settings.materiality_threshold_pct, false) as is_material,
        settings.policy_sha256
    from register
    cross join settings
    left join reported_total
        on register.reporting_year = reported_total.reporting_year

)

select * from final

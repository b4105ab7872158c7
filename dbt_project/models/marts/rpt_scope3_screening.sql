{#-
  The Scope 3 screening per reporting year: all 15 GHG Protocol categories, each with its status
  (computed, partial, not_relevant, omitted), the reason (seed scope3_screening), whether the policy
  reports it and counts it as operational, and, where computed, the group's tonnes as reported
  (consolidated as rpt_ghg_inventory_annual's group row, radiative forcing only as the policy says).
  Category 15 (financed and insurance-associated emissions) is a material omission for a bank and an
  insurer until a PCAF module exists: while any category is a material omission,
  full_ifrs_s2_compliance_claimable is false for the year, and nothing may claim full IFRS S2 compliance.
-#}
with screening as (

    select * from {{ ref('scope3_screening') }}

),

policy_categories as (

    select * from {{ ref('stg_policy_scope3_categories') }}

),

inventory as (

    select * from {{ ref('rpt_ghg_inventory_annual') }}

),

scope3_rows as (

    select * from {{ ref('int_scope3_emissions') }}

),

boundary as (

    select * from {{ ref('int_entities_in_boundary') }}

),

strata as (

    select * from {{ ref('int_commuting_strata') }}

),

settings as (

    select
        max(case when setting = 'include_radiative_forcing' then value end) = 'true' as include_radiative_forcing,
        max(policy_sha256) as policy_sha256
    from {{ ref('stg_policy_settings') }}

),

years as (

    select distinct reporting_year from inventory

),

group_tonnes as (

    select
        reporting_year,
        category,
        sum(t_co2e) as t_co2e,
        sum(t_co2e * data_quality_score) / nullif(sum(t_co2e), 0) as data_quality_score
    from inventory
    where is_group_total and scope = 3
    group by reporting_year, category

),

{#- Radiative forcing stored for flights, consolidated as the group row is. -#}
rf_stored as (

    select
        scope3_rows.reporting_year,
        scope3_rows.category,
        sum(scope3_rows.t_co2e * boundary.consolidation_share) as t_co2e_rf_uplift
    from scope3_rows
    inner join boundary
        on scope3_rows.entity_id = boundary.entity_id
    where scope3_rows.gas = 'rf_uplift' and scope3_rows.missing_factor_reason is null
    group by scope3_rows.reporting_year, scope3_rows.category

),

missing_pieces as (

    select distinct reporting_year, category, source_file, source_row, activity_month, pin_key
    from scope3_rows
    where missing_factor_reason is not null

),

without_factor as (

    select reporting_year, category, count(*) as pieces_without_factor
    from missing_pieces
    group by reporting_year, category

),

commuting_flags as (

    select
        reporting_year,
        's3_07_employee_commuting' as category,
        sum(case when has_survey and is_low_response then 1 else 0 end) as strata_low_response,
        sum(case when has_survey and is_reused_survey then 1 else 0 end) as strata_reused_survey,
        sum(case when not has_survey then 1 else 0 end) as strata_without_survey
    from strata
    group by reporting_year

),

material_omissions as (

    select count(*) as material_omissions from screening where is_material_omission

),

final as (

    select
        {{ dbt.concat(["cast(years.reporting_year as " ~ dbt.type_string() ~ ")", "'|'", "screening.category"]) }}
            as screening_id,
        years.reporting_year,
        screening.category,
        cast(screening.category_number as integer) as category_number,
        screening.category_name,
        screening.status,
        screening.reason,
        screening.covered,
        coalesce(policy_categories.is_reported, false) as is_reported,
        coalesce(policy_categories.is_operational, false) as is_operational,
        screening.is_material_omission,
        case when screening.status in ('computed', 'partial') then coalesce(group_tonnes.t_co2e, 0.0) end as t_co2e,
        group_tonnes.data_quality_score,
        case when screening.category = 's3_06_business_travel' then coalesce(rf_stored.t_co2e_rf_uplift, 0.0) end
            as t_co2e_rf_uplift_stored,
        settings.include_radiative_forcing,
        coalesce(without_factor.pieces_without_factor, 0) as pieces_without_factor,
        commuting_flags.strata_low_response,
        commuting_flags.strata_reused_survey,
        commuting_flags.strata_without_survey,
        material_omissions.material_omissions = 0 as full_ifrs_s2_compliance_claimable,
        case
            when screening.is_material_omission
                then 'Material omission: not computed; the inventory does not claim full IFRS S2 compliance while it is omitted.'
            when screening.status = 'partial' then 'Partial: only the activities listed in covered are computed.'
            when screening.status = 'omitted' then 'Omitted: see reason and rpt_exclusions_register.'
            when screening.status = 'not_relevant' then 'Not relevant: see reason.'
            else 'Computed.'
        end as disclosure,
        settings.policy_sha256
    from years
    cross join screening
    cross join settings
    cross join material_omissions
    left join policy_categories
        on screening.category = policy_categories.category
    left join group_tonnes
        on years.reporting_year = group_tonnes.reporting_year
        and screening.category = group_tonnes.category
    left join rf_stored
        on years.reporting_year = rf_stored.reporting_year
        and screening.category = rf_stored.category
    left join without_factor
        on years.reporting_year = without_factor.reporting_year
        and screening.category = without_factor.category
    left join commuting_flags
        on years.reporting_year = commuting_flags.reporting_year
        and screening.category = commuting_flags.category

)

select * from final

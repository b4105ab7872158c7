{#-
  The GHG inventory per year x entity x scope x category x Scope 2 method. Entity rows hold 100% of
  the entity's own facilities and records, whether or not the entity is inside the boundary
  (boundary_status says); the group row (is_group_total, entity_id = the policy's root) sums the
  entities inside the boundary, each times its consolidation share. Each row carries its
  emission-weighted data-quality score, the estimated share and a 95% uncertainty range.
-#}
with emissions as (

    select * from {{ ref('int_emissions_aggregated_to_entity_year') }}

),

boundary as (

    select * from {{ ref('int_entities_in_boundary') }}

),

settings as (

    select
        max(case when setting = 'root_entity_id' then value end) as root_entity_id,
        max(case when setting = 'consolidation_approach' then value end) as consolidation_approach,
        max(case when setting = 'gwp_set' then value end) as gwp_set,
        max(policy_sha256) as policy_sha256
    from {{ ref('stg_policy_settings') }}

),

{#- Entity rows at 100%; group rows with each entity times its share. Both keep the factor grain. -#}
by_factor as (

    select
        emissions.reporting_year,
        emissions.entity_id,
        false as is_group_total,
        emissions.scope,
        emissions.category,
        emissions.scope2_method,
        emissions.factor_id,
        emissions.facility_id,
        emissions.data_source,
        emissions.factor_uncertainty_pct,
        emissions.t_co2e,
        emissions.t_co2e_x_quality_score,
        emissions.t_co2e_estimated,
        emissions.t_co2e_activity_uncertainty
    from emissions
    union all
    select
        emissions.reporting_year,
        settings.root_entity_id as entity_id,
        true as is_group_total,
        emissions.scope,
        emissions.category,
        emissions.scope2_method,
        emissions.factor_id,
        emissions.facility_id,
        emissions.data_source,
        emissions.factor_uncertainty_pct,
        emissions.t_co2e * boundary.consolidation_share as t_co2e,
        emissions.t_co2e_x_quality_score * boundary.consolidation_share as t_co2e_x_quality_score,
        emissions.t_co2e_estimated * boundary.consolidation_share as t_co2e_estimated,
        emissions.t_co2e_activity_uncertainty * boundary.consolidation_share as t_co2e_activity_uncertainty
    from emissions
    inner join boundary
        on emissions.entity_id = boundary.entity_id
    cross join settings
    where boundary.consolidation_share > 0

),

{#- The two uncertainty terms: each factor's (correlated across the rows using it) and each
    site's activity per category and data source. -#}
factor_terms as (

    select
        reporting_year, entity_id, is_group_total, scope, category, scope2_method,
        power(sum(t_co2e) * max(coalesce(factor_uncertainty_pct, 0)) / 100.0, 2) as variance
    from by_factor
    group by reporting_year, entity_id, is_group_total, scope, category, scope2_method, factor_id

),

activity_terms as (

    select
        reporting_year, entity_id, is_group_total, scope, category, scope2_method,
        power(sum(t_co2e_activity_uncertainty), 2) as variance
    from by_factor
    group by reporting_year, entity_id, is_group_total, scope, category, scope2_method, facility_id, data_source

),

variances as (

    select reporting_year, entity_id, is_group_total, scope, category, scope2_method, sum(variance) as variance
    from (
        select * from factor_terms
        union all
        select * from activity_terms
    ) as terms
    group by reporting_year, entity_id, is_group_total, scope, category, scope2_method

),

rows_aggregated as (

    select
        by_factor.reporting_year, by_factor.entity_id, by_factor.is_group_total, by_factor.scope,
        by_factor.category, by_factor.scope2_method,
        sum(by_factor.t_co2e) as t_co2e,
        sum(by_factor.t_co2e_x_quality_score) as t_co2e_x_quality_score,
        sum(by_factor.t_co2e_estimated) as t_co2e_estimated
    from by_factor
    group by by_factor.reporting_year, by_factor.entity_id, by_factor.is_group_total, by_factor.scope,
        by_factor.category, by_factor.scope2_method

),

final as (

    select
        rows_aggregated.reporting_year,
        rows_aggregated.entity_id,
        rows_aggregated.is_group_total,
        rows_aggregated.scope,
        rows_aggregated.category,
        rows_aggregated.scope2_method,
        rows_aggregated.t_co2e,
        case when rows_aggregated.t_co2e > 0
            then rows_aggregated.t_co2e_x_quality_score / rows_aggregated.t_co2e end as data_quality_score,
        rows_aggregated.t_co2e_estimated,
        case when rows_aggregated.t_co2e > 0
            then rows_aggregated.t_co2e_estimated / rows_aggregated.t_co2e * 100.0 end as estimated_share_pct,
        sqrt(variances.variance) as t_co2e_uncertainty_95,
        rows_aggregated.t_co2e - sqrt(variances.variance) as t_co2e_low_95,
        rows_aggregated.t_co2e + sqrt(variances.variance) as t_co2e_high_95,
        case when rows_aggregated.is_group_total then 1.0 else boundary.consolidation_share end as consolidation_share,
        case
            when rows_aggregated.is_group_total then 'group_total'
            when boundary.consolidation_share >= 1.0 then 'consolidated'
            when boundary.consolidation_share > 0 then 'consolidated_by_equity_share'
            else 'other_investee'
        end as boundary_status,
        boundary.relationship_type,
        settings.consolidation_approach,
        settings.gwp_set,
        settings.policy_sha256
    from rows_aggregated
    cross join settings
    left join variances
        on rows_aggregated.reporting_year = variances.reporting_year
        and rows_aggregated.entity_id = variances.entity_id
        and rows_aggregated.is_group_total = variances.is_group_total
        and rows_aggregated.scope = variances.scope
        and rows_aggregated.category = variances.category
        and coalesce(rows_aggregated.scope2_method, '') = coalesce(variances.scope2_method, '')
    left join boundary
        on rows_aggregated.entity_id = boundary.entity_id

)

select * from final

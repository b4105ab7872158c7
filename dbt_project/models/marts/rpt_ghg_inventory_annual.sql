{#-
  The GHG inventory per year x entity x scope x category x Scope 2 method. Entity rows hold 100% of
  the entity's own facilities and records; the group row (is_group_total, entity_id = the policy's
  root) sums the entities inside the boundary, each times its consolidation share.
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

entity_rows as (

    select
        reporting_year,
        entity_id,
        false as is_group_total,
        scope,
        category,
        scope2_method,
        sum(t_co2e) as t_co2e,
        sum(t_co2e_x_quality_score) as t_co2e_x_quality_score
    from emissions
    group by reporting_year, entity_id, scope, category, scope2_method

),

group_rows as (

    select
        entity_rows.reporting_year,
        settings.root_entity_id as entity_id,
        true as is_group_total,
        entity_rows.scope,
        entity_rows.category,
        entity_rows.scope2_method,
        sum(entity_rows.t_co2e * boundary.consolidation_share) as t_co2e,
        sum(entity_rows.t_co2e_x_quality_score * boundary.consolidation_share) as t_co2e_x_quality_score
    from entity_rows
    inner join boundary
        on entity_rows.entity_id = boundary.entity_id
    cross join settings
    where boundary.consolidation_share > 0
    group by
        entity_rows.reporting_year,
        settings.root_entity_id,
        entity_rows.scope,
        entity_rows.category,
        entity_rows.scope2_method

),

unioned as (

    select * from entity_rows
    union all
    select * from group_rows

),

final as (

    select
        unioned.reporting_year,
        unioned.entity_id,
        unioned.is_group_total,
        unioned.scope,
        unioned.category,
        unioned.scope2_method,
        unioned.t_co2e,
        case when unioned.t_co2e > 0 then unioned.t_co2e_x_quality_score / unioned.t_co2e end as data_quality_score,
        case when unioned.is_group_total then 1.0 else boundary.consolidation_share end as consolidation_share,
        settings.consolidation_approach,
        settings.gwp_set,
        settings.policy_sha256
    from unioned
    cross join settings
    left join boundary
        on unioned.entity_id = boundary.entity_id

)

select * from final

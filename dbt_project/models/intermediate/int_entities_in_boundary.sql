{#-
  Every entity's share in the group total under the policy's consolidation approach. Walks down from
  the root: equity is multiplied down the parent chain; under a control approach an entity is in
  (1) only if it and every entity above it are controlled, else out (0). Unrolled to a fixed depth
  so the SQL stays portable (no recursive CTE); a test fails if an entity sits deeper.
-#}
{% set max_depth = 8 %}

with entities as (

    select * from {{ ref('stg_org_entities') }}

),

settings as (

    select
        max(case when setting = 'root_entity_id' then value end) as root_entity_id,
        max(case when setting = 'consolidation_approach' then value end) as consolidation_approach
    from {{ ref('stg_policy_settings') }}

),

level_0 as (

    select
        entities.entity_id,
        cast(1.0 as double) as equity_factor,
        true as operational_in,
        true as financial_in,
        0 as depth
    from entities
    inner join settings
        on entities.entity_id = settings.root_entity_id

),

{% for level in range(1, max_depth + 1) %}
level_{{ level }} as (

    select
        child.entity_id,
        parent.equity_factor * child.equity_share_pct / 100.0 as equity_factor,
        parent.operational_in and coalesce(child.operational_control, false) as operational_in,
        parent.financial_in and coalesce(child.financial_control, false) as financial_in,
        {{ level }} as depth
    from entities as child
    inner join level_{{ level - 1 }} as parent
        on child.parent_entity_id = parent.entity_id

),
{% endfor %}

reachable as (

    {% for level in range(0, max_depth + 1) %}
    select * from level_{{ level }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        entities.entity_id,
        entities.entity_name,
        entities.parent_entity_id,
        entities.relationship_type,
        entities.business_line,
        entities.equity_share_pct,
        reachable.depth,
        coalesce(reachable.equity_factor, 0.0) as equity_factor,
        coalesce(reachable.operational_in, false) as operational_in,
        coalesce(reachable.financial_in, false) as financial_in,
        settings.consolidation_approach,
        case settings.consolidation_approach
            when 'equity_share' then coalesce(reachable.equity_factor, 0.0)
            when 'financial_control' then case when reachable.financial_in then 1.0 else 0.0 end
            else case when reachable.operational_in then 1.0 else 0.0 end
        end as consolidation_share,
        reachable.entity_id is not null as is_reachable_from_root,
        entities.entity_id = settings.root_entity_id as is_root
    from entities
    cross join settings
    left join reachable
        on entities.entity_id = reachable.entity_id

)

select * from final

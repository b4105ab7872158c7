{#-
  The legal entities of the group as the reports name them (entity names as delivered, Chinese or
  not), with their place in the boundary under the policy's consolidation approach. The TCFD report
  and the workbook read names from here, never from staging.
-#}
with entities as (

    select * from {{ ref('int_entities_in_boundary') }}

),

final as (

    select
        entity_id,
        entity_name,
        parent_entity_id,
        relationship_type,
        business_line,
        equity_share_pct,
        consolidation_approach,
        consolidation_share,
        is_root
    from entities

)

select * from final

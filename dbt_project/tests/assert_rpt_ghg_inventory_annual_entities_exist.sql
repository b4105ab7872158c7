{#-
  Relationship of rpt_ghg_inventory_annual to org/entities: every entity_id (entity rows and the group row) is an
  entity of org/entities. The dimension is read through built_relation() so the test runs in the
  annual step only.
-#}
{{ config(meta={'dagster': {'ref': {'name': 'rpt_ghg_inventory_annual'}}}) }}

with report as (

    select * from {{ ref('rpt_ghg_inventory_annual') }}

),

entities as (

    select distinct entity_id from {{ built_relation('stg_org_entities') }}

)

select report.reporting_year, report.entity_id, report.is_group_total
from report
left join entities
    on report.entity_id = entities.entity_id
where entities.entity_id is null

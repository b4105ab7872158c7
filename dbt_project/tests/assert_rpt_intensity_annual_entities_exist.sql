{#-
  Relationship of rpt_intensity_annual to org/entities: every entity_id (entity rows and the group row) is an
  entity of org/entities. The dimension is read through built_relation() so the test runs in the
  annual step only.
-#}
{{ config(meta={'dagster': {'ref': {'name': 'rpt_intensity_annual'}}}) }}

with report as (

    select * from {{ ref('rpt_intensity_annual') }}

),

entities as (

    select distinct entity_id from {{ built_relation('stg_org_entities') }}

)

select report.reporting_year, report.entity_id, report.is_group_total
from report
left join entities
    on report.entity_id = entities.entity_id
where entities.entity_id is null

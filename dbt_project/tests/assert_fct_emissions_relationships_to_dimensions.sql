{#-
  Relationships of fct_emissions to its dimensions: every entity_id is an entity of org/entities and
  every facility_id (where given) a facility of org/facilities. The dimensions are read through
  built_relation() (see macros/generic_tests/built_relation.sql) so the test runs in the monthly
  step, after the facts are built, and never against facts of an earlier run.
-#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_emissions'}}}) }}

with emissions as (

    select * from {{ ref('fct_emissions') }}

),

entities as (

    select distinct entity_id from {{ built_relation('stg_org_entities') }}

),

facilities as (

    select distinct facility_id from {{ built_relation('stg_org_facilities') }}

)

select 'entity_id not in org_entities' as problem, emissions.entity_id as value, emissions.source_file, emissions.source_row
from emissions
left join entities
    on emissions.entity_id = entities.entity_id
where entities.entity_id is null

union all

select 'facility_id not in org_facilities' as problem, emissions.facility_id as value, emissions.source_file, emissions.source_row
from emissions
left join facilities
    on emissions.facility_id = facilities.facility_id
where emissions.facility_id is not null
    and facilities.facility_id is null

{#-
  Invariant: wherever there is purchased electricity, Scope 2 is reported both location-based and
  market-based (GHG Protocol Scope 2 Guidance, dual reporting): every source row x month with one
  method has the other, either in fct_emissions or listed in fct_activity_without_factor with the
  reason it has no factor for that method. Severity warn: it reports gaps in the factor pins (for
  example a market without a residual mix) without stopping the run.
-#}
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_emissions'}}}) }}

with electricity as (

    select distinct source_file, source_row, record_id, activity_month, facility_id, scope2_method
    from {{ ref('fct_emissions') }}
    where category = 's2_purchased_electricity'

),

without_factor as (

    select distinct source_file, source_row, activity_month, scope2_method
    from {{ ref('fct_activity_without_factor') }}
    where category = 's2_purchased_electricity'

),

covered as (

    select source_file, source_row, activity_month, scope2_method from electricity
    union
    select source_file, source_row, activity_month, scope2_method from without_factor

),

lines as (

    select distinct source_file, source_row, record_id, activity_month, facility_id from electricity

),

methods as (

    select 'location_based' as scope2_method
    union all
    select 'market_based' as scope2_method

)

select
    lines.facility_id, lines.source_file, lines.source_row, lines.record_id, lines.activity_month,
    methods.scope2_method as missing_method
from lines
cross join methods
left join covered
    on lines.source_file = covered.source_file
    and lines.source_row = covered.source_row
    and lines.activity_month = covered.activity_month
    and methods.scope2_method = covered.scope2_method
where covered.scope2_method is null

{#-
  Invariant: the group row of rpt_ghg_inventory_annual is the sum of the entity rows inside the
  boundary, each times its consolidation share (equity share: the share multiplied down the parent
  chain; a control approach: 1 or 0), for every year, scope, category and Scope 2 method; and every
  share is between 0 and 1 (exactly 0 or 1 under a control approach). Returns the rows that differ.
-#}
{{ config(meta={'dagster': {'ref': {'name': 'rpt_ghg_inventory_annual'}}}) }}

with inventory as (

    select * from {{ ref('rpt_ghg_inventory_annual') }}

),

entity_rows as (

    select
        reporting_year,
        scope,
        category,
        coalesce(scope2_method, '(none)') as method_key,
        sum(t_co2e * coalesce(consolidation_share, 0)) as t_co2e
    from inventory
    where not is_group_total
    group by reporting_year, scope, category, coalesce(scope2_method, '(none)')

),

group_rows as (

    select
        reporting_year,
        scope,
        category,
        coalesce(scope2_method, '(none)') as method_key,
        sum(t_co2e) as t_co2e,
        count(*) as group_rows
    from inventory
    where is_group_total
    group by reporting_year, scope, category, coalesce(scope2_method, '(none)')

),

compared as (

    select
        coalesce(entity_rows.reporting_year, group_rows.reporting_year) as reporting_year,
        coalesce(entity_rows.scope, group_rows.scope) as scope,
        coalesce(entity_rows.category, group_rows.category) as category,
        coalesce(entity_rows.method_key, group_rows.method_key) as scope2_method,
        coalesce(entity_rows.t_co2e, 0) as t_co2e_entities_times_share,
        coalesce(group_rows.t_co2e, 0) as t_co2e_group_row,
        coalesce(group_rows.group_rows, 0) as group_rows
    from entity_rows
    full outer join group_rows
        on entity_rows.reporting_year = group_rows.reporting_year
        and entity_rows.scope = group_rows.scope
        and entity_rows.category = group_rows.category
        and entity_rows.method_key = group_rows.method_key

),

sum_differs as (

    select
        'group row is not the sum of entity rows x share' as problem,
        reporting_year, scope, category, scope2_method,
        t_co2e_entities_times_share, t_co2e_group_row
    from compared
    where abs(t_co2e_group_row - t_co2e_entities_times_share) > 0.000001 * (1 + abs(t_co2e_entities_times_share))
        or group_rows > 1

),

share_out_of_range as (

    select
        'consolidation share out of range for the approach' as problem,
        reporting_year, scope, category, coalesce(scope2_method, '(none)') as scope2_method,
        consolidation_share as t_co2e_entities_times_share, cast(null as double) as t_co2e_group_row
    from inventory
    where not is_group_total
        and consolidation_share is not null
        and (
            consolidation_share < 0 or consolidation_share > 1
            or (consolidation_approach <> 'equity_share' and consolidation_share not in (0, 1))
        )

)

select * from sum_differs
union all
select * from share_out_of_range

{#-
  Each published year's changes since its latest snapshot, by trigger, scope, category and method:
  the restatement report's detail. Restated years keep their own data-year factors.
-#}
with changes as (

    select * from {{ ref('int_restatement_changes') }}

),

final as (

    select
        reporting_year,
        snapshot_id,
        trigger,
        scope,
        category,
        scope2_method,
        count(*) as changed_rows,
        sum(case when is_estimate_replaced_by_actuals then 1 else 0 end) as estimates_replaced_by_actuals,
        sum(t_co2e_published) as t_co2e_published,
        sum(t_co2e_current) as t_co2e_current,
        sum(t_co2e_change) as t_co2e_change
    from changes
    group by reporting_year, snapshot_id, trigger, scope, category, scope2_method

)

select * from final

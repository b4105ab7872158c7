{#-
  The 1+N reconciliation: per reporting year and scenario, the accounts that earned, the avoided
  tonnes of the ledger (credits less reversals, by entry date), the part of them whose actual
  activity the inventory already measures (t_co2e_already_in_inventory, see docs/methodology.md),
  the tonnes transferred to exchanges and the points issued, redeemed, reversed and expired.
  Avoided tonnes are a memo book: they never enter the inventory marts or the neutrality figures.
  A scenario-year with fewer earning accounts than accounts.min_group_size is suppressed (nulls).
-#}
with account_years as (

    {#- The ledger summed per account and year (int_account_ledger_summed_by_year): the same sums. -#}
    select * from {{ ref('int_account_ledger_summed_by_year') }}

),

account_settings as (

    select cast(max(case when setting = 'min_group_size' then value end) as integer) as min_group_size
    from {{ ref('stg_policy_account_settings') }}

),

by_year as (

    select
        reporting_year,
        scenario,
        {#- One row per account, scenario and year: an account counts once. -#}
        count(case when credits > 0 then 1 end) as accounts,
        sum(g_co2e_credited + g_co2e_reversed) / 1000000.0 as t_co2e_avoided,
        sum(g_co2e_already_in_inventory) / 1000000.0 as t_co2e_already_in_inventory,
        sum(g_co2e_exchange_eligible) / 1000000.0 as t_co2e_exchange_eligible,
        sum(-1 * g_co2e_transferred) / 1000000.0 as t_co2e_transferred,
        sum(points_credited) as points_issued,
        sum(-1 * points_redeemed) as points_redeemed,
        sum(-1 * points_reversed) as points_reversed,
        sum(-1 * points_expired) as points_expired
    from account_years
    group by reporting_year, scenario

),

final as (

    select
        by_year.reporting_year,
        by_year.scenario,
        by_year.accounts < account_settings.min_group_size as is_suppressed,
        {% for column in ['accounts', 't_co2e_avoided', 't_co2e_already_in_inventory', 't_co2e_exchange_eligible',
                          't_co2e_transferred', 'points_issued', 'points_redeemed', 'points_reversed', 'points_expired'] %}
        case when by_year.accounts >= account_settings.min_group_size then by_year.{{ column }} end as {{ column }},
        {% endfor %}
        case when by_year.accounts >= account_settings.min_group_size
            then by_year.t_co2e_avoided - by_year.t_co2e_already_in_inventory end as t_co2e_not_in_inventory
    from by_year
    cross join account_settings

)

select * from final

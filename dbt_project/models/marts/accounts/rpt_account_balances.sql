{#-
  One row per scenario account (account_id, scenario): the balance is the sum of its ledger entries,
  grams and points apart. The by-type columns carry the sign they have in the ledger, so
  g_co2e_avoided_total = credited + reversed + transferred and points_balance = credited + redeemed
  + reversed + expired (a data test checks both against the ledger).
  g_co2e_avoided_total is what the account still holds: avoided grams not yet transferred to an exchange.
-#}
with account_years as (

    {#- The ledger summed per account and year (int_account_ledger_summed_by_year): the same sums. -#}
    select * from {{ ref('int_account_ledger_summed_by_year') }}

),

totals as (

    select
        account_id,
        scenario,
        sum(g_co2e_avoided) as g_co2e_avoided_total,
        sum(points) as points_balance,
        sum(g_co2e_credited) as g_co2e_credited,
        sum(g_co2e_reversed) as g_co2e_reversed,
        sum(g_co2e_transferred) as g_co2e_transferred,
        sum(points_credited) as points_credited,
        sum(points_redeemed) as points_redeemed,
        sum(points_reversed) as points_reversed,
        sum(points_expired) as points_expired,
        sum(g_co2e_already_in_inventory) as g_co2e_already_in_inventory,
        cast(sum(entries) as bigint) as entries,
        min(first_entry_at) as first_entry_at,
        max(last_entry_at) as last_entry_at
    from account_years
    group by account_id, scenario

),

final as (

    select * from totals

)

select * from final

{#-
  One row per scenario account (account_id, scenario): the balance is the sum of its ledger entries,
  grams and points apart. The by-type columns carry the sign they have in the ledger, so
  g_co2e_avoided_total = credited + reversed + transferred and points_balance = credited + redeemed
  + reversed + expired (a data test checks both against the ledger).
  g_co2e_avoided_total is what the account still holds: avoided grams not yet transferred to an exchange.
-#}
with ledger as (

    select * from {{ ref('fct_account_ledger') }}

),

totals as (

    select
        account_id,
        scenario,
        sum(g_co2e_avoided) as g_co2e_avoided_total,
        sum(points) as points_balance,
        sum(case when entry_type = 'credit' then g_co2e_avoided else 0 end) as g_co2e_credited,
        sum(case when entry_type = 'reversal' then g_co2e_avoided else 0 end) as g_co2e_reversed,
        sum(case when entry_type = 'transfer' then g_co2e_avoided else 0 end) as g_co2e_transferred,
        sum(case when entry_type = 'credit' then points else 0 end) as points_credited,
        sum(case when entry_type = 'redemption' then points else 0 end) as points_redeemed,
        sum(case when entry_type = 'reversal' then points else 0 end) as points_reversed,
        sum(case when entry_type = 'expiry' then points else 0 end) as points_expired,
        sum(case when entry_type in ('credit', 'reversal') then g_co2e_already_in_inventory else 0 end)
            as g_co2e_already_in_inventory,
        count(*) as entries,
        min(occurred_at) as first_entry_at,
        max(occurred_at) as last_entry_at
    from ledger
    group by account_id, scenario

),

final as (

    select * from totals

)

select * from final

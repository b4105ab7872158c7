{#-
  Invariant: every balance is the sum of its account's ledger entries (grams and points), every
  account with entries has a balance, and the by-type columns add up to the totals.
  The entries are summed from int_account_ledger_summed_by_year (one row per account and year), which
  assert_ledger_summed_by_year_equals_ledger ties to the ledger's entries for every year a run builds:
  reading the whole ledger again took 18 s of a month close at the group's scale (docs/benchmarks.md).
  The sums are read through built_relation so this runs once, with the balances, in the annual step.
-#}
{{ config(meta={'dagster': {'ref': {'name': 'rpt_account_balances'}}}) }}

with balances as (

    select * from {{ ref('rpt_account_balances') }}

),

ledger_sums as (

    select account_id, scenario, sum(g_co2e_avoided) as g_co2e, sum(points) as points
    from {{ built_relation('int_account_ledger_summed_by_year') }}
    group by account_id, scenario

),

compared as (

    select
        coalesce(balances.account_id, ledger_sums.account_id) as account_id,
        coalesce(balances.scenario, ledger_sums.scenario) as scenario,
        balances.g_co2e_avoided_total,
        ledger_sums.g_co2e,
        balances.points_balance,
        ledger_sums.points,
        balances.g_co2e_credited + balances.g_co2e_reversed + balances.g_co2e_transferred as g_by_type,
        balances.points_credited + balances.points_redeemed + balances.points_reversed + balances.points_expired as points_by_type
    from balances
    full outer join ledger_sums
        on balances.account_id = ledger_sums.account_id
        and balances.scenario = ledger_sums.scenario

)

select * from compared
where g_co2e_avoided_total is null or g_co2e is null
    or abs(g_co2e_avoided_total - g_co2e) > 1e-6
    or points_balance <> points
    or abs(g_by_type - g_co2e_avoided_total) > 1e-6
    or points_by_type <> points_balance

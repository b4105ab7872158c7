{#-
  Invariant: every row of int_account_ledger_summed_by_year is its account's ledger entries of that year,
  summed (grams and points, by type), and every account-year with entries has a row. Balances and the
  1+N reconciliation are checked against these sums (assert_account_balances_equal_sum_of_entries,
  assert_group_carbon_account_matches_ledger), so this test is what ties them to the ledger itself.

  It checks the years the run built (years_built_this_run): a month close rebuilds only the years of its
  months, and the earlier years' sums were checked by the run that built them. Unset (dbt by hand, a full
  run) every year is checked. The ledger is read through built_relation, so the test runs with this model.
-#}
with sums as (

    select * from {{ ref('int_account_ledger_summed_by_year') }}
    where {{ years_built_this_run('reporting_year') }}

),

ledger_sums as (

    select
        account_id,
        scenario,
        reporting_year,
        sum(g_co2e_avoided) as g_co2e,
        sum(points) as points,
        sum(case when entry_type = 'credit' then g_co2e_avoided else 0 end) as g_credited,
        sum(case when entry_type = 'credit' then points else 0 end) as points_credited,
        count(*) as entries
    from {{ built_relation('fct_account_ledger') }}
    where {{ years_built_this_run('reporting_year') }}
    group by account_id, scenario, reporting_year

),

compared as (

    select
        coalesce(sums.account_id, ledger_sums.account_id) as account_id,
        coalesce(sums.scenario, ledger_sums.scenario) as scenario,
        coalesce(sums.reporting_year, ledger_sums.reporting_year) as reporting_year,
        sums.g_co2e_avoided,
        ledger_sums.g_co2e,
        sums.points,
        ledger_sums.points as ledger_points,
        sums.g_co2e_credited,
        ledger_sums.g_credited,
        sums.points_credited,
        ledger_sums.points_credited as ledger_points_credited,
        sums.entries,
        ledger_sums.entries as ledger_entries,
        sums.g_co2e_credited + sums.g_co2e_reversed + sums.g_co2e_transferred as g_by_type,
        sums.points_credited + sums.points_redeemed + sums.points_reversed + sums.points_expired as points_by_type
    from sums
    full outer join ledger_sums
        on sums.account_id = ledger_sums.account_id
        and sums.scenario = ledger_sums.scenario
        and sums.reporting_year = ledger_sums.reporting_year

)

select * from compared
where g_co2e_avoided is null or g_co2e is null
    or abs(g_co2e_avoided - g_co2e) > 1e-6
    or points <> ledger_points
    or abs(g_co2e_credited - g_credited) > 1e-6
    or points_credited <> ledger_points_credited
    or entries <> ledger_entries
    or abs(g_by_type - g_co2e_avoided) > 1e-6
    or points_by_type <> points

{#-
  Invariant: the 1+N reconciliation is the ledger summed by year and scenario (where not suppressed),
  what is already in the inventory never exceeds what was avoided, and suppressed rows show nothing.
-#}
{{ config(meta={'dagster': {'ref': {'name': 'rpt_group_carbon_account'}}}) }}

with reconciliation as (

    select * from {{ ref('rpt_group_carbon_account') }}

),

ledger_sums as (

    select
        reporting_year,
        scenario,
        sum(case when entry_type in ('credit', 'reversal') then g_co2e_avoided else 0 end) / 1000000.0 as t_co2e_avoided,
        sum(case when entry_type = 'credit' then points else 0 end) as points_issued
    from {{ built_relation('fct_account_ledger') }}
    group by reporting_year, scenario

)

select
    reconciliation.reporting_year,
    reconciliation.scenario,
    reconciliation.t_co2e_avoided,
    ledger_sums.t_co2e_avoided as ledger_t_co2e_avoided
from reconciliation
left join ledger_sums
    on reconciliation.reporting_year = ledger_sums.reporting_year
    and reconciliation.scenario = ledger_sums.scenario
where (not reconciliation.is_suppressed and (
        {#- Relative tolerance: sums of millions of entries in another order differ in the last digits. -#}
        abs(reconciliation.t_co2e_avoided - ledger_sums.t_co2e_avoided)
            > 1e-9 * (1 + abs(ledger_sums.t_co2e_avoided))
        or reconciliation.points_issued <> ledger_sums.points_issued
        or reconciliation.t_co2e_already_in_inventory
            > reconciliation.t_co2e_avoided + 1e-9 * (1 + abs(reconciliation.t_co2e_avoided))
    ))
    or (reconciliation.is_suppressed and (reconciliation.accounts is not null or reconciliation.t_co2e_avoided is not null
                                          or reconciliation.points_issued is not null))

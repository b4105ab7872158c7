{#-
  The ledger summed per account, scenario and reporting year: what rpt_account_balances and
  rpt_group_carbon_account add up. A month close sums the entries of its year here, and those marts read
  one row per account and year instead of every entry (about 11 entries an account a year at the group's
  scale). The by-type columns keep the sign they have in the ledger. Incremental by year: the years of
  the months fct_account_ledger rebuilds (account_run_years).
-#}
-- depends_on: {{ ref('stg_policy_settings') }}
{#- (read by policy_changed_years when the model is incremental) -#}
{{ config(
    materialized='incremental',
    on_schema_change='append_new_columns',
    tags=['monthly'],
    pre_hook="{{ account_delete_run_years() }}",
    **yearly_incremental_config()
) }}

with ledger as (

    select * from {{ ref('fct_account_ledger') }}
    where {{ account_run_years('reporting_year') }}

),

summed as (

    select
        account_id,
        scenario,
        reporting_year,
        sum(g_co2e_avoided) as g_co2e_avoided,
        sum(points) as points,
        sum(case when entry_type = 'credit' then g_co2e_avoided else 0 end) as g_co2e_credited,
        sum(case when entry_type = 'reversal' then g_co2e_avoided else 0 end) as g_co2e_reversed,
        sum(case when entry_type = 'transfer' then g_co2e_avoided else 0 end) as g_co2e_transferred,
        sum(case when entry_type = 'credit' and is_exchange_eligible then g_co2e_avoided else 0 end)
            as g_co2e_exchange_eligible,
        sum(case when entry_type = 'credit' then points else 0 end) as points_credited,
        sum(case when entry_type = 'redemption' then points else 0 end) as points_redeemed,
        sum(case when entry_type = 'reversal' then points else 0 end) as points_reversed,
        sum(case when entry_type = 'expiry' then points else 0 end) as points_expired,
        sum(case when entry_type in ('credit', 'reversal') then g_co2e_already_in_inventory else 0 end)
            as g_co2e_already_in_inventory,
        count(case when entry_type = 'credit' then 1 end) as credits,
        count(*) as entries,
        min(occurred_at) as first_entry_at,
        max(occurred_at) as last_entry_at,
        {#- One policy per year after a run (a year built under another is rebuilt whole). -#}
        {{ dbt.any_value('policy_sha256') }} as policy_sha256
    from ledger
    group by account_id, scenario, reporting_year

)

select * from summed

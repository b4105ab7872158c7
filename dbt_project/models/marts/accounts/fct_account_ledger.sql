{#-
  The append-only ledger of the scenario carbon accounts: one row per entry, grams and points in
  separate columns (docs/methodology.md, "Carbon accounts"). Entry types:
    credit      a credited claim: + g CO2e avoided, + points (fct_account_claims)
    redemption  points spent on a green right: - points, never grams
    reversal    a credited claim withdrawn (policy accounts.reversals): - its grams and points
    transfer    credited reductions filed with an exchange (policy accounts.filings): - grams, no points
    expiry      points not used within accounts.points_expiry_months of their month (oldest first): - points
  Entries are never updated: a run recomputes the same entries (same entry_id) for its months, and
  a later event, filing or reversal adds entries in its own month. Balances = sums of entries.
  Avoided grams never enter the inventory marts. Month-partitioned, incremental. reduction_place (credits
  and their reversals) is where the reduction happened, for the exchange schemes' places (docs/filing.md).
-#}
{{ config(
    materialized='incremental',
    on_schema_change='append_new_columns',
    tags=['monthly'],
    pre_hook="{{ account_delete_run_window() }}",
    **monthly_incremental_config()
) }}

{#- The claims table is read once per entry type, each read with its own filter: DuckDB materialises a
    CTE that several steps read, and a shared CTE of every claim would be copied whole (wide rows). -#}
{%- set claims = ref('fct_account_claims') %}
{%- set credited = "claim_status in ('credited', 'credited_partly')" %}

with policy_settings as (

    select
        coalesce(max(case when setting = 'timezone' then value end), 'Asia/Shanghai') as reporting_timezone,
        max(policy_sha256) as policy_sha256
    from {{ ref('stg_policy_settings') }}

),

account_settings as (

    select
        cast(max(case when setting = 'points_expiry_months' then value end) as integer) as points_expiry_months
    from {{ ref('stg_policy_account_settings') }}

),

horizon as (

    {#- Expiries are booked up to the last month that has behaviour events. -#}
    select max(activity_month) as last_month from {{ ref('stg_behaviour') }}

),

credits as (

    select
        concat('CR-', activity_month, '-', event_id) as entry_id,
        account_id,
        scenario,
        behaviour_code,
        methodology_id,
        methodology_version,
        occurred_at,
        g_co2e_credited as g_co2e_avoided,
        points,
        'credit' as entry_type,
        activity_month,
        event_id,
        points_rule_version,
        campaign_id,
        points_multiplier,
        g_co2e_already_in_inventory,
        is_exchange_eligible,
        filing_id,
        reduction_place,
        cast(null as {{ dbt.type_string() }}) as reverses_entry_id,
        cast(null as {{ dbt.type_string() }}) as note
    from {{ claims }}
    where {{ credited }}

),

redemptions as (

    select
        concat('RD-', activity_month, '-', event_id) as entry_id,
        account_id,
        scenario,
        behaviour_code,
        methodology_id,
        methodology_version,
        occurred_at,
        cast(0 as double) as g_co2e_avoided,
        points,
        'redemption' as entry_type,
        activity_month,
        event_id,
        cast(null as integer) as points_rule_version,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as double) as points_multiplier,
        cast(0 as double) as g_co2e_already_in_inventory,
        false as is_exchange_eligible,
        cast(null as {{ dbt.type_string() }}) as filing_id,
        cast(null as {{ dbt.type_string() }}) as reduction_place,
        cast(null as {{ dbt.type_string() }}) as reverses_entry_id,
        cast(null as {{ dbt.type_string() }}) as note
    from {{ claims }}
    where claim_status = 'redeemed'

),

reversal_dates as (

    select
        *,
        case when reversed_on < local_date then local_date else reversed_on end as reversal_date
    from {{ claims }}
    where {{ credited }} and reversed_on is not null

),

reversals as (

    select
        concat('RV-', reversal_dates.activity_month, '-', reversal_dates.event_id) as entry_id,
        reversal_dates.account_id,
        reversal_dates.scenario,
        reversal_dates.behaviour_code,
        reversal_dates.methodology_id,
        reversal_dates.methodology_version,
        {{ account_date_start_utc('reversal_dates.reversal_date', 'policy_settings.reporting_timezone') }} as occurred_at,
        -1 * reversal_dates.g_co2e_credited as g_co2e_avoided,
        -1 * reversal_dates.points as points,
        'reversal' as entry_type,
        substr(cast(reversal_dates.reversal_date as {{ dbt.type_string() }}), 1, 7) as activity_month,
        reversal_dates.event_id,
        reversal_dates.points_rule_version,
        reversal_dates.campaign_id,
        reversal_dates.points_multiplier,
        -1 * reversal_dates.g_co2e_already_in_inventory as g_co2e_already_in_inventory,
        false as is_exchange_eligible,
        cast(null as {{ dbt.type_string() }}) as filing_id,
        reversal_dates.reduction_place,
        concat('CR-', reversal_dates.activity_month, '-', reversal_dates.event_id) as reverses_entry_id,
        reversal_dates.reversal_reason as note
    from reversal_dates
    cross join policy_settings

),

filed as (

    select
        filing_id,
        filed_on,
        account_id,
        scenario,
        behaviour_code,
        methodology_id,
        methodology_version,
        sum(g_co2e_credited) as g_co2e_filed,
        count(*) as claims_filed
    from {{ claims }}
    where {{ credited }} and filing_id is not null
    group by filing_id, filed_on, account_id, scenario, behaviour_code, methodology_id, methodology_version

),

transfers as (

    select
        concat('TR-', filed.filing_id, '-', filed.account_id, '-', filed.methodology_id, '-v',
               cast(filed.methodology_version as {{ dbt.type_string() }})) as entry_id,
        filed.account_id,
        filed.scenario,
        filed.behaviour_code,
        filed.methodology_id,
        filed.methodology_version,
        {{ account_date_start_utc('filed.filed_on', 'policy_settings.reporting_timezone') }} as occurred_at,
        -1 * filed.g_co2e_filed as g_co2e_avoided,
        cast(0 as bigint) as points,
        'transfer' as entry_type,
        substr(cast(filed.filed_on as {{ dbt.type_string() }}), 1, 7) as activity_month,
        cast(null as {{ dbt.type_string() }}) as event_id,
        cast(null as integer) as points_rule_version,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as double) as points_multiplier,
        cast(0 as double) as g_co2e_already_in_inventory,
        false as is_exchange_eligible,
        filed.filing_id,
        cast(null as {{ dbt.type_string() }}) as reduction_place,
        cast(null as {{ dbt.type_string() }}) as reverses_entry_id,
        concat(cast(filed.claims_filed as {{ dbt.type_string() }}), ' credited claims filed') as note
    from filed
    cross join policy_settings

),

-- expiry: points of a month's credits expire at the start of month + N + 1 (local), oldest first ----------

point_debits as (

    select account_id, scenario, occurred_at, -1 * points as points_debited from redemptions
    union all
    select account_id, scenario, occurred_at, -1 * points as points_debited from reversals

),

{%- set expiry_month_of_credit = account_month_of_number(account_month_number('credit_month') ~ ' + account_settings.points_expiry_months + 1') %}

{#- The run books the expiries falling due in its window only, so only the accounts with a lot due then
    need their lots: each of them all its lots (an expiry depends on every earlier lot and debit of the
    account). The months due are found among the claims' few distinct months, then their accounts: a month
    close then reads two columns of the claims instead of totalling every account's lots. -#}
credit_months_due as (

    select months.credit_month
    from (select distinct activity_month as credit_month from {{ claims }}) as months
    cross join account_settings
    cross join horizon
    where account_settings.points_expiry_months > 0
        and {{ expiry_month_of_credit }} <= horizon.last_month
        and {{ account_run_window(expiry_month_of_credit) }}

),

accounts_with_lot_due as (

    select distinct claims.account_id, claims.scenario
    from {{ claims }} as claims
    inner join credit_months_due
        on claims.activity_month = credit_months_due.credit_month
    where {{ credited }} and claims.points > 0

),

lots as (

    select
        claims.account_id,
        claims.scenario,
        claims.activity_month as credit_month,
        sum(claims.points) as lot_points
    from {{ claims }} as claims
    inner join accounts_with_lot_due
        on claims.account_id = accounts_with_lot_due.account_id
        and claims.scenario = accounts_with_lot_due.scenario
    where {{ credited }} and claims.points > 0
    group by claims.account_id, claims.scenario, claims.activity_month

),

lots_due as (

    select
        lots.*,
        {{ account_month_of_number(account_month_number('lots.credit_month') ~ ' + account_settings.points_expiry_months + 1') }}
            as expiry_month
    from lots
    cross join account_settings
    where account_settings.points_expiry_months > 0

),

lots_timed as (

    select
        lots_due.*,
        {{ account_month_start_utc('lots_due.expiry_month', 'policy_settings.reporting_timezone') }} as expires_at
    from lots_due
    cross join policy_settings
    cross join horizon
    where lots_due.expiry_month <= horizon.last_month

),

debited_before_expiry as (

    select
        lots_timed.account_id,
        lots_timed.scenario,
        lots_timed.credit_month,
        lots_timed.expiry_month,
        lots_timed.expires_at,
        lots_timed.lot_points,
        coalesce(sum(point_debits.points_debited), 0) as points_debited_before
    from lots_timed
    left join point_debits
        on lots_timed.account_id = point_debits.account_id
        and lots_timed.scenario = point_debits.scenario
        and point_debits.occurred_at < lots_timed.expires_at
    group by lots_timed.account_id, lots_timed.scenario, lots_timed.credit_month, lots_timed.expiry_month,
        lots_timed.expires_at, lots_timed.lot_points

),

{#- Every lot credited before a due lot counts too (it expired earlier or was used first), so the
    cumulative credits run over all lots, due or not, in credit order. -#}
all_lots_cumulated as (

    select
        account_id,
        scenario,
        credit_month,
        sum(lot_points) over (
            partition by account_id, scenario order by credit_month rows between unbounded preceding and current row
        ) as points_credited_to_date
    from lots

),

expired_to_date as (

    select
        debited_before_expiry.*,
        {#- Oldest first: what is expired by a lot's expiry is the most that any due lot up to it had left. -#}
        greatest(0, max(all_lots_cumulated.points_credited_to_date - debited_before_expiry.points_debited_before) over (
            partition by debited_before_expiry.account_id, debited_before_expiry.scenario
            order by debited_before_expiry.credit_month rows between unbounded preceding and current row
        )) as points_expired_to_date
    from debited_before_expiry
    inner join all_lots_cumulated
        on debited_before_expiry.account_id = all_lots_cumulated.account_id
        and debited_before_expiry.scenario = all_lots_cumulated.scenario
        and debited_before_expiry.credit_month = all_lots_cumulated.credit_month

),

expiry_amounts as (

    select
        *,
        points_expired_to_date - coalesce(lag(points_expired_to_date) over (
            partition by account_id, scenario order by credit_month
        ), 0) as points_expiring
    from expired_to_date

),

expiries as (

    select
        concat('EX-', account_id, '-', scenario, '-', credit_month) as entry_id,
        account_id,
        scenario,
        cast(null as {{ dbt.type_string() }}) as behaviour_code,
        cast(null as {{ dbt.type_string() }}) as methodology_id,
        cast(null as integer) as methodology_version,
        expires_at as occurred_at,
        cast(0 as double) as g_co2e_avoided,
        cast(-1 * points_expiring as bigint) as points,
        'expiry' as entry_type,
        expiry_month as activity_month,
        cast(null as {{ dbt.type_string() }}) as event_id,
        cast(null as integer) as points_rule_version,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as double) as points_multiplier,
        cast(0 as double) as g_co2e_already_in_inventory,
        false as is_exchange_eligible,
        cast(null as {{ dbt.type_string() }}) as filing_id,
        cast(null as {{ dbt.type_string() }}) as reduction_place,
        cast(null as {{ dbt.type_string() }}) as reverses_entry_id,
        concat('points credited in ', credit_month, ' and not used by ', expiry_month) as note
    from expiry_amounts
    where points_expiring > 0

),

entries as (

    select * from credits
    union all
    select * from redemptions
    union all
    select * from reversals
    union all
    select * from transfers
    union all
    select * from expiries

),

final as (

    select
        entries.*,
        cast(substr(entries.activity_month, 1, 4) as integer) as reporting_year,
        policy_settings.policy_sha256
    from entries
    cross join policy_settings
    where {{ account_run_window('entries.activity_month') }}

)

select * from final

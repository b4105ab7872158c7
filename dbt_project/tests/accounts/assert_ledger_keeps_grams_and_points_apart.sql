{#-
  Invariant of the points rule: points-only behaviours, redemptions and expiries never carry grams;
  transfers never carry points; reversals undo exactly one credit; nothing already in the inventory
  is ever transferred to an exchange. Checked on the months this run built (months_built_this_run).
-#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_account_ledger'}}}) }}

with ledger as (

    select * from {{ ref('fct_account_ledger') }}
    where {{ months_built_this_run() }}

),

methodologies as (

    select distinct methodology_id, methodology_version, method from {{ ref('int_account_methodologies') }}

)

select ledger.entry_id, ledger.entry_type, ledger.g_co2e_avoided, ledger.points, 'grams on a points-only credit' as problem
from ledger
inner join methodologies
    on ledger.methodology_id = methodologies.methodology_id
    and ledger.methodology_version = methodologies.methodology_version
where methodologies.method in ('points_only', 'redemption') and ledger.g_co2e_avoided <> 0

union all

select entry_id, entry_type, g_co2e_avoided, points, 'grams on a redemption or expiry' as problem
from ledger
where entry_type in ('redemption', 'expiry') and (g_co2e_avoided <> 0 or points >= 0)

union all

select entry_id, entry_type, g_co2e_avoided, points, 'points on a transfer' as problem
from ledger
where entry_type = 'transfer' and (points <> 0 or g_co2e_avoided >= 0)

union all

select entry_id, entry_type, g_co2e_avoided, points, 'a credit filed although part of it is in the inventory' as problem
from ledger
where entry_type = 'credit' and filing_id is not null and g_co2e_already_in_inventory <> 0

{#- Invariant: a rejected claim always says why; a credited or redeemed one never carries a rejection reason.
    Checked on the months this run built (months_built_this_run). -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_account_claims'}}}) }}

select event_id, activity_month, claim_status, reject_reason
from {{ ref('fct_account_claims') }}
where {{ months_built_this_run() }} and ((claim_status = 'rejected' and (reject_reason is null or reject_detail is null))
    or (claim_status <> 'rejected' and reject_reason is not null)
    or claim_status not in ('credited', 'credited_partly', 'redeemed', 'rejected'))

{#- Every per-action figure: the shipped ones (seed) and those the policy adds (accounts.factors). -#}
with shipped as (

    select * from {{ ref('account_behaviour_factors') }}

),

configured as (

    select * from {{ ref('stg_policy_account_factors') }}

),

unioned as (

    select
        factor_id, value, unit, status, year, source, notes,
        false as is_configured
    from shipped
    union all
    select
        factor_id, value, unit, status, year, source, notes,
        true as is_configured
    from configured

),

final as (

    select * from unioned

)

select * from final

with source as (

    select * from {{ source('silver', 'policy_account_reversals') }}

)

select * from source

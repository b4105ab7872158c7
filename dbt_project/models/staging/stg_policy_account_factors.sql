with source as (

    select * from {{ source('silver', 'policy_account_factors') }}

)

select * from source

with source as (

    select * from {{ source('silver', 'policy_account_methodologies') }}

)

select * from source

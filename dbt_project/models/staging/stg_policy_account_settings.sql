with source as (

    select * from {{ source('silver', 'policy_account_settings') }}

)

select * from source

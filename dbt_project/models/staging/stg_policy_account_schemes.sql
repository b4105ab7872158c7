with source as (

    select * from {{ source('silver', 'policy_account_schemes') }}

)

select * from source

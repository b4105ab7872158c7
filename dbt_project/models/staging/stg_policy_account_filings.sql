with source as (

    select * from {{ source('silver', 'policy_account_filings') }}

)

select * from source

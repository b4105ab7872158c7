with source as (

    select * from {{ source('silver', 'policy_account_campaigns') }}

)

select * from source

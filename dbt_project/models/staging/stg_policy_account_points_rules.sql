with source as (

    select * from {{ source('silver', 'policy_account_points_rules') }}

)

select * from source

with source as (

    select * from {{ source('silver', 'policy_custom_factors') }}

)

select * from source

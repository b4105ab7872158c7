with source as (

    select * from {{ source('silver', 'policy_settings') }}

)

select * from source

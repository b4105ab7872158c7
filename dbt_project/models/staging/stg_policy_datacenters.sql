with source as (

    select * from {{ source('silver', 'policy_datacenters') }}

)

select * from source

with source as (

    select * from {{ source('silver', 'policy_factor_pins') }}

)

select * from source

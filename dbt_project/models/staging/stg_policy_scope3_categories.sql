with source as (

    select * from {{ source('silver', 'policy_scope3_categories') }}

)

select * from source

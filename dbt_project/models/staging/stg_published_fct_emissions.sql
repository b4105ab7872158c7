with source as (

    select * from {{ source('silver', 'published_fct_emissions') }}

)

select * from source

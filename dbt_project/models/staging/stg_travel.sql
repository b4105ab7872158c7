with source as (

    select * from {{ source('silver', 'travel') }}

),

renamed as (

    select
        trip_id,
        employee_id,
        entity_id,
        start_date,
        mode,
        origin,
        destination,
        cabin_class,
        distance_km,
        nights,
        country,
        spend_cny,
        source_file,
        source_row,
        ingest_run_id,
        ingested_at,
        warning_codes,
        activity_month
    from source

)

select * from renamed

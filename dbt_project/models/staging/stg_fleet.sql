with source as (

    select * from {{ source('silver', 'fleet') }}

),

renamed as (

    select
        record_id,
        entity_id,
        vehicle_id,
        date as purchase_date,
        fuel_type,
        quantity,
        unit,
        unit_canonical,
        unit_dimension,
        quantity_canonical,
        source_file,
        source_row,
        ingest_run_id,
        ingested_at,
        warning_codes,
        activity_month
    from source

)

select * from renamed

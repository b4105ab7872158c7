with source as (

    select * from {{ source('silver', 'refrigerants') }}

),

renamed as (

    select
        record_id,
        facility_id,
        date as event_date,
        refrigerant,
        kg as refrigerant_kg,
        event,
        source_file,
        source_row,
        ingest_run_id,
        ingested_at,
        warning_codes,
        activity_month
    from source

)

select * from renamed

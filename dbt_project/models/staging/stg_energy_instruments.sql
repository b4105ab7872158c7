with source as (

    select * from {{ source('silver', 'energy_instruments') }}

),

renamed as (

    select
        instrument_id,
        entity_id,
        facility_id,
        instrument_type,
        period_start as period_start_date,
        period_end as period_end_date,
        mwh,
        vintage_year,
        serial_start,
        serial_end,
        supplier_factor_kg_per_kwh,
        cancelled_for_entity,
        source_file,
        source_row,
        ingest_run_id,
        ingested_at,
        warning_codes
    from source

)

select * from renamed

with source as (

    select * from {{ source('silver', 'credits') }}

),

renamed as (

    select
        credit_id,
        registry,
        standard,
        project_id,
        project_type,
        credit_type,
        vintage_year,
        tonnes,
        status,
        retired_on as retired_on_date,
        retired_for_year,
        retired_for_entity,
        serial_start,
        serial_end,
        source_file,
        source_row,
        ingest_run_id,
        ingested_at,
        warning_codes
    from source

)

select * from renamed

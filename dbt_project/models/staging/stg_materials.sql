with source as (

    select * from {{ source('silver', 'materials') }}

),

renamed as (

    select
        record_id,
        facility_id,
        period_start as period_start_date,
        period_end as period_end_date,
        material,
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

with source as (

    select * from {{ source('silver', 'commute') }}

),

renamed as (

    select
        employee_id,
        entity_id,
        city,
        survey_date,
        mode,
        one_way_km,
        days_per_week,
        remote_days_per_week,
        source_file,
        source_row,
        ingest_run_id,
        ingested_at,
        warning_codes,
        activity_month
    from source

)

select * from renamed

with source as (

    select * from {{ source('silver', 'org_headcount') }}

),

renamed as (

    select
        entity_id,
        period as period_start_date,
        headcount,
        source_file,
        source_row,
        ingest_run_id,
        ingested_at,
        warning_codes,
        activity_month
    from source

)

select * from renamed

with source as (

    select * from {{ source('silver', 'behaviour') }}

),

renamed as (

    select
        event_id,
        account_id,
        scenario,
        behaviour_code,
        occurred_at,
        quantity,
        unit,
        channel,
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

with source as (

    select * from {{ source('silver', 'org_entities') }}

),

renamed as (

    select
        entity_id,
        entity_name,
        parent_entity_id,
        business_line,
        country,
        relationship_type,
        equity_share_pct,
        operational_control,
        financial_control,
        valid_from as valid_from_date,
        valid_to as valid_to_date,
        source_file,
        source_row,
        ingest_run_id,
        ingested_at,
        warning_codes
    from source

)

select * from renamed

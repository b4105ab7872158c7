with source as (

    select * from {{ source('silver', 'org_facilities') }}

),

renamed as (

    select
        facility_id,
        entity_id,
        facility_name,
        facility_type,
        tenure,
        country,
        province,
        city,
        floor_area_m2,
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

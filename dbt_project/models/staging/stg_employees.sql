with source as (

    select * from {{ source('silver', 'employees') }}

),

renamed as (

    select
        employee_id,
        entity_id,
        facility_id,
        hire_date,
        leave_date,
        source_file,
        source_row,
        ingest_run_id,
        ingested_at,
        warning_codes
    from source

)

select * from renamed

with source as (

    select * from {{ source('silver', 'datacenter_telemetry') }}

),

renamed as (

    select
        facility_id,
        interval_start as interval_start_at,
        interval_minutes,
        it_energy_kwh,
        facility_energy_kwh,
        source_file,
        source_row,
        ingest_run_id,
        ingested_at,
        warning_codes,
        activity_month
    from source

)

select * from renamed

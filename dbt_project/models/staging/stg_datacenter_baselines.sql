with source as (

    select * from {{ source('silver', 'datacenter_baselines') }}

),

renamed as (

    select
        facility_id,
        baseline_pue,
        baseline_basis,
        baseline_source,
        electricity_price_cny_per_kwh,
        source_file,
        source_row,
        ingest_run_id,
        ingested_at,
        warning_codes
    from source

)

select * from renamed

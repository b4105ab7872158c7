{#-
  The energy pieces the inventory counts. For each data centre the policy names the authoritative
  source of its electricity (datacenters.authoritative_source: telemetry or invoices, `default` for the
  rest). Where it is telemetry, every electricity line of that data centre in landing/energy (invoice,
  meter, landlord allocation or estimate) is set aside and its telemetry pieces (one per measured
  interval, one per filled gap and month; int_datacenter_electricity_pieces) take their place. Where it
  is invoices, the lines stay and telemetry is not counted. Either way a data centre's electricity
  comes from exactly one source; rpt_datacenter_source_reconciliation compares it with the other.
  Every other piece (other sites, other energy types, a data centre's diesel) passes through.
-#}
with pieces as (

    select * from {{ ref('int_energy_split_by_month') }}

),

telemetry_datacenters as (

    select facility_id from {{ ref('int_datacenter_settings_resolved') }}
    where authoritative_source = 'telemetry'

),

telemetry_pieces as (

    select * from {{ ref('int_datacenter_electricity_pieces') }}

),

energy_file_pieces as (

    select pieces.*
    from pieces
    left join telemetry_datacenters
        on pieces.facility_id = telemetry_datacenters.facility_id
    where not (pieces.energy_type = 'electricity' and telemetry_datacenters.facility_id is not null)

),

final as (

    select
        record_id,
        facility_id,
        energy_type,
        data_source,
        quantity,
        quantity_unit,
        source_file,
        cast(source_row as bigint) as source_row,
        activity_month,
        reporting_year,
        days_in_piece,
        period_days
    from energy_file_pieces

    union all

    select
        record_id,
        facility_id,
        energy_type,
        data_source,
        quantity,
        quantity_unit,
        source_file,
        cast(source_row as bigint) as source_row,
        activity_month,
        reporting_year,
        days_in_piece,
        period_days
    from telemetry_pieces

)

select * from final

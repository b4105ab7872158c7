{#-
  Each data centre's electricity per month from its two sources: telemetry (total facility energy of
  the measured intervals plus filled gaps) and the lines of landing/energy (invoices, meter readings,
  allocations). The policy names the authoritative one (datacenters.authoritative_source); only that
  one is in the inventory (inventory_kwh: the data centre's electricity pieces Scope 2 counts, before
  whole-month gap filling). The other is compared with it: difference_kwh = other - authoritative,
  difference_pct = difference_kwh / authoritative x 100.
-#}
with datacenters as (

    select * from {{ ref('int_datacenter_settings_resolved') }}

),

telemetry as (

    select
        facility_id,
        reporting_year,
        activity_month,
        telemetry_facility_energy_kwh as telemetry_kwh,
        filled_facility_energy_kwh as telemetry_gap_filled_kwh,
        100 * cast(measured_minutes as double) / nullif(expected_minutes, 0) as telemetry_completeness_pct
    from {{ ref('int_datacenter_energy_by_month') }}
    where measured_minutes > 0 or filled_minutes > 0

),

energy_lines as (

    select
        facility_id,
        cast(reporting_year as integer) as reporting_year,
        activity_month,
        sum(quantity) as invoiced_kwh
    from {{ ref('int_energy_split_by_month') }}
    where energy_type = 'electricity' and quantity_unit = 'kWh'
    group by facility_id, reporting_year, activity_month

),

inventory as (

    select
        facility_id,
        activity_month,
        sum(quantity) as inventory_kwh
    from {{ ref('int_energy_pieces_authoritative') }}
    where energy_type = 'electricity' and quantity_unit = 'kWh'
    group by facility_id, activity_month

),

months as (

    select facility_id, reporting_year, activity_month from telemetry
    union
    select energy_lines.facility_id, energy_lines.reporting_year, energy_lines.activity_month
    from energy_lines
    inner join datacenters
        on energy_lines.facility_id = datacenters.facility_id

),

joined as (

    select
        months.facility_id,
        datacenters.entity_id,
        months.reporting_year,
        months.activity_month,
        datacenters.authoritative_source,
        telemetry.telemetry_kwh,
        telemetry.telemetry_gap_filled_kwh,
        telemetry.telemetry_completeness_pct,
        energy_lines.invoiced_kwh,
        coalesce(inventory.inventory_kwh, 0.0) as inventory_kwh,
        case
            when datacenters.authoritative_source = 'telemetry' then telemetry.telemetry_kwh
            else energy_lines.invoiced_kwh
        end as authoritative_kwh,
        case
            when datacenters.authoritative_source = 'telemetry' then energy_lines.invoiced_kwh
            else telemetry.telemetry_kwh
        end as other_kwh
    from months
    inner join datacenters
        on months.facility_id = datacenters.facility_id
    left join telemetry
        on months.facility_id = telemetry.facility_id
        and months.activity_month = telemetry.activity_month
    left join energy_lines
        on months.facility_id = energy_lines.facility_id
        and months.activity_month = energy_lines.activity_month
    left join inventory
        on months.facility_id = inventory.facility_id
        and months.activity_month = inventory.activity_month

),

final as (

    select
        joined.*,
        other_kwh - authoritative_kwh as difference_kwh,
        100 * (other_kwh - authoritative_kwh) / nullif(authoritative_kwh, 0) as difference_pct,
        case
            when authoritative_kwh is null then 'authoritative_source_missing'
            when other_kwh is null then 'other_source_missing'
            else 'both_sources'
        end as reconciliation_status
    from joined

)

select * from final

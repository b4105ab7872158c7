{#-
  The contractual instruments behind market-based Scope 2, per reporting year: every instrument
  delivered, whether it was applied and, if not, why (int_energy_instruments_validated). The report
  lists them beside the market-based figure ("with the instruments used").
-#}
with instruments as (

    select * from {{ ref('int_energy_instruments_validated') }}

),

final as (

    select
        reporting_year,
        instrument_id,
        entity_id,
        facility_id,
        instrument_type,
        period_start_date,
        period_end_date,
        mwh,
        vintage_year,
        serial_start,
        serial_end,
        supplier_factor_kg_per_kwh,
        cancelled_for_entity,
        ineligible_reason is null as is_applied,
        ineligible_reason
    from instruments

)

select * from final

{#-
  Contractual instruments for market-based Scope 2, each with whether it can be claimed and why not.
  A green certificate (GEC) is the proof of renewable attributes in China, one per MWh; a green power
  trade counts only through the GEC serials it carries. Serials must be unique across years,
  entities and sales, and the certificate cancelled for the entity that claims it; its vintage must
  be the reporting year or within the policy's window. Supplier-specific rates and on-site
  generation are kept for the next steps of the hierarchy.
-#}
with instruments as (

    select * from {{ ref('stg_energy_instruments') }}

),

settings as (

    select
        cast(max(case when setting = 'instrument_vintage_window_years' then value end) as integer) as vintage_window_years
    from {{ ref('stg_policy_settings') }}

),

parsed as (

    select
        instruments.*,
        {{ year_of('instruments.period_start_date') }} as reporting_year,
        {{ serial_prefix('instruments.serial_start') }} as serial_prefix,
        {{ serial_number('instruments.serial_start') }} as serial_first,
        {{ serial_number('instruments.serial_end') }} as serial_last,
        {{ serial_prefix('instruments.serial_end') }} as serial_end_prefix
    from instruments

),

certificates as (

    select * from parsed
    where instrument_type in ('green_certificate', 'green_power_trade')
        and serial_first is not null and serial_last is not null

),

serial_overlaps as (

    select distinct a.instrument_id
    from certificates as a
    inner join certificates as b
        on a.serial_prefix = b.serial_prefix
        and a.instrument_id <> b.instrument_id
        and a.serial_first <= b.serial_last
        and b.serial_first <= a.serial_last

),

final as (

    select
        parsed.instrument_id,
        parsed.entity_id,
        parsed.facility_id,
        parsed.instrument_type,
        parsed.period_start_date,
        parsed.period_end_date,
        parsed.reporting_year,
        parsed.mwh,
        parsed.vintage_year,
        parsed.serial_start,
        parsed.serial_end,
        parsed.supplier_factor_kg_per_kwh,
        parsed.cancelled_for_entity,
        parsed.source_file,
        parsed.source_row,
        case
            when parsed.instrument_type in ('onsite_renewable') then 'not_a_purchase_claim'
            when parsed.instrument_type = 'supplier_specific' and parsed.supplier_factor_kg_per_kwh is null
                then 'supplier_rate_missing'
            when parsed.instrument_type = 'supplier_specific' then null
            when parsed.instrument_type = 'green_power_trade' and (parsed.serial_start is null or parsed.serial_end is null)
                then 'green_power_trade_without_gec_serials'
            when parsed.serial_first is null or parsed.serial_last is null then 'serials_missing_or_unreadable'
            when parsed.serial_prefix <> parsed.serial_end_prefix or parsed.serial_last < parsed.serial_first
                then 'serial_range_invalid'
            when abs((parsed.serial_last - parsed.serial_first + 1) - parsed.mwh) > 0.0001
                then 'serial_count_differs_from_mwh'
            when serial_overlaps.instrument_id is not null then 'serial_claimed_twice'
            when parsed.cancelled_for_entity is null or parsed.cancelled_for_entity <> parsed.entity_id
                then 'not_cancelled_for_the_claiming_entity'
            when parsed.vintage_year > parsed.reporting_year
                or parsed.vintage_year < parsed.reporting_year - settings.vintage_window_years
                then 'vintage_outside_window'
        end as ineligible_reason
    from parsed
    cross join settings
    left join serial_overlaps
        on parsed.instrument_id = serial_overlaps.instrument_id

)

select * from final

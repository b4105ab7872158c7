{#-
  How much of each site's electricity a year is covered by eligible certificates (market-based
  Scope 2). Facility-level certificates are allocated first, then entity-level ones pro rata to the
  entity's remaining consumption. Mainland certificates cover mainland sites only; coverage never
  exceeds consumption and nothing carries over to another year. Also the supplier-specific rate that
  applies to the uncovered rest, if a contract gives one.
-#}
with electricity as (

    select * from {{ ref('int_energy_activity_rows') }}
    where energy_type = 'electricity'

),

instruments as (

    select * from {{ ref('int_energy_instruments_validated') }}
    where ineligible_reason is null

),

facility_year as (

    select reporting_year, entity_id, facility_id, market_code, sum(quantity) as consumption_kwh
    from electricity
    group by reporting_year, entity_id, facility_id, market_code

),

certificates as (

    select * from instruments
    where instrument_type in ('green_certificate', 'green_power_trade')

),

facility_claims as (

    select reporting_year, facility_id, sum(mwh) * 1000.0 as claimed_kwh
    from certificates
    where facility_id is not null
    group by reporting_year, facility_id

),

facility_covered as (

    select
        facility_year.*,
        case when facility_year.market_code = 'CN' then facility_year.consumption_kwh else 0.0 end as eligible_kwh,
        case
            when facility_year.market_code <> 'CN' then 0.0
            when coalesce(facility_claims.claimed_kwh, 0.0) < facility_year.consumption_kwh
                then coalesce(facility_claims.claimed_kwh, 0.0)
            else facility_year.consumption_kwh
        end as facility_level_kwh
    from facility_year
    left join facility_claims
        on facility_year.reporting_year = facility_claims.reporting_year
        and facility_year.facility_id = facility_claims.facility_id

),

entity_claims as (

    select reporting_year, entity_id, sum(mwh) * 1000.0 as claimed_kwh
    from certificates
    where facility_id is null
    group by reporting_year, entity_id

),

entity_remaining as (

    select reporting_year, entity_id, sum(eligible_kwh - facility_level_kwh) as remaining_kwh
    from facility_covered
    group by reporting_year, entity_id

),

entity_covered as (

    select
        entity_remaining.reporting_year,
        entity_remaining.entity_id,
        entity_remaining.remaining_kwh,
        case
            when coalesce(entity_claims.claimed_kwh, 0.0) < entity_remaining.remaining_kwh
                then coalesce(entity_claims.claimed_kwh, 0.0)
            else entity_remaining.remaining_kwh
        end as entity_level_kwh
    from entity_remaining
    left join entity_claims
        on entity_remaining.reporting_year = entity_claims.reporting_year
        and entity_remaining.entity_id = entity_claims.entity_id

),

supplier_rates as (

    select
        reporting_year,
        entity_id,
        facility_id,
        sum(supplier_factor_kg_per_kwh * mwh) / sum(mwh) as supplier_kg_per_kwh,
        min(instrument_id) as supplier_instrument_id
    from instruments
    where instrument_type = 'supplier_specific'
    group by reporting_year, entity_id, facility_id

),

final as (

    select
        facility_covered.reporting_year,
        facility_covered.entity_id,
        facility_covered.facility_id,
        facility_covered.market_code,
        facility_covered.consumption_kwh,
        facility_covered.facility_level_kwh,
        case
            when entity_covered.remaining_kwh > 0
                then entity_covered.entity_level_kwh
                    * (facility_covered.eligible_kwh - facility_covered.facility_level_kwh) / entity_covered.remaining_kwh
            else 0.0
        end as entity_level_kwh,
        coalesce(facility_rate.supplier_kg_per_kwh, entity_rate.supplier_kg_per_kwh) as supplier_kg_per_kwh,
        coalesce(facility_rate.supplier_instrument_id, entity_rate.supplier_instrument_id) as supplier_instrument_id
    from facility_covered
    left join entity_covered
        on facility_covered.reporting_year = entity_covered.reporting_year
        and facility_covered.entity_id = entity_covered.entity_id
    left join supplier_rates as facility_rate
        on facility_covered.reporting_year = facility_rate.reporting_year
        and facility_covered.facility_id = facility_rate.facility_id
    left join supplier_rates as entity_rate
        on facility_covered.reporting_year = entity_rate.reporting_year
        and facility_covered.entity_id = entity_rate.entity_id
        and entity_rate.facility_id is null

)

select
    final.*,
    final.facility_level_kwh + final.entity_level_kwh as covered_kwh,
    case when final.consumption_kwh > 0
        then (final.facility_level_kwh + final.entity_level_kwh) / final.consumption_kwh else 0.0 end as covered_share
from final

{#-
  Data-centre PUE and savings per data centre x period ('YYYY-MM' a month, 'YYYY' a year): the marts
  contract columns first, then how the figures were made (category, completeness, gaps, resets,
  baseline, grid factor). PUE = total facility energy / IT energy over the period (ISO/IEC 30134-2).
  Savings are a memo against the commissioning baseline: shown beside the data centre's gross Scope 2
  (location-based, from fct_emissions) and never netted from it or from any inventory figure.
-#}
with periods as (

    select * from {{ ref('int_datacenter_pue_by_period') }}

),

savings as (

    select * from {{ ref('int_datacenter_savings_joined_to_factors') }}

),

scope2_rows as (

    select
        facility_id,
        reporting_year,
        activity_month,
        t_co2e
    from {{ ref('fct_emissions') }}
    where scope = 2
        and category = 's2_purchased_electricity'
        and scope2_method = 'location_based'

),

scope2_by_period as (

    select facility_id, activity_month as period, sum(t_co2e) as t_co2e_scope2_location_based
    from scope2_rows
    group by facility_id, activity_month
    union all
    select facility_id, cast(reporting_year as {{ dbt.type_string() }}) as period, sum(t_co2e)
    from scope2_rows
    group by facility_id, reporting_year

),

final as (

    select
        periods.facility_id,
        periods.period,
        periods.it_energy_kwh,
        periods.facility_energy_kwh,
        periods.pue,
        periods.data_completeness_pct,
        periods.baseline_pue,
        periods.energy_saved_kwh,
        savings.t_co2_avoided,
        periods.cost_saved_cny,
        savings.factor_id,
        periods.reporting_year,
        periods.period_type,
        periods.entity_id,
        periods.pue_category,
        periods.pue_label,
        periods.it_measurement_point,
        periods.is_interim,
        periods.months_with_data,
        periods.filled_facility_energy_kwh as gap_filled_kwh,
        periods.filled_it_energy_kwh as gap_filled_it_kwh,
        periods.gap_filled_pct,
        periods.expected_minutes,
        periods.measured_minutes,
        periods.filled_minutes,
        periods.unfilled_gap_minutes,
        periods.longest_interval_minutes,
        periods.counter_reset_intervals,
        periods.duplicate_intervals,
        periods.overlapping_intervals,
        periods.telemetry_facility_energy_kwh,
        periods.office_energy_kwh,
        periods.diesel_energy_kwh,
        periods.chilled_water_energy_kwh,
        periods.baseline_basis,
        periods.baseline_source,
        periods.is_baseline_above_design_standard,
        periods.electricity_price_cny_per_kwh,
        savings.factor_set,
        savings.grid_kg_co2_per_kwh,
        savings.missing_factor_reason,
        periods.authoritative_source,
        scope2_by_period.t_co2e_scope2_location_based
    from periods
    left join savings
        on periods.facility_id = savings.facility_id
        and periods.period = savings.period
    left join scope2_by_period
        on periods.facility_id = scope2_by_period.facility_id
        and periods.period = scope2_by_period.period

)

select * from final

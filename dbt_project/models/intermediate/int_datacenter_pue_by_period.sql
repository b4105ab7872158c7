{#-
  PUE per data centre, per month ('YYYY-MM') and per year ('YYYY'), as ISO/IEC 30134-2 defines it:
  total data-centre energy over the period divided by IT energy over the same period (sums of the
  period's energies, never an average of interval or monthly ratios).
    data_completeness_pct  minutes covered by measured intervals / minutes expected x 100 (filled gaps
                           do not count as measured)
    pue_category           1, 2 or 3 from where the policy says IT energy is metered (UPS output, PDU
                           output, IT equipment input); category 3 needs intervals of 15 minutes or less,
                           so a period with longer intervals is reported as category 2
    is_interim             a period under 12 months: every month, and a year whose telemetry covers
                           fewer than its 12 months (a month is covered when it has a measured interval)
  Savings against the data centre's commissioning baseline (landing/datacenter/baselines):
    energy_saved_kwh = it_energy_kwh x (baseline_pue - pue), negative when PUE is above the baseline;
    cost_saved_cny = energy_saved_kwh x electricity_price_cny_per_kwh. Tonnes avoided are added in
  int_datacenter_savings_joined_to_factors. None of this is netted from any inventory figure.
-#}
with months as (

    select * from {{ ref('int_datacenter_energy_by_month') }}

),

datacenters as (

    select * from {{ ref('int_datacenter_settings_resolved') }}

),

monthly as (

    select
        facility_id,
        reporting_year,
        activity_month as period,
        'month' as period_type,
        it_energy_kwh,
        facility_energy_kwh,
        telemetry_facility_energy_kwh,
        office_energy_kwh,
        diesel_energy_kwh,
        chilled_water_energy_kwh,
        measured_it_energy_kwh,
        measured_facility_energy_kwh,
        filled_it_energy_kwh,
        filled_facility_energy_kwh,
        expected_minutes,
        measured_minutes,
        filled_minutes,
        unfilled_gap_minutes,
        case when measured_minutes > 0 then 1 else 0 end as months_with_data,
        longest_interval_minutes,
        counter_reset_intervals,
        duplicate_intervals,
        overlapping_intervals,
        true as is_interim
    from months

),

annual as (

    select
        facility_id,
        reporting_year,
        cast(reporting_year as {{ dbt.type_string() }}) as period,
        'year' as period_type,
        sum(it_energy_kwh) as it_energy_kwh,
        sum(facility_energy_kwh) as facility_energy_kwh,
        sum(telemetry_facility_energy_kwh) as telemetry_facility_energy_kwh,
        sum(office_energy_kwh) as office_energy_kwh,
        sum(diesel_energy_kwh) as diesel_energy_kwh,
        sum(chilled_water_energy_kwh) as chilled_water_energy_kwh,
        sum(measured_it_energy_kwh) as measured_it_energy_kwh,
        sum(measured_facility_energy_kwh) as measured_facility_energy_kwh,
        sum(filled_it_energy_kwh) as filled_it_energy_kwh,
        sum(filled_facility_energy_kwh) as filled_facility_energy_kwh,
        sum(expected_minutes) as expected_minutes,
        sum(measured_minutes) as measured_minutes,
        sum(filled_minutes) as filled_minutes,
        sum(unfilled_gap_minutes) as unfilled_gap_minutes,
        sum(case when measured_minutes > 0 then 1 else 0 end) as months_with_data,
        max(longest_interval_minutes) as longest_interval_minutes,
        sum(counter_reset_intervals) as counter_reset_intervals,
        sum(duplicate_intervals) as duplicate_intervals,
        sum(overlapping_intervals) as overlapping_intervals,
        sum(case when measured_minutes > 0 then 1 else 0 end) < 12 as is_interim
    from months
    group by facility_id, reporting_year

),

periods as (

    select * from monthly
    union all
    select * from annual

),

with_pue as (

    select
        periods.*,
        periods.facility_energy_kwh / nullif(periods.it_energy_kwh, 0) as pue,
        100 * cast(periods.measured_minutes as double) / nullif(periods.expected_minutes, 0) as data_completeness_pct,
        100 * cast(periods.filled_minutes as double) / nullif(periods.expected_minutes, 0) as gap_filled_pct,
        case
            when datacenters.measurement_point_pue_category = 3 and periods.longest_interval_minutes > 15 then 2
            else datacenters.measurement_point_pue_category
        end as pue_category,
        datacenters.entity_id,
        datacenters.it_measurement_point,
        datacenters.authoritative_source,
        datacenters.baseline_pue,
        datacenters.baseline_basis,
        datacenters.baseline_source,
        datacenters.is_baseline_above_design_standard,
        datacenters.electricity_price_cny_per_kwh,
        datacenters.market_code,
        datacenters.province_iso,
        datacenters.grid_region_id
    from periods
    inner join datacenters
        on periods.facility_id = datacenters.facility_id

),

final as (

    select
        with_pue.*,
        {{ dbt.concat(["case when is_interim then 'iPUE' else 'PUE' end", "cast(pue_category as " ~ dbt.type_string() ~ ")"]) }}
            as pue_label,
        it_energy_kwh * (baseline_pue - pue) as energy_saved_kwh,
        it_energy_kwh * (baseline_pue - pue) * electricity_price_cny_per_kwh as cost_saved_cny
    from with_pue

)

select * from final

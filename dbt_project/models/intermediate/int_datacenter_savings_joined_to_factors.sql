{#-
  Emissions avoided by each data centre's energy savings: energy_saved_kwh x the grid factor the
  policy pins for that reporting year and place, exactly as Scope 2 location-based electricity gets
  it (apply_pinned_factors, pin key electricity_location_based, the site's market, province and
  grid region). One row per data centre and period with the factor_id; negative savings give negative
  tonnes. t_co2_avoided sums the factor's gases (Chinese grid factors are CO2 only). Memo figures:
  they never enter fct_emissions, the inventory marts or the neutrality figures.
-#}
with periods as (

    select * from {{ ref('int_datacenter_pue_by_period') }}

),

activity as (

    select
        reporting_year,
        period as activity_month,
        facility_id as source_file,
        0 as source_row,
        facility_id || '|' || period as record_id,
        facility_id,
        period,
        'electricity_location_based' as pin_key,
        'electricity' as factor_activity,
        '' as factor_variant,
        energy_saved_kwh as quantity,
        'kWh' as quantity_unit,
        cast(null as double) as density_kg_per_litre,
        market_code,
        province_iso,
        grid_region_id,
        1 as data_quality_score
    from periods

),

with_factors as (

    select * from {{ apply_pinned_factors('activity') }}

),

final as (

    select
        facility_id,
        period,
        sum(t_co2e) as t_co2_avoided,
        coalesce(max(case when gas = 'CO2' then factor_id end), max(factor_id)) as factor_id,
        max(factor_set) as factor_set,
        max(case when gas = 'CO2' then kg_per_unit end) as grid_kg_co2_per_kwh,
        max(missing_factor_reason) as missing_factor_reason
    from with_factors
    group by facility_id, period

)

select * from final

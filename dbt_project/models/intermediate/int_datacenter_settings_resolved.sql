{#-
  Every data centre with the policy's `datacenters` settings resolved (its own entry, else the
  `default` row, else the documented defaults): the authoritative source of its Scope 2 electricity,
  where IT energy is metered (the ISO/IEC 30134-2 PUE category that supports), the office load inside
  its facility meter, and the section-wide cleaning and conversion settings; with its place (for the
  grid factor) and its commissioning baseline. A data centre is a facility of type data_center, or
  any facility that sends telemetry.
-#}
with facilities as (

    select * from {{ ref('int_facilities_mapped_to_grid') }}

),

telemetry_facilities as (

    select distinct facility_id from {{ ref('stg_datacenter_telemetry') }}

),

policy as (

    select * from {{ ref('stg_policy_datacenters') }}

),

policy_defaults as (

    select * from policy
    where facility_id = 'default'

),

policy_settings as (

    select max(case when setting = 'timezone' then value end) as reporting_timezone
    from {{ ref('stg_policy_settings') }}

),

baselines as (

    select * from {{ ref('stg_datacenter_baselines') }}

),

datacenters as (

    select facilities.*
    from facilities
    left join telemetry_facilities
        on facilities.facility_id = telemetry_facilities.facility_id
    where facilities.facility_type = 'data_center'
        or telemetry_facilities.facility_id is not null

),

resolved as (

    select
        datacenters.facility_id,
        datacenters.entity_id,
        datacenters.facility_name,
        datacenters.facility_type,
        datacenters.market_code,
        datacenters.province_iso,
        datacenters.grid_region_id,
        datacenters.valid_from_date,
        datacenters.valid_to_date,
        coalesce(policy_settings.reporting_timezone, 'Asia/Shanghai') as reporting_timezone,
        coalesce(own.authoritative_source, policy_defaults.authoritative_source, 'invoices') as authoritative_source,
        coalesce(own.it_measurement_point, policy_defaults.it_measurement_point, 'ups_output') as it_measurement_point,
        coalesce(own.pue_category, policy_defaults.pue_category, 1) as measurement_point_pue_category,
        coalesce(own.office_load_kw, policy_defaults.office_load_kw, 0.0) as office_load_kw,
        coalesce(policy_defaults.gap_fill_method, 'neighbour_mean') as gap_fill_method,
        coalesce(policy_defaults.max_fill_gap_minutes, 1440) as max_fill_gap_minutes,
        coalesce(policy_defaults.counter_reset_spike_ratio, 10.0) as counter_reset_spike_ratio,
        coalesce(policy_defaults.diesel_kwh_per_litre, 9.9) as diesel_kwh_per_litre,
        coalesce(policy_defaults.chilled_water_conversion_factor, 1.0) as chilled_water_conversion_factor,
        coalesce(policy_defaults.design_standard_pue, 1.5) as design_standard_pue,
        own.facility_id is not null as is_named_in_policy
    from datacenters
    cross join policy_settings
    left join policy_defaults
        on 1 = 1
    left join policy as own
        on datacenters.facility_id = own.facility_id

),

final as (

    select
        resolved.*,
        baselines.baseline_pue,
        baselines.baseline_basis,
        baselines.baseline_source,
        baselines.electricity_price_cny_per_kwh,
        case
            when baselines.baseline_basis = 'design_standard' and baselines.baseline_pue > resolved.design_standard_pue
                then true
            else false
        end as is_baseline_above_design_standard
    from resolved
    left join baselines
        on resolved.facility_id = baselines.facility_id

)

select * from final

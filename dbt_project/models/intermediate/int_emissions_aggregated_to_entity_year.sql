{#-
  Emissions per year x entity x scope x category x method x factor, with what the annual marts need:
  the data-quality weight, the estimated part, and the pieces of the 95% uncertainty (ISO 14064-1,
  IPCC approach 1 error propagation). Rows sharing a factor share its uncertainty (fully
  correlated), so the factor term is kept per factor_id; an activity's uncertainty is treated as
  fully correlated within a site's category and data source over the year (a meter's bias does not
  average out over months) and independent between them, so it is kept per facility and data source.
  Radiative-forcing rows count only when the policy includes radiative forcing.
-#}
with emissions as (

    select * from {{ ref('fct_emissions') }}

),

facilities as (

    select facility_id, facility_type from {{ ref('stg_org_facilities') }}

),

settings as (

    select max(case when setting = 'include_radiative_forcing' then value end) as include_radiative_forcing
    from {{ ref('stg_policy_settings') }}

),

counted as (

    select emissions.*
    from emissions
    cross join settings
    where emissions.gas <> 'rf_uplift' or settings.include_radiative_forcing = 'true'

),

final as (

    select
        counted.reporting_year,
        counted.entity_id,
        counted.scope,
        counted.category,
        counted.scope2_method,
        coalesce(facilities.facility_type = 'data_center', false) as is_data_center,
        counted.factor_id,
        counted.facility_id,
        counted.data_source,
        max(counted.factor_uncertainty_pct) as factor_uncertainty_pct,
        sum(counted.t_co2e) as t_co2e,
        sum(counted.t_co2e * counted.data_quality_score) as t_co2e_x_quality_score,
        sum(case when counted.is_estimate then counted.t_co2e else 0 end) as t_co2e_estimated,
        sum(counted.t_co2e * coalesce(counted.activity_uncertainty_pct, 0) / 100.0) as t_co2e_activity_uncertainty
    from counted
    left join facilities
        on counted.facility_id = facilities.facility_id
    group by
        counted.reporting_year,
        counted.entity_id,
        counted.scope,
        counted.category,
        counted.scope2_method,
        coalesce(facilities.facility_type = 'data_center', false),
        counted.factor_id,
        counted.facility_id,
        counted.data_source

)

select * from final

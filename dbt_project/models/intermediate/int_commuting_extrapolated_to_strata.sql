{#-
  Scope 3 category 7, employee commuting, extrapolated from the survey to each stratum (entity x city,
  int_commuting_strata) and spread evenly over the 12 months of the reporting year the survey stands for.

  Per respondent i of a stratum with n respondents and headcount H, in reporting year Y:
    commuting days_i = (Chinese working days of Y - policy leave days) x max(days_per_week_i - remote_days_per_week_i, 0) / 5
    km_i             = 2 x one_way_km_i x commuting days_i / vehicle occupancy of the mode (2 for a carpool, else 1)
    stratum tCO2e    = mean_i(km_i x factor_i) x H  =  sum_i km_i x (H / n) x factor_i
  so respondent i's row carries km_i x H / n / 12 per month (activity_quantity) with its mode's factor.
  Walking, cycling, e-bikes and remote work carry a zero factor (factor_id zero_emission_mode) so that
  every respondent stays visible. record_id = employee_id | survey_date. Data source: survey (quality 4).
-#}
with strata as (

    select * from {{ ref('int_commuting_strata') }}
    where has_survey

),

commute as (

    select * from {{ ref('stg_commute') }}

),

working_days as (

    select * from {{ ref('cn_working_days') }}

),

classification as (

    select * from {{ ref('scope3_activity_classification') }}
    where source_table = 'commute'

),

months as (

    select * from {{ ref('calendar_months') }}

),

settings as (

    select cast(max(case when setting = 'scope3_commuting_leave_days' then value end) as double) as leave_days
    from {{ ref('stg_policy_settings') }}

),

answers_ranked as (

    select
        commute.*,
        cast(substr(commute.activity_month, 1, 4) as integer) as survey_year,
        lower(trim(commute.city)) as city_key,
        row_number() over (
            partition by commute.employee_id, substr(commute.activity_month, 1, 4)
            order by commute.survey_date desc, commute.source_file desc, commute.source_row desc
        ) as answer_rank
    from commute

),

answers as (

    select * from answers_ranked where answer_rank = 1

),

respondents as (

    select
        strata.reporting_year,
        strata.entity_id,
        strata.stratum_year_id,
        strata.stratum_headcount,
        strata.respondents,
        strata.is_city_unmatched,
        strata.is_reused_survey,
        strata.is_low_response,
        strata.market_code,
        answers.employee_id,
        answers.survey_date,
        answers.mode,
        answers.one_way_km,
        answers.days_per_week,
        coalesce(answers.remote_days_per_week, 0) as remote_days_per_week,
        answers.source_file,
        answers.source_row,
        working_days.working_days,
        (working_days.working_days - settings.leave_days)
            * greatest(answers.days_per_week - coalesce(answers.remote_days_per_week, 0), 0) / 5.0 as commuting_days,
        classification.component,
        classification.category,
        classification.pin_key,
        classification.factor_activity,
        classification.variant_rule,
        coalesce(cast(classification.factor_variant as {{ dbt.type_string() }}), '') as factor_variant,
        coalesce(classification.vehicle_occupancy, 1) as vehicle_occupancy
    from strata
    inner join answers
        on strata.entity_id = answers.entity_id
        and strata.city_key = answers.city_key
        and strata.survey_year = answers.survey_year
    cross join settings
    left join working_days
        on strata.reporting_year = working_days.year
    left join classification
        on answers.mode = classification.source_type

),

respondents_extrapolated as (

    select
        respondents.*,
        2.0 * one_way_km * commuting_days / vehicle_occupancy * stratum_headcount / respondents as annual_quantity_km,
        case
            when component is null then 'unknown_commute_mode'
            when working_days is null then 'no_working_day_calendar_for_year'
            when is_city_unmatched then 'survey_city_not_matched_to_employees'
        end as unquantified_reason
    from respondents

),

by_month as (

    select
        respondents_extrapolated.reporting_year,
        months.activity_month,
        respondents_extrapolated.entity_id,
        cast(null as {{ dbt.type_string() }}) as facility_id,
        3 as scope,
        's3_07_employee_commuting' as category,
        cast(null as {{ dbt.type_string() }}) as scope2_method,
        respondents_extrapolated.pin_key,
        respondents_extrapolated.factor_activity,
        respondents_extrapolated.factor_variant,
        respondents_extrapolated.variant_rule,
        respondents_extrapolated.mode,
        respondents_extrapolated.stratum_year_id,
        respondents_extrapolated.is_reused_survey,
        respondents_extrapolated.is_low_response,
        respondents_extrapolated.commuting_days,
        respondents_extrapolated.source_file,
        respondents_extrapolated.source_row,
        {{ dbt.concat(["respondents_extrapolated.employee_id", "'|'",
                       "cast(respondents_extrapolated.survey_date as " ~ dbt.type_string() ~ ")"]) }} as record_id,
        respondents_extrapolated.annual_quantity_km / 12.0 as quantity,
        'km' as quantity_unit,
        cast(null as double) as density_kg_per_litre,
        respondents_extrapolated.market_code,
        cast(null as {{ dbt.type_string() }}) as province_iso,
        cast(null as {{ dbt.type_string() }}) as grid_region_id,
        'survey' as data_source,
        true as is_estimate,
        4 as data_quality_score,
        respondents_extrapolated.unquantified_reason
    from respondents_extrapolated
    inner join months
        on respondents_extrapolated.reporting_year = months.reporting_year

),

rows_to_factor as (

    select * from by_month
    where unquantified_reason is null and variant_rule <> 'zero'

),

with_factors as (

    select * from {{ apply_pinned_factors('rows_to_factor') }}

),

gwp_set as (

    select max(case when setting = 'gwp_set' then value end) as gwp_set from {{ ref('stg_policy_settings') }}

),

zero_emission as (

    select
        by_month.*,
        'zero_emission_mode' as factor_set,
        'zero_emission_mode' as factor_id,
        'CO2' as gas,
        0.0 as kg_per_unit,
        1.0 as gwp100,
        gwp_set.gwp_set,
        false as is_geographic_proxy,
        0.0 as t_co2e,
        cast(null as {{ dbt.type_string() }}) as missing_factor_reason
    from by_month
    cross join gwp_set
    where by_month.unquantified_reason is null and by_month.variant_rule = 'zero'

),

unquantified as (

    select
        by_month.*,
        cast(null as {{ dbt.type_string() }}) as factor_set,
        cast(null as {{ dbt.type_string() }}) as factor_id,
        cast(null as {{ dbt.type_string() }}) as gas,
        cast(null as double) as kg_per_unit,
        cast(null as double) as gwp100,
        cast(null as {{ dbt.type_string() }}) as gwp_set,
        false as is_geographic_proxy,
        cast(null as double) as t_co2e,
        by_month.unquantified_reason as missing_factor_reason
    from by_month
    where by_month.unquantified_reason is not null

),

{%- set columns -%}
    reporting_year, activity_month, entity_id, facility_id, scope, category, scope2_method, gas, source_file,
    source_row, record_id, quantity, quantity_unit, factor_set, factor_id, kg_per_unit, gwp100, gwp_set,
    data_source, is_estimate, is_geographic_proxy, data_quality_score, t_co2e,
    cast(null as {{ dbt.type_string() }}) as scope2_basis, cast(null as double) as instrument_covered_kwh,
    market_code, coalesce(pin_key, mode) as pin_key, missing_factor_reason, mode, stratum_year_id,
    is_reused_survey, is_low_response, commuting_days
{%- endset %}

final as (

    select {{ columns }} from with_factors
    union all
    select {{ columns }} from zero_emission
    union all
    select {{ columns }} from unquantified

)

select * from final

{#-
  The SELECT of int_account_events_prepared (the model's file says what it holds), over the behaviour
  events `where` keeps (none: all). fct_account_claims computes its slices over this SELECT with the
  slice's accounts and the run's months as `where`, rather than over the view: DuckDB does not push a
  filter on the view's rows below its joins, so each slice computed the local day, the methodology and
  the employee of every event of every month, twice (docs/benchmarks.md).
-#}
{% macro account_events_prepared(where=none) %}
with events as (

    select * from {{ ref('stg_behaviour') }}
    {%- if where %}
    where {{ where }}
    {%- endif %}

),

policy_settings as (

    select max(case when setting = 'timezone' then value end) as reporting_timezone
    from {{ ref('stg_policy_settings') }}

),

methodologies as (

    select * from {{ ref('int_account_methodologies') }}

),

employees as (

    select * from {{ ref('stg_employees') }}

),

facility_places as (

    select facility_id, coalesce(province_iso, upper(country)) as place
    from {{ ref('int_facilities_mapped_to_grid') }}

),

scenario_places as (

    {#- setting = 'scenario_place.<scenario>' -#}
    select substr(setting, 16) as scenario, value as place
    from {{ ref('stg_policy_account_settings') }}
    where setting like 'scenario_place.%'

),

localised as (

    select
        events.*,
        {{ account_utc_to_local('events.occurred_at', "coalesce(policy_settings.reporting_timezone, 'Asia/Shanghai')") }}
            as occurred_local
    from events
    cross join policy_settings

),

dated as (

    select
        *,
        cast(occurred_local as date) as local_date,
        cast(substr(activity_month, 1, 4) as integer) as reporting_year
    from localised

),

methodology_joined as (

    select
        dated.event_id,
        dated.account_id,
        dated.scenario,
        dated.behaviour_code,
        dated.channel,
        dated.occurred_at,
        dated.occurred_local,
        dated.local_date,
        dated.activity_month,
        dated.reporting_year,
        dated.quantity,
        dated.unit,
        dated.quantity_canonical,
        dated.unit_canonical,
        dated.source_file,
        dated.source_row,
        methodologies.methodology_id,
        methodologies.methodology_version,
        methodologies.scenario as methodology_scenario,
        methodologies.method,
        methodologies.unit as methodology_unit,
        coalesce(methodologies.is_quantified, false) as is_quantified,
        methodologies.g_co2e_per_unit,
        methodologies.baseline_periods,
        methodologies.points_per_unit,
        methodologies.daily_cap,
        methodologies.monthly_cap,
        methodologies.cap_unit,
        methodologies.max_quantity_per_event,
        methodologies.max_quantity_per_day,
        methodologies.max_speed_kmh,
        coalesce(methodologies.fingerprint_class, dated.behaviour_code) as fingerprint_class,
        methodologies.duplicate_window_minutes,
        methodologies.eligibility_rule,
        methodologies.approval_status,
        methodologies.inventory_category,
        methodologies.inventory_overlap_rule,
        methodologies.inventory_overlap_share
    from dated
    left join methodologies
        on dated.behaviour_code = methodologies.behaviour_code
        and dated.local_date >= methodologies.valid_from
        and (methodologies.valid_until is null or dated.local_date < methodologies.valid_until)

),

employee_joined as (

    select
        methodology_joined.*,
        employees.employee_id,
        employees.entity_id,
        employees.facility_id,
        employees.hire_date,
        employees.leave_date,
        case
            when methodology_joined.scenario = 'employee' and facility_places.place is not null then facility_places.place
            else scenario_places.place
        end as reduction_place
    from methodology_joined
    left join employees
        on methodology_joined.account_id = employees.employee_id
    left join facility_places
        on employees.facility_id = facility_places.facility_id
    left join scenario_places
        on methodology_joined.scenario = scenario_places.scenario

),

checked as (

    select
        *,
        case
            when methodology_id is null then 'no_methodology_in_force'
            when scenario <> methodology_scenario then 'scenario_mismatch'
            when unit_canonical is null or unit_canonical <> methodology_unit then 'unit_mismatch'
            when eligibility_rule = 'active_employee'
                and (employee_id is null or local_date < hire_date or (leave_date is not null and local_date > leave_date))
                then 'not_an_active_employee'
            when quantity_canonical <= 0 then 'zero_quantity'
            when max_quantity_per_event is not null and quantity_canonical > max_quantity_per_event
                then 'implausible_quantity'
            when method = 'redemption' and quantity_canonical * points_per_unit <> floor(quantity_canonical * points_per_unit)
                then 'redemption_not_whole_points'
        end as first_reject_reason
    from employee_joined

),

final as (

    select
        *,
        case first_reject_reason
            when 'no_methodology_in_force' then concat('no methodology of ', behaviour_code, ' is in force on ', cast(local_date as {{ dbt.type_string() }}))
            when 'scenario_mismatch' then concat(behaviour_code, ' belongs to scenario ', methodology_scenario, ', not ', scenario)
            when 'unit_mismatch' then concat('unit ', coalesce(unit, '?'), ' is not ', methodology_unit)
            when 'not_an_active_employee' then 'the account is not an employee on the books on that day'
            when 'zero_quantity' then 'quantity is 0'
            when 'implausible_quantity' then concat(cast(quantity_canonical as {{ dbt.type_string() }}), ' ', methodology_unit,
                                                    ' in one event exceeds ', cast(max_quantity_per_event as {{ dbt.type_string() }}))
            when 'redemption_not_whole_points' then 'a redemption must be a whole number of points'
        end as first_reject_detail
    from checked

)

select * from final
{% endmacro %}

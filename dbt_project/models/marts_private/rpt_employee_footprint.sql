{#-
  Each employee's attributed emissions beside their avoided emissions, per reporting year:
    business travel  the inventory's category 6 rows of their own trips (radiative forcing as the
                     policy reports it),
    commuting        the inventory's category 7 rows of their own survey answers,
    facility share   Scope 1 + Scope 2 (the headline method) of their facility, shared by
                     headcount-days: days on the books at that facility in the year over the
                     facility's total employee-days,
    avoided          the employee-scenario ledger's credits less reversals in the year (a memo:
                     never netted against the attributed figure).
  The inventory rows are found through their lineage (source_file, source_row), so the figures are
  exactly the inventory's. Per person: schema marts_private, never read by the TCFD report.
-#}
{{ config(materialized='table', schema='marts_private') }}

with employees as (

    select * from {{ ref('stg_employees') }}

),

emissions as (

    select * from {{ ref('fct_emissions') }}

),

travel as (

    select source_file, source_row, employee_id from {{ ref('stg_travel') }}

),

commute as (

    select source_file, source_row, employee_id from {{ ref('stg_commute') }}

),

ledger as (

    select * from {{ ref('fct_account_ledger') }}
    where scenario = 'employee' and entry_type in ('credit', 'reversal')

),

policy_settings as (

    select
        coalesce(max(case when setting = 'scope2_headline_method' then value end), 'location_based') as scope2_headline_method,
        coalesce(max(case when setting = 'include_radiative_forcing' then value end), 'true') as include_radiative_forcing
    from {{ ref('stg_policy_settings') }}

),

years as (

    select distinct reporting_year from emissions
    union
    select distinct reporting_year from ledger

),

year_bounds as (

    select
        reporting_year,
        cast(concat(cast(reporting_year as {{ dbt.type_string() }}), '-01-01') as date) as year_start,
        cast(concat(cast(reporting_year as {{ dbt.type_string() }}), '-12-31') as date) as year_end
    from years

),

employee_years as (

    select
        year_bounds.reporting_year,
        employees.employee_id,
        employees.entity_id,
        employees.facility_id,
        {{ dbt.datediff(
            'case when employees.hire_date > year_bounds.year_start then employees.hire_date else year_bounds.year_start end',
            'case when employees.leave_date is not null and employees.leave_date < year_bounds.year_end then employees.leave_date else year_bounds.year_end end',
            'day') }} + 1 as days_employed
    from employees
    inner join year_bounds
        on employees.hire_date <= year_bounds.year_end
        and (employees.leave_date is null or employees.leave_date >= year_bounds.year_start)

),

facility_days as (

    select reporting_year, facility_id, sum(days_employed) as employee_days, count(*) as headcount
    from employee_years
    group by reporting_year, facility_id

),

facility_emissions as (

    select
        emissions.reporting_year,
        emissions.facility_id,
        sum(emissions.t_co2e) as t_co2e
    from emissions
    cross join policy_settings
    where emissions.facility_id is not null
        and (emissions.scope = 1 or (emissions.scope = 2 and emissions.scope2_method = policy_settings.scope2_headline_method))
    group by emissions.reporting_year, emissions.facility_id

),

travel_emissions as (

    select
        emissions.reporting_year,
        travel.employee_id,
        sum(emissions.t_co2e) as t_co2e
    from emissions
    inner join travel
        on emissions.source_file = travel.source_file
        and emissions.source_row = travel.source_row
    cross join policy_settings
    where emissions.category = 's3_06_business_travel'
        and (emissions.gas <> 'rf_uplift' or policy_settings.include_radiative_forcing = 'true')
    group by emissions.reporting_year, travel.employee_id

),

commute_emissions as (

    select
        emissions.reporting_year,
        commute.employee_id,
        sum(emissions.t_co2e) as t_co2e
    from emissions
    inner join commute
        on emissions.source_file = commute.source_file
        and emissions.source_row = commute.source_row
    where emissions.category = 's3_07_employee_commuting'
    group by emissions.reporting_year, commute.employee_id

),

avoided as (

    select
        reporting_year,
        account_id,
        sum(g_co2e_avoided) / 1000000.0 as t_co2e_avoided,
        sum(g_co2e_already_in_inventory) / 1000000.0 as t_co2e_avoided_already_in_inventory
    from ledger
    group by reporting_year, account_id

),

joined as (

    select
        employee_years.reporting_year,
        employee_years.employee_id as account_id,
        employee_years.entity_id,
        employee_years.facility_id,
        employee_years.days_employed,
        facility_days.headcount as facility_headcount,
        coalesce(travel_emissions.t_co2e, 0.0) as t_co2e_business_travel,
        coalesce(commute_emissions.t_co2e, 0.0) as t_co2e_commuting,
        coalesce(facility_emissions.t_co2e * employee_years.days_employed / facility_days.employee_days, 0.0)
            as t_co2e_facility_share,
        coalesce(avoided.t_co2e_avoided, 0.0) as t_co2e_avoided,
        coalesce(avoided.t_co2e_avoided_already_in_inventory, 0.0) as t_co2e_avoided_already_in_inventory
    from employee_years
    left join facility_days
        on employee_years.reporting_year = facility_days.reporting_year
        and employee_years.facility_id = facility_days.facility_id
    left join facility_emissions
        on employee_years.reporting_year = facility_emissions.reporting_year
        and employee_years.facility_id = facility_emissions.facility_id
    left join travel_emissions
        on employee_years.reporting_year = travel_emissions.reporting_year
        and employee_years.employee_id = travel_emissions.employee_id
    left join commute_emissions
        on employee_years.reporting_year = commute_emissions.reporting_year
        and employee_years.employee_id = commute_emissions.employee_id
    left join avoided
        on employee_years.reporting_year = avoided.reporting_year
        and employee_years.employee_id = avoided.account_id

),

final as (

    select
        *,
        t_co2e_business_travel + t_co2e_commuting + t_co2e_facility_share as t_co2e_attributed
    from joined

)

select * from final

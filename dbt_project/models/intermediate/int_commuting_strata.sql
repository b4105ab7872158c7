{#-
  Scope 3 category 7, employee commuting: the strata (entity x city) of each reporting year, the
  survey that represents them and their flags. One row per entity x city x reporting year that has a
  survey from that year or an earlier one.

  - Reporting years: the years of the entity's monthly headcount (landing/org/headcount).
  - Survey: the latest survey year, not after the reporting year, in which the stratum answered; one
    answer per employee and survey year (the latest). A survey from an earlier year is reused and
    flagged (is_reused_survey).
  - Stratum headcount: the entity's mean monthly headcount in the reporting year, split across cities
    by the share of the entity's employees working there that year (employees active at any time in
    the year, each at the city of their facility). An entity without employee records is split by the
    respondents' share instead (city_share_basis says which).
  - Flags: response rate (respondents / stratum headcount) below the policy's
    scope3_commuting_min_response_rate_pct, or fewer respondents than scope3_commuting_min_respondents.
  - Commuting days: (Chinese working days of the reporting year - the policy's
    scope3_commuting_leave_days) per respondent x max(days_per_week - remote_days_per_week, 0) / 5
    (int_commuting_extrapolated_to_strata).
  Strata with employees but no survey in or before the year are listed with has_survey = false; a
  surveyed city where the entity has no employee on record is flagged is_city_unmatched (its answers
  are then listed without a factor rather than extrapolated to zero people).
-#}
with commute as (

    select * from {{ ref('stg_commute') }}

),

employees as (

    select * from {{ ref('stg_employees') }}

),

facilities as (

    select * from {{ ref('int_facilities_mapped_to_grid') }}

),

entities as (

    select * from {{ ref('stg_org_entities') }}

),

headcount as (

    select * from {{ ref('stg_org_headcount') }}

),

city_aliases as (

    -- English / pinyin spellings of a city meet its Chinese name (files of one group mix both)
    select lower(trim(alias_key)) as alias_key, lower(trim(city_key)) as city_key from {{ ref('cn_city_aliases') }}

),

settings as (

    select
        cast(max(case when setting = 'scope3_commuting_min_response_rate_pct' then value end) as double)
            as min_response_rate_pct,
        cast(max(case when setting = 'scope3_commuting_min_respondents' then value end) as double)
            as min_respondents
    from {{ ref('stg_policy_settings') }}

),

answers_ranked as (

    select
        commute.*,
        cast(substr(commute.activity_month, 1, 4) as integer) as survey_year,
        coalesce(city_aliases.city_key, lower(trim(commute.city))) as city_key,
        row_number() over (
            partition by commute.employee_id, substr(commute.activity_month, 1, 4)
            order by commute.survey_date desc, commute.source_file desc, commute.source_row desc
        ) as answer_rank
    from commute
    left join city_aliases
        on lower(trim(commute.city)) = city_aliases.alias_key

),

answers as (

    select * from answers_ranked where answer_rank = 1

),

entity_years as (

    select
        entity_id,
        cast(substr(activity_month, 1, 4) as integer) as reporting_year,
        avg(cast(headcount as double)) as mean_headcount
    from headcount
    group by entity_id, cast(substr(activity_month, 1, 4) as integer)

),

employee_cities as (

    select
        entity_years.entity_id,
        entity_years.reporting_year,
        coalesce(city_aliases.city_key, lower(trim(facilities.city))) as city_key,
        count(*) as employees
    from entity_years
    inner join employees
        on entity_years.entity_id = employees.entity_id
        and employees.hire_date <= cast({{ dbt.concat(["cast(entity_years.reporting_year as " ~ dbt.type_string() ~ ")", "'-12-31'"]) }} as date)
        and (employees.leave_date is null
             or employees.leave_date >= cast({{ dbt.concat(["cast(entity_years.reporting_year as " ~ dbt.type_string() ~ ")", "'-01-01'"]) }} as date))
    inner join facilities
        on employees.facility_id = facilities.facility_id
    left join city_aliases
        on lower(trim(facilities.city)) = city_aliases.alias_key
    where facilities.city is not null
    group by entity_years.entity_id, entity_years.reporting_year,
        coalesce(city_aliases.city_key, lower(trim(facilities.city)))

),

employee_totals as (

    select entity_id, reporting_year, sum(employees) as employees
    from employee_cities
    group by entity_id, reporting_year

),

survey_strata as (

    select entity_id, city_key, survey_year, max(city) as city, count(*) as respondents
    from answers
    group by entity_id, city_key, survey_year

),

{#- The latest survey of each stratum not after the reporting year. -#}
survey_chosen as (

    select
        entity_years.entity_id,
        entity_years.reporting_year,
        survey_strata.city_key,
        max(survey_strata.survey_year) as survey_year
    from entity_years
    inner join survey_strata
        on entity_years.entity_id = survey_strata.entity_id
        and survey_strata.survey_year <= entity_years.reporting_year
    group by entity_years.entity_id, entity_years.reporting_year, survey_strata.city_key

),

strata_keys as (

    select entity_id, reporting_year, city_key from survey_chosen
    union
    select entity_id, reporting_year, city_key from employee_cities

),

respondent_totals as (

    select survey_chosen.entity_id, survey_chosen.reporting_year, sum(survey_strata.respondents) as respondents
    from survey_chosen
    inner join survey_strata
        on survey_chosen.entity_id = survey_strata.entity_id
        and survey_chosen.city_key = survey_strata.city_key
        and survey_chosen.survey_year = survey_strata.survey_year
    group by survey_chosen.entity_id, survey_chosen.reporting_year

),

city_markets as (

    select
        facilities.entity_id,
        coalesce(city_aliases.city_key, lower(trim(facilities.city))) as city_key,
        max(facilities.market_code) as market_code
    from facilities
    left join city_aliases
        on lower(trim(facilities.city)) = city_aliases.alias_key
    group by facilities.entity_id, coalesce(city_aliases.city_key, lower(trim(facilities.city)))

),

strata as (

    select
        strata_keys.entity_id,
        strata_keys.reporting_year,
        strata_keys.city_key,
        survey_strata.city,
        survey_chosen.survey_year,
        survey_chosen.survey_year is not null as has_survey,
        coalesce(survey_chosen.survey_year < strata_keys.reporting_year, false) as is_reused_survey,
        coalesce(survey_strata.respondents, 0) as respondents,
        entity_years.mean_headcount as entity_mean_headcount,
        case
            when employee_totals.employees > 0 then coalesce(employee_cities.employees, 0) * 1.0 / employee_totals.employees
            when respondent_totals.respondents > 0 then coalesce(survey_strata.respondents, 0) * 1.0 / respondent_totals.respondents
        end as city_share,
        case
            when employee_totals.employees > 0 then 'employees'
            when respondent_totals.respondents > 0 then 'respondents'
        end as city_share_basis,
        coalesce(employee_cities.employees, 0) as employees_in_city,
        coalesce(city_markets.market_code, upper(trim(entities.country))) as market_code
    from strata_keys
    inner join entity_years
        on strata_keys.entity_id = entity_years.entity_id
        and strata_keys.reporting_year = entity_years.reporting_year
    left join survey_chosen
        on strata_keys.entity_id = survey_chosen.entity_id
        and strata_keys.reporting_year = survey_chosen.reporting_year
        and strata_keys.city_key = survey_chosen.city_key
    left join survey_strata
        on survey_chosen.entity_id = survey_strata.entity_id
        and survey_chosen.city_key = survey_strata.city_key
        and survey_chosen.survey_year = survey_strata.survey_year
    left join employee_cities
        on strata_keys.entity_id = employee_cities.entity_id
        and strata_keys.reporting_year = employee_cities.reporting_year
        and strata_keys.city_key = employee_cities.city_key
    left join employee_totals
        on strata_keys.entity_id = employee_totals.entity_id
        and strata_keys.reporting_year = employee_totals.reporting_year
    left join respondent_totals
        on strata_keys.entity_id = respondent_totals.entity_id
        and strata_keys.reporting_year = respondent_totals.reporting_year
    left join city_markets
        on strata_keys.entity_id = city_markets.entity_id
        and strata_keys.city_key = city_markets.city_key
    left join entities
        on strata_keys.entity_id = entities.entity_id

),

final as (

    select
        {{ dbt.concat(["strata.entity_id", "'|'", "strata.city_key", "'|'",
                       "cast(strata.reporting_year as " ~ dbt.type_string() ~ ")"]) }} as stratum_year_id,
        strata.entity_id,
        strata.reporting_year,
        strata.city_key,
        strata.city,
        strata.survey_year,
        strata.has_survey,
        strata.is_reused_survey,
        strata.respondents,
        strata.entity_mean_headcount,
        strata.employees_in_city,
        strata.city_share,
        strata.city_share_basis,
        strata.entity_mean_headcount * strata.city_share as stratum_headcount,
        case
            when strata.entity_mean_headcount * strata.city_share > 0
                then strata.respondents * 100.0 / (strata.entity_mean_headcount * strata.city_share)
        end as response_rate_pct,
        strata.has_survey and strata.employees_in_city = 0 and strata.city_share_basis = 'employees'
            as is_city_unmatched,
        strata.has_survey and (
            strata.respondents < settings.min_respondents
            or coalesce(strata.respondents * 100.0 / nullif(strata.entity_mean_headcount * strata.city_share, 0), 0)
               < settings.min_response_rate_pct
        ) as is_low_response,
        strata.market_code
    from strata
    cross join settings

)

select * from final

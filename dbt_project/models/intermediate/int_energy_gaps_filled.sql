{#-
  Missing facility-months filled, flagged and disclosed. A series (facility x energy type) that
  reports in a year is expected in every month of that year while the site is open; a month with no
  line is filled, in this order:
    1. same month last year (the series' own quantity then),
    2. neighbouring months of the same year (the mean of the nearest reported month before and after),
    3. floor-area benchmark (kWh per m2 per year / 12; electricity only; seeds/reference/energy_benchmarks.csv).
  Filled pieces are estimates (data_source 'estimate', data-quality 4) and keep the method and the
  month they came from; replacing them with actuals later is an error correction (restatement).
-#}
with pieces as (

    select
        record_id, facility_id, energy_type, data_source, quantity, quantity_unit, source_file, source_row,
        activity_month, reporting_year
    from {{ ref('int_energy_pieces_authoritative') }}

),

months as (

    select * from {{ ref('calendar_months') }}

),

facilities as (

    select * from {{ ref('stg_org_facilities') }}

),

benchmarks as (

    select * from {{ ref('energy_benchmarks') }}

),

series_months as (

    select
        facility_id,
        energy_type,
        max(quantity_unit) as quantity_unit,
        activity_month,
        reporting_year,
        sum(quantity) as quantity,
        min(source_file) as source_file,
        min(source_row) as source_row
    from pieces
    group by facility_id, energy_type, activity_month, reporting_year

),

series_years as (

    select distinct facility_id, energy_type, quantity_unit, reporting_year from series_months

),

expected as (

    select
        series_years.facility_id,
        series_years.energy_type,
        series_years.quantity_unit,
        months.reporting_year,
        months.activity_month,
        months.month_start_date,
        months.days_in_month
    from series_years
    inner join months
        on series_years.reporting_year = months.reporting_year
    inner join facilities
        on series_years.facility_id = facilities.facility_id
    where facilities.valid_from_date <= months.month_start_date
        and (facilities.valid_to_date is null or facilities.valid_to_date >= months.month_end_date)

),

missing as (

    select expected.*
    from expected
    left join series_months
        on expected.facility_id = series_months.facility_id
        and expected.energy_type = series_months.energy_type
        and expected.activity_month = series_months.activity_month
    where series_months.facility_id is null

),

same_month_last_year as (

    select
        missing.facility_id,
        missing.energy_type,
        missing.activity_month,
        last_year.quantity,
        last_year.activity_month as filled_from_month,
        last_year.source_file,
        last_year.source_row
    from missing
    inner join months as this_month
        on missing.activity_month = this_month.activity_month
    inner join months as month_last_year
        on month_last_year.reporting_year = this_month.reporting_year - 1
        and substr(month_last_year.activity_month, 6, 2) = substr(this_month.activity_month, 6, 2)
    inner join series_months as last_year
        on missing.facility_id = last_year.facility_id
        and missing.energy_type = last_year.energy_type
        and last_year.activity_month = month_last_year.activity_month

),

neighbours as (

    select
        missing.facility_id,
        missing.energy_type,
        missing.activity_month,
        max(case when reported.activity_month < missing.activity_month then reported.activity_month end) as previous_month,
        min(case when reported.activity_month > missing.activity_month then reported.activity_month end) as next_month
    from missing
    inner join series_months as reported
        on missing.facility_id = reported.facility_id
        and missing.energy_type = reported.energy_type
        and missing.reporting_year = reported.reporting_year
    group by missing.facility_id, missing.energy_type, missing.activity_month

),

neighbour_mean as (

    select
        neighbours.facility_id,
        neighbours.energy_type,
        neighbours.activity_month,
        (coalesce(previous.quantity, following.quantity) + coalesce(following.quantity, previous.quantity)) / 2.0
            as quantity,
        coalesce(neighbours.previous_month, neighbours.next_month) as filled_from_month,
        coalesce(previous.source_file, following.source_file) as source_file,
        coalesce(previous.source_row, following.source_row) as source_row
    from neighbours
    left join series_months as previous
        on neighbours.facility_id = previous.facility_id
        and neighbours.energy_type = previous.energy_type
        and neighbours.previous_month = previous.activity_month
    left join series_months as following
        on neighbours.facility_id = following.facility_id
        and neighbours.energy_type = following.energy_type
        and neighbours.next_month = following.activity_month
    where coalesce(previous.quantity, following.quantity) is not null

),

benchmark as (

    select
        missing.facility_id,
        missing.energy_type,
        missing.activity_month,
        facilities.floor_area_m2 * benchmarks.kwh_per_m2_year * missing.days_in_month / 365.0 as quantity
    from missing
    inner join facilities
        on missing.facility_id = facilities.facility_id
    inner join benchmarks
        on facilities.facility_type = benchmarks.facility_type
        and missing.energy_type = benchmarks.energy_type
    where missing.quantity_unit = 'kWh'

),

filled as (

    select
        missing.facility_id,
        missing.energy_type,
        missing.quantity_unit,
        missing.activity_month,
        missing.reporting_year,
        case
            when same_month_last_year.quantity is not null then 'same_month_last_year'
            when neighbour_mean.quantity is not null then 'neighbouring_months'
            when benchmark.quantity is not null then 'floor_area_benchmark'
        end as fill_method,
        coalesce(same_month_last_year.quantity, neighbour_mean.quantity, benchmark.quantity) as quantity,
        coalesce(same_month_last_year.filled_from_month, neighbour_mean.filled_from_month) as filled_from_month,
        coalesce(same_month_last_year.source_file, neighbour_mean.source_file,
                 {{ dbt.concat(["'(floor-area benchmark: '", "missing.facility_id", "')'"]) }}) as source_file,
        coalesce(same_month_last_year.source_row, neighbour_mean.source_row, 0) as source_row
    from missing
    left join same_month_last_year
        on missing.facility_id = same_month_last_year.facility_id
        and missing.energy_type = same_month_last_year.energy_type
        and missing.activity_month = same_month_last_year.activity_month
    left join neighbour_mean
        on missing.facility_id = neighbour_mean.facility_id
        and missing.energy_type = neighbour_mean.energy_type
        and missing.activity_month = neighbour_mean.activity_month
    left join benchmark
        on missing.facility_id = benchmark.facility_id
        and missing.energy_type = benchmark.energy_type
        and missing.activity_month = benchmark.activity_month

),

final as (

    select
        record_id, facility_id, energy_type, data_source, quantity, quantity_unit, source_file, source_row,
        activity_month, reporting_year,
        cast(null as {{ dbt.type_string() }}) as fill_method,
        cast(null as {{ dbt.type_string() }}) as filled_from_month
    from pieces
    union all
    select
        {{ dbt.concat(["'gapfill|'", "facility_id", "'|'", "energy_type", "'|'", "activity_month"]) }} as record_id,
        facility_id,
        energy_type,
        'estimate' as data_source,
        quantity,
        quantity_unit,
        source_file,
        source_row,
        activity_month,
        reporting_year,
        fill_method,
        filled_from_month
    from filled
    where quantity is not null

)

select * from final

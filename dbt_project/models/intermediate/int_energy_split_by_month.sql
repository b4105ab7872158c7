{#-
  Meter and invoice lines, split by days into the months they cover (a line from 15 December to
  14 January is 17/31 December and 14/31 January). The period end is the last day covered
  (inclusive). Each piece keeps its source row; activity_month is the month of the piece.
-#}
with energy as (

    select * from {{ ref('stg_energy') }}

),

months as (

    select * from {{ ref('calendar_months') }}

),

pieces as (

    select
        energy.record_id,
        energy.facility_id,
        energy.energy_type,
        energy.data_source,
        energy.quantity_canonical,
        energy.unit_canonical,
        energy.source_file,
        energy.source_row,
        energy.period_start_date,
        energy.period_end_date,
        months.activity_month,
        months.reporting_year,
        {{ dbt.datediff('energy.period_start_date', 'energy.period_end_date', 'day') }} + 1 as period_days,
        {{ dbt.datediff(
            'case when energy.period_start_date > months.month_start_date then energy.period_start_date else months.month_start_date end',
            'case when energy.period_end_date < months.month_end_date then energy.period_end_date else months.month_end_date end',
            'day') }} + 1 as days_in_piece
    from energy
    inner join months
        on months.month_start_date <= energy.period_end_date
        and months.month_end_date >= energy.period_start_date

),

final as (

    select
        record_id,
        facility_id,
        energy_type,
        data_source,
        quantity_canonical * days_in_piece / period_days as quantity,
        unit_canonical as quantity_unit,
        source_file,
        source_row,
        activity_month,
        reporting_year,
        days_in_piece,
        period_days
    from pieces

)

select * from final

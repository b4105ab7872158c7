{#- The credits registry: every lot with its standard, type, vintage, serials and whether it counts. -#}
with credits as (

    select * from {{ ref('int_carbon_credits_validated') }}

),

final as (

    select
        credit_id,
        registry,
        standard,
        project_id,
        project_type,
        credit_type,
        vintage_year,
        tonnes,
        status,
        retired_on_date,
        retired_for_year,
        retired_for_entity,
        serial_start,
        serial_end,
        not_counted_reason is null as counts_toward_neutrality,
        not_counted_reason,
        retired_for_year as reporting_year
    from credits

)

select * from final

{#-
  Every Scope 3 emission row (categories 1, 3, 5, 6, 7), in the columns of emission_row_columns()
  plus pin_key and missing_factor_reason (null when a factor was applied). fct_emissions takes the
  rows with a factor; fct_activity_without_factor lists the others.
-#}
with empty as (

    select
        cast(null as integer) as reporting_year,
        cast(null as {{ dbt.type_string() }}) as activity_month,
        cast(null as {{ dbt.type_string() }}) as entity_id,
        cast(null as {{ dbt.type_string() }}) as facility_id,
        cast(null as integer) as scope,
        cast(null as {{ dbt.type_string() }}) as category,
        cast(null as {{ dbt.type_string() }}) as scope2_method,
        cast(null as {{ dbt.type_string() }}) as gas,
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as bigint) as source_row,
        cast(null as {{ dbt.type_string() }}) as record_id,
        cast(null as double) as quantity,
        cast(null as {{ dbt.type_string() }}) as quantity_unit,
        cast(null as {{ dbt.type_string() }}) as factor_set,
        cast(null as {{ dbt.type_string() }}) as factor_id,
        cast(null as double) as kg_per_unit,
        cast(null as double) as gwp100,
        cast(null as {{ dbt.type_string() }}) as gwp_set,
        cast(null as {{ dbt.type_string() }}) as data_source,
        cast(null as boolean) as is_estimate,
        cast(null as boolean) as is_geographic_proxy,
        cast(null as integer) as data_quality_score,
        cast(null as double) as t_co2e,
        cast(null as {{ dbt.type_string() }}) as scope2_basis,
        cast(null as double) as instrument_covered_kwh,
        cast(null as {{ dbt.type_string() }}) as market_code,
        cast(null as {{ dbt.type_string() }}) as pin_key,
        cast(null as {{ dbt.type_string() }}) as missing_factor_reason
    where 1 = 0

)

select * from empty

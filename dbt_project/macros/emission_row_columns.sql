{#- The columns every emission source contributes to fct_emissions, in order. -#}
{% macro emission_row_columns() -%}
    reporting_year,
    activity_month,
    entity_id,
    facility_id,
    scope,
    category,
    scope2_method,
    gas,
    source_file,
    source_row,
    record_id,
    quantity as activity_quantity,
    quantity_unit as activity_unit,
    factor_set,
    factor_id,
    kg_per_unit,
    gwp100,
    gwp_set,
    data_source,
    is_estimate,
    is_geographic_proxy,
    case when is_geographic_proxy and data_quality_score < 4 then 4 else data_quality_score end as data_quality_score,
    t_co2e,
    scope2_basis,
    instrument_covered_kwh,
    market_code
{%- endmacro %}

{#- The columns every source contributes to fct_activity_without_factor. -#}
{% macro missing_factor_columns() -%}
    reporting_year,
    activity_month,
    entity_id,
    facility_id,
    scope,
    category,
    scope2_method,
    source_file,
    source_row,
    record_id,
    quantity as activity_quantity,
    quantity_unit as activity_unit,
    pin_key,
    market_code,
    missing_factor_reason
{%- endmacro %}

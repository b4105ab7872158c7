{#- Small portable helpers (DuckDB and Spark both have these functions; kept in one place). -#}

{% macro year_of(expr) -%}
    cast({{ adapter.dispatch('year_of', 'carbonledger')(expr) }} as integer)
{%- endmacro %}
{% macro default__year_of(expr) -%}extract(year from {{ expr }}){%- endmacro %}

{#- Serial numbers such as 'GEC-2022-000123': the text before the trailing digits, and the digits as a number. -#}
{% macro serial_prefix(expr) -%}
    regexp_extract({{ expr }}, '^(.*?)([0-9]+)$', 1)
{%- endmacro %}

{% macro serial_number(expr) -%}
    cast(nullif(regexp_extract({{ expr }}, '^(.*?)([0-9]+)$', 2), '') as bigint)
{%- endmacro %}

{#
  Wall-clock time in a named zone (the policy's reporting_timezone, an IANA name such as
  Asia/Shanghai, passed as a column or a quoted literal) to UTC, both as timestamps without a zone
  (the lake stores UTC that way). Used to cut local calendar months as UTC windows, daylight saving
  time included. DuckDB uses its built-in ICU extension; Spark has to_utc_timestamp.
#}
{% macro local_to_utc_timestamp(local_timestamp, zone) %}
    {{ return(adapter.dispatch('local_to_utc_timestamp', 'carbonledger')(local_timestamp, zone)) }}
{% endmacro %}

{% macro default__local_to_utc_timestamp(local_timestamp, zone) -%}
    to_utc_timestamp(cast({{ local_timestamp }} as timestamp), {{ zone }})
{%- endmacro %}

{% macro duckdb__local_to_utc_timestamp(local_timestamp, zone) -%}
    cast(timezone('UTC', timezone({{ zone }}, cast({{ local_timestamp }} as timestamp))) as timestamp)
{%- endmacro %}

{#
  Helpers of the scenario carbon accounts (models/*/accounts*, fct_account_*, rpt_account_*).
  Portable: DuckDB (ICU time zones) and Spark (from_utc_timestamp / to_utc_timestamp) through
  adapter.dispatch; months are handled as 'YYYY-MM' strings and month numbers, never intervals.
#}

{#- A UTC timestamp (stored without zone) as wall-clock time in `zone` (an IANA name: column or quoted literal). -#}
{% macro account_utc_to_local(utc_timestamp, zone) %}
    {{ return(adapter.dispatch('account_utc_to_local', 'carbonledger')(utc_timestamp, zone)) }}
{% endmacro %}

{% macro default__account_utc_to_local(utc_timestamp, zone) -%}
    from_utc_timestamp(cast({{ utc_timestamp }} as timestamp), {{ zone }})
{%- endmacro %}

{% macro duckdb__account_utc_to_local(utc_timestamp, zone) -%}
    cast(timezone({{ zone }}, timezone('UTC', cast({{ utc_timestamp }} as timestamp))) as timestamp)
{%- endmacro %}

{#- Wall-clock time in `zone` as a UTC timestamp without zone. -#}
{% macro account_local_to_utc(local_timestamp, zone) %}
    {{ return(adapter.dispatch('account_local_to_utc', 'carbonledger')(local_timestamp, zone)) }}
{% endmacro %}

{% macro default__account_local_to_utc(local_timestamp, zone) -%}
    to_utc_timestamp(cast({{ local_timestamp }} as timestamp), {{ zone }})
{%- endmacro %}

{% macro duckdb__account_local_to_utc(local_timestamp, zone) -%}
    cast(timezone('UTC', timezone({{ zone }}, cast({{ local_timestamp }} as timestamp))) as timestamp)
{%- endmacro %}

{#- Seconds since 1970 of a UTC timestamp (for gaps between two claims). -#}
{% macro account_epoch_seconds(utc_timestamp) %}
    {{ return(adapter.dispatch('account_epoch_seconds', 'carbonledger')(utc_timestamp)) }}
{% endmacro %}

{% macro default__account_epoch_seconds(utc_timestamp) -%}
    cast(unix_timestamp(cast({{ utc_timestamp }} as timestamp)) as double)
{%- endmacro %}

{% macro duckdb__account_epoch_seconds(utc_timestamp) -%}
    cast(epoch(cast({{ utc_timestamp }} as timestamp)) as double)
{%- endmacro %}

{#- 'YYYY-MM' -> a month number (year x 12 + month - 1), and back. -#}
{% macro account_month_number(month) -%}
    (cast(substr({{ month }}, 1, 4) as integer) * 12 + cast(substr({{ month }}, 6, 2) as integer) - 1)
{%- endmacro %}

{% macro account_month_of_number(number) -%}
    concat(
        cast(cast(floor(({{ number }}) / 12) as integer) as {{ dbt.type_string() }}),
        '-',
        lpad(cast(cast(({{ number }}) - floor(({{ number }}) / 12) * 12 + 1 as integer) as {{ dbt.type_string() }}), 2, '0')
    )
{%- endmacro %}

{#- The first instant (UTC) of a local 'YYYY-MM' month, or of a local date. -#}
{% macro account_month_start_utc(month, zone) -%}
    {{ account_local_to_utc("cast(concat(" ~ month ~ ", '-01 00:00:00') as timestamp)", zone) }}
{%- endmacro %}

{% macro account_date_start_utc(local_date, zone) -%}
    {{ account_local_to_utc("cast(" ~ local_date ~ " as timestamp)", zone) }}
{%- endmacro %}

{#-
  The months an incremental accounts model rebuilds: from the run's first month onwards (later
  months depend on earlier ones: own baselines, expiry, filings), plus every year computed under
  another policy. A new month is processed alone; a late month is replayed forward. Outside an
  incremental run, every row.
-#}
{% macro account_run_window(month_column='activity_month') -%}
    {%- if is_incremental() -%}
    (
        {{ month_column }} >= '{{ var("start_month") }}'
        or substr({{ month_column }}, 1, 4) in (
            select distinct substr(activity_month, 1, 4) from {{ this }}
            where policy_sha256 <> {{ current_policy_sha256() }}
        )
    )
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: clear the months being rebuilt. -#}
{% macro account_delete_run_window() -%}
    {%- if is_incremental() and target.type != 'spark' -%}
    delete from {{ this }} where {{ account_run_window() }}
    {%- endif -%}
{%- endmacro %}

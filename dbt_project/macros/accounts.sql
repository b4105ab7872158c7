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
  another policy (policy_changed_years, read at compile time). A new month is processed alone; a late
  month is replayed forward. Outside an incremental run, every row. `plan`: the same decided earlier
  (account_claims_run_plan), for SQL rendered after the pre-hook's delete.
-#}
{% macro account_run_window(month_column='activity_month', plan=none) -%}
    {%- if (is_incremental() if plan is none else plan.incremental) -%}
    (
        {{ month_column }} >= '{{ var("start_month") }}'
        {{- or_in_policy_changed_years(month_column, none if plan is none else plan.years) }}
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

{#- The reporting years of the months account_run_window rebuilds, for a model summed per year: from the
    run's first month's year onwards, plus every year computed under another policy. -#}
{% macro account_run_years(year_column='reporting_year') -%}
    {%- if is_incremental() -%}
    {%- set years = policy_changed_years('cast(reporting_year as ' ~ dbt.type_string() ~ ')') -%}
    (
        {{ year_column }} >= {{ var("start_month")[:4] | int }}
        {%- if years %} or {{ year_column }} in ({{ years | join(', ') }}){% endif %}
    )
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}

{% macro account_delete_run_years() -%}
    {%- if is_incremental() and target.type != 'spark' -%}
    delete from {{ this }} where {{ account_run_years() }}
    {%- endif -%}
{%- endmacro %}

{#- One row per integer start..end (inclusive) of each input row: a select-list expression. -#}
{% macro account_integer_series(start_expr, end_expr) %}
    {{ return(adapter.dispatch('account_integer_series', 'carbonledger')(start_expr, end_expr)) }}
{% endmacro %}

{% macro default__account_integer_series(start_expr, end_expr) -%}
    explode(sequence(cast({{ start_expr }} as bigint), cast({{ end_expr }} as bigint)))
{%- endmacro %}

{% macro duckdb__account_integer_series(start_expr, end_expr) -%}
    unnest(range(cast({{ start_expr }} as bigint), cast({{ end_expr }} as bigint) + 1))
{%- endmacro %}

{#- The last non-null value of `expr` in a window frame (write ` over (...)` after it). -#}
{% macro account_last_non_null(expr) %}
    {{ return(adapter.dispatch('account_last_non_null', 'carbonledger')(expr)) }}
{% endmacro %}

{% macro default__account_last_non_null(expr) -%}
    last({{ expr }}, true)
{%- endmacro %}

{% macro duckdb__account_last_non_null(expr) -%}
    last_value({{ expr }} ignore nulls)
{%- endmacro %}

{#- The own-baseline reading counts (baseline_periods) of the registry, read when the model runs: each
    becomes one frame of the baseline window (a frame's size must be a constant). -#}
{% macro account_baseline_periods() %}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set rows = run_query("select distinct cast(baseline_periods as integer) from " ~ ref('int_account_methodologies')
                              ~ " where baseline_periods is not null order by 1") -%}
    {{ return(rows.columns[0].values() | list) }}
{% endmacro %}

{#- DuckDB: build each join's hash table on the side the SQL puts on the right. Its estimates of the claims
    after many window passes are far too high, so it built the final join on the wide events instead of the
    narrow decisions and held that table while every window pass ran, spilling (docs/benchmarks.md). Reset
    by account_join_order_reset() in the post-hook, since the connection is reused. -#}
{% macro account_join_order_as_written() -%}
    {%- if target.type == 'duckdb' -%}set disabled_optimizers = 'build_side_probe_side'{%- endif -%}
{%- endmacro %}

{% macro account_join_order_reset() -%}
    {%- if target.type == 'duckdb' -%}set disabled_optimizers = ''{%- endif -%}
{%- endmacro %}

{#- True when the policy files at least one filing: without one no claim is transferred, and the claims
    model leaves out the pass that finds a duplicate's transferred original. -#}
{% macro account_policy_has_filings() %}
    {%- if not execute -%}{{ return(true) }}{%- endif -%}
    {%- set rows = run_query("select count(*) from " ~ ref('stg_policy_account_filings')) -%}
    {{ return(rows.columns[0].values()[0] > 0) }}
{% endmacro %}

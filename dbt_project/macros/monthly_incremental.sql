{#
  Month-partitioned facts: a run replaces exactly the months of its window (dbt vars start_month,
  end_month), plus every year whose rows were computed under another policy (its SHA-256 changed).
  DuckDB deletes those months first, then inserts (delete+insert); Spark overwrites partitions.
#}
{% macro monthly_incremental_config() %}
    {{ return(adapter.dispatch('monthly_incremental_config', 'carbonledger')()) }}
{% endmacro %}

{% macro default__monthly_incremental_config() %}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': 'activity_month'}) }}
{% endmacro %}

{% macro spark__monthly_incremental_config() %}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': ['activity_month'], 'file_format': 'parquet'}) }}
{% endmacro %}

{#- The same by reporting year, for a model summed per year (int_account_ledger_summed_by_year). -#}
{% macro yearly_incremental_config() %}
    {{ return(adapter.dispatch('yearly_incremental_config', 'carbonledger')()) }}
{% endmacro %}

{% macro default__yearly_incremental_config() %}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': 'reporting_year'}) }}
{% endmacro %}

{% macro spark__yearly_incremental_config() %}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': ['reporting_year'], 'file_format': 'parquet'}) }}
{% endmacro %}

{% macro current_policy_sha256() -%}
    (select max(policy_sha256) from {{ ref('stg_policy_settings') }})
{%- endmacro %}

{#-
  The years of {{ this }} computed under another policy, as a list of 'YYYY' read when the model is
  compiled. Read then, before the pre-hook deletes their rows: a subquery in the model's SQL would run
  after that delete, find none, and the years would be lost instead of rebuilt. A constant list also
  lets the month filter reach the Parquet scan. year_expression: the year of a row, for a model without
  activity_month.
-#}
{% macro policy_changed_years(year_expression='substr(activity_month, 1, 4)') %}
    {%- if not execute or not is_incremental() -%}{{ return([]) }}{%- endif -%}
    {%- set rows = run_query("select distinct " ~ year_expression ~ " from " ~ this
                              ~ " where policy_sha256 <> " ~ current_policy_sha256() ~ " order by 1") -%}
    {{ return(rows.columns[0].values() | map('string') | list) }}
{% endmacro %}

{#- ` or <month_column> in one of those years`, or nothing when there are none. `years`: a list read
    earlier (a post-hook renders after the pre-hook's delete, when none are left to read). -#}
{% macro or_in_policy_changed_years(month_column, years=none) -%}
    {%- set years = policy_changed_years() if years is none else years -%}
    {%- if years %} or substr({{ month_column }}, 1, 4) in ('{{ years | join("', '") }}'){% endif -%}
{%- endmacro %}

{#- True for the rows a run must (re)build. Outside an incremental run, every row. -#}
{% macro in_run_window(month_column='activity_month') -%}
    {%- if is_incremental() -%}
    (
        {{ month_column }} between '{{ var("start_month") }}' and '{{ var("end_month") }}'
        {{- or_in_policy_changed_years(month_column) }}
    )
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: clear the months being rebuilt, so a month that lost all its rows is emptied too. -#}
{% macro delete_run_window() -%}
    {%- if is_incremental() and target.type != 'spark' -%}
    delete from {{ this }} where {{ in_run_window() }}
    {%- elif is_incremental() -%}
    {{ spark_drop_partitions_where(in_run_window()) }}
    {%- endif -%}
{%- endmacro %}

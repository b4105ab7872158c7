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

{% macro current_policy_sha256() -%}
    (select max(policy_sha256) from {{ ref('stg_policy_settings') }})
{%- endmacro %}

{#- True for the rows a run must (re)build. Outside an incremental run, every row. -#}
{% macro in_run_window(month_column='activity_month') -%}
    {%- if is_incremental() -%}
    (
        {{ month_column }} between '{{ var("start_month") }}' and '{{ var("end_month") }}'
        or substr({{ month_column }}, 1, 4) in (
            select distinct substr(activity_month, 1, 4) from {{ this }}
            where policy_sha256 <> {{ current_policy_sha256() }}
        )
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

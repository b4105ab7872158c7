{#
  Registers every `silver` source as a relation over the lake's Parquet, once at the start of a run
  (on-run-start). DuckDB: views over read_parquet (hive-partitioned by activity_month); Spark: tables
  over the Parquet folders. A table with no files yet gets an empty relation with its declared
  columns, so optional landing folders never break the build.
#}
{% macro register_silver_sources() %}
    {{ return(adapter.dispatch('register_silver_sources', 'carbonledger')()) }}
{% endmacro %}

{% macro lake_path() -%}
    {{ env_var('CARBONLEDGER_DATA', '../data') }}/lake
{%- endmacro %}

{% macro duckdb__register_silver_sources() %}
    {% if not execute %}{{ return('') }}{% endif %}
    {% set statements = ["create schema if not exists silver"] %}
    {% for node in graph.sources.values() if node.source_name == 'silver' %}
        {% set folder = lake_path() ~ '/silver/' ~ node.identifier %}
        {% set partitioned = node.meta.get('partitioned_by') == 'activity_month' %}
        {% set files = run_query("select count(*) from glob('" ~ folder ~ "/**/*.parquet')").columns[0].values()[0] %}
        {% if files > 0 %}
            {% set reader -%}
                read_parquet('{{ folder }}/**/*.parquet', union_by_name = true
                {%- if partitioned %}, hive_partitioning = true, hive_types = {'activity_month': varchar}{% else %}, hive_partitioning = false{% endif %})
            {%- endset %}
            {% do statements.append("create or replace view silver." ~ node.identifier ~ " as select * from " ~ reader) %}
        {% else %}
            {% do statements.append("create or replace view silver." ~ node.identifier ~ " as " ~ empty_relation_sql(node)) %}
        {% endif %}
    {% endfor %}
    {{ return(statements | join(';\n') ~ ';') }}
{% endmacro %}

{% macro empty_relation_sql(node) -%}
    select
    {%- for column in node.columns.values() %}
        cast(null as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
    {%- endfor %}
    where 1 = 0
{%- endmacro %}

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

{#
  Spark: one external Parquet table per silver source, declared with the columns of
  models/staging/_silver__sources.yml over its lake folder (activity_month, where the table has it,
  is a STRING partition column discovered from the activity_month=YYYY-MM folders). Declaring the
  columns means a folder with no files yet is simply an empty table, and a file that lacks a column
  reads it as null (DuckDB's union_by_name). Dropping an external table never deletes its files.
  On a cluster, CARBONLEDGER_DATA is an object-store URI (s3a://..., abfss://...): see docs/deploy.md.
#}
{% macro spark__register_silver_sources() %}
    {% if not execute %}{{ return('') }}{% endif %}
    {% do run_query("create database if not exists silver") %}
    {% for node in graph.sources.values() if node.source_name == 'silver' %}
        {% set folder = lake_path() ~ '/silver/' ~ node.identifier %}
        {% set partitioned = node.meta.get('partitioned_by') == 'activity_month' %}
        {% set columns = node.columns.values() | list %}
        {% if not columns %}
            {% do exceptions.raise_compiler_error("source silver." ~ node.identifier ~ " declares no columns in _silver__sources.yml: Spark needs them") %}
        {% endif %}
        {% do run_query("drop table if exists silver." ~ node.identifier) %}
        {% set ddl %}
            create table silver.{{ node.identifier }} (
            {%- for column in columns %}
                {{ column.name }} {{ column.data_type }}{{ "," if not loop.last }}
            {%- endfor %}
            )
            using parquet
            {% if partitioned %}partitioned by (activity_month){% endif %}
            location '{{ folder }}'
        {% endset %}
        {% do run_query(ddl) %}
        {% if partitioned %}
            {% do run_query("alter table silver." ~ node.identifier ~ " recover partitions") %}
        {% endif %}
    {% endfor %}
    {{ return('') }}
{% endmacro %}

{#
  On-run-end (Spark only). A partitioned Spark table with no rows has no Parquet file at all, so a
  reader of the files (the export step, which reads the tables' Parquet with DuckDB: see
  assets/exports/logic.py) could not know its columns. For each partitioned table this run built
  that has no partition, write one empty Parquet file with its schema to
  <CARBONLEDGER_DATA>/spark/empty_table_schemas/<schema>/<table>/. On DuckDB this does nothing.
#}
{% macro spark_record_empty_tables(results) %}
    {{ return(adapter.dispatch('spark_record_empty_tables', 'carbonledger')(results)) }}
{% endmacro %}

{% macro default__spark_record_empty_tables(results) %}
    {{ return('') }}
{% endmacro %}

{% macro spark__spark_record_empty_tables(results) %}
    {% if not execute %}{{ return('') }}{% endif %}
    {% for result in results
        if result.status == 'success' and result.node.resource_type == 'model'
        and result.node.config.get('partition_by') %}
        {#- Not adapter.get_relation: a table created by this very run may be missing from dbt-spark's
            relation cache (it then returned None, and nothing was written for the empty ledger). -#}
        {% set relation = api.Relation.create(database=result.node.database, schema=result.node.schema,
                                              identifier=result.node.alias, type='table') %}
        {% set partitions = run_query("show partitions " ~ relation) %}
        {% if partitions.rows | length == 0 %}
            {% set folder = env_var('CARBONLEDGER_DATA', '../data') ~ '/spark/empty_table_schemas/'
                            ~ result.node.schema ~ '/' ~ result.node.alias %}
            {% do run_query("insert overwrite directory '" ~ folder ~ "' using parquet select * from "
                            ~ relation ~ " where 1 = 0") %}
        {% endif %}
    {% endfor %}
    {{ return('') }}
{% endmacro %}

{#
  Spark's side of delete_run_window (macros/monthly_incremental.sql): insert_overwrite replaces only
  the partitions that receive rows, so a month that lost all its rows would keep its old ones. Drop
  the partitions of the run window first (a metastore operation; the rows are then inserted), which
  is what delete+insert does on DuckDB. Returns the statement, or '' when no partition is in the window.
#}
{% macro spark_drop_partitions_where(condition, partition_column='activity_month') %}
    {% if not execute %}{{ return('') }}{% endif %}
    {% set found = run_query("select distinct " ~ partition_column ~ " from " ~ this ~ " where " ~ condition) %}
    {% set specs = [] %}
    {% for value in found.columns[0].values() if value is not none %}
        {% do specs.append("partition (" ~ partition_column ~ " = '" ~ (value | string | replace("'", "\\'")) ~ "')") %}
    {% endfor %}
    {{ return(("alter table " ~ this ~ " drop if exists " ~ (specs | join(', '))) if specs else '') }}
{% endmacro %}

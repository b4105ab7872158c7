{#-
  Generic test: an inventory mart holds gross emissions only (ARCHITECTURE.md, "Two books, never
  mixed"): no column of the account ledger's memo book (avoided emissions, points) and, where the
  mart has them, no row drawn from behaviour events. Returns one row per offending column or row.

    data_tests:
      - no_avoided_emissions
-#}
{% test no_avoided_emissions(model) %}
    {{ return(adapter.dispatch('no_avoided_emissions_sql', 'carbonledger')(model)) }}
{% endtest %}

{% macro default__no_avoided_emissions_sql(model) %}
    {%- set offending = [] -%}
    {%- set columns = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(model) -%}
            {%- set name = column.name | lower -%}
            {%- do columns.append(name) -%}
            {%- if 'avoided' in name or 'points' in name -%}
                {%- do offending.append(name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif %}
    select
        cast('column' as {{ dbt.type_string() }}) as problem,
        cast(column_name as {{ dbt.type_string() }}) as detail
    from (
        select cast(null as {{ dbt.type_string() }}) as column_name
        {%- for name in offending %}
        union all
        select '{{ name }}'
        {%- endfor %}
    ) as offending_columns
    where column_name is not null
    {%- if 'source_file' in columns %}
    union all
    select 'row from behaviour events', source_file
    from {{ model }}
    where source_file like 'behaviour/%'
    {%- endif %}
    {%- if 'category' in columns %}
    union all
    select 'category outside the GHG inventory', category
    from {{ model }}
    where lower(category) like '%avoid%' or lower(category) like '%point%'
    {%- endif %}
{% endmacro %}

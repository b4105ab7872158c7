{#-
  The relation a model of this project was built into, looked up in the graph instead of with ref().

  Why: dbt's default (eager) indirect selection runs a test in every `dbt build` that selects any of
  its parents. A run has three dbt steps (foundation, monthly facts, annual marts; see
  assets/inventory/logic.py), so a test on an annual mart that also ref()s a monthly fact would run in
  the monthly step too, before the annual mart is rebuilt (on a first run: before it exists). Invariant
  tests that compare an annual mart with the facts it is built from therefore ref() only the mart and
  read the facts through this macro: they run once, in the annual step, after both are built.
  (`flags: indirect_selection: buildable` in dbt_project.yml would make this unnecessary.)
-#}
{% macro built_relation(model_name) -%}
    {%- if not execute -%}
        {#- Parsing: the graph is not there yet, and no dependency must be recorded. -#}
        {{ return(api.Relation.create(identifier=model_name)) }}
    {%- endif -%}
    {%- set matches = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                                          | selectattr('name', 'equalto', model_name) | list -%}
    {%- if matches | length != 1 -%}
        {{ exceptions.raise_compiler_error("built_relation: no single model named " ~ model_name) }}
    {%- endif -%}
    {%- set node = matches[0] -%}
    {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias or node.name)) }}
{%- endmacro %}

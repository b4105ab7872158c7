{#-
  Data tests of the month-partitioned account facts (fct_account_claims, fct_account_ledger) check the
  months the run built, not every month again: a run replaces only its window (delete+insert by month), so
  the months before it are the rows an earlier run wrote and tested. At the group's scale this is the
  difference between testing one month (about 10 million rows) and the whole history (over 100 million
  on every month close: docs/benchmarks.md).

  A test opts in with the placeholder as its `where`:

      - unique:
          config:
            where: "__months_built_this_run__"

  dbt renders a test's `where` when it parses the project, before the run's vars are final, so the
  placeholder is replaced here, when the test runs (the pattern dbt's docs give for dynamic `where`).
  The first month is the var data_tests_from_month: the Dagster step sets it to the run's first month, or
  to the first month of any year an earlier policy built (those years are rebuilt too); unset (dbt by
  hand, the test harness) it is 1900-01, so every row is tested.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__months_built_this_run__' in where -%}
        {%- set where = where | replace('__months_built_this_run__', months_built_this_run()) -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The filter itself, for singular tests: `where {{ months_built_this_run() }}`. -#}
{% macro months_built_this_run(month_column='activity_month') -%}
    {{ month_column }} >= '{{ var("data_tests_from_month", "1900-01") }}'
{%- endmacro %}

{#- The same for a table by reporting year: the years of those months (every year when the var is unset). -#}
{% macro years_built_this_run(year_column='reporting_year') -%}
    {{ year_column }} >= {{ var("data_tests_from_month", "1900-01")[:4] | int }}
{%- endmacro %}

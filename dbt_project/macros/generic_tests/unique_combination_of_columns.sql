{#-
  Generic test: no two rows share the values of `combination_of_columns` (a mart's grain).
  No dbt packages can be installed here (`dbt deps` cannot reach the hub), so the project keeps
  the few generic tests it needs. Nulls count as a value (a null in a key column is itself a problem
  the not_null tests report).

    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [reporting_year, entity_id, is_group_total, scope, category, scope2_method]
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with keyed as (

    select
        {% for column in combination_of_columns -%}
        {{ column }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ model }}

),

repeated as (

    select
        {% for column in combination_of_columns -%}
        {{ column }},
        {% endfor -%}
        count(*) as rows_with_this_key
    from keyed
    group by
        {% for column in combination_of_columns -%}
        {{ column }}{{ "," if not loop.last }}
        {% endfor %}
    having count(*) > 1

)

select * from repeated

{% endtest %}

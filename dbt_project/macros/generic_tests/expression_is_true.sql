{#-
  Generic test: every row satisfies `expression` (optionally only rows matching `where_clause`).
  A failing row is returned whole, so the failure names the row.

    data_tests:
      - expression_is_true:
          arguments:
            expression: "t_co2e >= 0"
            where_clause: "category <> 's1_fugitive'"
-#}
{% test expression_is_true(model, expression, where_clause=none) %}

select *
from {{ model }}
where not ({{ expression }})
{%- if where_clause %}
    and ({{ where_clause }})
{%- endif %}

{% endtest %}

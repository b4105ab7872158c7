{#-
  Generic test: every non-null `column_name` (where `from_condition` holds) is a `field` of `to`
  (where `to_condition` holds): a relationship to a dimension that only applies to some rows, such as
  factor_id for rows whose factor comes from the library.

    data_tests:
      - relationships_where:
          arguments:
            to: ref('int_emission_factors_unioned')
            field: factor_id
            from_condition: "factor_id not in ('contractual_instruments') and factor_id not like 'supplier:%'"
-#}
{% test relationships_where(model, column_name, to, field, from_condition='1 = 1', to_condition='1 = 1') %}

with children as (

    select {{ column_name }} as child_key
    from {{ model }}
    where {{ column_name }} is not null and ({{ from_condition }})

),

parents as (

    select {{ field }} as parent_key
    from {{ to }}
    where {{ to_condition }}

)

select children.child_key
from children
left join parents
    on children.child_key = parents.parent_key
where parents.parent_key is null

{% endtest %}

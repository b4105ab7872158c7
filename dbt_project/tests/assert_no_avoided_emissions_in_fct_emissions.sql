{#-
  Invariant: fct_emissions holds gross emissions only. Avoided emissions and points belong to the account
  ledger (ARCHITECTURE.md, "Two books, never mixed"): no such column, no row drawn from behaviour
  events. See macros/generic_tests/no_avoided_emissions.sql.
-#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_emissions'}}}) }}

{{ default__no_avoided_emissions_sql(ref('fct_emissions')) }}

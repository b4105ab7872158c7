{#-
  Every behaviour event with its local day (cut in the reporting time zone), the methodology in force
  on that day, the employee it belongs to (employee scenario) and the first reason, if any, that it
  cannot be a claim at all: no methodology, another scenario's code, another unit, not an employee
  on the day, a zero or implausible quantity. Checks that compare claims (duplicates, daily totals,
  speed, caps) run in fct_account_claims.
-#}
{{ account_events_prepared() }}

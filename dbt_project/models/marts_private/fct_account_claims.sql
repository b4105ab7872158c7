{#-
  Every behaviour event as a claim, with its decision: credited (in full or in part, with the grams,
  the points and the rule that made them), redeemed (points spent), or rejected with a reason.
  Per account (pseudonymous), so it lives in marts_private, apart from what the TCFD report reads.

  Order of the checks (docs/methodology.md, "Carbon accounts"):
    1. int_account_events_prepared: methodology in force, scenario, unit, eligibility, per-event limit;
    2. duplicates: claims of one fingerprint class by one account on one local day that follow the
       previous one within the class's window are the same claim (the first is kept);
    3. plausibility: the day's total, and the speed implied by the time since the previous trip;
    4. own baseline: the reading against the mean of the account's previous N readings;
    5. caps on grams (or units): daily, then monthly, in time order;
    6. points: the points rule of the day, times the best campaign multiplier (points only);
    7. what is already in the inventory, exchange eligibility and the filing that transferred it.
  Month-partitioned and incremental (months from the run's first month on are rebuilt).

  Speed and memory (docs/benchmarks.md): the claims flow as one stream of narrow rows, from `claims`
  to `decided`, with no step read twice. DuckDB materialises (and, past its memory limit, spills) a CTE
  that two steps read, so a check never splits the stream: a later window leaves out the claims an
  earlier step rejected by putting the outcome in its partition key, and steps 6 and 7 join small
  policy tables prepared per day, month or place. The events' descriptive columns (source file and row,
  units) are joined once, in `final`.

  The SELECT itself is the macro account_claims_select (macros/account_claims.sql): with more events
  than fit one sort in memory, the model computes the first slice of the accounts and its post-hook
  inserts the others, one after the other (every window is partitioned by account), with the run window
  and slice count its first pre-hook recorded before the delete (account_claims_record_run_plan).
-#}
{{ config(
    materialized='incremental',
    schema='marts_private',
    on_schema_change='append_new_columns',
    tags=['monthly'],
    pre_hook=["{{ account_claims_record_run_plan() }}", "{{ account_delete_run_window() }}",
              "{{ account_join_order_as_written() }}"],
    post_hook=["{{ account_claims_insert_other_slices() }}", "{{ account_join_order_reset() }}"],
    **monthly_incremental_config()
) }}

-- depends_on: {{ ref('stg_behaviour') }} (account_claims_slices counts its events)
-- depends_on: {{ ref('int_account_events_prepared') }} (the events it computes its slices over, see account_prepared_events)
{{ account_claims_select(0, account_claims_slices()) }}

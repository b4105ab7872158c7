"""Great Expectations at scale: whole batches under the threshold, a seeded sample plus aggregates above it.

The real threshold is 5,000,000 rows and the sample 1,000,000; here both are injected small.
"""

from __future__ import annotations

import time
from datetime import date

import polars as pl
import pytest

from assets.ingest import gx_suites
from assets.ingest.rules import Expectation, Suite

NOT_NULL = Expectation("expect_column_values_to_not_be_null", {"column": "record_id"}, {"reason_code": "missing_value"})
NON_NEGATIVE = Expectation("expect_column_values_to_be_between", {"column": "quantity", "min_value": 0},
                           {"reason_code": "negative_quantity"})
KNOWN = Expectation("expect_column_values_to_be_in_set", {"column": "facility_id", "value_set": ["F1", "F2"]},
                    {"reason_code": "unknown_facility", "value_set_from": "silver:org_facilities.facility_id"})
UNIQUE = Expectation("expect_column_values_to_be_unique", {"column": "record_id"}, {"reason_code": "duplicate_key"})
SUITE = Suite("silver.test", "silver", "test", (NOT_NULL, NON_NEGATIVE, KNOWN, UNIQUE))


def frame(rows: int) -> pl.DataFrame:
    return pl.DataFrame({
        "record_id": [f"R{i}" for i in range(rows)],
        "facility_id": ["F1" if i % 2 else "F2" for i in range(rows)],
        "quantity": [float(i) for i in range(rows)],
        "period_start": [date(2022, 1 + i % 12, 1) for i in range(rows)],
        "source_file": "energy/a.csv",
        "source_row": list(range(2, rows + 2)),
    })


def test_the_sampling_decision():
    assert gx_suites.plan(4_999_999) == (False, 4_999_999)
    assert gx_suites.plan(5_000_000) == (True, 1_000_000)
    assert gx_suites.plan(12_000_000) == (True, 1_000_000)
    assert gx_suites.plan(9, threshold=10, sample_rows=5) == (False, 9)
    assert gx_suites.plan(10, threshold=10, sample_rows=5) == (True, 5)


def test_the_sample_is_seeded_streamed_and_in_source_order():
    data = frame(1000).lazy()
    first = gx_suites.seeded_sample(data, 100, 1000, seed=1)
    again = gx_suites.seeded_sample(data, 100, 1000, seed=1)
    other = gx_suites.seeded_sample(data, 100, 1000, seed=2)
    assert first.height == 100
    assert first.equals(again)
    assert not first["source_row"].equals(other["source_row"])
    assert first["source_row"].is_sorted()


def test_under_the_threshold_gx_validates_every_row():
    data = frame(40).with_columns(
        pl.when(pl.col("source_row") == 7).then(-1.0).otherwise(pl.col("quantity")).alias("quantity"),
        pl.when(pl.col("source_row") == 9).then(pl.lit("F9")).otherwise(pl.col("facility_id")).alias("facility_id"),
    )
    run = gx_suites.validate_batch(data.lazy(), SUITE, threshold=50, sample_rows=10, result_format="COMPLETE")
    assert not run.sampled and run.validated_rows == 40
    by_code = {o.reason_code: o for o in run.outcomes}
    assert by_code["negative_quantity"].unexpected_rows == [5]
    assert by_code["negative_quantity"].examples == ["energy/a.csv row 7 column quantity: value '-1.0'"]
    assert by_code["unknown_facility"].unexpected_rows == [7]
    assert by_code["missing_value"].success and by_code["duplicate_key"].success
    assert {o.engine for o in run.outcomes} == {"great_expectations"}


def test_above_the_threshold_a_rare_bad_value_outside_the_sample_fails_its_aggregate():
    data = frame(400)
    sample = gx_suites.seeded_sample(data.lazy(), 20, 400, seed=gx_suites.SAMPLE_SEED)
    outside = sorted(set(data["source_row"]) - set(sample["source_row"]))
    negative_row, duplicate_row, unknown_row = outside[:3]
    bad = data.with_columns(
        pl.when(pl.col("source_row") == negative_row).then(-5.0).otherwise(pl.col("quantity")).alias("quantity"),
        pl.when(pl.col("source_row") == duplicate_row).then(pl.lit("R0")).otherwise(pl.col("record_id")).alias("record_id"),
        pl.when(pl.col("source_row") == unknown_row).then(pl.lit("F9")).otherwise(pl.col("facility_id")).alias("facility_id"),
    )
    run = gx_suites.validate_batch(bad.lazy(), SUITE, threshold=100, sample_rows=20)
    assert run.sampled and run.rows == 400 and run.validated_rows == 20 and run.seed == gx_suites.SAMPLE_SEED
    sampled = [o for o in run.outcomes if o.engine == "great_expectations (sample)"]
    aggregates = {o.reason_code: o for o in run.outcomes if o.engine == "polars aggregate"}
    assert len(sampled) == 4 and all(o.success for o in sampled)  # the sample misses all three
    assert not aggregates["negative_quantity"].success
    assert aggregates["negative_quantity"].observed == {"min": -5.0, "max": 399.0}
    assert not aggregates["duplicate_key"].success
    assert aggregates["duplicate_key"].observed == {"rows": 400, "distinct": 399}
    assert not aggregates["unknown_facility"].success and aggregates["unknown_facility"].observed == ["F9"]
    assert aggregates["missing_value"].success
    assert {o.reason_code for o in run.failed_errors} == {"negative_quantity", "duplicate_key", "unknown_facility"}


def test_the_silver_check_samples_above_an_injected_threshold(tmp_path):
    """pipelines.checks.evaluate_silver passes the threshold through: same verdict, GX on a sample."""
    from assets.ingest.lake import Lake
    from assets.ingest.logic import build_silver, ingest_bronze, load_rule_context, tables_in_dependency_order
    from pipelines.checks import evaluate_silver
    from tests.fixtures.bad_inputs import corpus

    landing = corpus.lay_out(tmp_path)
    lake = Lake(tmp_path / "lake")
    for t in tables_in_dependency_order():
        ingest_bronze(t, landing, lake, "sampling", "Asia/Shanghai")
        context = load_rule_context(lake, [t], "Asia/Shanghai")
        report = build_silver(t, lake, "Asia/Shanghai", context)
        if t.name == "energy":
            outcomes, fragment = evaluate_silver(t, lake, report, None, context, "Asia/Shanghai", threshold=10, sample_rows=5)
            suite = next(o for o in outcomes if o.name == "silver_suite")
            assert suite.passed, suite.description
            assert suite.metadata["sampled"] is True and suite.metadata["validated_rows"] == 5
            assert fragment["gx"]["rows"] == 24 and fragment["gx"]["sampled"]
            assert "seeded sample of 5 rows" in suite.description


def test_a_large_known_key_set_stays_fast():
    """300,000 known keys: GX's own in-set expectation would copy the set through its config model ~100 times."""
    keys = [f"E{i:06d}" for i in range(300_000)]
    exp = Expectation("expect_column_values_to_be_in_set", {"column": "account_id", "value_set": keys},
                      {"reason_code": "unknown_account", "value_set_from": "silver:employees.employee_id"})
    data = pl.DataFrame({"account_id": keys[:50_000] + ["X1", None], "source_file": "b.csv", "source_row": range(2, 50_004)})
    started = time.perf_counter()
    outcome = gx_suites.run_gx(data, [exp], result_format="COMPLETE")[0]
    assert time.perf_counter() - started < 20
    assert outcome.unexpected_rows == [50_000]
    assert outcome.expectation == "expect_column_values_to_be_in_set"


def test_polars_types_reach_gx_as_meant():
    data = pl.DataFrame({"n": [1, None], "b": [True, None], "d": [date(2022, 1, 1), None], "s": ["a", None]})
    df = gx_suites.to_pandas(data)
    assert str(df["n"].dtype) == "Int64" and str(df["b"].dtype) == "boolean"
    assert str(df["d"].dtype).startswith("datetime64")
    types = [Expectation("expect_column_values_to_be_of_type", {"column": c, "type_": t})
             for c, t in (("n", "int64"), ("b", "bool"), ("d", "datetime64"), ("s", "str"))]
    assert all(o.success for o in gx_suites.run_gx(data, types)), [o.observed for o in gx_suites.run_gx(data, types)]


@pytest.mark.parametrize("rows", [0])
def test_an_empty_batch_is_not_validated(rows):
    run = gx_suites.validate_batch(frame(rows).lazy(), SUITE)
    assert run.rows == 0 and run.outcomes == [] and not run.failed


def test_event_ids_unique_per_month_do_not_fail_a_batch_of_months():
    """Behaviour event ids are unique within their month (unique_scope: partition): the silver check
    validates a run's months together, so the key becomes (event_id, activity_month)."""
    from assets.ingest.rules import load_suite
    from pipelines.checks import batch_expectations

    unique = [e for e in batch_expectations(load_suite("silver", "behaviour")) if "unique" in e.type]
    assert [e.kwargs["column_list"] for e in unique] == [["event_id", "activity_month"]]
    data = pl.DataFrame({"event_id": ["E1", "E1", "E2", "E2"], "activity_month": ["2022-01", "2022-02", "2022-01", "2022-01"],
                         "source_file": "b.csv", "source_row": [2, 3, 4, 5]})
    outcome = gx_suites.run_gx(data, unique, result_format="COMPLETE")[0]
    assert outcome.unexpected_rows == [2, 3]  # E2 twice in one month; E1 in two months is fine


def test_above_the_threshold_a_key_unique_per_month_is_counted_a_month_at_a_time():
    """(event_id, activity_month) over several months: counted per month (a year of ids as one set held
    15 GB), E1 in two months is fine, E2 twice in January is one duplicate; a row without a month has no key."""
    unique = Expectation("expect_compound_columns_to_be_unique",
                         {"column_list": ["event_id", "activity_month"], "ignore_row_if": "any_value_is_missing"},
                         {"reason_code": "duplicate_key"})
    data = pl.DataFrame({"event_id": ["E1", "E1", "E2", "E2", "E3", "E4"],
                         "activity_month": ["2022-01", "2022-02", "2022-01", "2022-01", None, "2022-02"],
                         "source_file": "b.csv", "source_row": [2, 3, 4, 5, 6, 7]})
    run = gx_suites.validate_batch(data.lazy(), Suite("silver.t", "silver", "t", (unique,)), threshold=3, sample_rows=2)
    aggregate = next(o for o in run.outcomes if o.engine == "polars aggregate")
    assert run.sampled and not aggregate.success
    assert aggregate.observed == {"rows": 5, "distinct": 4}
    # The same rows one frame per month (what the silver checks pass): the same count, without the month filter.
    months = {m: data.filter(pl.col("activity_month") == m).lazy() for m in ("2022-02", "2022-01")}
    run = gx_suites.validate_batch(data.lazy(), Suite("silver.t", "silver", "t", (unique,)), threshold=3, sample_rows=2,
                                   partitions=months)
    aggregate = next(o for o in run.outcomes if o.engine == "polars aggregate")
    assert not aggregate.success and aggregate.observed == {"rows": 5, "distinct": 4}
    fixed = data.with_columns(pl.when(pl.col("source_row") == 5).then(pl.lit("E5")).otherwise(pl.col("event_id")).alias("event_id"))
    run = gx_suites.validate_batch(fixed.lazy(), Suite("silver.t", "silver", "t", (unique,)), threshold=3, sample_rows=2)
    aggregate = next(o for o in run.outcomes if o.engine == "polars aggregate")
    assert aggregate.success and aggregate.observed == {"rows": 5, "distinct": 5}


def test_a_few_kept_rows_no_longer_hold_the_strings_of_every_row():
    # 200,000 strings of 41-46 bytes (about 9 MB of string data); a filter keeps 4 of them (n = 0, 50,000,
    # 100,000, 150,000) and a null. Polars keeps the filtered column as views into the whole buffer;
    # compacted_strings copies the kept values: 4 views of 16 bytes and 4 values of at most 46 bytes.
    from assets.ingest.rules import compacted_strings

    n = 200_000
    data = pl.DataFrame({"s": ["x" * 40 + str(i) for i in range(n)], "n": range(n)}).with_columns(
        pl.when(pl.col("n") == 7).then(None).otherwise(pl.col("s")).alias("s"))
    kept = data.filter((pl.col("n") % 50_000 == 0) | (pl.col("n") == 7))

    def bytes_held(frame: pl.DataFrame) -> int:
        column = frame.get_column("s").to_arrow(compat_level=pl.CompatLevel.newest())
        return sum(b.size for b in column.buffers() if b is not None)

    compacted = kept.with_columns(compacted_strings())
    assert bytes_held(kept) > 1_000_000
    assert bytes_held(compacted) < 4 * (16 + 46) + 64  # + the validity bitmap and alignment
    assert compacted.get_column("s").to_list() == [
        "x" * 40 + "0", None, "x" * 40 + "50000", "x" * 40 + "100000", "x" * 40 + "150000"]


def test_the_silver_checks_read_a_partitioned_table_a_month_at_a_time(tmp_path):
    """silver_months_for_checks: the rows silver_for_checks reads, one frame per month (two parts in
    January, one in February); none for a table with an overlap rule or a dimension."""
    from assets.ingest.lake import Lake, write_part
    from assets.ingest.logic import silver_for_checks, silver_months_for_checks, table_by_name

    lake = Lake(tmp_path / "lake")
    parts = {("2022-01", "a"): ["E1", "E2"], ("2022-01", "b"): ["E3"], ("2022-02", "a"): ["E1"]}
    for (month, part), ids in parts.items():
        frame = pl.DataFrame({"event_id": ids, "source_file": f"{part}.csv", "source_row": range(2, 2 + len(ids))})
        write_part(frame, lake.part_path("silver", "behaviour", part, month))
    behaviour = table_by_name("behaviour")
    months = silver_months_for_checks(lake, behaviour, ["2022-01", "2022-02", "2022-03"])
    assert sorted(months) == ["2022-01", "2022-02"]
    per_month = {m: sorted(f.collect()["event_id"].to_list()) for m, f in months.items()}
    assert per_month == {"2022-01": ["E1", "E2", "E3"], "2022-02": ["E1"]}
    whole = silver_for_checks(lake, behaviour, ["2022-01", "2022-02"]).collect()
    assert sorted(zip(whole["activity_month"], whole["event_id"])) == sorted(
        (m, e) for m, f in months.items() for e in f.collect()["event_id"])
    assert silver_months_for_checks(lake, table_by_name("energy"), ["2022-01"]) == {}
    assert silver_months_for_checks(lake, table_by_name("employees"), [None]) == {}

"""The polars fast path agrees with Great Expectations row by row, expectation by expectation.

For the bad-input corpus (every kind laid over the base org together: the kinds share no file, key or
facility, so together they are each kind's rows in one lake, and one GX run per table and month), the
silver step's validated frame of every table and month, the very frame the fast path decides on, is
handed to GX (pandas engine, result_format COMPLETE) with the same resolved suites. For every row
rule, the rows GX reports failing must be exactly the rows the fast path flags, with one documented
difference: of rows repeating a key GX flags every one, the fast path all but the first.
A row can fail several expectations; this compares each expectation, not only the first reason.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from assets.ingest import gx_suites
from assets.ingest.lake import Lake
from assets.ingest.logic import build_silver, ingest_bronze, load_rule_context, tables_in_dependency_order
from assets.ingest.rules import UNIQUE_TYPES, Expectation, applicable, failure_expr
from assets.ingest.tables import table as table_named
from tests.fixtures.bad_inputs import corpus

TZ = "Asia/Shanghai"


def validated_frames(landing: Path, lake: Lake) -> list[tuple[str, str | None, pl.DataFrame, object]]:
    """(table, month, validated frame, resolved rules) for every month the silver step validates."""
    frames = []
    for t in tables_in_dependency_order():
        ingest_bronze(t, landing, lake, "parity", TZ)
        build_silver(t, lake, TZ, load_rule_context(lake, [t], TZ),
                     on_month=lambda month, frame, rules, name=t.name: frames.append((name, month, frame, rules)))
    return frames


def _positions(flags: pl.Series) -> set[int]:
    return set(flags.arg_true().to_list())


def _first_of_each_key(frame: pl.DataFrame, exp: Expectation, rows: set[int]) -> set[int]:
    key = exp.checked_columns
    flagged = frame.with_row_index("__pos").filter(pl.col("__pos").is_in(list(rows)))
    return set(flagged.group_by(key).agg(pl.col("__pos").min())["__pos"].to_list())


def compare(frame: pl.DataFrame, expectations: list[Expectation], label: str) -> int:
    """Assert GX and the fast path flag the same rows per expectation; returns how many flags were compared."""
    rules = [e for e in expectations if e.is_row_rule and applicable(e, frame.schema)]
    columns = sorted({c for e in rules for c in e.columns} | {"source_file", "source_row"})
    gx_frame = frame.select(columns)
    outcomes = gx_suites.run_gx(gx_frame, rules, result_format="COMPLETE")
    fast = frame.select([failure_expr(e, frame.schema).alias(f"r{i}") for i, e in enumerate(rules)])
    compared = 0
    for i, (exp, outcome) in enumerate(zip(rules, outcomes)):
        assert outcome.error is None, f"{label}: GX could not evaluate {exp.describe()}: {outcome.error}"
        gx_rows = set(outcome.unexpected_rows)
        fast_rows = _positions(fast[f"r{i}"])
        where = f"{label}: {exp.describe()}"
        if exp.type in UNIQUE_TYPES:
            # The documented difference: GX flags every row of a repeated key, the fast path keeps the first.
            assert fast_rows <= gx_rows, where
            assert gx_rows - fast_rows == _first_of_each_key(gx_frame, exp, gx_rows), where
        else:
            shown = gx_frame.with_row_index("pos").filter(pl.col("pos").is_in(sorted(gx_rows ^ fast_rows)))
            assert fast_rows == gx_rows, f"{where}: GX {sorted(gx_rows)} fast {sorted(fast_rows)}\n{shown}"
        compared += len(gx_rows)
    return compared


_HEADERS: dict[tuple, set[str]] = {}


def _missing_by_gx(header: tuple[str, ...], exists: tuple[Expectation, ...]) -> set[str]:
    """GX's expect_column_to_exist on a file's header (an empty frame with those columns), once per header."""
    key = (header, tuple(e.kwargs["column"] for e in exists))
    if key not in _HEADERS:
        outcomes = gx_suites.run_gx(pl.DataFrame(schema={c: pl.String for c in header}), list(exists))
        _HEADERS[key] = {o.columns[0] for o in outcomes if not o.success}
    return _HEADERS[key]


def compare_month(name: str, month: str | None, frame: pl.DataFrame, rules, lake: Lake) -> int:
    label = f"{name} {month}"
    # Silver suite on the typed frame (typed columns, unit columns, derived columns).
    compared = compare(frame, list(rules.silver.expectations), f"{label} silver")
    # Bronze suite on the text as read (the frame keeps it as raw__<column>).
    table = table_named(name)
    raw = frame.select([pl.col(f"raw__{c}").alias(c) for c in table.column_names] + ["source_file", "source_row"])
    compared += compare(raw, [e for e in rules.bronze.expectations if e.type != "expect_column_to_exist"], f"{label} bronze")
    # Required columns: GX on each file's header against the columns the fast path found missing.
    exists = rules.bronze.of_type("expect_column_to_exist")
    for part in lake.parts("bronze", name, month).values():
        header = [c for c in pl.read_parquet_schema(part) if c not in ("source_file", "source_row", "ingest_run_id", "ingested_at")]
        source = pl.read_parquet(part, columns=["source_file"])["source_file"][0]
        gx_missing = _missing_by_gx(tuple(header), tuple(exists))
        fast_missing = set(filter(None, frame.filter(pl.col("source_file") == source)["missing_columns"][0].split(", ")))
        assert gx_missing == fast_missing, f"{label} {source}: GX {gx_missing} fast {fast_missing}"
        compared += len(gx_missing)
    # Every row the fast path quarantines for a silver rule is flagged by an expectation with that code.
    codes = {}
    for exp in rules.silver.row_rules:
        if applicable(exp, frame.schema):
            codes.setdefault(exp.reason_code, []).append(failure_expr(exp, frame.schema))
    for code, flags in codes.items():
        if code in ("duplicate_key",):
            continue  # also set for keys kept in another month, which no single-month expectation sees
        bad = frame.with_columns(pl.any_horizontal(flags).alias("__flag")).filter(
            (pl.col("reason_code") == code) & ~pl.col("__flag"))
        assert bad.is_empty(), f"{label}: rows quarantined as {code} that no {code} expectation flags: {bad}"
    return compared


@pytest.fixture(scope="module")
def all_kinds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("parity_all")
    kinds = [k for k in corpus.kinds()]
    lake = Lake(tmp / "lake")
    return validated_frames(corpus.lay_out(tmp, *kinds), lake), lake


def test_fast_path_agrees_with_great_expectations_on_the_whole_corpus(all_kinds):
    frames, lake = all_kinds
    compared = sum(compare_month(name, month, frame, rules, lake) for name, month, frame, rules in frames)
    # Every bad row of the corpus is somewhere in these comparisons (many fail several expectations).
    assert compared >= len(corpus.expected(*corpus.kinds()).quarantined)


def test_the_duplicate_difference_is_the_only_one():
    """A hand-made frame: GX flags both rows of key K, the fast path only the second."""
    frame = pl.DataFrame({"k": ["K", "J", "K", None, None], "source_file": "f", "source_row": [2, 3, 4, 5, 6]})
    exp = Expectation("expect_column_values_to_be_unique", {"column": "k"})
    outcome = gx_suites.run_gx(frame, [exp], result_format="COMPLETE")[0]
    assert set(outcome.unexpected_rows) == {0, 2}
    assert _positions(frame.select(failure_expr(exp, frame.schema)).to_series()) == {2}

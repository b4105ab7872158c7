"""Every kind of bad input in tests/fixtures/bad_inputs/ through `carbonledger check` and the silver step.

For each kind (laid over the minimal valid org): the exit code of check, a message naming file, row,
column and reason for every bad row, and, from the silver step, exactly the expected quarantine
(file, row, column, reason_code), the expected silver rows per table, rows reconciling per table and
month, and the valid electricity reaching silver unchanged by the rows that were quarantined.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from assets.ingest.lake import Lake, count_rows
from assets.ingest.logic import build_silver, ingest_bronze, load_rule_context, tables_in_dependency_order
from assets.ingest.tables import TABLES
from pipelines.landing_check import check_landing
from tests.conftest import cli_env, run_cli
from tests.fixtures.bad_inputs import corpus

TZ = "Asia/Shanghai"
KINDS = corpus.kinds()


def silver_step(landing: Path, lake: Lake) -> None:
    """Bronze then silver for every table, dimensions first (what a run's ingestion steps do)."""
    for table in tables_in_dependency_order():
        ingest_bronze(table, landing, lake, "corpus", TZ)
        build_silver(table, lake, TZ, load_rule_context(lake, [table], TZ))


def quarantined(lake: Lake) -> set[tuple[str, int, str, str]]:
    rows: set[tuple[str, int, str, str]] = set()
    for table in TABLES:
        parts = lake.all_parts("quarantine", table.name)
        if parts:
            frame = pl.read_parquet(parts, hive_partitioning=False)
            rows |= set(frame.select("source_file", "source_row", "reason_column", "reason_code").iter_rows())
    return rows


def silver_rows(lake: Lake) -> dict[str, int]:
    return {t.name: n for t in TABLES if (n := count_rows(lake.all_parts("silver", t.name)))}


def silver_electricity_kwh(lake: Lake) -> float:
    parts = lake.all_parts("silver", "energy")
    return pl.read_parquet(parts, hive_partitioning=False).filter(pl.col("energy_type") == "electricity")[
        "quantity_canonical"].sum()


def test_the_corpus_has_every_kind_the_issue_lists():
    listed = {"unknown_unit", "wrong_unit", "gb18030", "bom", "semicolon", "missing_required_column", "extra_columns",
              "empty_file", "header_only", "duplicate_rows", "duplicate_ids", "unknown_facility", "negative_quantity",
              "zero_length_period", "end_before_start", "overlapping_periods", "missing_month", "future_dates",
              "non_numeric_quantity", "thousands_separators", "truncated_xlsx", "unknown_airport",
              "telemetry_interval_twice", "absurd_pue", "unknown_account", "careful_values"}
    assert listed <= set(KINDS)
    assert len(KINDS) >= 25


def test_the_base_org_is_valid(tmp_path):
    landing = corpus.lay_out(tmp_path)
    out = io.StringIO()
    assert check_landing(landing, None, out) == 0, out.getvalue()
    lake = Lake(tmp_path / "lake")
    silver_step(landing, lake)
    want = corpus.expected()
    assert quarantined(lake) == set()
    assert silver_rows(lake) == want.silver_rows


@pytest.mark.parametrize("kind", KINDS)
def test_check_names_every_bad_row_and_exits_as_expected(kind, tmp_path):
    want = corpus.expected(kind)
    landing = corpus.lay_out(tmp_path, kind)
    out = io.StringIO()
    code = check_landing(landing, None, out)
    text = out.getvalue()
    assert code == want.check_exit, text
    for file, row, column, reason in want.quarantined:
        first_column = column.split(", ")[0]
        lines = [line for line in text.splitlines() if line.startswith(f"{file} row {row} column {first_column}: ")]
        assert len(lines) == 1, f"{file} row {row}: {text}"
        assert lines[0].endswith(f"[{reason}]"), lines[0]
    for warning in want.warnings:
        assert f"warning: {warning}" in text, text
    for problem in want.unreadable:
        assert f"error: {problem}" in text, text
    assert f"{want.bronze_rows:,} rows checked, {len(want.quarantined):,} bad, {len(want.unreadable)} unreadable file(s)." in text


@pytest.mark.parametrize("kind", KINDS)
def test_silver_step_quarantines_exactly_the_bad_rows_and_loses_nothing(kind, tmp_path):
    want = corpus.expected(kind)
    landing = corpus.lay_out(tmp_path, kind)
    lake = Lake(tmp_path / "lake")
    silver_step(landing, lake)
    assert quarantined(lake) == want.quarantined
    assert silver_rows(lake) == want.silver_rows
    # Nothing lost: every landing row is in bronze, and bronze = silver + quarantine per table and month.
    assert sum(count_rows(lake.all_parts("bronze", t.name)) for t in TABLES) == want.bronze_rows
    for table in TABLES:
        for month in lake.months("bronze", table.name) or [None]:
            counts = [count_rows(list(lake.parts(layer, table.name, month).values()))
                      for layer in ("bronze", "silver", "quarantine")]
            assert counts[0] == counts[1] + counts[2], (table.name, month, counts)
    # The valid electricity reaches silver whole; quarantined rows change nothing.
    assert silver_electricity_kwh(lake) == pytest.approx(want.electricity_kwh, rel=1e-12)
    # Every message names file, row and column; lineage is kept.
    for table in TABLES:
        parts = lake.all_parts("quarantine", table.name)
        if parts:
            frame = pl.read_parquet(parts, hive_partitioning=False)
            for file, row, column, message, run in frame.select(
                    "source_file", "source_row", "reason_column", "reason_message", "ingest_run_id").iter_rows():
                assert message.startswith(f"{file} row {row} column {column.split(', ')[0]}: "), message
                assert run == "corpus"


def test_fixing_a_file_releases_its_rows_without_duplicates_or_leftovers(tmp_path):
    """Re-running after a user fixes a file replaces that file's rows and releases its quarantined rows."""
    landing = corpus.lay_out(tmp_path, "overlapping_periods", "negative_quantity")
    lake = Lake(tmp_path / "lake")
    silver_step(landing, lake)
    assert ("energy/negative.csv", 2, "quantity", "negative_quantity") in quarantined(lake)
    before = silver_rows(lake)["energy"]
    fixed = landing / "energy" / "negative.csv"
    fixed.write_text(fixed.read_text(encoding="utf-8").replace(",-100,", ",100,"), encoding="utf-8")
    import os
    stat = fixed.stat()
    os.utime(fixed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    overlap = landing / "energy" / "overlapping.csv"
    overlap.write_text(overlap.read_text(encoding="utf-8").replace("OV-2,F-K18,2022-06-01", "OV-2,F-K18,2022-07-01")
                       .replace("OV-3,F-K18,2022-07-01,2022-12-31,electricity,6000,kWh,meter\n", ""), encoding="utf-8")
    os.utime(overlap, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2 * 10**9))
    silver_step(landing, lake)
    # OV-2 now starts the day after OV-1 ends; OV-3 (which duplicated it) is gone; OV-4 still overlaps OV-1.
    assert quarantined(lake) == {("energy/overlapping.csv", 4, "period_start, period_end", "overlapping_period")}
    energy = pl.read_parquet(lake.all_parts("silver", "energy"), hive_partitioning=False)
    assert silver_rows(lake)["energy"] == before + 1  # NQ-1 released; OV-3 withdrawn, OV-2 released
    assert energy["record_id"].is_duplicated().sum() == 0
    assert set(energy.filter(pl.col("facility_id").is_in(["F-K15", "F-K18"]))["record_id"]) == {"NQ-1", "OV-1", "OV-2"}
    assert energy.filter(pl.col("record_id") == "NQ-1")["quantity"].to_list() == [100.0]


def test_check_through_the_command_line(tmp_path):
    """The installed `carbonledger check` on two kinds together: exit 2 wins over 1, messages on stdout."""
    landing = corpus.lay_out(tmp_path, "negative_quantity", "truncated_xlsx")
    result = run_cli(["check", "--landing", str(landing)], cli_env(tmp_path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "energy/negative.csv row 2 column quantity: value '-100' is negative [negative_quantity]" in result.stdout
    assert "error: energy/truncated.xlsx: cannot read the workbook" in result.stdout

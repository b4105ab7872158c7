"""Mart exports: a reporting year whose rows did not change is kept from the last export, not rewritten."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq

from assets.exports.logic import FINGERPRINT_KEY, export_all


def _warehouse(path: Path, rows: list[tuple]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.totals (reporting_year integer, entity_id varchar, t_co2e double)")
        if rows:
            con.executemany("insert into marts.totals values (?, ?, ?)", rows)
        con.execute("create or replace table marts.entities (entity_id varchar)")
        con.execute("insert into marts.entities values ('E1'), ('E2')")
    return path


def _inode(path: Path) -> int:
    return path.stat().st_ino


def _read(folder: Path) -> list[tuple]:
    return sorted(pl.read_parquet(folder / "**" / "*.parquet", hive_partitioning=True)
                  .select("reporting_year", "entity_id", "t_co2e").iter_rows())


ROWS = [(2023, "E1", 10.5), (2023, "E2", 4.0), (2024, "E1", 7.25)]


def test_an_unchanged_year_is_linked_from_the_last_export_and_a_changed_one_rewritten(tmp_path):
    published = tmp_path / "marts"
    first = export_all(_warehouse(tmp_path / "w.duckdb", ROWS), published)
    assert first["totals"] == {"rows": 3, "years_written": ["2023", "2024"], "years_kept": []}
    assert first["entities"] == {"rows": 2, "years_written": [], "years_kept": []}
    y2023 = published / "totals" / "reporting_year=2023" / "part_0.parquet"
    y2024 = published / "totals" / "reporting_year=2024" / "part_0.parquet"
    inode_2023, inode_2024 = _inode(y2023), _inode(y2024)

    # A month close of 2024: 2024's row changes and one is added; 2023 is as it was.
    changed = [(2023, "E1", 10.5), (2023, "E2", 4.0), (2024, "E1", 8.0), (2024, "E2", 1.5)]
    staged = tmp_path / "building" / "marts"  # a run stages its exports; the published ones are the previous
    second = export_all(_warehouse(tmp_path / "w.duckdb", changed), staged, published)
    assert second["totals"] == {"rows": 4, "years_written": ["2024"], "years_kept": ["2023"]}
    kept = staged / "totals" / "reporting_year=2023" / "part_0.parquet"
    assert _inode(kept) == inode_2023  # the same file, linked
    assert _inode(staged / "totals" / "reporting_year=2024" / "part_0.parquet") != inode_2024
    assert _read(staged / "totals") == sorted(changed)
    # Each file carries the fingerprint of its rows; the folder holds nothing but Parquet.
    for year in ("2023", "2024"):
        stamp = json.loads(pq.read_metadata(staged / "totals" / f"reporting_year={year}" / "part_0.parquet")
                           .metadata[FINGERPRINT_KEY.encode()])
        assert stamp["rows"] == 2
    assert pl.read_parquet(staged / "totals").height == 4


def test_a_change_within_a_year_that_keeps_its_row_count_is_still_seen(tmp_path):
    published = tmp_path / "marts"
    export_all(_warehouse(tmp_path / "w.duckdb", ROWS), published)
    # Same rows per year; one value moved from E1 to E2 within 2023.
    swapped = [(2023, "E1", 4.0), (2023, "E2", 10.5), (2024, "E1", 7.25)]
    result = export_all(_warehouse(tmp_path / "w.duckdb", swapped), published)
    assert result["totals"]["years_written"] == ["2023"] and result["totals"]["years_kept"] == ["2024"]
    assert _read(published / "totals") == sorted(swapped)


def test_a_missing_partition_folder_or_a_new_column_rewrites_rather_than_trusts_the_manifest(tmp_path):
    published = tmp_path / "marts"
    warehouse = _warehouse(tmp_path / "w.duckdb", ROWS)
    export_all(warehouse, published)
    for file in (published / "totals" / "reporting_year=2024").iterdir():
        file.unlink()
    again = export_all(warehouse, published)
    assert again["totals"]["years_written"] == ["2024"] and again["totals"]["years_kept"] == ["2023"]
    assert _read(published / "totals") == sorted(ROWS)

    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table marts.totals add column source varchar default 'meter'")
    widened = export_all(warehouse, published)
    assert widened["totals"]["years_written"] == ["2023", "2024"] and widened["totals"]["years_kept"] == []
    assert pl.read_parquet(published / "totals" / "**" / "*.parquet")["source"].to_list() == ["meter"] * 3


def test_an_empty_mart_still_has_a_file_with_its_columns(tmp_path):
    published = tmp_path / "marts"
    result = export_all(_warehouse(tmp_path / "w.duckdb", []), published)
    assert result["totals"] == {"rows": 0, "years_written": [], "years_kept": []}
    empty = pl.read_parquet(published / "totals" / "part_0.parquet")
    assert empty.height == 0 and empty.columns == ["reporting_year", "entity_id", "t_co2e"]


def test_a_row_without_a_reporting_year_is_exported_and_read_back_as_null(tmp_path):
    published = tmp_path / "marts"
    rows = [(2023, "E1", 10.5), (None, "E9", 1.0)]
    export_all(_warehouse(tmp_path / "w.duckdb", rows), published)
    again = export_all(_warehouse(tmp_path / "w.duckdb", rows), published)
    assert again["totals"]["years_kept"] == ["2023", "__HIVE_DEFAULT_PARTITION__"]
    with duckdb.connect() as con:
        back = con.execute(f"select reporting_year, entity_id, t_co2e from read_parquet('{published}/totals/**/*.parquet', "
                           "hive_partitioning = true) order by entity_id").fetchall()
    assert back == [(2023, "E1", 10.5), (None, "E9", 1.0)]

"""Marts → data/marts/<mart>/ as Parquet, written to a temporary folder and then renamed into place.

Readers (reports, users, other engines) never see a half-written mart: the old folder stays whole
until the new one is complete, then the two are swapped.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb

MARTS_SCHEMA = "marts"


def list_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by table_name", [MARTS_SCHEMA]
    ).fetchall()
    return [r[0] for r in rows]


def export_mart(con: duckdb.DuckDBPyConnection, mart: str, marts_dir: Path) -> int:
    """Write one mart (partitioned by reporting_year when it has that column); return its row count."""
    columns = [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [MARTS_SCHEMA, mart]).fetchall()]
    target = marts_dir / mart
    staging = marts_dir / f".{mart}.{uuid.uuid4().hex}.tmp"
    staging.mkdir(parents=True)
    rows = con.execute(f'select count(*) from {MARTS_SCHEMA}."{mart}"').fetchone()[0]
    if "reporting_year" in columns and rows:
        con.execute(
            f"copy (select * from {MARTS_SCHEMA}.\"{mart}\") to '{staging}' "
            "(format parquet, compression zstd, partition_by (reporting_year), filename_pattern 'part_{i}')"
        )
    else:
        con.execute(f"copy (select * from {MARTS_SCHEMA}.\"{mart}\") to '{staging / 'part_0.parquet'}' (format parquet, compression zstd)")
    _swap_into_place(staging, target)
    return rows


def _swap_into_place(staging: Path, target: Path) -> None:
    """Replace `target` by `staging` with renames only (the old folder is removed last)."""
    old = target.with_name(f".{target.name}.{uuid.uuid4().hex}.old")
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def export_all(warehouse: Path, marts_dir: Path) -> dict[str, int]:
    """Export every mart of the warehouse (opened read-only); return rows per mart."""
    marts_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {mart: export_mart(con, mart, marts_dir) for mart in list_marts(con)}

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
import polars as pl  # noqa: F401  (the type read_spark_table returns)

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


def export_config() -> dict[str, str]:
    """DuckDB settings of the export: dbt's memory limit (CARBONLEDGER_DUCKDB_MEMORY_LIMIT, as in
    dbt_project/profiles.yml), so the exports stay within what the rest of the run uses (without it the
    group's ledger, a hundred million rows, held 8.6 GB: docs/benchmarks.md); and rows written in any
    order (each mart is a set of rows; its files are read back by column, never by position)."""
    return {"memory_limit": os.environ.get("CARBONLEDGER_DUCKDB_MEMORY_LIMIT", "5GB"),
            "preserve_insertion_order": "false"}


def export_all(warehouse: Path, marts_dir: Path) -> dict[str, int]:
    """Export every mart of the warehouse (opened read-only); return rows per mart."""
    marts_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True, config=export_config()) as con:
        return {mart: export_mart(con, mart, marts_dir) for mart in list_marts(con)}


# --- the Spark engine ------------------------------------------------------------------------------
#
# With `--engine spark` dbt writes its tables as Parquet under <data>/spark/warehouse/<schema>.db/<table>/
# (spark.sql.warehouse.dir in dbt_project/profiles.yml; month-partitioned facts in activity_month=YYYY-MM
# folders). The Python readers (exports, charts, previews, the run summary) read them through a small
# DuckDB file of views over that Parquet, <data>/spark/spark_tables.duckdb, rebuilt (in milliseconds) each time
# a reader asks for it, so it lists the files the tables have then. That file holds no data and is not
# the warehouse: dbt stays the only writer of the tables.

SPARK_DIR = "spark"
SPARK_WAREHOUSE_DIR = "spark/warehouse"  # = spark.sql.warehouse.dir in profiles.yml, under CARBONLEDGER_DATA
SPARK_EMPTY_SCHEMAS_DIR = "spark/empty_table_schemas"  # written by the on-run-end macro spark_record_empty_tables
SPARK_VIEWS_FILE = "spark/spark_tables.duckdb"  # its stem names the catalog: never a schema name


def _visible(path: Path, root: Path) -> bool:
    """Spark's own bookkeeping (_SUCCESS, _temporary/, .crc, .spark-staging-*) is hidden by a leading . or _."""
    return not any(part.startswith((".", "_")) for part in path.relative_to(root).parts)


def spark_table_files(folder: Path) -> list[Path]:
    """The Parquet data files of a Spark table folder (partition folders included), sorted."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.parquet") if p.is_file() and _visible(p, folder))


def _spark_reader_sql(con: duckdb.DuckDBPyConnection, files: list[Path], partitioned: bool) -> str:
    """A select over Spark-written Parquet with DuckDB's types: UTC instants as naive UTC timestamps,
    as the lake and the DuckDB warehouse store them; partition columns (Hive folders) as strings."""
    listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    options = ("hive_partitioning = true, hive_types_autocast = false" if partitioned else "hive_partitioning = false")
    reader = f"read_parquet([{listed}], union_by_name = true, {options})"
    columns = con.execute(f"describe select * from {reader}").fetchall()
    select = []
    for name, dtype, *_ in columns:
        quoted = '"' + name.replace('"', '""') + '"'
        if dtype.upper() == "TIMESTAMP WITH TIME ZONE":
            select.append(f"cast({quoted} as timestamp) as {quoted}")  # the connection's time zone is UTC
        else:
            select.append(quoted)
    return f"select {', '.join(select)} from {reader}"


def _is_partitioned(base: Path, files: list[Path]) -> bool:
    return any("=" in part for f in files for part in f.relative_to(base).parts[:-1])


def spark_tables(data_dir: Path) -> dict[tuple[str, str], tuple[Path, list[Path]]]:
    """(schema, table) -> (folder, the Parquet files that hold the table): its data files, or for a table
    with none (an empty partitioned table has no file at all) the empty file with its schema that the
    dbt run recorded at its end. Tables with neither are left out: their schema cannot be read without Spark."""
    warehouse = data_dir / SPARK_WAREHOUSE_DIR
    found: dict[tuple[str, str], tuple[Path, list[Path]]] = {}
    if not warehouse.is_dir():
        return found
    for schema_dir in sorted(p for p in warehouse.glob("*.db") if p.is_dir()):
        schema = schema_dir.name.removesuffix(".db")
        for table_dir in sorted(p for p in schema_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
            base, files = table_dir, spark_table_files(table_dir)
            if not files:
                base = data_dir / SPARK_EMPTY_SCHEMAS_DIR / schema / table_dir.name
                files = spark_table_files(base)
            if files:
                found[(schema, table_dir.name)] = (base, files)
    return found


def read_spark_table(folder: Path) -> "pl.DataFrame":
    """One Spark table folder as a polars frame, typed as spark_views_warehouse types it (used by tests)."""
    files = spark_table_files(folder)
    if not files:
        raise FileNotFoundError(f"{folder}: no Parquet data files")
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        return con.sql(_spark_reader_sql(con, files, _is_partitioned(folder, files))).pl()


def spark_views_warehouse(data_dir: Path) -> Path:
    """(Re)write <data>/spark/spark_tables.duckdb: one view per table of the Spark warehouse, same schema names.

    Written to a temporary file and renamed into place, so a reader that has the old file open keeps it.
    """
    target = data_dir / SPARK_VIEWS_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.stem}_{uuid.uuid4().hex}.tmp")
    try:
        with duckdb.connect(str(tmp)) as con:
            con.execute("set TimeZone = 'UTC'")
            for (schema, table), (base, files) in spark_tables(data_dir).items():
                partitioned = _is_partitioned(base, files)
                con.execute(f'create schema if not exists "{schema}"')
                con.execute(f'create or replace view "{schema}"."{table}" as {_spark_reader_sql(con, files, partitioned)}')
            con.execute("checkpoint")
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return target

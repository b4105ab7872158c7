"""Marts → data/marts/<mart>/ as Parquet, written to a temporary folder and then renamed into place.

Readers (reports, users, other engines) never see a half-written mart: the old folder stays whole
until the new one is complete, then the two are swapped.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import duckdb
import polars as pl  # noqa: F401  (the type read_spark_table returns)
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.warehouse_lock import swap_folder_into_place

MARTS_SCHEMA = "marts"


def list_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by table_name", [MARTS_SCHEMA]
    ).fetchall()
    return [r[0] for r in rows]


# Each partition file of a mart carries its fingerprint in its Parquet metadata, so a month close
# rewrites only the reporting years whose rows changed (a month of 2024 left the ledger's hundred million
# rows of 2023 unchanged, yet rewrote them: docs/benchmarks.md). In the file itself, not beside it: the
# fingerprint cannot drift from the rows it describes, and a mart folder holds only Parquet (polars
# refuses a folder with other files in it).
FINGERPRINT_KEY = "carbonledger_fingerprint"
# Part of every fingerprint: a change to how marts are written rewrites them all.
EXPORT_FORMAT = "parquet zstd, part_0.parquet per reporting_year=<year> folder, the year in the folder name only"
NULL_YEAR = "__HIVE_DEFAULT_PARTITION__"  # Hive's name for a null partition value (DuckDB and Spark read it as null)
PART_FILE = "part_0.parquet"


def _mart_schema(con: duckdb.DuckDBPyConnection, mart: str) -> list[list[str]]:
    return [[name, dtype] for name, dtype in con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position", [MARTS_SCHEMA, mart]).fetchall()]


def partition_fingerprints(con: duckdb.DuckDBPyConnection, mart: str, schema: list[list[str]]) -> dict[str, dict]:
    """Per reporting year (as its folder names it): the mart's columns, the year's row count and the sum
    of its rows' hashes.

    A mart is a set of rows, so equal counts and sums mean an unchanged partition (a changed one has the
    same sum only by a 64-bit hash collision). One scan of the mart, far cheaper than writing it."""
    columns = ", ".join('"' + name.replace('"', '""') + '"' for name, _ in schema)
    rows = con.execute(
        f"select coalesce(cast(reporting_year as varchar), '{NULL_YEAR}'), count(*), "
        f"cast(coalesce(sum(hash({columns})), 0) as varchar) from {MARTS_SCHEMA}.\"{mart}\" group by all"
    ).fetchall()
    return {year: {"format": EXPORT_FORMAT, "schema": schema, "rows": count, "hash_sum": hashes}
            for year, count, hashes in rows}


def _written_fingerprint(partition: Path) -> dict | None:
    """The fingerprint the export wrote into a partition's file (None: no such file, or none in it)."""
    try:
        metadata = pq.read_metadata(partition / PART_FILE).metadata or {}
        return json.loads(metadata[FINGERPRINT_KEY.encode()])
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None


def _write_partition(con: duckdb.DuckDBPyConnection, mart: str, year: str, fingerprint: dict, folder: Path) -> None:
    folder.mkdir()
    where = "reporting_year is null" if year == NULL_YEAR else f"cast(reporting_year as varchar) = '{year}'"
    stamp = json.dumps(fingerprint, sort_keys=True).replace("'", "''")
    con.execute(
        f"copy (select * exclude (reporting_year) from {MARTS_SCHEMA}.\"{mart}\" where {where}) to "
        f"'{folder / PART_FILE}' (format parquet, compression zstd, kv_metadata {{{FINGERPRINT_KEY}: '{stamp}'}})"
    )


def _link(source: Path, target: Path) -> None:
    """Hard-link an unchanged file from the previous export (a copy on another file system)."""
    target.parent.mkdir()
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def export_mart(con: duckdb.DuckDBPyConnection, mart: str, marts_dir: Path, previous_dir: Path | None = None) -> dict:
    """Write one mart (a folder per reporting_year when it has that column); return its row count and the
    reporting years written and kept.

    `previous_dir` holds the last published export (data/marts): a reporting year whose fingerprint is
    the one its file there carries is linked from there instead of written again."""
    schema = _mart_schema(con, mart)
    target = marts_dir / mart
    staging = marts_dir / f".{mart}.{uuid.uuid4().hex}.tmp"
    staging.mkdir(parents=True)
    fingerprints = partition_fingerprints(con, mart, schema) if "reporting_year" in [name for name, _ in schema] else {}
    written, kept = [], []
    if fingerprints:
        previous = (previous_dir or marts_dir) / mart
        for year, fingerprint in sorted(fingerprints.items()):
            folder = f"reporting_year={year}"
            if _written_fingerprint(previous / folder) == fingerprint:
                _link(previous / folder / PART_FILE, staging / folder / PART_FILE)
                kept.append(year)
            else:
                _write_partition(con, mart, year, fingerprint, staging / folder)
                written.append(year)
        rows = sum(f["rows"] for f in fingerprints.values())
    else:  # no reporting year, or no rows: one file (an empty mart's file still carries its columns)
        rows = con.execute(f'select count(*) from {MARTS_SCHEMA}."{mart}"').fetchone()[0]
        con.execute(f"copy (select * from {MARTS_SCHEMA}.\"{mart}\") to '{staging / PART_FILE}' (format parquet, compression zstd)")
    swap_folder_into_place(staging, target)
    return {"rows": rows, "years_written": written, "years_kept": kept}


def export_config() -> dict[str, str]:
    """DuckDB settings of the export: dbt's memory limit (CARBONLEDGER_DUCKDB_MEMORY_LIMIT, as in
    dbt_project/profiles.yml), so the exports stay within what the rest of the run uses (without it the
    group's ledger, a hundred million rows, held 8.6 GB: docs/benchmarks.md); and rows written in any
    order (each mart is a set of rows; its files are read back by column, never by position)."""
    return {"memory_limit": os.environ.get("CARBONLEDGER_DUCKDB_MEMORY_LIMIT", "5GB"),
            "preserve_insertion_order": "false"}


def export_all(warehouse: Path, marts_dir: Path, previous_dir: Path | None = None) -> dict[str, dict]:
    """Export every mart of the warehouse (opened read-only); per mart, its rows and the reporting years
    written and kept (see export_mart)."""
    marts_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True, config=export_config()) as con:
        return {mart: export_mart(con, mart, marts_dir, previous_dir) for mart in list_marts(con)}


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

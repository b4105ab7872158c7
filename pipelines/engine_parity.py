"""Do the DuckDB and the Spark engine give the same marts? (`carbonledger compare-engines`, the parity test.)

Reads the marts of a data folder built with `carbonledger run` (DuckDB: <data>/warehouse.duckdb) and of
one built with `carbonledger run --engine spark` (Spark: the tables' Parquet under
<data>/spark/warehouse/<schema>.db/<table>/, read with DuckDB), and compares every table of the schema:
same columns, same row count, then row by row after sorting all columns: strings, integers, booleans
and dates equal, floats within 1e-9 relative (two engines add floats in different orders).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

REL_TOL = 1e-9
SCHEMAS = ("marts", "marts_private")


# --- reading the marts of each engine --------------------------------------------------------------


def duckdb_marts(data_dir: Path, schema: str = "marts") -> list[str]:
    """Every model of the marts schema of the DuckDB warehouse: the list the comparison covers."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by table_name",
            [schema]).fetchall()]


def read_duckdb_mart(data_dir: Path, mart: str, schema: str = "marts") -> pl.DataFrame:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.sql(f'select * from {schema}."{mart}"').pl()


def spark_mart_dir(data_dir: Path, mart: str, schema: str = "marts") -> Path:
    """Where the Spark target's warehouse keeps a managed table's Parquet (see profiles.yml)."""
    return data_dir / "spark" / "warehouse" / f"{schema}.db" / mart


def read_spark_mart(data_dir: Path, mart: str, schema: str = "marts") -> pl.DataFrame:
    """A mart as Spark wrote it: the table's Parquet files (Hive partitions included), read with DuckDB; for an
    empty partitioned table (no data file at all) the empty file with its schema recorded at the end of the run."""
    from assets.exports.logic import read_spark_table, spark_tables

    found = spark_tables(data_dir).get((schema, mart))
    if found is None:
        raise FileNotFoundError(f"{spark_mart_dir(data_dir, mart, schema)}: no Parquet data file and no recorded "
                                "schema (spark/empty_table_schemas)")
    return read_spark_table(found[0])


# --- comparing -------------------------------------------------------------------------------------


@dataclass
class Difference:
    mart: str
    message: str

    def __str__(self) -> str:
        return f"{self.mart}: {self.message}"


def _normalise(frame: pl.DataFrame) -> pl.DataFrame:
    """Comparable values: integers as Int64, floats as Float64, decimals as Float64, the rest as is."""
    casts = []
    for name, dtype in frame.schema.items():
        if dtype.is_integer():
            casts.append(pl.col(name).cast(pl.Int64))
        elif dtype.is_float() or dtype.is_decimal():
            casts.append(pl.col(name).cast(pl.Float64))
        else:
            casts.append(pl.col(name))
    return frame.select(casts)


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in a total order: every non-float column first, then the floats rounded to 9 significant
    digits (so that two engines' last-bit differences cannot swap rows), nulls last."""
    exact = [n for n, t in frame.schema.items() if not t.is_float()]
    floats = [n for n, t in frame.schema.items() if t.is_float()]
    keys = [pl.col(n) for n in exact] + [pl.col(n).round_sig_figs(9) for n in floats]
    return frame.sort(keys, nulls_last=True) if keys else frame


def _floats_equal(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)


def compare_marts(mart: str, left: pl.DataFrame, right: pl.DataFrame, max_report: int = 5) -> list[Difference]:
    """Same columns, same row count, then row by row after sorting: exact for non-floats, 1e-9 relative for floats."""
    diffs: list[Difference] = []
    if sorted(left.columns) != sorted(right.columns):
        return [Difference(mart, f"columns differ: only in DuckDB {sorted(set(left.columns) - set(right.columns))}, "
                                 f"only in Spark {sorted(set(right.columns) - set(left.columns))}")]
    right = right.select(left.columns)
    left, right = _normalise(left), _normalise(right)
    if left.height != right.height:
        return [Difference(mart, f"row count differs: DuckDB {left.height}, Spark {right.height}")]
    for name in left.columns:
        lt, rt = left.schema[name], right.schema[name]
        if lt.is_numeric() and rt.is_numeric() and lt.is_float() != rt.is_float():
            # e.g. DuckDB's sum() of integers is a HUGEINT (read as a float), Spark's a BIGINT: compare numbers
            left = left.with_columns(pl.col(name).cast(pl.Float64))
            right = right.with_columns(pl.col(name).cast(pl.Float64))
        elif lt.is_float() != rt.is_float() and not (lt == pl.Null or rt == pl.Null):
            diffs.append(Difference(mart, f"column {name}: type {lt} in DuckDB, {rt} in Spark"))
        elif not lt.is_float() and lt != rt and not (lt == pl.Null or rt == pl.Null):
            # e.g. Date vs Datetime: compare as text after casting both sides the same way
            left = left.with_columns(pl.col(name).cast(pl.String))
            right = right.with_columns(pl.col(name).cast(pl.String))
    if diffs:
        return diffs
    left, right = _sorted(left), _sorted(right)
    for name in left.columns:
        a, b = left.get_column(name).to_list(), right.get_column(name).to_list()
        is_float = left.schema[name].is_float()
        for row, (x, y) in enumerate(zip(a, b, strict=True)):
            same = _floats_equal(x, y) if is_float else x == y
            if not same:
                diffs.append(Difference(mart, f"row {row} column {name}: DuckDB {x!r}, Spark {y!r}"))
                if len(diffs) >= max_report:
                    return diffs
    return diffs


@dataclass
class EngineComparison:
    tables: list[tuple[str, int]]  # (schema.table, rows) compared
    differences: list[str]


def compare_engines(duckdb_data: Path, spark_data: Path, schemas: tuple[str, ...] = SCHEMAS) -> EngineComparison:
    """Every table of the schemas in the DuckDB warehouse against the same table written by Spark."""
    compared: list[tuple[str, int]] = []
    differences: list[str] = []
    for schema in schemas:
        for table in duckdb_marts(duckdb_data, schema):
            name = f"{schema}.{table}"
            duck = read_duckdb_mart(duckdb_data, table, schema)
            folder = spark_mart_dir(spark_data, table, schema)
            if not folder.is_dir():
                differences.append(f"{name}: built on DuckDB, not found on Spark ({folder})")
                continue
            try:
                spark = read_spark_mart(spark_data, table, schema)
            except FileNotFoundError as exc:  # an empty partitioned table without its schema file
                differences.append(f"{name}: {duck.height} rows on DuckDB, no data file on Spark ({exc})")
                continue
            compared.append((name, duck.height))
            differences += [f"{schema}.{d}" for d in compare_marts(table, duck, spark)]
    return EngineComparison(compared, differences)

"""Helpers of the Spark parity test: the lake's silver built without Dagster, dbt runs per target,
and a row-by-row comparison of two marts.

Kept apart from conftest.py (other suites add fixtures there); imported by
tests/integration/test_spark_parity.py only.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
VENV_BIN = Path(sys.executable).parent
EXAMPLE_POLICY = PROJECT_ROOT / "carbonledger.example.yml"
REL_TOL = 1e-9
# Every seed and model of the project, in one `dbt build`; data tests and unit tests are left out.
BUILD_MODELS_AND_SEEDS = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]


# --- can Spark run here? ---------------------------------------------------------------------------


def java_version() -> str | None:
    """`java -version`'s first line, or None when no Java runtime is found (JAVA_HOME, then PATH)."""
    java_home = os.environ.get("JAVA_HOME")
    java = Path(java_home) / "bin" / "java" if java_home else None
    exe = str(java) if java and java.exists() else shutil.which("java")
    if not exe:
        return None
    try:
        done = subprocess.run([exe, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[0] if done.returncode == 0 and lines else None


def spark_unavailable_reason() -> str | None:
    """Why the Spark target cannot run on this machine, or None when it can."""
    missing = [name for name in ("pyspark", "dbt.adapters.spark") if importlib.util.find_spec(name) is None]
    if missing:
        return (f"Spark parity test skipped: {', '.join(missing)} not installed "
                "(install the extra: pip install -c constraints.txt -e '.[spark]', as `make test` does)")
    if java_version() is None:
        return ("Spark parity test skipped: no Java runtime found (JAVA_HOME or `java` on PATH); "
                "`make test` installs openjdk-17-jre-headless where apt-get is available")
    return None


# --- silver, as the pipeline writes it ---------------------------------------------------------------


def prepare_silver(landing_dir: Path, data_dir: Path, policy_path: Path = EXAMPLE_POLICY) -> None:
    """Policy tables, bronze and silver of a landing folder under <data_dir>/lake, as a run writes them."""
    from assets.ingest.lake import Lake, write_part
    from assets.ingest.logic import build_silver, ingest_bronze, load_rule_context, tables_in_dependency_order
    from pipelines.policy import load_policy, policy_tables

    policy = load_policy(str(policy_path))
    lake = Lake(data_dir / "lake")
    for name, frame in policy_tables(policy).items():
        write_part(frame, lake.part_path("silver", name, "policy", None))
    for table in tables_in_dependency_order():
        bronze = ingest_bronze(table, landing_dir, lake, "parity-test", policy.timezone)
        if bronze.files == 0:
            continue
        build_silver(table, lake, policy.timezone, load_rule_context(lake, [table], policy.timezone))


# --- dbt -----------------------------------------------------------------------------------------------


def dbt_env(data_dir: Path, engine: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARBONLEDGER_")}
    env.update(CARBONLEDGER_DATA=str(data_dir.resolve()), CARBONLEDGER_ENGINE=engine,
               PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}", DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    return env


def run_dbt(args: list[str], data_dir: Path, engine: str, project_dir: Path = DBT_PROJECT_DIR,
            timeout: int = 2700) -> subprocess.CompletedProcess:
    """`dbt <args>` on one target, with its own target/ and logs/ under the data folder.

    A separate target path keeps this run's partial-parse state and manifest away from the project's
    (the Dagster Definitions read dbt_project/target/manifest.json).
    """
    run_dir = data_dir / "dbt" / engine
    command = [str(VENV_BIN / "dbt"), *args, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
               "--target", engine, "--target-path", str(run_dir / "target"), "--log-path", str(run_dir / "logs")]
    return subprocess.run(command, cwd=project_dir, env=dbt_env(data_dir, engine), capture_output=True, text=True,
                          timeout=timeout)


def dbt_build_steps(data_dir: Path, engine: str, project_dir: Path = DBT_PROJECT_DIR) -> list[subprocess.CompletedProcess]:
    """The three `dbt build` invocations of a run (foundation, monthly facts, annual marts), stopping at a failure."""
    from assets.inventory.logic import (ANNUAL_EXCLUDE, ANNUAL_SELECT, FOUNDATION_EXCLUDE, MONTHLY_SELECT,
                                        dbt_build_args)

    steps = [
        [*dbt_build_args(), "--exclude", FOUNDATION_EXCLUDE],
        [*dbt_build_args(("1900-01", "2999-12")), "--select", MONTHLY_SELECT],
        [*dbt_build_args(), "--select", ANNUAL_SELECT, "--exclude", ANNUAL_EXCLUDE],
    ]
    done = []
    for args in steps:
        result = run_dbt(args, data_dir, engine, project_dir)
        done.append(result)
        if result.returncode != 0:
            break
    return done


def failure_text(results: list[subprocess.CompletedProcess]) -> str:
    """The dbt lines that explain a failure (errors and the summary), for an assertion message."""
    lines = []
    for result in results:
        lines += [line for line in strip_ansi(result.stdout).splitlines()
                  if re.search(r"error|fail|warn|done\.|completed", line, re.IGNORECASE)]
    return "\n".join(lines[-60:])


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
    """A mart as Spark wrote it: the table's Parquet files (Hive partitions included), read with DuckDB."""
    from assets.exports.logic import read_spark_table

    return read_spark_table(spark_mart_dir(data_dir, mart, schema))


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


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def copy_dbt_project(dest: Path) -> Path:
    """A throwaway copy of the dbt project (no target/ or logs/), for tests that add a model."""
    shutil.copytree(DBT_PROJECT_DIR, dest, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return dest

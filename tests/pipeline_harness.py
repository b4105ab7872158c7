"""Build a warehouse from a landing folder without Dagster: the same ingestion functions and dbt models
as `carbonledger run`, in one `dbt build` (a few seconds instead of a Dagster run's minute).

Integration tests that check numbers use this; tests/integration/test_spine_run.py proves that the
Dagster run gives the same marts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from assets.ingest.lake import Lake, write_part
from assets.ingest.logic import build_silver, ingest_bronze, load_rule_context, tables_in_dependency_order
from pipelines.policy import load_policy, policy_tables

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = PROJECT_ROOT / "dbt_project"


@dataclass
class BuiltWarehouse:
    data_dir: Path
    dbt_output: str

    @property
    def path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    def query(self, sql: str, params: list | None = None) -> list[dict]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            cursor = con.execute(sql, params or [])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def scalar(self, sql: str, params: list | None = None):
        rows = self.query(sql, params)
        return next(iter(rows[0].values())) if rows else None


def ingest(landing: Path, data_dir: Path, policy_path: Path | str | None) -> None:
    policy = load_policy(policy_path)
    lake = Lake(data_dir / "lake")
    for name, frame in policy_tables(policy).items():
        write_part(frame, lake.part_path("silver", name, "policy", None))
    for table in tables_in_dependency_order():
        ingest_bronze(table, landing, lake, "harness", policy.timezone)
        build_silver(table, lake, policy.timezone, load_rule_context(lake, [table], policy.timezone))


def dbt(args: list[str], data_dir: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "CARBONLEDGER_DATA": str(data_dir), "CARBONLEDGER_ENGINE": "duckdb"}
    dbt_bin = Path(sys.executable).parent / "dbt"
    result = subprocess.run([str(dbt_bin), *args, "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
                             "--target-path", str(data_dir / "dbt_target")],
                            env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    return result


def build_warehouse(landing: Path, data_dir: Path, policy_path: Path | str | None = None,
                    dbt_check: bool = True, with_tests: bool = False) -> BuiltWarehouse:
    """Ingest and build. dbt's data tests (hundreds) run in the Dagster-run tests, not here, unless asked."""
    data_dir.mkdir(parents=True, exist_ok=True)
    ingest(landing, data_dir, policy_path)
    args = ["build", "--quiet"] if with_tests else ["build", "--quiet", "--exclude-resource-type", "test",
                                                   "--exclude-resource-type", "unit_test"]
    result = dbt(args, data_dir, check=dbt_check)
    return BuiltWarehouse(data_dir=data_dir, dbt_output=result.stdout)

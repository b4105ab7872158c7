"""Helpers of the Spark parity test: the lake's silver built without Dagster and dbt runs per target
(the comparison itself is pipelines/engine_parity.py, also `carbonledger compare-engines`).

Kept apart from conftest.py (other suites add fixtures there); imported by
tests/integration/test_spark_parity.py only.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path


PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
VENV_BIN = Path(sys.executable).parent
EXAMPLE_POLICY = PROJECT_ROOT / "carbonledger.example.yml"
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


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def copy_dbt_project(dest: Path) -> Path:
    """A throwaway copy of the dbt project (no target/ or logs/), for tests that add a model."""
    shutil.copytree(DBT_PROJECT_DIR, dest, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return dest

"""Shared test fixtures: the dbt manifest prepared once per session, and isolated Dagster homes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
VENV_BIN = Path(sys.executable).parent
# In-process silver steps (tests/pipeline_harness.py) pseudonymise fixture ids with the demo key.
os.environ.setdefault("CARBONLEDGER_DEMO", "1")
# As the CLI and `make dev` do: one planned event per asset for a run over many months.
os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """Prepare the dbt manifest once (the Definitions cannot load without it)."""
    manifest = PROJECT_ROOT / "dbt_project" / "target" / "manifest.json"
    subprocess.run(
        [str(VENV_BIN / "dagster-dbt"), "project", "prepare-and-package", "--file", "pipelines/project.py"],
        cwd=PROJECT_ROOT, check=True, capture_output=True,
        env={**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert manifest.exists()
    return manifest


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Environment for running `carbonledger` in a subprocess against a temporary data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARBONLEDGER_")}
    env.update(
        # Fixtures are synthetic: the documented demo pseudonym key (a test that needs a real key sets one).
        CARBONLEDGER_DEMO="1",
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
        PYTHONWARNINGS="ignore",
    )
    env.update(extra)
    (tmp_path / "dagster_home").mkdir(exist_ok=True)
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV_BIN / "carbonledger"), *args], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)

"""Resources: where the landing files, lake and warehouse are, the dbt CLI, and the warehouse lock.

Paths come only from CARBONLEDGER_* environment variables (the CLI exports them before loading the
Definitions); unset, they default to the project's own `data/` folder. They are made absolute here so
dbt (run from dbt_project/) and every asset see the same folders.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from collections.abc import Iterator
from contextlib import contextmanager

from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtCliResource

from assets.ingest.lake import Lake
from pipelines.policy import LoadedPolicy, load_policy
from pipelines.project import dbt_project
from pipelines.warehouse_lock import warehouse_lock

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    data_dir: Path
    config_path: Path | None
    engine: str

    @property
    def lake(self) -> Lake:
        return Lake(self.data_dir / "lake")

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def marts_dir(self) -> Path:
        return self.data_dir / "marts"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / ".warehouse.lock"


def settings_from_env() -> Settings:
    """Read CARBONLEDGER_* once, make the paths absolute and export them back for dbt."""
    data_dir = Path(os.environ.get("CARBONLEDGER_DATA") or PROJECT_ROOT / "data").resolve()
    landing_dir = Path(os.environ.get("CARBONLEDGER_LANDING") or data_dir / "landing").resolve()
    config = os.environ.get("CARBONLEDGER_CONFIG")
    engine = os.environ.get("CARBONLEDGER_ENGINE", "duckdb")
    os.environ["CARBONLEDGER_DATA"] = str(data_dir)
    os.environ["CARBONLEDGER_LANDING"] = str(landing_dir)
    return Settings(landing_dir=landing_dir, data_dir=data_dir, config_path=Path(config).resolve() if config else None,
                    engine=engine)


class CarbonLedgerResource(ConfigurableResource):
    """Folders and the reporting policy of this deployment."""

    landing_dir: str
    data_dir: str
    config_path: str = ""
    engine: str = "duckdb"

    @property
    def settings(self) -> Settings:
        return Settings(Path(self.landing_dir), Path(self.data_dir), Path(self.config_path) if self.config_path else None,
                        self.engine)

    @property
    def lake(self) -> Lake:
        return self.settings.lake

    def load_policy(self) -> LoadedPolicy:
        return load_policy(self.config_path or None)


class WarehouseLockResource(ConfigurableResource):
    """Held for the whole run by every run that writes the warehouse (see pipelines/warehouse_lock.py)."""

    lock_path: str
    wait_seconds: float = 60.0

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator["WarehouseLockResource"]:
        run_id = context.run_id or "unknown"
        with warehouse_lock(Path(self.lock_path), run_id, self.wait_seconds):
            yield self


def dbt_executable() -> str:
    """dbt from this interpreter's environment (the project's .venv), whatever the PATH says."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def build_resources() -> dict:
    settings = settings_from_env()
    return {
        "carbonledger": CarbonLedgerResource(
            landing_dir=str(settings.landing_dir),
            data_dir=str(settings.data_dir),
            config_path=str(settings.config_path or ""),
            engine=settings.engine,
        ),
        "warehouse_lock": WarehouseLockResource(
            lock_path=str(settings.lock_path),
            wait_seconds=float(os.environ.get("CARBONLEDGER_LOCK_WAIT_SECONDS", "60")),
        ),
        "dbt": DbtCliResource(project_dir=dbt_project, target=settings.engine, dbt_executable=dbt_executable()),
    }

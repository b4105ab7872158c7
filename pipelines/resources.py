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
from pydantic import PrivateAttr
from dagster_dbt import DbtCliResource

from assets.ingest.lake import Lake
from pipelines.policy import LoadedPolicy, load_policy
from pipelines.project import dbt_project
from pipelines.warehouse_lock import WAREHOUSE_FILE, WAREHOUSE_FILE_ENV, WorkingCopy, wait_for_copy, warehouse_lock

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
        """data/warehouse.duckdb; inside a run that builds a working copy, that copy (what dbt writes).

        Steps that read the warehouse after dbt (exports, charts) thus read this run's figures, not the
        previous run's; see WarehouseLockResource.
        """
        if self.engine == "spark":  # views over the Spark tables' Parquet (assets/exports/logic.py)
            from assets.exports.logic import spark_views_warehouse

            return spark_views_warehouse(self.data_dir)
        override = os.environ.get(WAREHOUSE_FILE_ENV)
        if override:
            wait_for_copy(Path(override))  # a working copy still being made (pipelines/warehouse_lock.py)
        return Path(override) if override else self.data_dir / WAREHOUSE_FILE

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
    """Held for the whole run by every run that writes the warehouse (see pipelines/warehouse_lock.py).

    With the DuckDB engine it also owns the run's working copy: dbt builds in
    data/.building/warehouse.duckdb, the export step reads it and stages its Parquet folders, and only a
    run whose every step succeeded swaps them into place (os.replace) before the lock is released.
    """

    lock_path: str
    wait_seconds: float = 60.0
    data_dir: str = ""  # where warehouse.duckdb lives; empty: the lock file's folder
    engine: str = "duckdb"
    _working: WorkingCopy | None = PrivateAttr(default=None)

    @property
    def working_copy(self) -> WorkingCopy | None:
        """The run's working copy while the run holds the lock (None on Spark, or outside a run)."""
        return self._working

    @property
    def warehouse_path(self) -> Path:
        """The warehouse this run's steps read: its working copy while it has one."""
        working = self._working
        if self.engine == "spark":  # views over the Spark tables' Parquet (assets/exports/logic.py)
            from assets.exports.logic import spark_views_warehouse

            return spark_views_warehouse(Path(self.data_dir or Path(self.lock_path).parent))
        self.wait_for_working_copy()
        return working.building if working else Path(self.data_dir or Path(self.lock_path).parent) / WAREHOUSE_FILE

    def wait_for_working_copy(self) -> None:
        """Return once the run's working copy is made (made while the first steps run; pipelines/warehouse_lock.py)."""
        working = self._working
        if working:
            wait_for_copy(working.building)

    @property
    def marts_dir(self) -> Path:
        """Where this run's export step writes mart folders (staged until the run succeeds)."""
        self.wait_for_working_copy()
        working = self._working
        return working.staged_marts_dir if working else Path(self.data_dir or Path(self.lock_path).parent) / "marts"

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator["WarehouseLockResource"]:
        run_id = context.run_id or "unknown"
        log = context.log
        with warehouse_lock(Path(self.lock_path), run_id, self.wait_seconds) as previous_run:
            if self.engine != "duckdb":
                yield self
                return
            working = WorkingCopy(Path(self.data_dir or Path(self.lock_path).parent))
            pending = working.start_copy(self.wait_seconds, previous_run)
            if log:
                log.info(f"warehouse working copy {working.building}: being made while the first steps run")
            saved = os.environ.get(WAREHOUSE_FILE_ENV)
            os.environ[WAREHOUSE_FILE_ENV] = str(working.building)
            self._working = working
            try:
                yield self
            finally:
                self._working = None
                if saved is None:
                    os.environ.pop(WAREHOUSE_FILE_ENV, None)
                else:
                    os.environ[WAREHOUSE_FILE_ENV] = saved
                # Never release the lock (or publish) while the copy thread still writes.
                prepared = pending.wait()
                if log:
                    log.info(f"warehouse working copy {working.building} ({prepared.method}, "
                             f"{prepared.copied_bytes / 1e6:,.1f} MB in {prepared.seconds:.2f} s; "
                             f"the steps waited {pending.waited_seconds:.2f} s for it)")
            # Reached only when the steps ended without an exception reaching the resource (a
            # termination or an interrupt does reach it, and skips the swap).
            failed = run_has_failed(context)
            if failed:
                if log:
                    log.warning(f"run failed ({failed}): data/warehouse.duckdb and data/marts/ are left as they "
                                f"were; this run's copy stays in {working.building_dir} until the next run")
                return
            committed = working.commit()
            if log:
                log.info(f"warehouse swapped into place ({committed.seconds:.2f} s); marts exported: "
                         f"{', '.join(committed.marts_swapped) or 'none'}")


def run_has_failed(context: InitResourceContext) -> str:
    """Why this run must not publish its working copy ('' when every step so far succeeded)."""
    from dagster import DagsterEventType, DagsterRunStatus

    instance, run_id = context.instance, context.run_id
    if instance is None or not run_id:
        return ""
    failures = instance.all_logs(run_id, of_type={DagsterEventType.STEP_FAILURE, DagsterEventType.RUN_FAILURE})
    if failures:
        steps = sorted({entry.step_key or "run" for entry in failures})
        return "failed step(s): " + ", ".join(steps)
    run = instance.get_run_by_id(run_id)
    if run is not None and run.status in (DagsterRunStatus.CANCELING, DagsterRunStatus.CANCELED,
                                          DagsterRunStatus.FAILURE):
        return f"run status {run.status.value}"
    return ""


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
            data_dir=str(settings.data_dir),
            engine=settings.engine,
        ),
        "dbt": DbtCliResource(project_dir=dbt_project, target=settings.engine, dbt_executable=dbt_executable()),
    }

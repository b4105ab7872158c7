"""Sensors: new, changed or removed landing files → one run of what depends on them; failed runs → alerts.

**landing_files** compares each landing file's fingerprint (size and mtime, the same one ingestion
uses) with the bronze manifests (data/lake/_manifest/<table>.json, written by the bronze step) and
finds the files that are new, changed or removed since they were last ingested. It maps them to
their tables and months (a new or changed file is read for the months of its rows, its date column
only; a changed or removed file also touches the months the manifest recorded for it) and requests
ONE run of the bronze assets of those tables and everything downstream of them (silver and
quarantine, the dbt models that read them, the annual marts, exports), over the partition range
from the first to the last touched month. A change to an unpartitioned table (entities, facilities,
employees, instruments, baselines, credits) touches every month: every fact may join to it, so the
range becomes every month the lake holds. With no warehouse yet (the first run) the whole graph runs.

The cursor remembers the file states a run was already requested for, so a change is requested once:
while its run is queued or running the manifest still differs, and a failed run is not retried on
every tick (the failure alert says so; fix, then re-execute the run or touch the file).

**run_failure_alert** sends an alert (pipelines/alerts.py) for a failed run the daemon or the UI
launched; `carbonledger run` alerts for its own runs. A failed blocking check fails its step, hence
the run, so the same alert covers it and names the check, why it failed and its rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from dagster import (
    AssetKey,
    AssetSelection,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from assets.ingest import parsing
from assets.ingest.lake import UNKNOWN_MONTH, Lake
from assets.ingest.readers import LandingFileError, find_landing_files, read_landing_file, scratch_directory
from assets.ingest.tables import TABLES, LandingTable
from pipelines.alerts import describe_run, send_alert
from pipelines.jobs import TRIGGER_TAG, all_assets_job, month_window_tags
from pipelines.partitions import monthly_partitions
from pipelines.resources import CarbonLedgerResource
from pipelines.schedules import automation_on

REMOVED = "removed"


@dataclass(frozen=True)
class LandingChange:
    table: str
    source_file: str
    kind: str  # new, changed, removed
    state: str  # the file's fingerprint, or "removed"
    old_months: tuple[str, ...] = ()  # months the manifest holds for it

    @property
    def key(self) -> str:
        return f"{self.table}|{self.source_file}"


def landing_changes(landing_dir: Path, lake: Lake) -> list[LandingChange]:
    """Files that differ from what bronze last ingested (cheap: a directory walk and the manifests)."""
    changes = []
    for table in TABLES:
        files, _ = find_landing_files(landing_dir, table.folder)
        manifest = lake.read_manifest(table.name)
        current = {f.source_file: f for f in files}
        for source_file in sorted(set(manifest) - set(current)):
            changes.append(LandingChange(table.name, source_file, REMOVED, REMOVED,
                                         tuple(manifest[source_file].get("rows_by_month", {}))))
        for landing_file in files:
            entry = manifest.get(landing_file.source_file)
            fingerprint = landing_file.fingerprint()
            if entry is None:
                changes.append(LandingChange(table.name, landing_file.source_file, "new", fingerprint))
            elif entry.get("fingerprint") != fingerprint:
                changes.append(LandingChange(table.name, landing_file.source_file, "changed", fingerprint,
                                             tuple(entry.get("rows_by_month", {}))))
    return changes


def file_months(landing_dir: Path, table: LandingTable, source_file: str, timezone: str) -> set[str]:
    """Months ('YYYY-MM') of the rows of one landing file, from its date column only."""
    if not table.partitioned:
        return set()
    files, _ = find_landing_files(landing_dir, table.folder)
    landing_file = next((f for f in files if f.source_file == source_file), None)
    if landing_file is None:
        return set()
    with scratch_directory() as tmp:
        try:
            result = read_landing_file(landing_file, Path(tmp))
        except LandingFileError:
            return set()  # unreadable: bronze reports it; no month to rebuild
        if result.frame is None or table.month_column not in result.columns:
            return set()
        column_type = table.column(table.month_column).type
        months = (result.frame.select(parsing.activity_month(pl.col(table.month_column), column_type, timezone)
                                      .alias("m")).unique().collect().to_series().to_list())
    return {m for m in months if m and m != UNKNOWN_MONTH}


def lake_months(lake: Lake) -> set[str]:
    """Every month some ingested file has rows in (from the manifests)."""
    months: set[str] = set()
    for table in TABLES:
        if table.partitioned:
            for entry in lake.read_manifest(table.name).values():
                months.update(m for m in entry.get("rows_by_month", {}) if m and m != UNKNOWN_MONTH)
    return months


@dataclass
class LandingPlan:
    changes: list[LandingChange]
    tables: list[str]
    months: list[str] = field(default_factory=list)  # 'YYYY-MM', sorted
    whole_graph: bool = False

    @property
    def partition_range(self) -> tuple[str, str] | None:
        return (f"{self.months[0]}-01", f"{self.months[-1]}-01") if self.months else None

    @property
    def run_key(self) -> str:
        digest = hashlib.sha1("\n".join(sorted(f"{c.key}|{c.state}" for c in self.changes)).encode()).hexdigest()
        return f"landing:{digest[:16]}"


def plan_run(changes: list[LandingChange], landing_dir: Path, lake: Lake, timezone: str,
             warehouse_exists: bool, last_partition: str | None) -> LandingPlan:
    """Tables and months a set of landing changes touches."""
    by_name = {t.name: t for t in TABLES}
    tables = sorted({c.table for c in changes})
    months: set[str] = set()
    dimension_changed = any(not by_name[t].partitioned for t in tables)
    for change in changes:
        months.update(m for m in change.old_months if m != UNKNOWN_MONTH)
        if change.kind != REMOVED:
            months.update(file_months(landing_dir, by_name[change.table], change.source_file, timezone))
    if dimension_changed or not months:
        months |= lake_months(lake)
    if last_partition:  # partitions exist up to the last complete month; later dates wait for theirs
        months = {m for m in months if m <= last_partition[:7]}
    if not months and last_partition:
        months = {last_partition[:7]}
    return LandingPlan(changes=changes, tables=tables, months=sorted(m for m in months if m >= "2000-01"),
                       whole_graph=not warehouse_exists)


def _read_cursor(cursor: str | None) -> dict[str, str]:
    try:
        return dict(json.loads(cursor).get("requested", {})) if cursor else {}
    except (ValueError, AttributeError):
        return {}


def selected_assets(asset_graph, tables: Iterable[str]) -> list[AssetKey]:
    """The bronze assets of the tables and everything downstream of them."""
    seeds = [AssetKey(["bronze", t]) for t in tables]
    return sorted(AssetSelection.assets(*seeds).downstream().resolve(asset_graph), key=lambda k: k.to_user_string())


@sensor(
    name="landing_files",
    job=all_assets_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING if automation_on() else DefaultSensorStatus.STOPPED,
    description="New, changed or removed landing files → one run of the assets that depend on them.",
)
def landing_files_sensor(context: SensorEvaluationContext, carbonledger: CarbonLedgerResource):
    settings = carbonledger.settings
    lake = settings.lake
    changes = landing_changes(settings.landing_dir, lake)
    requested = _read_cursor(context.cursor)
    pending = [c for c in changes if requested.get(c.key) != c.state]
    # Forget what bronze has caught up with (no longer a change), keep what is still in flight.
    still = {c.key: requested[c.key] for c in changes if c.key in requested}
    if not pending:
        cursor = json.dumps({"requested": still}, sort_keys=True)
        return SensorResult(skip_reason=SkipReason("landing files match what bronze last ingested"), cursor=cursor)
    policy = carbonledger.load_policy()
    last = monthly_partitions.get_last_partition_key()
    plan = plan_run(pending, settings.landing_dir, lake, policy.timezone, settings.warehouse_path.exists(), last)
    graph = context.repository_def.asset_graph
    tags = {"carbonledger/landing_changes": ", ".join(f"{c.kind} {c.source_file}" for c in pending[:5])
            + (f" and {len(pending) - 5} more" if len(pending) > 5 else "")}
    if plan.partition_range:
        tags.update(month_window_tags(*plan.partition_range, trigger="landing_sensor", policy_sha256=policy.sha256))
    else:
        tags[TRIGGER_TAG] = "landing_sensor"
    selection = None if plan.whole_graph else selected_assets(graph, plan.tables)
    for change in pending:
        still[change.key] = change.state
    context.log.info(f"{len(pending)} landing change(s) in {', '.join(plan.tables)}; months "
                     f"{plan.months[0] if plan.months else '-'}..{plan.months[-1] if plan.months else '-'}"
                     + ("; no warehouse yet: the whole graph" if plan.whole_graph else f"; {len(selection)} assets"))
    return SensorResult(
        run_requests=[RunRequest(run_key=plan.run_key, asset_selection=selection, tags=tags)],
        cursor=json.dumps({"requested": still}, sort_keys=True),
    )


# --- alerts --------------------------------------------------------------------------------------


def _launched_by_cli(run) -> bool:
    return run.tags.get(TRIGGER_TAG) == "cli"


@run_failure_sensor(
    name="run_failure_alert",
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="A failed run (including a failed blocking check) → alerts.log and the webhook.",
)
def run_failure_alert(context: RunFailureSensorContext, carbonledger: CarbonLedgerResource):
    run = context.dagster_run
    if _launched_by_cli(run):
        return SkipReason(f"run {run.run_id} was launched by `carbonledger run`, which sent its own alert")
    alert = describe_run(context.instance, run.run_id, "run failed")
    outcome = send_alert(alert, carbonledger.settings.data_dir)
    context.log.info(f"alert for run {run.run_id}: {outcome.log_path}, webhook {outcome.webhook}")


sensors = [landing_files_sensor, run_failure_alert]

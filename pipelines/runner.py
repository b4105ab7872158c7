"""Launching the one run that materialises everything, and the summary printed after it."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

import duckdb
import polars as pl

from assets.ingest.lake import Lake
from assets.ingest.tables import TABLES
from assets.inventory.logic import FULL_REFRESH_TAG
from pipelines.alerts import error_summary
from pipelines.jobs import ALL_ASSETS_JOB, TRIGGER_TAG

PARTITION_RANGE_START = "dagster/asset_partition_range_start"
PARTITION_RANGE_END = "dagster/asset_partition_range_end"

POLICY_TAG = "carbonledger/policy_sha256"


@dataclass
class RunResult:
    success: bool
    run_id: str
    years: tuple[int, int]
    data_dir: Path
    failures: list[str] = field(default_factory=list)


def partition_range(years: tuple[int, int], today: date | None = None) -> tuple[str, str]:
    """Monthly partition keys covering the years, never past the current month."""
    today = today or date.today()
    start = f"{years[0]:04d}-01-01"
    last = min((years[1], 12), (today.year, today.month))
    end = f"{last[0]:04d}-{last[1]:02d}-01"
    if end < start:
        raise ValueError(f"years {years[0]}-{years[1]} are in the future: nothing to run")
    return start, end


def run_tags(years: tuple[int, int], policy_sha256: str, full_refresh: bool = False) -> dict[str, str]:
    start, end = partition_range(years)
    tags = {PARTITION_RANGE_START: start, PARTITION_RANGE_END: end, POLICY_TAG: policy_sha256,
            "carbonledger/years": f"{years[0]}-{years[1]}"}
    if full_refresh:
        tags[FULL_REFRESH_TAG] = "true"
    return tags


def carbonledger_job():
    """The all-assets job, resolved from the Definitions (a module-level function, for reconstructable)."""
    from pipelines.definitions import defs

    return defs.resolve_job_def(ALL_ASSETS_JOB)


def prepare_dbt_parse(env: dict[str, str]) -> None:
    """Re-parse the dbt project when the data folder differs from the last parse.

    dbt's partial parsing is invalidated when an env var it rendered (the warehouse path in
    profiles.yml) changes; parsing once here saves a full parse in each of the run's dbt steps.
    """
    import subprocess
    import sys

    project_dir = Path(__file__).resolve().parents[1] / "dbt_project"
    marker = project_dir / "target" / ".parsed_for"
    wanted = f"{env.get('CARBONLEDGER_DATA')}|{env.get('CARBONLEDGER_ENGINE', 'duckdb')}|working-copy"
    if env.get("CARBONLEDGER_ENGINE", "duckdb") == "duckdb" and env.get("CARBONLEDGER_DATA"):
        # The run's dbt steps write the working copy (pipelines/warehouse_lock.py); dbt compares the
        # rendered profile, path included, so parse with the path the steps will use.
        from pipelines.warehouse_lock import WAREHOUSE_FILE_ENV, WorkingCopy

        env = {**env, WAREHOUSE_FILE_ENV: str(WorkingCopy(Path(env["CARBONLEDGER_DATA"])).building)}
    import fcntl

    marker.parent.mkdir(parents=True, exist_ok=True)
    # Two `carbonledger run` started together must not parse into target/ at the same time (one would
    # load a manifest.json the other is writing): the second waits, then finds the parse done.
    with (project_dir / "target" / ".parse.lock").open("a") as guard:
        fcntl.flock(guard.fileno(), fcntl.LOCK_EX)
        if marker.exists() and marker.read_text() == wanted and (project_dir / "target" / "partial_parse.msgpack").exists():
            return
        dbt = Path(sys.executable).parent / "dbt"
        subprocess.run([str(dbt), "parse", "--quiet", "--project-dir", str(project_dir), "--profiles-dir",
                        str(project_dir), "--target", env.get("CARBONLEDGER_ENGINE", "duckdb")], check=True, env=env)
        marker.write_text(wanted)


def run_pipeline(years: tuple[int, int] | None = None, full_refresh: bool = False,
                 log_path: Path | None = None) -> RunResult:
    """Materialise every asset for the years in a single run on the instance in DAGSTER_HOME."""
    from dagster import DagsterEventType, DagsterInstance, execute_job, reconstructable

    from assets.ingest.logic import landing_years
    from pipelines.policy import load_policy

    policy = load_policy(os.environ.get("CARBONLEDGER_CONFIG"))
    landing = Path(os.environ["CARBONLEDGER_LANDING"])
    data_dir = Path(os.environ["CARBONLEDGER_DATA"])
    if years is None:
        found = landing_years(landing, policy.timezone)
        if not found:
            raise ValueError(f"{landing}: no dated rows found in the landing files (is the folder right?)")
        years = (min(found), max(found))
    tags = run_tags(years, policy.sha256, full_refresh)
    tags[TRIGGER_TAG] = "cli"  # this command alerts for its own runs (the daemon's sensor skips them)
    prepare_dbt_parse(dict(os.environ))
    log_path = log_path or data_dir / "logs" / f"run-{date.today().isoformat()}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"Running every asset for {years[0]}-{years[1]} in one Dagster run (log: {log_path}) ...", flush=True)
    with DagsterInstance.get() as instance, log_path.open("a", encoding="utf-8") as log_file, \
            contextlib.redirect_stdout(log_file), contextlib.redirect_stderr(log_file):
        result = execute_job(reconstructable(carbonledger_job), instance=instance, tags=tags)
        failures = []
        for event in result.all_events:
            if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
                evaluation = event.event_specific_data
                if not evaluation.passed:
                    severity = getattr(evaluation.severity, "value", str(evaluation.severity)).lower()
                    why = (evaluation.description or "").strip()
                    failures.append(f"check {evaluation.asset_check_key.to_user_string()} "
                                    + ("failed (blocking: downstream assets stopped)" if evaluation.blocking
                                       else "failed" if severity == "error" else "warns")
                                    + (f": {why}" if why else ""))
            elif event.event_type in (DagsterEventType.STEP_FAILURE, DagsterEventType.RESOURCE_INIT_FAILURE,
                                      DagsterEventType.RUN_FAILURE):
                error = getattr(event.event_specific_data, "error", None)
                detail = error_summary(error) if error and error.message else event.message
                failures.append(f"{event.step_key or 'run'}: {detail}")
        alert = None if result.success else _alert_failed_run(instance, result.run_id, data_dir)
    if alert is not None:
        print(f"Alert sent: {alert.log_path} (webhook: {alert.webhook})", flush=True)
    return RunResult(success=result.success, run_id=result.run_id, years=years, data_dir=data_dir,
                     failures=failures)


def _alert_failed_run(instance, run_id: str, data_dir: Path):
    """The same alert the daemon's run_failure_alert sensor sends, for CLI users without a daemon."""
    from pipelines.alerts import describe_run, send_alert

    try:
        return send_alert(describe_run(instance, run_id, "run failed"), data_dir)
    except Exception as exc:  # an alert must never hide the run's own result
        print(f"alert not sent: {type(exc).__name__}: {exc}", flush=True)
        return None


# --- summary -------------------------------------------------------------------------------------


def quarantine_counts(lake: Lake) -> pl.DataFrame:
    """Quarantined rows per table and reason, from the lake."""
    frames = []
    for table in TABLES:
        parts = lake.all_parts("quarantine", table.name)
        if parts:
            frames.append(
                pl.scan_parquet(parts, hive_partitioning=False).group_by("reason_code").len()
                .with_columns(pl.lit(table.name).alias("table")).collect()
            )
    if not frames:
        return pl.DataFrame(schema={"table": pl.String, "reason_code": pl.String, "len": pl.UInt32})
    return pl.concat(frames).select("table", "reason_code", "len").sort("table", "len", descending=[False, True])


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _run_seconds(run_id: str) -> float | None:
    """Wall time of the run from the Dagster instance (None when it cannot be read)."""
    try:
        from dagster import DagsterInstance

        with DagsterInstance.get() as instance:
            stats = instance.get_run_stats(run_id)
        if stats.start_time and stats.end_time:
            return float(stats.end_time - stats.start_time)
    except Exception:  # the summary must print even without an instance
        return None
    return None


def _print_validation(result: RunResult, out: TextIO) -> None:
    """Rows passed and quarantined (and why) per table in this run, the report, and validation's share of time."""
    from assets.ingest.validation_report import report_path, summary_rows

    rows = [r for r in summary_rows(result.data_dir, result.run_id) if r["bronze_rows"] or r["blocking_failures"]]
    print("\nValidation of this run's months (rows per table; quarantine: data/lake/quarantine/<table>/):", file=out)
    if not rows:
        print("  no validation recorded for this run", file=out)
    else:
        print(f"  {'table':<22}{'rows':>10}{'passed':>10}{'quarantined':>13}  why", file=out)
        for r in rows:
            why = ", ".join(f"{k} {v:,}" for k, v in sorted(r["reasons"].items(), key=lambda kv: (-kv[1], kv[0])))
            flag = f"  BLOCKING CHECK FAILED: {', '.join(r['blocking_failures'])}" if r["blocking_failures"] else ""
            print(f"  {r['table']:<22}{r['bronze_rows']:>10,}{r['silver_rows']:>10,}{r['quarantined_rows']:>13,}  {why}{flag}",
                  file=out)
    page = report_path(result.data_dir, result.run_id)
    if page.exists():
        print(f"  Validation report: {page}", file=out)
    seconds = sum(r["validation_seconds"] for r in summary_rows(result.data_dir, result.run_id))
    wall = _run_seconds(result.run_id)
    if seconds:
        share = f" of {wall:,.1f} s run wall time ({100 * seconds / wall:.1f}%)" if wall else ""
        print(f"  Validation time: {seconds:,.1f} s{share}", file=out)


def print_summary(result: RunResult, out: TextIO) -> None:
    warehouse = result.data_dir / "warehouse.duckdb"
    if os.environ.get("CARBONLEDGER_ENGINE") == "spark":  # the Spark tables, through DuckDB views
        from assets.exports.logic import spark_views_warehouse

        warehouse = spark_views_warehouse(result.data_dir)
    print(f"\nRun {result.run_id} for {result.years[0]}-{result.years[1]}: "
          f"{'succeeded' if result.success else 'FAILED'}", file=out)
    for failure in result.failures:
        print(f"  ! {failure}", file=out)
    if warehouse.exists():
        with duckdb.connect(str(warehouse), read_only=True) as con:
            _print_inventory(con, out)
            _print_unfactored(con, out)
    _print_validation(result, out)
    counts = quarantine_counts(Lake(result.data_dir / "lake"))
    print("\nRows in quarantine now, all months (see data/lake/quarantine/<table>/ for each row's reason):", file=out)
    if counts.is_empty():
        print("  none", file=out)
    for table, reason, n in counts.iter_rows():
        print(f"  {table:<24} {reason:<28} {n:>8,}", file=out)
    print(f"\nWarehouse: {warehouse}", file=out)
    print(f"Marts (Parquet): {result.data_dir / 'marts'}", file=out)


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                       [schema, table]).fetchone()[0] > 0


def _print_inventory(con: duckdb.DuckDBPyConnection, out: TextIO) -> None:
    if not _table_exists(con, "marts", "rpt_ghg_inventory_annual"):
        return
    rows = con.execute(
        """
        select
            reporting_year,
            sum(case when scope = 1 then t_co2e end) as scope1,
            sum(case when scope = 2 and scope2_method = 'location_based' then t_co2e end) as scope2_lb,
            sum(case when scope = 2 and scope2_method = 'market_based' then t_co2e end) as scope2_mb,
            sum(case when scope = 3 then t_co2e end) as scope3
        from marts.rpt_ghg_inventory_annual
        where is_group_total
        group by reporting_year
        order by reporting_year
        """
    ).fetchall()
    print("\nGroup inventory (t CO2e, consolidated under the policy's approach):", file=out)
    print(f"  {'year':<6}{'Scope 1':>14}{'Scope 2 LB':>14}{'Scope 2 MB':>14}{'Scope 3':>14}", file=out)
    for year, s1, s2l, s2m, s3 in rows:
        print(f"  {year:<6}{_fmt(s1):>14}{_fmt(s2l):>14}{_fmt(s2m):>14}{_fmt(s3):>14}", file=out)
    if _table_exists(con, "marts", "rpt_intensity_annual"):
        rows = con.execute(
            "select reporting_year, t_co2e_headline, headcount, t_co2e_per_capita from marts.rpt_intensity_annual "
            "where is_group_total order by reporting_year").fetchall()
        print(f"\n  {'year':<6}{'total (headline)':>18}{'headcount':>12}{'t per capita':>14}", file=out)
        for year, total, heads, per_capita in rows:
            print(f"  {year:<6}{_fmt(total):>18}{_fmt(heads):>12}{(f'{per_capita:.3f}' if per_capita else '—'):>14}",
                  file=out)


def _print_unfactored(con: duckdb.DuckDBPyConnection, out: TextIO) -> None:
    if not _table_exists(con, "marts", "fct_activity_without_factor"):
        return
    rows = con.execute(
        """
        select reporting_year, facility_id, category, missing_factor_reason, count(*), sum(activity_quantity), max(activity_unit)
        from marts.fct_activity_without_factor
        group by all order by 1, 2
        """
    ).fetchall()
    if rows:
        print("\nActivity with no factor (not in the totals above; pin a factor set for it in the policy):", file=out)
        for year, facility, category, reason, n, qty, unit in rows:
            quantity = "—" if qty is None else f"{qty:,.0f}"
            print(f"  {year} {facility or '—':<14} {category or '—':<26} {reason or '—':<30} {n:>4} rows "
                  f"{quantity:>14} {unit or ''}", file=out)

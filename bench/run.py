"""`make bench` (python -m bench.run): the whole pipeline timed on the synthetic group, side by side with
the floor (one hand-written DuckDB statement) and a pandas implementation of the accounts' rules.

Per scale (a fraction of the group: 0.1, 0.3, 1.06 by default; BENCH_SCALES or --scales to choose):
  1. generate the landing files once (2023-2024; a marker caches them; generation is not timed as a run);
  2. run the full pipeline for 2023 (`carbonledger run`, one Dagster run) on a landing holding 2023 only,
     sampling the RSS of the whole process tree every 0.2 s; per-stage wall times come from the Dagster
     event log (STEP_START / STEP_SUCCESS), the ledger's model times from dbt's run_results.json, the
     validation seconds from the run's validation fragments;
  3. run the floor statement on the same silver Parquet, and pandas on a 10% sample of the accounts
     (hash(account_id) % 10 = 0; in a child process, bench/pandas_side.py, so its peak memory is its own),
     and compare both with the ledger mart (per account and month); the year's figures are saved first
     (results-<scale>.partial.json) so a failure in a later phase keeps them;
  4. close one more month (2024-01, its behaviour events added to landing) incrementally: one run over
     that month's partitions, as the monthly_close schedule launches it;
then write docs/benchmarks.md (between the results markers) and print the table and the ratios.
Data goes under BENCH_DATA (default data/bench, git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from assets.ingest.logic import SILVER_SLICE_ROWS

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DOC = PROJECT_ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
YEAR, NEXT_MONTH = 2023, "2024-01"
PAGE = os.sysconf("SC_PAGE_SIZE")
LEDGER_MODELS = ("int_account_events_prepared", "fct_account_claims", "fct_account_ledger",
                 "int_account_ledger_summed_by_year", "rpt_account_balances")
# 1.06: 2023 of a 2023-2024 generation at `group` scale holds about 96.5 million events (card enrolment
# grows over both years); 6% more staff and card-holders give the "at least 100 million".
DEFAULT_SCALES = "0.1,0.3,1.06"
GOALS = {"year_seconds": 300.0, "peak_gb": 8.0, "ledger_vs_floor": 2.0, "vs_pandas": 5.0, "validation_share": 0.15,
         "month_share": 0.15}


# --- memory of a process tree ------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants."""
    tree, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(tree.get(pid, []))
    return total


@dataclass
class Sampled:
    seconds: float
    returncode: int
    samples: list[tuple[float, int]] = field(default_factory=list)  # (epoch seconds, bytes)

    @property
    def peak(self) -> int:
        return max((b for _, b in self.samples), default=0)

    def peak_between(self, start: float, end: float) -> int:
        return max((b for t, b in self.samples if start - 0.2 <= t <= end + 0.2), default=0)


def run_sampled(args: list[str], env: dict, log: Path, interval: float = 0.2) -> Sampled:
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)
        result = Sampled(0.0, 0)
        while proc.poll() is None:
            result.samples.append((time.time(), tree_rss(proc.pid)))
            time.sleep(interval)
    result.seconds = time.perf_counter() - started
    result.returncode = proc.returncode
    return result


class SelfSampler:
    """RSS of this process (floor and pandas run in it) sampled in a thread."""

    def __enter__(self):
        self.samples, self._stop = [], threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def _loop(self):
        while not self._stop.is_set():
            self.samples.append(tree_rss(os.getpid()))
            time.sleep(0.2)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.samples, default=0)


# --- data ----------------------------------------------------------------------------------------------


def generate(root: Path, fraction: float) -> tuple[Path, dict]:
    """Landing files of both years, once (the generator's own marker says whether they are complete)."""
    out = root / f"generated-{fraction:g}"
    marker = out / ".carbonledger-generated"
    scale = "group" if fraction == 1 else f"group@{fraction:g}"
    if marker.exists():
        info = json.loads(marker.read_text())
        if info.get("complete") and info.get("scale") == scale and info.get("years") == [YEAR, YEAR + 1]:
            return out, {"cached": True, **_event_counts(out)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipelines.cli", "generate", "--scale", scale, "--years",
                    f"{YEAR}-{YEAR + 1}", "--out", str(out)], check=True, cwd=PROJECT_ROOT)
    return out, {"cached": False, "seconds": round(time.perf_counter() - started, 1), **_event_counts(out)}


def _event_counts(landing: Path) -> dict:
    import pyarrow.parquet as pq

    files = sorted((landing / "behaviour" / str(YEAR)).glob("*.parquet"))
    meta = [pq.ParquetFile(f).metadata for f in files]
    codecs = {m.row_group(0).column(0).compression for m in meta if m.num_row_groups}
    return {"year_events": sum(m.num_rows for m in meta), "event_files": len(files), "compression": sorted(codecs)}


def landing_views(generated: Path, root: Path, fraction: float) -> tuple[Path, Path]:
    """Two landing folders of symbolic links: 2023 only; and 2023 plus the behaviour events of 2024-01."""
    year, month = root / f"landing-{fraction:g}-year", root / f"landing-{fraction:g}-month"
    for folder in (year, month):
        shutil.rmtree(folder, ignore_errors=True)
    for path in generated.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            rel = path.relative_to(generated)
            if str(YEAR + 1) in str(rel):
                continue
            for folder in (year, month):
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                (folder / rel).symlink_to(path)
    new = Path("behaviour") / str(YEAR + 1) / f"{NEXT_MONTH}.parquet"
    (month / new).parent.mkdir(parents=True, exist_ok=True)
    (month / new).symlink_to(generated / new)
    return year, month


# --- the pipeline --------------------------------------------------------------------------------------


def bench_policy(root: Path) -> Path:
    """The example policy without its `accounts` section (the illustrative demo filing and methodology
    version): bench/rules.py implements the shipped registry's rules, not policy additions."""
    import yaml

    from pipelines.policy import EXAMPLE_POLICY

    policy = yaml.safe_load(Path(EXAMPLE_POLICY).read_text(encoding="utf-8"))
    policy.pop("accounts", None)
    path = root / "bench-policy.yml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def pipeline_env(root: Path, fraction: float) -> dict:
    home = root / f"dagster-{fraction:g}"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "DAGSTER_HOME": str(home), "CARBONLEDGER_DEMO": "1", "CARBONLEDGER_CONFIG": str(bench_policy(root)),
            "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "PYTHONPATH": str(PROJECT_ROOT)}


def step_times(env: dict, run_id: str) -> list[dict]:
    """Per step: start (epoch) and seconds, from the run's event log."""
    code = f"""
import json
from dagster import DagsterEventType as T, DagsterInstance
with DagsterInstance.get() as inst:
    logs = inst.all_logs({run_id!r}, of_type={{T.STEP_START, T.STEP_SUCCESS, T.STEP_FAILURE}})
    starts, out = {{}}, []
    for e in logs:
        if e.dagster_event.event_type == T.STEP_START:
            starts[e.step_key] = e.timestamp
        elif e.step_key in starts:
            out.append({{"step": e.step_key, "start": starts[e.step_key], "end": e.timestamp,
                         "ok": e.dagster_event.event_type == T.STEP_SUCCESS}})
    stats = inst.get_run_stats({run_id!r})
    print(json.dumps({{"steps": out, "run": [stats.start_time, stats.end_time]}}))
"""
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=PROJECT_ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def latest_run_id(env: dict) -> str:
    code = ("from dagster import DagsterInstance\nwith DagsterInstance.get() as i:\n"
            "    print(i.get_runs(limit=1)[0].run_id)")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                          cwd=PROJECT_ROOT).stdout.strip().splitlines()[-1]


def dbt_model_seconds(run_id: str) -> dict[str, float]:
    times: dict[str, float] = {}
    for path in (PROJECT_ROOT / "dbt_project" / "target").glob(f"*-{run_id[:7]}-*/run_results.json"):
        for r in json.loads(path.read_text())["results"]:
            if r["unique_id"].startswith("model."):
                times[r["unique_id"].split(".")[-1]] = r["execution_time"]
    return times


def stage_of(step: str) -> str:
    if step.startswith("bronze"):
        return "ingest (bronze)"
    if step.startswith("silver"):
        return "validate (silver + quarantine)"
    return step


def summarise_run(env: dict, data: Path, sampled: Sampled, rows: int) -> dict:
    from assets.ingest.validation_report import summary_rows

    run_id = latest_run_id(env)
    log = step_times(env, run_id)
    stages: dict[str, dict] = {}
    for s in log["steps"]:
        stage = stages.setdefault(stage_of(s["step"]), {"start": s["start"], "end": s["end"], "seconds": 0.0,
                                                         "ok": True})
        stage["seconds"] += s["end"] - s["start"]
        stage["start"], stage["end"] = min(stage["start"], s["start"]), max(stage["end"], s["end"])
        stage["ok"] &= s["ok"]
    for stage in stages.values():
        stage["peak_rss"] = sampled.peak_between(stage["start"], stage["end"])
    validation = summary_rows(data, run_id)
    run_start, run_end = log["run"]
    failed = [s["step"] for s in log["steps"] if not s["ok"]]
    return {"run_id": run_id, "ok": sampled.returncode == 0, "failed_steps": failed, "process_seconds": sampled.seconds,
            "run_seconds": (run_end - run_start) if run_start and run_end else None,
            "peak_rss": sampled.peak, "stages": stages,
            "validation_seconds": sum(r["validation_seconds"] for r in validation),
            "bronze_rows": sum(r["bronze_rows"] for r in validation),
            "behaviour_rows": sum(r["bronze_rows"] for r in validation if r["table"] == "behaviour") or rows,
            "dbt_models": dbt_model_seconds(run_id)}


def run_year(root: Path, fraction: float, landing: Path, data: Path, env: dict, rows: int) -> dict:
    shutil.rmtree(data, ignore_errors=True)
    sampled = run_sampled([sys.executable, "-m", "pipelines.cli", "run", "--landing", str(landing), "--data",
                           str(data), "--years", str(YEAR)], env, root / f"run-{fraction:g}-year.log")
    return summarise_run(env, data, sampled, rows)


def run_month(root: Path, fraction: float, landing: Path, data: Path, env: dict) -> dict:
    sampled = run_sampled([sys.executable, "-m", "bench.run", "_month", "--landing", str(landing), "--data",
                           str(data), "--month", NEXT_MONTH], env, root / f"run-{fraction:g}-month.log")
    return summarise_run(env, data, sampled, 0)


def month_close(landing: str, data: str, month: str) -> int:
    """One run over one month's partitions and every unpartitioned asset (what monthly_close launches)."""
    from pipelines import cli

    cli.export_environment(argparse.Namespace(landing=landing, data=data, config=None, engine=None))
    cli._ensure_manifest()
    from dagster import DagsterInstance, execute_job, reconstructable

    from pipelines.jobs import month_window_tags
    from pipelines.policy import load_policy
    from pipelines.runner import carbonledger_job, prepare_dbt_parse

    policy = load_policy(os.environ["CARBONLEDGER_CONFIG"])
    tags = month_window_tags(f"{month}-01", f"{month}-01", "cli", policy.sha256)
    prepare_dbt_parse(dict(os.environ))
    with DagsterInstance.get() as instance:
        result = execute_job(reconstructable(carbonledger_job), instance=instance, tags=tags)
    print(f"month close {month}: run {result.run_id} {'succeeded' if result.success else 'FAILED'}")
    return 0 if result.success else 1


# --- floor and pandas ----------------------------------------------------------------------------------


DUCKDB_SETTINGS = {"threads": 2, "preserve_insertion_order": False, "memory_limit": "6GB", "TimeZone": "UTC"}


def floor_and_pandas(data: Path) -> dict:
    import duckdb

    from bench import rules

    warehouse = data / "warehouse.duckdb"
    if not warehouse.exists():  # a failed run leaves what dbt built in its working copy (pipelines/warehouse_lock.py)
        warehouse = data / ".building" / "warehouse.duckdb"
    lake = data / "lake" / "silver"
    events = f"read_parquet('{lake}/behaviour/*/*.parquet', hive_partitioning = true)"
    employees = f"read_parquet('{lake}/employees/**/*.parquet')"
    # A database file, not memory: at the group's scale the floor's output, the ledger's monthly totals and the
    # balances are tens of millions of rows each, compared in DuckDB rather than by a pandas merge.
    scratch = data / "bench_compare.duckdb"
    scratch.unlink(missing_ok=True)
    con = duckdb.connect(str(scratch))
    for name, value in DUCKDB_SETTINGS.items():
        con.execute(f"set {name} = '{value}'" if isinstance(value, str) else f"set {name} = {value}")
    con.execute(f"set temp_directory = '{data / 'bench_tmp'}'")
    con.execute("set enable_progress_bar = false")
    registry = rules.methodologies(con)
    months = f"activity_month between '{YEAR}-01' and '{YEAR}-12'"
    ev_year = f"(select * from {events} where {months})"
    with SelfSampler() as mem:  # the floor writes its result to a table, as the ledger's models do
        started = time.perf_counter()
        con.execute(f"create table floor_monthly as {rules.floor_sql(ev_year, employees, registry)}")
        floor_seconds = time.perf_counter() - started
    n_events = con.execute(f"select count(*) from {ev_year}").fetchone()[0]
    con.execute(f"attach '{warehouse}' as w (read_only)")
    entry_types = dict(con.execute("select entry_type, count(*) from w.marts.fct_account_ledger group by 1").fetchall())
    con.execute(f"""create table ledger_monthly as select account_id, scenario, activity_month,
                    sum(g_co2e_avoided) as g_co2e_avoided, sum(points) as points
                    from w.marts.fct_account_ledger where {months} group by all""")
    has_balances = con.execute("select count(*) from information_schema.tables where table_catalog = 'w' "
                               "and table_schema = 'marts' and table_name = 'rpt_account_balances'").fetchone()[0]
    con.execute(  # the balances mart, or (a run stopped before it) the sums of the ledger
        "create table ledger_balances as select account_id, scenario, g_co2e_avoided_total, points_balance from "
        + ("w.marts.rpt_account_balances" if has_balances else
           "(select account_id, scenario, sum(g_co2e_avoided) as g_co2e_avoided_total, sum(points) as points_balance "
           "from w.marts.fct_account_ledger group by all)"))
    con.execute("detach w")
    floor_vs_ledger = rules.compare(con, "floor_monthly", "ledger_monthly", ["account_id", "scenario", "activity_month"])
    con.execute("""create table floor_balances as select account_id, scenario,
                   sum(g_co2e_avoided) as g_co2e_avoided_total, sum(points) as points_balance
                   from floor_monthly group by all""")  # what rules.balances does in pandas
    floor_vs_balances = rules.compare(con, "floor_balances", "ledger_balances", ["account_id", "scenario"],
                                      "g_co2e_avoided_total", "points_balance")

    # pandas on 10% of the accounts (every rule sees all of an account's events), with the columns its rules read,
    # in a child process (bench/pandas_side.py) started after this connection has given its memory back
    sample = "hash(account_id) % 10 = 0"
    side_dir = data / "bench_pandas"
    shutil.rmtree(side_dir, ignore_errors=True)
    side_dir.mkdir(parents=True)
    con.execute(
        "copy (select event_id, account_id, scenario, behaviour_code, occurred_at, quantity_canonical, "
        f"unit_canonical, activity_month from {ev_year} where {sample}) to '{side_dir / 'events.parquet'}'")
    con.execute(f"copy (select employee_id, hire_date, leave_date from {employees}) "
                f"to '{side_dir / 'employees.parquet'}'")
    con.close()
    child = run_sampled([sys.executable, "-m", "bench.pandas_side", str(side_dir / "events.parquet"),
                         str(side_dir / "employees.parquet"), str(side_dir / "monthly.parquet")],
                        {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, side_dir / "pandas.log")
    log = (side_dir / "pandas.log").read_text()
    if child.returncode != 0:
        raise RuntimeError(f"the pandas side failed (exit {child.returncode}):\n{log[-3000:]}")
    timing = json.loads(log.strip().splitlines()[-1])
    con = duckdb.connect(str(scratch))
    con.execute(f"create table pandas_monthly as select * from read_parquet('{side_dir / 'monthly.parquet'}')")
    con.execute(f"create view ledger_sample as select * from ledger_monthly where {sample}")
    pandas_vs_ledger = rules.compare(con, "pandas_monthly", "ledger_sample", ["account_id", "scenario", "activity_month"])
    con.close()
    scratch.unlink(missing_ok=True)
    shutil.rmtree(side_dir, ignore_errors=True)
    pandas_events, pandas_seconds, load_seconds = timing["events"], timing["pandas_seconds"], timing["load_seconds"]
    return {"events": n_events, "floor_seconds": floor_seconds, "floor_peak_rss": mem.peak,
            "floor_vs_ledger": floor_vs_ledger, "floor_vs_balances": floor_vs_balances,
            "ledger_entry_types": entry_types, "balances_from": "rpt_account_balances" if has_balances else
            "fct_account_ledger sums (rpt_account_balances not built)",
            "pandas_events": pandas_events, "pandas_seconds": pandas_seconds, "pandas_load_seconds": load_seconds,
            "pandas_peak_rss": child.peak, "pandas_vs_ledger": pandas_vs_ledger}


# --- one scale -----------------------------------------------------------------------------------------


def bench_scale(root: Path, fraction: float) -> dict:
    print(f"\n== scale {fraction:g} of the group ==", flush=True)
    load_before = os.getloadavg()[0]
    generated, gen = generate(root, fraction)
    print(f"  landing: {gen['year_events']:,} behaviour events in {YEAR} ({gen['event_files']} files, "
          f"{'/'.join(gen['compression'])}){' (cached)' if gen['cached'] else ''}", flush=True)
    year_landing, month_landing = landing_views(generated, root, fraction)
    env = pipeline_env(root, fraction)
    data = root / f"data-{fraction:g}"
    print("  full year ...", flush=True)
    year = run_year(root, fraction, year_landing, data, env, gen["year_events"])
    print(f"  full year: {year['process_seconds']:.1f} s, peak {year['peak_rss'] / 2**30:.2f} GB, "
          f"{'ok' if year['ok'] else 'FAILED'}", flush=True)
    # the year's figures are kept at once: a later phase that fails (memory, disk) should not cost an hour's run
    (root / f"results-{fraction:g}.partial.json").write_text(json.dumps({"fraction": fraction, "year": year},
                                                                         indent=2, default=str))
    print("  floor and pandas ...", flush=True)
    side = floor_and_pandas(data)
    print("  one more month ...", flush=True)
    month = run_month(root, fraction, month_landing, data, env)
    print(f"  month: {month['process_seconds']:.1f} s, {'ok' if month['ok'] else 'FAILED'}", flush=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                            text=True).stdout.strip()
    result = {"fraction": fraction, "generation": gen, "year": year, "month": month, "side": side,
              "load_before": load_before, "commit": commit or None}
    (root / f"results-{fraction:g}.json").write_text(json.dumps(result, indent=2, default=str))
    (root / f"results-{fraction:g}.partial.json").unlink(missing_ok=True)  # the whole result holds the year too
    return result


# --- report --------------------------------------------------------------------------------------------


def _gb(b: float) -> str:
    return f"{b / 2**30:.2f}"


def ledger_seconds(year: dict) -> float:
    return sum(year["dbt_models"].get(m, 0.0) for m in LEDGER_MODELS)


def ratios(r: dict) -> dict:
    year, side, month = r["year"], r["side"], r["month"]
    ledger = ledger_seconds(year)
    events = side["events"]
    pandas_rate = side["pandas_events"] / side["pandas_seconds"] if side["pandas_seconds"] else 0.0
    total = year["process_seconds"]
    return {
        "year_seconds": total,
        "peak_gb": max(year["peak_rss"], month["peak_rss"]) / 2**30,  # the pipeline's, not the floor's
        "pipeline_peak_gb": year["peak_rss"] / 2**30,
        "ledger_seconds": ledger,
        "floor_seconds": side["floor_seconds"],
        "ledger_vs_floor": ledger / side["floor_seconds"] if side["floor_seconds"] else None,
        "ledger_rate": events / ledger if ledger else None,
        "floor_rate": events / side["floor_seconds"],
        "pandas_rate": pandas_rate,
        "pipeline_rate": events / total,
        "vs_pandas": (events / ledger) / pandas_rate if ledger and pandas_rate else None,
        "pipeline_vs_pandas": (events / total) / pandas_rate if pandas_rate else None,
        "validation_share": year["validation_seconds"] / total,
        "month_seconds": month["process_seconds"],
        "month_share": month["process_seconds"] / total,
    }


def goals(q: dict) -> list[tuple[str, str, bool]]:
    return [
        ("whole year, all stages, <= 5 min", f"{q['year_seconds']:.0f} s", q["year_seconds"] <= GOALS["year_seconds"]),
        ("peak memory <= 8 GB", f"{q['peak_gb']:.2f} GB", q["peak_gb"] <= GOALS["peak_gb"]),
        ("ledger within 2x of the floor", f"{q['ledger_vs_floor']:.2f}x",
         q["ledger_vs_floor"] is not None and q["ledger_vs_floor"] <= GOALS["ledger_vs_floor"]),
        (">= 5x pandas rows/s (ledger stage)", f"{q['vs_pandas']:.1f}x",
         q["vs_pandas"] is not None and q["vs_pandas"] >= GOALS["vs_pandas"]),
        ("validation <= 15% of the run", f"{100 * q['validation_share']:.1f}%",
         q["validation_share"] <= GOALS["validation_share"]),
        ("one more month <= 15% of the year", f"{100 * q['month_share']:.1f}%",
         q["month_share"] <= GOALS["month_share"]),
    ]


def machine() -> dict:
    import importlib.metadata as md

    mem = next(int(line.split()[1]) * 1024 for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    versions = {p: md.version(p) for p in ("dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "duckdb", "polars",
                                           "pyarrow", "great-expectations", "pandas", "numpy")}
    return {"cores": os.cpu_count(), "memory_gb": round(mem / 2**30, 1), "cpu": cpu, "python": platform.python_version(),
            "os": platform.platform(), "versions": versions, "load_before": os.getloadavg()}


def render(results: list[dict], info: dict) -> str:
    lines = [START, "", f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `python -m bench.run` "
             f"on {info['cores']} cores, {info['memory_gb']} GB ({info['cpu']}); Python {info['python']}; "
             "load average (1 min) before each scale's runs: "
             + ", ".join(f"{r['fraction']:g}: {r.get('load_before', float('nan')):.2f}" for r in results) + ".", "",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()) + ".", "",
             "DuckDB settings: dbt (dbt_project/profiles.yml) threads 2, preserve_insertion_order false, TimeZone UTC, "
             f"memory_limit {os.environ.get('CARBONLEDGER_DUCKDB_MEMORY_LIMIT', '5GB')}, claims in slices of "
             f"{int(os.environ.get('CARBONLEDGER_CLAIMS_SLICE_EVENTS', '10000000')):,} events (silver: months in slices "
             f"of {SILVER_SLICE_ROWS:,} rows); Parquet exports: the same memory_limit, preserve_insertion_order false; floor: " +
             ", ".join(f"{k} {v}" for k, v in DUCKDB_SETTINGS.items()) + ".", ""]
    for r in results:
        q, year, side = ratios(r), r["year"], r["side"]
        lines += [f"### {r['fraction']:g} of the group: {r['generation']['year_events']:,} behaviour events in {YEAR}, "
                  f"{year['bronze_rows']:,} landing rows in all"
                  + (f" (commit {r['commit']})" if r.get("commit") else ""), "",
                  f"Run {'succeeded' if year['ok'] else 'FAILED at ' + ', '.join(year.get('failed_steps', [])) + ' (later steps not executed)'}; process wall time {year['process_seconds']:.1f} s "
                  f"(Dagster run {year['run_seconds'] or 0:.1f} s), peak RSS of the process tree "
                  f"{_gb(year['peak_rss'])} GB.", "",
                  "| stage | wall s | rows/s | peak RSS GB | share of run |", "|---|---:|---:|---:|---:|"]
        for name, s in sorted(year["stages"].items(), key=lambda kv: kv[1]["start"]):
            rows = year["bronze_rows"] if name.startswith(("ingest", "validate")) else side["events"]
            lines.append(f"| {name} | {s['seconds']:.1f} | {rows / s['seconds']:,.0f} | {_gb(s['peak_rss'])} | "
                         f"{100 * s['seconds'] / year['process_seconds']:.1f}% |")
        scope = (f"at {r['fraction']:g} of it they are indicative only" if r["fraction"] < 1
                 else f"{r['fraction']:g} of it is at least the group")
        lines += [f"| of which validation (rules + GX) | {year['validation_seconds']:.1f} | | | "
                  f"{100 * q['validation_share']:.1f}% |",
                  f"| ledger models ({', '.join(LEDGER_MODELS)}) | {q['ledger_seconds']:.1f} | "
                  f"{q['ledger_rate'] or 0:,.0f} | | |",
                  f"| floor (one DuckDB statement) | {q['floor_seconds']:.1f} | {q['floor_rate']:,.0f} | "
                  f"{_gb(side['floor_peak_rss'])} | |",
                  f"| pandas, 10% of accounts ({side['pandas_events']:,} events) | {side['pandas_seconds']:.1f} | "
                  f"{q['pandas_rate']:,.0f} | {_gb(side['pandas_peak_rss'])} | |",
                  f"| one more month ({NEXT_MONTH}), incremental | {q['month_seconds']:.1f} | | "
                  f"{_gb(r['month']['peak_rss'])} | {100 * q['month_share']:.1f}% of the year |", "",
                  f"Ratios: ledger / floor {q['ledger_vs_floor']:.2f}x; ledger rows/s / pandas rows/s "
                  f"{q['vs_pandas']:.1f}x; whole pipeline rows/s / pandas {q['pipeline_vs_pandas']:.2f}x.", "",
                  f"Agreement with the ledger mart (per account and month): floor {_agree(side['floor_vs_ledger'])}; "
                  f"floor balances vs {side.get('balances_from', 'rpt_account_balances')} {_agree(side['floor_vs_balances'])}; pandas (sampled "
                  f"accounts) {_agree(side['pandas_vs_ledger'])}. Ledger entry types: {side['ledger_entry_types']}.",
                  "", f"Goals (set for the whole group; {scope}):", "",
                  "| goal | measured | met |", "|---|---:|---|"]
        lines += [f"| {g} | {m} | {'yes' if ok else '**no**'} |" for g, m, ok in goals(q)]
        lines.append("")
    if len(results) > 1:
        lines += ["### Scaling", "", "| fraction | events | year s | s per million events | peak GB | month s |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for r in results:
            q = ratios(r)
            lines.append(f"| {r['fraction']:g} | {r['generation']['year_events']:,} | {q['year_seconds']:.1f} | "
                         f"{q['year_seconds'] / (r['generation']['year_events'] / 1e6):.2f} | {q['pipeline_peak_gb']:.2f} | "
                         f"{q['month_seconds']:.1f} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def _agree(c: dict) -> str:
    return ("agree" if c["agree"] else "DISAGREE") + (f" ({c['rows_right']:,} rows; only floor/pandas {c['only_left']}, "
                                                      f"only mart {c['only_right']}, grams differ {c['grams_differ']}, "
                                                      f"points differ {c['points_differ']})")


def write_doc(block: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START in text and END in text:
        text = text[:text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text += "\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    month = sub.add_parser("_month", help="(internal) one incremental month close")
    month.add_argument("--landing", required=True)
    month.add_argument("--data", required=True)
    month.add_argument("--month", required=True)
    parser.add_argument("--scales", default=os.environ.get("BENCH_SCALES", DEFAULT_SCALES),
                        help=f"fractions of the group, comma-separated (default {DEFAULT_SCALES}; env BENCH_SCALES)")
    parser.add_argument("--data-root", default=os.environ.get("BENCH_DATA", str(PROJECT_ROOT / "data" / "bench")))
    parser.add_argument("--report-only", action="store_true", help="rewrite the doc from the saved results")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.command == "_month":
        return month_close(args.landing, args.data, args.month)
    root = Path(args.data_root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    fractions = [float(f) for f in args.scales.split(",") if f.strip()]
    info = machine()
    results = []
    for fraction in fractions:
        saved = root / f"results-{fraction:g}.json"
        results.append(json.loads(saved.read_text()) if args.report_only else bench_scale(root, fraction))
    block = render(results, info)
    print("\n" + block)
    if not args.no_doc:
        write_doc(block)
        print(f"\nWrote {DOC}")
    failed = [r["fraction"] for r in results if not (r["year"]["ok"] and r["side"]["floor_vs_ledger"]["agree"]
                                                      and r["side"]["pandas_vs_ledger"]["agree"])]
    if failed:
        print(f"Runs failed or disagreed at scales {failed}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

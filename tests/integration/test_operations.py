"""Operating it: two concurrent runs, a 24-month backfill as one run, a run killed mid-write, an alert.

Three `carbonledger run` processes in all (two started together, one killed, one re-run) on the spine
fixture extended to 24 months; the module-scoped fixtures share them across the assertions.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from tests.conftest import FIXTURES, PROJECT_ROOT, VENV_BIN, cli_env, run_cli

pytestmark = pytest.mark.integration
CASE = FIXTURES / "spine_basic"
MONTHS = [f"{y}-{m:02d}-01" for y in (2022, 2023) for m in range(1, 13)]
RUN_LINE = re.compile(r"^Run ([0-9a-f-]{36}) for 2022-2023: (succeeded|FAILED)", re.M)


# --- fixtures ------------------------------------------------------------------------------------


def _landing_24_months(target: Path) -> Path:
    """The spine fixture (2022) plus a 2023 copy of its CSV files: 24 months, 2022's figures unchanged."""
    shutil.copytree(CASE / "landing", target)
    for source in sorted((target / "energy" / "2022").glob("*.csv")):
        out = target / "energy" / "2023" / source.name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(source.read_bytes().replace(b"2022-", b"2023-"))  # ASCII dates, also in GB18030
    for source in sorted((target / "org" / "headcount").glob("*2022*.csv")):
        (source.parent / source.name.replace("2022", "2023")).write_bytes(source.read_bytes().replace(b"2022-", b"2023-"))
    return target


class _Webhook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        type(self).received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def webhook():
    handler = type("Webhook", (_Webhook,), {"received": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/alerts", handler.received
    server.shutdown()
    server.server_close()


def _popen(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([str(VENV_BIN / "carbonledger"), *args], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


@pytest.fixture(scope="module")
def concurrent(tmp_path_factory, dbt_manifest, webhook):
    """Two runs of the same 24 months on the same data folder, started together."""
    tmp = tmp_path_factory.mktemp("ops")
    landing = _landing_24_months(tmp / "landing")
    data = tmp / "data"
    url, received = webhook
    env = cli_env(tmp, CARBONLEDGER_LOCK_WAIT_SECONDS="3", CARBONLEDGER_ALERT_WEBHOOK=url)
    args = ["run", "--landing", str(landing), "--data", str(data), "--years", "2022-2023"]
    # Create the Dagster instance's SQLite storage first: two processes creating it at the same moment
    # both stamp its schema version (a Dagster limitation, not the warehouse's).
    with _instance(tmp) as instance:
        instance.get_runs()
    procs = [_popen(args, env) for _ in range(2)]
    outputs = [p.communicate(timeout=900)[0] for p in procs]
    return {"tmp": tmp, "landing": landing, "data": data, "env": env, "args": args,
            "results": [(p.returncode, out) for p, out in zip(procs, outputs)], "alerts": received}


def _winner(concurrent) -> tuple[str, str]:
    (rc, out), = [r for r in concurrent["results"] if r[0] == 0]
    return RUN_LINE.search(out).group(1), out


def _query(data: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def _instance(tmp: Path):
    from dagster import DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    return DagsterInstance.from_ref(InstanceRef.from_dir(str(tmp / "dagster_home")))


def _marts_fingerprint(data: Path) -> dict[str, str]:
    return {str(p.relative_to(data)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((data / "marts").rglob("*.parquet"))}


INVENTORY_SQL = ("select reporting_year, entity_id, is_group_total, scope, category, scope2_method, t_co2e "
                 "from marts.rpt_ghg_inventory_annual order by all")
BJ_2023_SQL = ("select sum(t_co2e) from marts.fct_emissions where facility_id = 'F-BJ-01' and reporting_year = 2023 "
               "and scope2_method = 'location_based'")


# --- two runs at once ----------------------------------------------------------------------------


def test_of_two_concurrent_runs_one_completes_and_the_other_reports_the_busy_warehouse(concurrent):
    codes = sorted(rc for rc, _ in concurrent["results"])
    assert codes == [0, 1], concurrent["results"]
    winner_id, _ = _winner(concurrent)
    (loser_out,) = [out for rc, out in concurrent["results"] if rc == 1]
    assert f"warehouse busy: run {winner_id}" in loser_out
    # refused before it wrote anything: not a DuckDB lock error in the middle of a write
    assert "Could not set lock" not in loser_out and "IO Error" not in loser_out


def test_the_busy_run_alerted_the_webhook(concurrent):
    winner_id, _ = _winner(concurrent)
    (alert,) = concurrent["alerts"]
    assert alert["kind"] == "run failed" and alert["trigger"] == "cli"
    assert any(f"warehouse busy: run {winner_id}" in step["error"] for step in alert["failed_steps"])
    logged = [json.loads(line) for line in (concurrent["data"] / "logs" / "alerts.log").read_text().splitlines()]
    assert [a["run_id"] for a in logged] == [alert["run_id"]] and logged[0]["webhook"].startswith("sent (HTTP 204)")


def test_after_the_concurrent_runs_the_warehouse_holds_the_hand_worked_figures(concurrent):
    data = concurrent["data"]
    expected = yaml.safe_load((CASE / "expected.yaml").read_text(encoding="utf-8"))
    got = {(e, g): t for e, g, t in _query(data, "select entity_id, is_group_total, t_co2e from marts.rpt_ghg_inventory_annual "
                                                 "where reporting_year = 2022 and scope2_method = 'location_based'")}
    for row in expected["inventory"]:
        assert got[(row["entity_id"], row["is_group_total"])] == pytest.approx(row["t_co2e"], rel=1e-9)
    years = [r[0] for r in _query(data, "select distinct reporting_year from marts.rpt_ghg_inventory_annual order by 1")]
    assert years == [2022, 2023]
    assert not (data / "warehouse.duckdb.wal").exists()  # swapped in checkpointed
    assert not (data / ".building" / "warehouse.duckdb").exists()  # the working copy became the warehouse
    exported = pl.read_parquet(data / "marts" / "rpt_ghg_inventory_annual", hive_partitioning=True)
    assert sorted(exported["reporting_year"].unique().to_list()) == [2022, 2023]


# --- a backfill of 24 months is one run ----------------------------------------------------------


def test_a_24_month_backfill_is_one_run_with_each_step_once_and_each_partition_once(concurrent):
    from dagster import AssetKey, DagsterEventType, DagsterRunStatus

    winner_id, _ = _winner(concurrent)
    instance = _instance(concurrent["tmp"])
    runs = instance.get_runs()
    assert sorted(r.status.value for r in runs) == sorted([DagsterRunStatus.SUCCESS.value, DagsterRunStatus.FAILURE.value])
    run = instance.get_run_by_id(winner_id)
    assert run.tags["dagster/asset_partition_range_start"] == "2022-01-01"
    assert run.tags["dagster/asset_partition_range_end"] == "2023-12-01"
    starts = [e.step_key for e in instance.all_logs(winner_id, of_type=DagsterEventType.STEP_START)]
    assert len(starts) == len(set(starts))  # every step ran once
    assert {"dbt_foundation", "dbt_monthly_facts", "dbt_annual_marts", "silver_energy"} <= set(starts)
    by_asset: dict[AssetKey, list] = {}
    for entry in instance.all_logs(winner_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
        materialization = entry.dagster_event.event_specific_data.materialization
        by_asset.setdefault(materialization.asset_key, []).append(materialization.partition)
    for monthly in (["silver", "energy"], ["bronze", "energy"], ["marts", "fct_emissions"]):
        partitions = by_asset[AssetKey(monthly)]
        assert sorted(partitions) == MONTHS, monthly  # each of the 24 months exactly once
    for annual in (["marts", "rpt_ghg_inventory_annual"], ["marts", "rpt_intensity_annual"], ["exports", "marts_parquet"]):
        assert by_asset[AssetKey(annual)] == [None], annual


def test_the_dbt_steps_report_rows_window_policy_and_factor_sets_and_the_marts_a_preview(concurrent):
    from dagster import AssetKey

    instance = _instance(concurrent["tmp"])
    fct = instance.get_latest_materialization_event(AssetKey(["marts", "fct_emissions"])).asset_materialization.metadata
    assert fct["time_window"].value == "2022-01 .. 2023-12"
    assert len(fct["policy_sha256"].value) == 64
    assert fct["dagster/row_count"].value == _query(concurrent["data"], "select count(*) from marts.fct_emissions")[0][0]
    assert "electricity_location_based" in fct["factor_sets"].value
    rpt = instance.get_latest_materialization_event(
        AssetKey(["marts", "rpt_ghg_inventory_annual"])).asset_materialization.metadata
    assert "| year |" in rpt["preview"].value and "1,180.1" in rpt["preview"].value


# --- a run killed in the middle of a write -------------------------------------------------------


@pytest.fixture(scope="module")
def killed(concurrent):
    """Change a 2023 file, start a run, SIGKILL it while dbt writes; record what readers see."""
    data, landing = concurrent["data"], concurrent["landing"]
    before = {"inventory": _query(data, INVENTORY_SQL), "bj_2023": _query(data, BJ_2023_SQL)[0][0],
              "marts": _marts_fingerprint(data)}
    beijing = landing / "energy" / "2023" / "beijing.csv"
    beijing.write_text(beijing.read_text(encoding="utf-8").replace('"100,000"', '"200,000"'), encoding="utf-8")
    env = {**concurrent["env"], "CARBONLEDGER_LOCK_WAIT_SECONDS": "300"}
    for log in (data / "logs").glob("run-*.log"):
        log.unlink()
    proc = _popen(concurrent["args"], env)
    wal = data / ".building" / "warehouse.duckdb.wal"
    deadline = time.monotonic() + 900
    try:
        while time.monotonic() < deadline:
            logs = "".join(p.read_text(errors="replace") for p in (data / "logs").glob("run-*.log"))
            if "dbt_monthly_facts - STEP_START" in logs and wal.exists():
                break  # the monthly facts step has started writing the run's warehouse
            assert proc.poll() is None, "the run ended before dbt wrote anything"
            time.sleep(0.1)
        else:
            pytest.fail("dbt never started writing")
        os.kill(proc.pid, signal.SIGKILL)  # the run's process only: its dbt child may live on a while
        proc.wait()
        after = {"inventory": _query(data, INVENTORY_SQL), "bj_2023": _query(data, BJ_2023_SQL)[0][0],
                 "marts": _marts_fingerprint(data)}
    finally:
        if proc.poll() is None:
            proc.kill()
    return {**concurrent, "before": before, "after": after, "env": env}


def test_a_run_killed_mid_write_leaves_the_previous_marts_and_exports_readable_and_unchanged(killed):
    assert killed["after"]["inventory"] == killed["before"]["inventory"]
    assert killed["after"]["bj_2023"] == killed["before"]["bj_2023"]
    assert killed["after"]["marts"] == killed["before"]["marts"]
    assert not (killed["data"] / "warehouse.duckdb.wal").exists()


@pytest.fixture(scope="module")
def rerun(killed):
    result = run_cli(killed["args"], killed["env"])
    return {**killed, "rc": result.returncode, "out": result.stdout + result.stderr}


def test_the_next_run_completes_the_marts_and_exports(rerun):
    assert rerun["rc"] == 0, rerun["out"][-4000:]
    data = rerun["data"]
    # Beijing's 2023 electricity doubled in the landing file: its emissions double, 2022 stays as it was
    assert _query(data, BJ_2023_SQL)[0][0] == pytest.approx(2 * rerun["before"]["bj_2023"], rel=1e-9)
    inventory_2022 = [r for r in _query(data, INVENTORY_SQL) if r[0] == 2022]
    assert inventory_2022 == [r for r in rerun["before"]["inventory"] if r[0] == 2022]
    exported = pl.read_parquet(data / "marts" / "fct_emissions", hive_partitioning=True)
    bj = exported.filter((pl.col("facility_id") == "F-BJ-01") & (pl.col("reporting_year") == 2023)
                         & (pl.col("scope2_method") == "location_based"))["t_co2e"].sum()
    assert bj == pytest.approx(2 * rerun["before"]["bj_2023"], rel=1e-9)
    assert _marts_fingerprint(data) != rerun["before"]["marts"]


# --- a new month of landing files: the sensor's run, executed ------------------------------------

SENSOR_RUN = r"""
import json, sys
from dagster import DagsterEventType, DagsterInstance, build_sensor_context, execute_job, reconstructable
from pipelines.definitions import defs
from pipelines.runner import carbonledger_job
from pipelines.sensors import landing_files_sensor

context = build_sensor_context(definitions=defs, resources={"carbonledger": defs.resources["carbonledger"]})
result = landing_files_sensor(context)
(request,) = result.run_requests
with DagsterInstance.get() as instance:
    run = execute_job(reconstructable(carbonledger_job), instance=instance, tags=request.tags,
                      asset_selection=request.asset_selection)
    materialised = {}
    for entry in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
        m = entry.dagster_event.event_specific_data.materialization
        materialised.setdefault(m.asset_key.to_user_string(), []).append(m.partition)
again = landing_files_sensor(build_sensor_context(definitions=defs, cursor=result.cursor,
                                                  resources={"carbonledger": defs.resources["carbonledger"]}))
print("RESULT " + json.dumps({"success": run.success, "tags": dict(request.tags),
                              "selection": sorted(k.to_user_string() for k in request.asset_selection),
                              "materialised": materialised, "requests_after": len(again.run_requests or [])}))
"""


@pytest.fixture(scope="module")
def sensor_run(rerun):
    data, landing = rerun["data"], rerun["landing"]
    new = landing / "energy" / "2024" / "beijing-2024-01.csv"
    new.parent.mkdir(parents=True)
    new.write_text("record_id,facility_id,period_start,period_end,energy_type,quantity,unit,data_source\n"
                   "F-BJ-01-2024-01,F-BJ-01,2024-01-01,2024-01-31,electricity,\"100,000\",kWh,meter\n", encoding="utf-8")
    env = {**rerun["env"], "CARBONLEDGER_DATA": str(data), "CARBONLEDGER_LANDING": str(landing)}
    done = subprocess.run([str(VENV_BIN / "python"), "-c", SENSOR_RUN], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    line = next((l for l in done.stdout.splitlines() if l.startswith("RESULT ")), None)
    assert line, done.stdout[-3000:] + done.stderr[-3000:]
    return {**rerun, **json.loads(line[len("RESULT "):])}


def test_a_new_month_of_files_runs_exactly_its_dependents_for_that_month(sensor_run):
    assert sensor_run["success"]
    tags = sensor_run["tags"]
    assert (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]) == \
        ("2024-01-01", "2024-01-01")
    materialised = sensor_run["materialised"]
    assert set(materialised) == set(sensor_run["selection"])  # what was requested ran, and only that
    assert materialised["silver/energy"] == ["2024-01-01"] and materialised["marts/fct_emissions"] == ["2024-01-01"]
    assert materialised["marts/rpt_ghg_inventory_annual"] == [None]
    assert not any(k.startswith(("seeds/", "bronze/org", "silver/org")) or k == "policy" for k in materialised)
    assert sensor_run["requests_after"] == 0  # requested once
    # the new reading reached the facts (with a factor, or listed as without one if 2024 has no pin)
    found = _query(sensor_run["data"], "select count(*) from (select record_id from marts.fct_emissions union all "
                                       "select record_id from marts.fct_activity_without_factor) "
                                       "where record_id = 'F-BJ-01-2024-01'")[0][0]
    assert found >= 1

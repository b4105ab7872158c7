"""The landing sensor: new, changed or removed files → one run of exactly what depends on them, once."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from dagster import AssetKey, SensorResult, build_sensor_context

from assets.ingest.lake import Lake
from assets.ingest.logic import ingest_bronze, tables_in_dependency_order
from pipelines.policy import load_policy
from pipelines.resources import CarbonLedgerResource
from pipelines.sensors import landing_changes
from tests.conftest import FIXTURES

RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


@pytest.fixture(scope="module")
def defs(dbt_manifest):
    from pipelines.definitions import defs

    return defs


@pytest.fixture
def folders(tmp_path):
    """The spine fixture's landing folder, ingested into bronze (so the manifests are up to date)."""
    landing, data = tmp_path / "landing", tmp_path / "data"
    shutil.copytree(FIXTURES / "spine_basic" / "landing", landing)
    lake = Lake(data / "lake")
    tz = load_policy(None).timezone
    for table in tables_in_dependency_order():
        ingest_bronze(table, landing, lake, "test", tz)
    (data / "warehouse.duckdb").write_bytes(b"")  # a previous run built the warehouse
    return landing, data


def evaluate(defs, landing: Path, data: Path, cursor: str | None = None) -> SensorResult:
    from pipelines.sensors import landing_files_sensor

    resource = CarbonLedgerResource(landing_dir=str(landing), data_dir=str(data))
    context = build_sensor_context(cursor=cursor, definitions=defs, resources={"carbonledger": resource})
    return landing_files_sensor(context)


def keys(request) -> set[str]:
    return {k.to_user_string() for k in request.asset_selection}


def write_energy(path: Path, months: list[str], facility: str = "F-BJ-01") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["record_id,facility_id,period_start,period_end,energy_type,quantity,unit,data_source"]
    for month in months:
        lines.append(f"{facility}-{month},{facility},{month}-01,{month}-28,electricity,1000,kWh,meter")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_an_unchanged_landing_folder_requests_nothing(defs, folders):
    landing, data = folders
    result = evaluate(defs, landing, data)
    assert not result.run_requests
    assert "match" in result.skip_reason.skip_message


def test_a_new_month_of_files_requests_exactly_its_dependents_for_that_month(defs, folders):
    landing, data = folders
    write_energy(landing / "energy" / "2023" / "beijing-2023-01.csv", ["2023-01"])
    write_energy(landing / "energy" / "2023" / "shanghai-2023-01.csv", ["2023-01"], facility="F-SH-01")
    result = evaluate(defs, landing, data)
    assert len(result.run_requests) == 1
    request = result.run_requests[0]
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == ("2023-01-01", "2023-01-01")
    assert request.tags["carbonledger/trigger"] == "landing_sensor"
    selected = keys(request)
    # energy's own layers, the dbt models that read silver.energy, the marts built on them, the exports
    for key in ("bronze/energy", "silver/energy", "quarantine/energy", "staging/stg_energy", "marts/fct_emissions",
                "marts/rpt_ghg_inventory_annual", "marts/rpt_intensity_annual", "exports/marts_parquet"):
        assert key in selected, key
    # ... and nothing that does not depend on energy
    for key in ("policy", "bronze/org_entities", "silver/org_facilities", "bronze/travel", "silver/travel",
                "staging/stg_travel", "staging/stg_org_facilities", "silver/org_headcount"):
        assert key not in selected, key
    assert not any(k.startswith(("seeds/", "bronze/")) and k != "bronze/energy" for k in selected)
    # exactly the downstream closure of bronze/energy in the asset graph
    graph = defs.resolve_asset_graph()
    closure, frontier = set(), [AssetKey(["bronze", "energy"])]
    while frontier:
        key = frontier.pop()
        if key not in closure:
            closure.add(key)
            frontier.extend(graph.get(key).child_keys)
    assert selected == {k.to_user_string() for k in closure}


def test_a_requested_change_is_not_requested_again(defs, folders):
    landing, data = folders
    write_energy(landing / "energy" / "2023" / "beijing-2023-01.csv", ["2023-01"])
    first = evaluate(defs, landing, data)
    assert len(first.run_requests) == 1
    again = evaluate(defs, landing, data, cursor=first.cursor)
    assert not again.run_requests  # its run is queued or running: bronze has not caught up yet
    # a second file arriving meanwhile is requested on its own, for its own month
    write_energy(landing / "energy" / "2023" / "beijing-2023-02.csv", ["2023-02"])
    second = evaluate(defs, landing, data, cursor=again.cursor)
    assert len(second.run_requests) == 1
    request = second.run_requests[0]
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == ("2023-02-01", "2023-02-01")
    assert request.run_key != first.run_requests[0].run_key
    # once bronze has ingested them, the cursor forgets them and nothing is requested
    tz = load_policy(None).timezone
    for table in tables_in_dependency_order():
        ingest_bronze(table, landing, Lake(data / "lake"), "test", tz)
    settled = evaluate(defs, landing, data, cursor=second.cursor)
    assert not settled.run_requests
    assert json.loads(settled.cursor)["requested"] == {}


def test_changed_and_removed_files_touch_their_old_and_new_months(defs, folders):
    landing, data = folders
    # beijing.csv now holds only March and a new month of 2023: its twelve 2022 months and 2023-04 change
    write_energy(landing / "energy" / "2022" / "beijing.csv", ["2022-03", "2023-04"])
    (landing / "energy" / "2022" / "chengdu.csv").unlink()
    result = evaluate(defs, landing, data)
    request = result.run_requests[0]
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == ("2022-01-01", "2023-04-01")
    assert "removed energy/2022/chengdu.csv" in request.tags["carbonledger/landing_changes"]
    assert "bronze/org_facilities" not in keys(request)


def test_a_changed_dimension_rebuilds_every_month_the_lake_holds(defs, folders):
    landing, data = folders
    facilities = landing / "org" / "facilities" / "facilities.csv"
    facilities.write_text(facilities.read_text(encoding="utf-8").replace("Beijing head office", "Beijing HQ"),
                          encoding="utf-8")
    os.utime(facilities, ns=(1, 1))  # a different mtime even on a coarse clock
    request = evaluate(defs, landing, data).run_requests[0]
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == ("2022-01-01", "2022-12-01")
    selected = keys(request)
    # facilities are known keys of the activity tables: their silver is re-validated, and all downstream
    assert {"bronze/org_facilities", "silver/org_facilities", "silver/energy", "marts/fct_emissions"} <= selected
    assert "bronze/energy" not in selected and "bronze/org_entities" not in selected


def test_with_no_warehouse_yet_the_whole_graph_runs(defs, folders):
    landing, data = folders
    (data / "warehouse.duckdb").unlink()
    write_energy(landing / "energy" / "2023" / "beijing-2023-01.csv", ["2023-01"])
    request = evaluate(defs, landing, data).run_requests[0]
    assert request.asset_selection is None  # the job's whole selection: seeds and policy included


def test_landing_changes_reads_only_fingerprints(folders):
    landing, data = folders
    assert landing_changes(landing, Lake(data / "lake")) == []
    write_energy(landing / "energy" / "2023" / "x.csv", ["2023-05"])
    (changed,) = landing_changes(landing, Lake(data / "lake"))
    assert (changed.table, changed.source_file, changed.kind) == ("energy", "energy/2023/x.csv", "new")

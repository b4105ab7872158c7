"""The whole graph through `carbonledger run` on a hand-made landing folder, against hand-worked figures."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from tests.conftest import FIXTURES, cli_env, run_cli

pytestmark = pytest.mark.integration
CASE = FIXTURES / "spine_basic"


@pytest.fixture(scope="module")
def spine_run(tmp_path_factory, dbt_manifest):
    tmp = tmp_path_factory.mktemp("spine")
    env = cli_env(tmp)
    result = run_cli(["run", "--landing", str(CASE / "landing"), "--data", str(tmp / "data"),
                      "--config", str(CASE / "policy.yml")], env)
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp / "data", result.stdout


@pytest.fixture(scope="module")
def expected():
    return yaml.safe_load((CASE / "expected.yaml").read_text(encoding="utf-8"))


def _query(data: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def test_scope2_location_based_matches_hand_arithmetic(spine_run, expected):
    data, _ = spine_run
    rows = _query(data, "select entity_id, is_group_total, t_co2e from marts.rpt_ghg_inventory_annual "
                        "where reporting_year = 2022 and scope = 2 and scope2_method = 'location_based'")
    got = {(r["entity_id"], r["is_group_total"]): r["t_co2e"] for r in rows}
    assert len(got) == len(expected["inventory"])
    for row in expected["inventory"]:
        assert got[(row["entity_id"], row["is_group_total"])] == pytest.approx(row["t_co2e"], rel=1e-9)


def test_scope2_market_based_matches_hand_arithmetic(spine_run, expected):
    data, _ = spine_run
    rows = _query(data, "select entity_id, is_group_total, t_co2e from marts.rpt_ghg_inventory_annual "
                        "where reporting_year = 2022 and scope = 2 and scope2_method = 'market_based'")
    got = {(r["entity_id"], r["is_group_total"]): r["t_co2e"] for r in rows}
    assert len(got) == len(expected["inventory_market_based"])
    for row in expected["inventory_market_based"]:
        assert got[(row["entity_id"], row["is_group_total"])] == pytest.approx(row["t_co2e"], rel=1e-9)


def test_intensity_matches_hand_arithmetic(spine_run, expected):
    data, _ = spine_run
    rows = {(r["entity_id"], r["is_group_total"]): r
            for r in _query(data, "select * from marts.rpt_intensity_annual where reporting_year = 2022")}
    for row in expected["intensity"]:
        got = rows[(row["entity_id"], row["is_group_total"])]
        for column in ("t_co2e_total_location_based", "t_co2e_total_market_based", "headcount", "t_co2e_per_capita",
                       "floor_area_m2", "kg_co2e_per_m2"):
            assert got[column] == pytest.approx(row[column], rel=1e-5), column


def test_electricity_without_a_factor_is_listed_not_zeroed(spine_run, expected):
    data, stdout = spine_run
    rows = _query(data, "select facility_id, count(*) as n, sum(activity_quantity) as kwh, max(missing_factor_reason) as reason "
                        "from marts.fct_activity_without_factor group by facility_id")
    want = expected["without_factor"][0]
    assert rows == [{"facility_id": want["facility_id"], "n": want["rows"], "kwh": want["activity_quantity"],
                     "reason": want["missing_factor_reason"]}]
    assert "F-HK-01" in stdout and "no_factor_in_pinned_sets_for_place" in stdout
    hk = _query(data, "select count(*) as n from marts.fct_emissions where facility_id = 'F-HK-01'")
    assert hk == [{"n": 0}]


def test_every_emission_row_traces_to_its_source_row_and_factor(spine_run):
    data, _ = spine_run
    rows = _query(data, "select source_file, source_row, record_id, factor_id, gwp_set, policy_sha256, t_co2e, "
                        "activity_quantity from marts.fct_emissions where record_id = 'F-SH-01-2022-03' and scope2_method = 'location_based'")
    assert len(rows) == 1
    row = rows[0]
    # 2 万千瓦时 on row 4 of the GB18030 file (the header is row 1; March is the third data row).
    assert (row["source_file"], row["source_row"]) == ("energy/2022/上海分行.csv", 4)
    assert row["factor_id"] == "cn_mee_2022_regional_east_co2"
    assert row["activity_quantity"] == 20_000
    assert row["t_co2e"] == pytest.approx(20_000 * 0.5617 / 1000)
    assert row["gwp_set"] == "AR5" and len(row["policy_sha256"]) == 64


def test_marts_are_exported_as_parquet_by_year(spine_run):
    data, _ = spine_run
    exported = pl.read_parquet(data / "marts" / "rpt_ghg_inventory_annual", hive_partitioning=True)
    assert exported.height == 8  # 3 entities and the group row, each location- and market-based
    assert (data / "marts" / "rpt_ghg_inventory_annual" / "reporting_year=2022").is_dir()


def test_the_summary_prints_scope2_and_the_warehouse(spine_run):
    data, stdout = spine_run
    assert "1,180.1" in stdout
    assert str(data / "warehouse.duckdb") in stdout

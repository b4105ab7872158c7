"""Data centres end to end on a hand-made landing folder (tests/fixtures/datacenter_basic): telemetry with
a gap across a month end, a duplicate interval, out-of-order rows and two counter resets, through silver
and dbt, under two policies that pin different grid factors; against the figures worked out by hand in
expected.yaml. One test runs `carbonledger run` to show the Dagster path gives the same mart and chart.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from assets.datacenter.logic import png_size
from tests.conftest import FIXTURES, cli_env, run_cli
from tests.pipeline_harness import BuiltWarehouse, build_warehouse

pytestmark = pytest.mark.integration
CASE = FIXTURES / "datacenter_basic"
POLICIES = ("policy_mee.yml", "policy_ets.yml")
REL = 1e-9


@pytest.fixture(scope="module")
def expected() -> dict:
    return yaml.safe_load((CASE / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, BuiltWarehouse]:
    """The warehouse built once per policy (the same landing files)."""
    return {policy: build_warehouse(CASE / "landing", tmp_path_factory.mktemp(policy.removesuffix(".yml")),
                                    CASE / policy)
            for policy in POLICIES}


def _approx(value):
    return None if value is None else pytest.approx(value, rel=REL, abs=1e-12)


def _pue_rows(warehouse: BuiltWarehouse) -> dict[tuple[str, str], dict]:
    return {(r["facility_id"], r["period"]): r for r in warehouse.query("select * from marts.rpt_datacenter_pue")}


@pytest.mark.parametrize("policy", POLICIES)
def test_pue_savings_and_money_match_hand_arithmetic(built, expected, policy):
    rows = _pue_rows(built[policy])
    for want in expected["pue"]:
        got = rows[(want["facility_id"], want["period"])]
        for column, value in want.items():
            if column in ("facility_id", "period"):
                continue
            if isinstance(value, (bool, str)) or value is None:
                assert got[column] == value, (want["period"], column)
            else:
                assert got[column] == _approx(value), (want["facility_id"], want["period"], column)


@pytest.mark.parametrize("policy", POLICIES)
def test_tonnes_avoided_use_the_pinned_grid_factor(built, expected, policy):
    rows = _pue_rows(built[policy])
    for want in expected["avoided"][policy]:
        got = rows[(want["facility_id"], want["period"])]
        assert got["factor_id"] == want["factor_id"]
        assert got["t_co2_avoided"] == _approx(want["t_co2_avoided"]), (want["facility_id"], want["period"])


def test_every_month_of_a_telemetry_year_is_a_row_and_pue_is_never_an_average(built, expected):
    rows = _pue_rows(built["policy_mee.yml"])
    for facility in ("DC-BJ-01", "DC-SH-01"):
        months = [p for (f, p) in rows if f == facility and len(p) == 7]
        assert sorted(months) == [f"2022-{m:02d}" for m in range(1, 13)]
    march, april, year = (rows[("DC-BJ-01", p)] for p in ("2022-03", "2022-04", "2022"))
    assert year["pue"] == _approx(3863 / 2870)
    assert year["pue"] != pytest.approx((march["pue"] + april["pue"]) / 2, rel=1e-6)
    # Annual savings, money and tonnes are the sums of the months (linear in the energies).
    for column in ("energy_saved_kwh", "cost_saved_cny", "t_co2_avoided"):
        assert year[column] == _approx(march[column] + april[column])


@pytest.mark.parametrize("policy", POLICIES)
def test_scope2_takes_each_datacentre_from_its_authoritative_source_once(built, expected, policy):
    warehouse = built[policy]
    for want in expected["scope2"][policy]:
        got = warehouse.query(
            "select sum(activity_quantity) as kwh, sum(t_co2e) as t, "
            "sum(case when data_source = 'meter' then 1 else 0 end) as meter_pieces, "
            "sum(case when data_source = 'estimate' then 1 else 0 end) as estimate_pieces, "
            "sum(case when data_source = 'estimate' then activity_quantity else 0 end) as estimate_kwh "
            "from marts.fct_emissions where scope = 2 and scope2_method = 'location_based' "
            "and category = 's2_purchased_electricity' and facility_id = ? and activity_month = ?",
            [want["facility_id"], want["activity_month"]])[0]
        assert got["kwh"] == _approx(want["kwh"])
        assert got["t"] == _approx(want["t_co2e"])
        assert (got["meter_pieces"], got["estimate_pieces"]) == (want["meter_pieces"], want["estimate_pieces"])
        assert got["estimate_kwh"] == _approx(want["estimate_kwh"])
    # The telemetry data centre's invoice is set aside, in every method.
    assert warehouse.scalar("select count(*) from marts.fct_emissions where record_id = 'DC-BJ-01-2022-W13'") == 0
    # The invoice data centre: its 12 invoices, no telemetry piece, gross (savings are not subtracted).
    want = expected["scope2_invoiced_year"][policy]
    got = warehouse.query(
        "select sum(activity_quantity) as kwh, count(distinct record_id) as invoices, sum(t_co2e) as t, "
        "sum(case when record_id like '%|%' then 1 else 0 end) as telemetry_pieces "
        "from marts.fct_emissions where scope = 2 and scope2_method = 'location_based' "
        "and category = 's2_purchased_electricity' and facility_id = ? and reporting_year = 2022",
        [want["facility_id"]])[0]
    assert got["kwh"] == _approx(want["kwh"]) and got["invoices"] == want["invoices"]
    assert got["t"] == _approx(want["t_co2e"])
    assert got["telemetry_pieces"] == 0


def test_telemetry_pieces_are_keyed_by_facility_and_interval_start(built, expected):
    warehouse = built["policy_mee.yml"]
    ids = {r["record_id"]: r["data_source"] for r in warehouse.query(
        "select distinct record_id, data_source from marts.fct_emissions where facility_id = 'DC-BJ-01' "
        "and record_id like 'DC-BJ-01|%'")}
    assert ids[expected["telemetry_record_ids"]["measured_first"]] == "meter"
    assert sorted(r for r, s in ids.items() if s == "estimate") == sorted(expected["telemetry_record_ids"]["filled"])
    assert len(ids) == 14 + 13 + 4


def test_savings_never_enter_the_inventory(built, expected):
    warehouse = built["policy_mee.yml"]
    pue = _pue_rows(warehouse)
    # The mart shows the gross Scope 2 beside the savings; the inventory equals the gross alone.
    gross = warehouse.scalar(
        "select sum(t_co2e) from marts.fct_emissions where facility_id = 'DC-SH-01' and scope = 2 "
        "and scope2_method = 'location_based' and category = 's2_purchased_electricity'")
    assert pue[("DC-SH-01", "2022")]["t_co2e_scope2_location_based"] == _approx(gross)
    assert gross == _approx(expected["scope2_invoiced_year"]["policy_mee.yml"]["t_co2e"])
    inventory = warehouse.scalar(
        "select sum(t_co2e) from marts.rpt_ghg_inventory_annual where entity_id = 'GRP' and not is_group_total "
        "and scope = 2 and scope2_method = 'location_based' and category = 's2_purchased_electricity'")
    assert inventory == _approx(gross)  # GRP's only electricity is DC-SH-01's invoices
    for table in ("fct_emissions", "rpt_ghg_inventory_annual"):
        columns = {r["column_name"] for r in warehouse.query(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?",
            [table])}
        assert not {c for c in columns if "avoided" in c or "saved" in c}, table


def test_the_other_source_is_reconciled_not_added(built, expected):
    warehouse = built["policy_mee.yml"]
    rows = {(r["facility_id"], r["activity_month"]): r
            for r in warehouse.query("select * from marts.rpt_datacenter_source_reconciliation")}
    for want in expected["reconciliation"]:
        got = rows[(want["facility_id"], want["activity_month"])]
        assert got["authoritative_source"] == want["authoritative_source"]
        for column in ("telemetry_kwh", "invoiced_kwh", "inventory_kwh", "difference_kwh", "difference_pct"):
            assert got[column] == _approx(want[column]), (want["facility_id"], want["activity_month"], column)
    for got in rows.values():
        assert got["inventory_kwh"] == _approx(got["authoritative_kwh"] or 0.0)


def test_duplicates_resets_and_gaps_are_handled_and_reported(built, expected):
    warehouse = built["policy_mee.yml"]
    quarantine = pl.read_parquet(warehouse.data_dir / "lake" / "quarantine" / "datacenter_telemetry" / "**" / "*.parquet")
    got = sorted(zip(quarantine["source_row"].to_list(), quarantine["reason_code"].to_list()))
    assert got == [(q["source_row"], q["reason_code"]) for q in expected["quarantined"]]
    gaps = warehouse.query(
        "select cast(gap_start_at as varchar) as gap_start_at, cast(gap_end_at as varchar) as gap_end_at, gap_minutes, "
        "missing_intervals, is_filled, fill_method from intermediate.int_datacenter_gaps_detected "
        "where facility_id = 'DC-BJ-01' order by gap_start_at")
    assert [{k: g[k] for k in ("gap_start_at", "gap_end_at", "gap_minutes", "missing_intervals")} for g in gaps] \
        == expected["gaps"]
    assert all(g["is_filled"] and g["fill_method"] == "neighbour_mean" for g in gaps)
    resets = warehouse.query("select cast(interval_start_at as varchar) as at from intermediate.int_datacenter_intervals_flagged "
                             "where interval_status = 'counter_reset'")
    assert [r["at"] for r in resets] == expected["counter_resets"]
    assert warehouse.scalar("select count(*) from intermediate.int_datacenter_gaps_detected "
                            "where facility_id = 'DC-SH-01'") == 0


def test_carbonledger_run_gives_the_same_pue_and_draws_the_chart(tmp_path, dbt_manifest, built, expected):
    env = cli_env(tmp_path)
    data = tmp_path / "data"
    result = run_cli(["run", "--landing", str(CASE / "landing"), "--data", str(data),
                      "--config", str(CASE / "policy_mee.yml")], env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    contract = ("facility_id", "period", "it_energy_kwh", "facility_energy_kwh", "pue", "data_completeness_pct",
                "baseline_pue", "energy_saved_kwh", "t_co2_avoided", "cost_saved_cny", "factor_id")
    sql = f"select {', '.join(contract)} from marts.rpt_datacenter_pue order by facility_id, period"
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        dagster_rows = con.execute(sql).fetchall()
    harness_rows = [tuple(r.values()) for r in built["policy_mee.yml"].query(sql)]
    assert len(dagster_rows) == len(harness_rows) == 2 * 13
    for got, want in zip(dagster_rows, harness_rows):
        assert got == tuple(v if isinstance(v, str) or v is None else pytest.approx(v, rel=REL) for v in want)
    chart = data / expected["chart"]["path"]
    assert chart.is_file()
    assert png_size(chart.read_bytes()) == (expected["chart"]["width_px"], expected["chart"]["height_px"])

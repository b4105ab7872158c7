"""Scope 1 and both Scope 2 methods on a hand-made group: certificates, supplier rates, residual mix,
gap filling, meter reads split by days, refrigerant blends under two GWP sets, two consolidation
approaches. Every expected figure is worked out by hand in tests/fixtures/inventory_core/expected.yaml."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from assets.ingest.lake import Lake, write_part
from pipelines.policy import load_policy, policy_tables
from tests.conftest import FIXTURES
from tests.pipeline_harness import BuiltWarehouse, build_warehouse, dbt

pytestmark = pytest.mark.integration
CASE = FIXTURES / "inventory_core"
EXPECTED = yaml.safe_load((CASE / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def operational(tmp_path_factory):
    return build_warehouse(CASE / "landing", tmp_path_factory.mktemp("op") / "data", CASE / "policy_operational.yml")


@pytest.fixture(scope="module")
def equity_ar6(tmp_path_factory):
    return build_warehouse(CASE / "landing", tmp_path_factory.mktemp("eq") / "data", CASE / "policy_equity_ar6.yml")


@pytest.fixture(scope="module")
def switched_to_equity_ar6_by_a_one_month_run(operational, tmp_path_factory):
    """The operational warehouse after the policy changed to equity share and AR6, then an incremental run of
    December 2022 only (as the landing sensor would start): the years computed under the old policy must be
    rebuilt under the new one, not left behind or lost."""
    data = tmp_path_factory.mktemp("switched") / "data"
    shutil.copytree(operational.data_dir, data)
    lake = Lake(data / "lake")
    for name, frame in policy_tables(load_policy(CASE / "policy_equity_ar6.yml")).items():
        write_part(frame, lake.part_path("silver", name, "policy", None))
    result = dbt(["build", "--quiet", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
                  "--vars", json.dumps({"start_month": "2022-12", "end_month": "2022-12"})], data)
    return BuiltWarehouse(data_dir=data, dbt_output=result.stdout)


def _inventory(warehouse, year: int) -> dict:
    rows = warehouse.query(
        "select entity_id, is_group_total, scope, scope2_method, sum(t_co2e) as t from marts.rpt_ghg_inventory_annual "
        "where reporting_year = ? group by entity_id, is_group_total, scope, scope2_method", [year])
    return {(r["entity_id"], r["is_group_total"], r["scope"], r["scope2_method"]): r["t"] for r in rows}


@pytest.mark.parametrize("row", EXPECTED["operational_ar5"]["inventory"], ids=lambda r: f"{r['entity_id']}-{r['scope']}-{r['scope2_method']}")
def test_inventory_2022_operational_control(operational, row):
    got = _inventory(operational, 2022)[(row["entity_id"], row["is_group_total"], row["scope"], row["scope2_method"])]
    assert got == pytest.approx(row["t_co2e"], rel=1e-9)


@pytest.mark.parametrize("row", EXPECTED["operational_ar5"]["inventory_2021"], ids=lambda r: r["scope2_method"])
def test_inventory_2021_uses_its_own_data_year_factors(operational, row):
    got = _inventory(operational, 2021)[(row["entity_id"], row["is_group_total"], row["scope"], row["scope2_method"])]
    assert got == pytest.approx(row["t_co2e"], rel=1e-9)


def test_meter_reads_are_split_by_days_and_gaps_filled(operational):
    want = EXPECTED["operational_ar5"]
    rows = operational.query(
        "select facility_id, sum(activity_quantity) as kwh from marts.fct_emissions where reporting_year = 2022 "
        "and scope2_method = 'location_based' and facility_id in ('F-BJ-01', 'F-SH-01', 'F-GZ-01') group by facility_id")
    assert {r["facility_id"]: r["kwh"] for r in rows} == pytest.approx(want["electricity_kwh"])
    filled = operational.query(
        "select facility_id, activity_month, activity_quantity, data_source, is_estimate, data_quality_score "
        "from marts.fct_emissions where scope2_method = 'location_based' and record_id like 'gapfill|%' order by facility_id")
    assert [(r["facility_id"], r["activity_month"], r["activity_quantity"]) for r in filled] == sorted(
        [(g["facility_id"], g["activity_month"], g["quantity"]) for g in want["gap_filled"]])
    assert all(r["is_estimate"] and r["data_quality_score"] == 4 for r in filled)
    methods = operational.query("select record_id, fill_method from intermediate.int_energy_gaps_filled where fill_method is not null")
    assert {r["fill_method"] for r in methods} == {g["fill_method"] for g in want["gap_filled"]}
    estimated = operational.scalar(
        "select t_co2e_estimated from marts.rpt_ghg_inventory_annual where reporting_year = 2022 and is_group_total "
        "and scope2_method = 'location_based'")
    assert estimated == pytest.approx(want["estimated_group_location_based_t"], rel=1e-9)


def test_certificates_eligibility_and_allocation(operational):
    want = EXPECTED["operational_ar5"]
    rows = operational.query("select instrument_id, ineligible_reason from intermediate.int_energy_instruments_validated")
    assert {r["instrument_id"]: r["ineligible_reason"] for r in rows} == want["instruments"]
    uncovered = operational.query(
        "select facility_id, sum(activity_quantity - instrument_covered_kwh) as kwh from marts.fct_emissions "
        "where reporting_year = 2022 and scope2_method = 'market_based' and entity_id = 'BANK' group by facility_id")
    assert {r["facility_id"]: r["kwh"] for r in uncovered} == pytest.approx(want["uncovered_kwh"], rel=1e-9)
    bases = operational.query("select distinct scope2_basis from marts.fct_emissions where scope2_method = 'market_based' "
                              "and facility_id = 'F-GZ-01' and reporting_year = 2022")
    assert bases == [{"scope2_basis": "supplier_specific"}]


def test_memo_items_and_missing_factors(operational):
    want = EXPECTED["operational_ar5"]
    memo = operational.query("select gas, t_co2e from marts.rpt_memo_items_annual where memo_item = 'montreal_protocol_gases'")
    assert {r["gas"]: r["t_co2e"] for r in memo} == pytest.approx(want["memo_refrigerant_t"])
    assert operational.scalar("select count(*) from marts.fct_emissions where gas = 'R-22'") == 0
    missing = operational.query("select record_id, missing_factor_reason from marts.fct_activity_without_factor "
                                "where record_id like 'RF%'")
    assert missing == want["missing"]


def test_intensity_and_year_on_year(operational):
    want = EXPECTED["operational_ar5"]["intensity_group_2022"]
    row = operational.query("select * from marts.rpt_intensity_annual where reporting_year = 2022 and is_group_total")[0]
    for column, value in want.items():
        assert row[column] == pytest.approx(value, rel=1e-8), column


@pytest.mark.parametrize("row", EXPECTED["equity_ar6"]["inventory"], ids=lambda r: f"{r['entity_id']}-{r['scope']}")
def test_equity_share_and_ar6(equity_ar6, row):
    got = _inventory(equity_ar6, 2022)[(row["entity_id"], row["is_group_total"], row["scope"], row["scope2_method"])]
    assert got == pytest.approx(row["t_co2e"], rel=1e-9)


@pytest.mark.parametrize("row", EXPECTED["equity_ar6"]["inventory"], ids=lambda r: f"{r['entity_id']}-{r['scope']}")
def test_a_policy_change_rebuilds_every_year_it_touches_in_a_one_month_run(
        operational, switched_to_equity_ar6_by_a_one_month_run, row):
    warehouse = switched_to_equity_ar6_by_a_one_month_run
    got = _inventory(warehouse, 2022)[(row["entity_id"], row["is_group_total"], row["scope"], row["scope2_method"])]
    assert got == pytest.approx(row["t_co2e"], rel=1e-9)
    # 2021 (GRP only, wholly owned, no refrigerants) is the same under both policies, and still there.
    for want in EXPECTED["operational_ar5"]["inventory_2021"]:
        key = (want["entity_id"], want["is_group_total"], want["scope"], want["scope2_method"])
        assert _inventory(warehouse, 2021)[key] == pytest.approx(want["t_co2e"], rel=1e-9)
    # Every month is still there, each rebuilt under the new policy.
    per_month = "select activity_month, min(policy_sha256) as low, max(policy_sha256) as high " \
                "from marts.fct_emissions group by activity_month"
    before = {m["activity_month"] for m in operational.query(per_month)}
    after = warehouse.query(per_month)
    assert {m["activity_month"] for m in after} == before
    assert {f"2022-{n:02d}" for n in range(1, 13)} <= set(before)
    new_policy = load_policy(CASE / "policy_equity_ar6.yml").sha256
    assert {(m["low"], m["high"]) for m in after} == {(new_policy, new_policy)}


def test_credits_register_and_neutrality(operational):
    want = EXPECTED["operational_ar5"]
    rows = operational.query("select credit_id, not_counted_reason from marts.rpt_carbon_credits")
    assert {r["credit_id"]: r["not_counted_reason"] for r in rows} == want["credits"]
    progress = operational.query("select * from marts.rpt_neutrality_progress where reporting_year = 2022")[0]
    for column, value in want["neutrality_2022"].items():
        assert progress[column] == pytest.approx(value, rel=1e-9), column
    # Credits never reduce the gross inventory.
    gross = operational.scalar("select sum(t_co2e) from marts.rpt_ghg_inventory_annual where reporting_year = 2022 "
                               "and is_group_total and (scope = 1 or scope2_method = 'location_based')")
    assert gross == pytest.approx(want["neutrality_2022"]["t_co2e_gross_operational"], rel=1e-9)

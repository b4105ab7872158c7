"""Scope 3 (categories 1, 3, 5, 6, 7, the screening of all 15 and the exclusions register) on a hand-made
fixture, against figures worked out by hand in tests/fixtures/scope3_basic/expected.yaml."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml

from assets.accounts.pseudonymise import DEMO_KEY, pseudonymise_value
from assets.ingest.lake import Lake, write_part
from pipelines.policy import load_policy, policy_tables
from tests.conftest import FIXTURES
from tests.pipeline_harness import BuiltWarehouse, build_warehouse, dbt

pytestmark = pytest.mark.integration
CASE = FIXTURES / "scope3_basic"
REL = 1e-6


@pytest.fixture(scope="module")
def expected() -> dict:
    return yaml.safe_load((CASE / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> BuiltWarehouse:
    return build_warehouse(CASE / "landing", tmp_path_factory.mktemp("scope3") / "data", CASE / "policy_rf.yml")


@pytest.fixture(scope="module")
def warehouse_no_rf(warehouse, tmp_path_factory) -> BuiltWarehouse:
    """The same landing under policy_no_rf.yml: the lake is reused, only the policy tables change."""
    data = tmp_path_factory.mktemp("scope3_no_rf") / "data"
    shutil.copytree(warehouse.data_dir, data)
    lake = Lake(data / "lake")
    for name, frame in policy_tables(load_policy(CASE / "policy_no_rf.yml")).items():
        write_part(frame, lake.part_path("silver", name, "policy", None))
    result = dbt(["build", "--quiet", "--full-refresh"], data)
    return BuiltWarehouse(data_dir=data, dbt_output=result.stdout)


def _approx(value):
    return pytest.approx(value, rel=REL, abs=1e-12)


def test_cn_working_days_seed_matches_chinesecalendar(warehouse):
    import chinese_calendar

    for year in (2023, 2024):
        day, count = dt.date(year, 1, 1), 0
        while day.year == year:
            count += chinese_calendar.is_workday(day)
            day += dt.timedelta(days=1)
        assert warehouse.scalar("select working_days from seeds.cn_working_days where year = ?", [year]) == count


def test_travel_rows_match_hand_arithmetic(warehouse, expected):
    rows = warehouse.query(
        """
        select
            record_id,
            sum(case when gas <> 'rf_uplift' and factor_set not like '%wtt' then t_co2e else 0 end) * 1000 as direct,
            sum(case when gas = 'rf_uplift' then t_co2e else 0 end) * 1000 as rf,
            sum(case when factor_set like '%wtt' then t_co2e else 0 end) * 1000 as wtt,
            max(activity_quantity) as quantity,
            max(data_quality_score) as data_quality_score,
            max(factor_id) as factor_id
        from marts.fct_emissions
        where category = 's3_06_business_travel'
        group by record_id
        """)
    got = {r["record_id"]: r for r in rows}
    assert set(got) == {t["record_id"] for t in expected["travel_kg"]}
    for trip in expected["travel_kg"]:
        row = got[trip["record_id"]]
        for key in ("direct", "rf", "wtt", "quantity"):
            assert row[key] == _approx(trip[key]), (trip["record_id"], key)
        assert row["data_quality_score"] == trip["data_quality_score"], trip["record_id"]
        if "variant" in trip:
            assert trip["variant"].replace("|", "_") in row["factor_id"]


def test_flight_rows_are_per_gas_with_a_separate_rf_row(warehouse):
    gases = warehouse.query("select gas, count(*) as n from marts.fct_emissions where record_id = 'T01' group by gas")
    assert {r["gas"]: r["n"] for r in gases} == {"CO2": 1, "CH4": 1, "N2O": 1, "rf_uplift": 1, "CO2e": 1}
    proxy = warehouse.scalar("select bool_and(is_geographic_proxy) from marts.fct_emissions where record_id = 'T02'")
    not_proxy = warehouse.scalar("select bool_or(is_geographic_proxy) from marts.fct_emissions where record_id = 'T01'")
    assert proxy is True and not_proxy is False


def test_travel_without_distance_is_listed_not_zeroed(warehouse, expected):
    for want in expected["travel_without_factor"]:
        rows = warehouse.query(
            "select pin_key, activity_quantity, activity_unit, missing_factor_reason "
            "from marts.fct_activity_without_factor where record_id = ?", [want["record_id"]])
        assert rows == [{k: want[k] for k in ("pin_key", "activity_quantity", "activity_unit", "missing_factor_reason")}]
        assert warehouse.scalar("select count(*) from marts.fct_emissions where record_id = ?", [want["record_id"]]) == 0


def test_commuting_respondents_match_hand_arithmetic(warehouse, expected):
    rows = warehouse.query(
        "select record_id, sum(t_co2e) * 1000 as kg, count(distinct activity_month) as months "
        "from marts.fct_emissions where category = 's3_07_employee_commuting' group by record_id")
    got = {r["record_id"]: r for r in rows}
    # A respondent's record is <employee_id>|<survey date>; silver holds the employee's pseudonym.
    want_ids = {c["record_id"]: _pseudonymous_record(c["record_id"]) for c in expected["commuting_kg"]}
    assert set(got) == set(want_ids.values())
    for want in expected["commuting_kg"]:
        record = want_ids[want["record_id"]]
        assert got[record]["kg"] == _approx(want["kg"]), want["record_id"]
        assert got[record]["months"] == 12


def _pseudonymous_record(record_id: str) -> str:
    employee, _, day = record_id.partition("|")
    return f"{pseudonymise_value(employee, DEMO_KEY.encode())}|{day}"


def test_commuting_strata_and_flags(warehouse, expected):
    rows = warehouse.query("select * from intermediate.int_commuting_strata where reporting_year = 2023")
    for want in expected["commuting_strata"]:
        match = [r for r in rows if r["entity_id"] == want["entity_id"]
                 and (r["city"] == want.get("city") or r["city_key"] == want.get("city_key"))]
        assert len(match) == 1, want
        got = match[0]
        assert got["stratum_headcount"] == _approx(want["stratum_headcount"])
        for key in ("respondents", "survey_year", "is_reused_survey", "is_low_response", "has_survey"):
            if key in want:
                assert got[key] == want[key], (want, key)


def test_materials_match_hand_arithmetic(warehouse, expected):
    rows = warehouse.query(
        "select material, sum(t_co2e) * 1000 as kg, min(data_quality_score) as dq "
        "from intermediate.int_materials_joined_to_factors group by material")
    got = {r["material"]: r for r in rows}
    for want in expected["materials_kg"]:
        assert got[want["material"]]["kg"] == _approx(want["kg"]), want["material"]
    proxies = warehouse.scalar(
        "select min(data_quality_score) from marts.fct_emissions where category in ('s3_01_purchased_goods', 's3_05_waste')")
    assert proxies == 4  # UK factors for a site in Beijing


def test_fuel_and_energy_upstream_match_hand_arithmetic(warehouse, expected):
    rows = warehouse.query(
        "select facility_id, pin_key, sum(t_co2e) * 1000 as kg, max(data_quality_score) as dq "
        "from intermediate.int_scope3_emissions where category = 's3_03_fuel_energy' group by facility_id, pin_key")
    got = {(r["facility_id"], r["pin_key"]): r for r in rows}
    assert set(got) == {(w["facility_id"], w["pin_key"]) for w in expected["fuel_energy_kg"]}
    for want in expected["fuel_energy_kg"]:
        assert got[(want["facility_id"], want["pin_key"])]["kg"] == _approx(want["kg"]), want
    # Data quality as fct_emissions reports it: a UK factor for Beijing is a geographic proxy (at least 4).
    dq = {r["facility_id"]: (r["lo"], r["hi"]) for r in warehouse.query(
        "select facility_id, min(data_quality_score) as lo, max(data_quality_score) as hi from marts.fct_emissions "
        "where category = 's3_03_fuel_energy' group by facility_id")}
    assert dq == {"F-BJ-01": (4, 4), "F-LDN-01": (1, 1)}
    # No T&D losses on the MEE/NBS factor (published for consumption).
    assert warehouse.scalar("select count(*) from intermediate.int_fuel_energy_upstream "
                            "where component = 'td_loss' and facility_id = 'F-BJ-01'") == 0


def test_inventory_scope3_matches_hand_arithmetic(warehouse, expected):
    rows = warehouse.query(
        "select entity_id, is_group_total, category, t_co2e from marts.rpt_ghg_inventory_annual "
        "where reporting_year = 2023 and scope = 3")
    got = {(r["entity_id"], r["is_group_total"], r["category"]): r["t_co2e"] for r in rows}
    assert len(got) == len(expected["inventory"])
    for want in expected["inventory"]:
        assert got[(want["entity_id"], want["is_group_total"], want["category"])] == _approx(want["t_co2e"]), want


def test_screening_lists_all_15_categories(warehouse, expected):
    rows = {r["category"]: r for r in warehouse.query("select * from marts.rpt_scope3_screening where reporting_year = 2023")}
    want = expected["screening"]
    assert {c: r["status"] for c, r in rows.items()} == want["status"]
    assert sorted(c for c, r in rows.items() if r["is_material_omission"]) == want["material_omissions"]
    assert all(r["full_ifrs_s2_compliance_claimable"] is False for r in rows.values())
    assert all(r["reason"] for r in rows.values())
    for category, t in want["t_co2e"].items():
        assert rows[category]["t_co2e"] == _approx(t), category
    assert all(r["t_co2e"] is None for c, r in rows.items() if c not in want["t_co2e"])
    assert rows["s3_06_business_travel"]["t_co2e_rf_uplift_stored"] == _approx(want["rf_uplift_stored_t"])
    commuting = rows["s3_07_employee_commuting"]
    for key, value in want["commuting"].items():
        assert commuting[key] == value, key


def test_exclusions_register_against_threshold(warehouse, expected):
    rows = {r["exclusion_id"]: r for r in warehouse.query("select * from marts.rpt_exclusions_register where reporting_year = 2023")}
    want = expected["register"]
    for want_row in want["rows"]:
        got = rows[want_row["exclusion_id"]]
        assert got["reported_total_t_co2e"] == _approx(want["reported_total_t_co2e"])
        if want_row["estimated_t_co2e"] is None:
            assert got["estimated_t_co2e"] is None and got["is_above_threshold"] is None
            assert got["estimation_method"].startswith("not estimated")
        else:
            assert got["estimated_t_co2e"] == _approx(want_row["estimated_t_co2e"])
            assert got["is_above_threshold"] is want_row["is_material"]
        assert got["is_material"] is want_row["is_material"], want_row["exclusion_id"]
    assert "PCAF module pending" in rows["category:s3_15_investments"]["estimation_method"]
    for absent in want["absent"]:
        assert absent not in rows


def test_radiative_forcing_excluded_by_policy(warehouse_no_rf, expected):
    want = expected["variant_no_rf"]
    inventory = {(r["entity_id"], r["is_group_total"]): r["t_co2e"] for r in warehouse_no_rf.query(
        "select entity_id, is_group_total, t_co2e from marts.rpt_ghg_inventory_annual "
        "where reporting_year = 2023 and category = 's3_06_business_travel'")}
    assert inventory[("GRP", True)] == _approx(want["group_business_travel_t"])
    assert inventory[("BANK", False)] == _approx(want["bank_business_travel_t"])
    # The rf_uplift rows are still stored, only not counted.
    stored = warehouse_no_rf.scalar("select sum(t_co2e) from marts.fct_emissions where gas = 'rf_uplift'")
    assert stored == _approx(want["rf_uplift_stored_t"])
    screening = warehouse_no_rf.query(
        "select category, is_reported, t_co2e_rf_uplift_stored from marts.rpt_scope3_screening "
        "where category in ('s3_05_waste', 's3_06_business_travel')")
    by_category = {r["category"]: r for r in screening}
    assert by_category["s3_05_waste"]["is_reported"] is False
    assert by_category["s3_06_business_travel"]["t_co2e_rf_uplift_stored"] == _approx(want["rf_uplift_stored_t"])
    rows = {r["exclusion_id"]: r for r in warehouse_no_rf.query("select * from marts.rpt_exclusions_register")}
    for want_row in want["register"]:
        got = rows[want_row["exclusion_id"]]
        assert got["estimated_t_co2e"] == _approx(want_row["estimated_t_co2e"])
        assert got["reported_total_t_co2e"] == _approx(want["reported_total_t_co2e"])
        assert got["is_material"] is want_row["is_material"], want_row["exclusion_id"]

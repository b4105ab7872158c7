"""The scenario carbon accounts end to end on a hand-made landing folder (tests/fixtures/accounts_basic),
against figures worked out by hand in its expected.yaml: claims (methodology versions, caps, duplicates,
implausible values, eligibility), points (rule versions, campaign), the ledger (credits, redemptions,
reversal, transfer, expiry), balances, the 1+N reconciliation, statements, the employee footprint and
privacy. The warehouse is built with tests/pipeline_harness.py; one test drives `carbonledger run` and
`carbonledger account` to prove the command-line path gives the same ledger.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from assets.accounts.pseudonymise import DEMO_ENV, KEY_ENV, PREFIX, pseudonymise_value
from assets.exports.logic import list_marts
from assets.ingest.lake import Lake, write_part
from pipelines.account_statement import account_statements
from pipelines.policy import load_policy, policy_tables
from tests.conftest import FIXTURES, cli_env, run_cli
from tests.pipeline_harness import BuiltWarehouse, build_warehouse, dbt

pytestmark = pytest.mark.integration
CASE = FIXTURES / "accounts_basic"
POLICY = CASE / "carbonledger.yml"
RAW_IDS = ("E001", "E002", "E003", "E004", "E005", "E006", "C100", "C200")


@pytest.fixture(scope="module")
def expected() -> dict:
    return yaml.safe_load((CASE / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, expected) -> BuiltWarehouse:
    saved = {name: os.environ.get(name) for name in (KEY_ENV, DEMO_ENV)}
    os.environ[KEY_ENV] = expected["test_key"]
    os.environ.pop(DEMO_ENV, None)
    try:
        return build_warehouse(CASE / "landing", tmp_path_factory.mktemp("accounts") / "data", POLICY)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="module")
def pid(warehouse, expected):
    """Raw id -> the id the warehouse holds (its pseudonym once the silver step pseudonymises)."""
    key = expected["test_key"].encode("utf-8")
    wired = (warehouse.scalar("select min(employee_id) from staging.stg_employees") or "").startswith(PREFIX)
    return (lambda raw: pseudonymise_value(raw, key)) if wired else (lambda raw: raw)


def _approx(value):
    return None if value is None else pytest.approx(value, rel=1e-9, abs=1e-9)


def test_no_landing_row_is_quarantined(warehouse):
    """Every row of the fixture is valid: rejected claims are the accounts' decisions, not the silver step's."""
    parts = list((warehouse.data_dir / "lake" / "quarantine").rglob("*.parquet"))
    rows = pl.concat([pl.read_parquet(p).select("source_file", "reason_message") for p in parts]) if parts else None
    assert rows is None or rows.is_empty(), rows.to_dicts() if rows is not None else None


def test_every_claim_matches_the_hand_figures(warehouse, expected, pid):
    rows = {r["event_id"]: r for r in warehouse.query("select * from marts_private.fct_account_claims")}
    assert set(rows) == set(expected["claims"])
    for event_id, (account, scenario, status, reason, methodology, version, grams, points) in expected["claims"].items():
        got = rows[event_id]
        assert (got["account_id"], got["scenario"]) == (pid(account), scenario), event_id
        assert (got["claim_status"], got["reject_reason"]) == (status, reason), event_id
        assert (got["methodology_id"], got["methodology_version"]) == (methodology, version), event_id
        assert got["g_co2e_credited"] == _approx(grams), event_id
        assert got["points"] == points, event_id
        if status == "rejected":
            assert got["reject_detail"], f"{event_id}: a rejected claim says why"


def test_duplicates_name_the_claim_they_repeat(warehouse, expected):
    rows = {r["event_id"]: r["duplicate_of_event_id"] for r in warehouse.query(
        "select event_id, duplicate_of_event_id from marts_private.fct_account_claims where duplicate_of_event_id is not null")}
    assert rows == expected["duplicates_of"]


def test_what_is_already_in_the_inventory(warehouse, expected):
    rows = {r["event_id"]: r["g"] for r in warehouse.query(
        "select event_id, g_co2e_already_in_inventory as g from marts_private.fct_account_claims "
        "where g_co2e_already_in_inventory <> 0")}
    assert rows == {k: _approx(v) for k, v in expected["already_in_inventory_g"].items()}


def test_ledger_entries(warehouse, expected, pid):
    ledger = warehouse.query("select * from marts.fct_account_ledger")
    credits = {r["event_id"]: r for r in ledger if r["entry_type"] == "credit"}
    credited = {k: v for k, v in expected["claims"].items() if v[2] in ("credited", "credited_partly")}
    assert set(credits) == set(credited)
    for event_id, (account, scenario, _, _, methodology, version, grams, points) in credited.items():
        got = credits[event_id]
        assert (got["account_id"], got["scenario"], got["methodology_id"], got["methodology_version"]) == (
            pid(account), scenario, methodology, version)
        assert (got["g_co2e_avoided"], got["points"]) == (_approx(grams), points)
    others = sorted(
        (r["entry_id"], r["account_id"], r["scenario"], r["entry_type"], r["g_co2e_avoided"], r["points"], r["activity_month"])
        for r in ledger if r["entry_type"] != "credit")
    want = sorted((e[0].replace(e[1], pid(e[1])), pid(e[1]), *e[2:]) for e in expected["ledger_other_entries"])
    assert len(others) == len(want)
    for got, row in zip(others, want):
        assert got[:4] == row[:4] and got[5:] == row[5:]
        assert got[4] == _approx(row[4])
    assert len({r["entry_id"] for r in ledger}) == len(ledger)


def test_points_only_behaviours_and_redemptions_never_carry_tonnes(warehouse):
    bad = warehouse.query(
        "select entry_id from marts.fct_account_ledger l join marts.dim_account_methodologies m "
        "on l.methodology_id = m.methodology_id and l.methodology_version = m.methodology_version "
        "where m.method in ('points_only', 'redemption') and l.g_co2e_avoided <> 0")
    assert bad == []
    assert warehouse.scalar("select count(*) from marts.fct_account_ledger where entry_type in ('redemption', 'expiry') "
                            "and g_co2e_avoided <> 0") == 0


def test_balances_match_hand_figures_and_the_sum_of_entries(warehouse, expected, pid):
    rows = {(r["account_id"], r["scenario"]): r for r in warehouse.query("select * from marts.rpt_account_balances")}
    assert len(rows) == len(expected["balances"])
    for account, scenario, grams, points in expected["balances"]:
        got = rows[(pid(account), scenario)]
        assert (got["g_co2e_avoided_total"], got["points_balance"]) == (_approx(grams), points), account
    sums = warehouse.query("select account_id, scenario, sum(g_co2e_avoided) as g, sum(points) as p "
                           "from marts.fct_account_ledger group by 1, 2")
    for row in sums:
        got = rows[(row["account_id"], row["scenario"])]
        assert got["g_co2e_avoided_total"] == _approx(row["g"]) and got["points_balance"] == row["p"]


def test_group_carbon_account_reconciliation(warehouse, expected):
    rows = {(r["reporting_year"], r["scenario"]): r for r in warehouse.query("select * from marts.rpt_group_carbon_account")}
    assert len(rows) == len(expected["reconciliation"])
    for want in expected["reconciliation"]:
        got = rows[(want["reporting_year"], want["scenario"])]
        for column, value in want.items():
            assert got[column] == (_approx(value) if isinstance(value, float) else value), column


def test_avoided_tonnes_never_enter_the_inventory(warehouse):
    # Only the metered electricity of F-SZ-01 is in the inventory: 120,000 kWh x 0.4042 = 48.504 t location-based,
    # unchanged by the 13.4 kg of avoided emissions whose activity is measured there.
    total = warehouse.scalar("select t_co2e from marts.rpt_ghg_inventory_annual where reporting_year = 2023 "
                             "and is_group_total and scope = 2 and scope2_method = 'location_based'")
    assert total == pytest.approx(48.504, rel=1e-9)
    columns = warehouse.query("select table_name, column_name from information_schema.columns "
                              "where table_schema = 'marts' and table_name in ('fct_emissions', 'rpt_ghg_inventory_annual', "
                              "'rpt_intensity_annual') and (column_name like '%avoided%' or column_name like '%points%')")
    assert columns == []


def test_methodologies_added_and_changed_through_configuration(warehouse):
    rows = {(r["methodology_id"], r["methodology_version"]): r for r in warehouse.query(
        "select * from marts.dim_account_methodologies where behaviour_code in ('EMP_METRO_COMMUTE', 'EMP_CYCLING_COMMUTE')")}
    assert rows[("EMP_METRO_COMMUTE_M", 2)]["is_configured"] and not rows[("EMP_METRO_COMMUTE_M", 1)]["is_configured"]
    assert str(rows[("EMP_METRO_COMMUTE_M", 1)]["valid_until"]) == "2023-03-01"
    assert rows[("EMP_METRO_COMMUTE_M", 2)]["g_co2e_per_unit"] == pytest.approx(541.9)
    assert rows[("EMP_CYCLING_MODE_SHIFT", 1)]["is_configured"]
    assert str(rows[("EMP_CYCLING_COMMUTE_M", 1)]["valid_until"]) == "2023-06-01"
    assert rows[("EMP_CYCLING_MODE_SHIFT", 1)]["g_co2e_per_unit"] == pytest.approx(100.0)


def test_statements(warehouse, expected, pid):
    for want in expected["statements"]:
        statements = {s.scenario: s for s in account_statements(warehouse.path, pid(want["account"]), want["month"])}
        got = statements[want["scenario"]]
        assert (got.opening_g_co2e, got.opening_points) == (_approx(want["opening"][0]), want["opening"][1])
        assert [(e.entry_type, e.points) for e in got.entries] == [(t, p) for t, _, p in want["entries"]]
        assert [e.g_co2e_avoided for e in got.entries] == [_approx(g) for _, g, _ in want["entries"]]
        assert (got.closing_g_co2e, got.closing_points) == (_approx(want["closing"][0]), want["closing"][1])


def test_employee_footprint(warehouse, expected, pid):
    rows = {r["account_id"]: r for r in warehouse.query(
        "select * from marts_private.rpt_employee_footprint where reporting_year = 2023")}
    assert len(rows) == 6
    for account, days, share, avoided, already in expected["footprint"]["rows"]:
        got = rows[pid(account)]
        assert got["days_employed"] == days
        assert got["t_co2e_facility_share"] == pytest.approx(share, rel=1e-9)
        assert got["t_co2e_avoided"] == pytest.approx(avoided, rel=1e-9, abs=1e-12)
        assert got["t_co2e_avoided_already_in_inventory"] == pytest.approx(already, rel=1e-9, abs=1e-12)
    assert sum(r["t_co2e_facility_share"] for r in rows.values()) == pytest.approx(expected["footprint"]["facility_t_co2e"])
    # Travel and commuting are the inventory's own rows of the person's trip and survey answer (by lineage):
    # E002's rail trip and E003's survey answer; nobody else has any.
    for column, table, category, who in (("t_co2e_business_travel", "stg_travel", "s3_06_business_travel", "E002"),
                                         ("t_co2e_commuting", "stg_commute", "s3_07_employee_commuting", "E003")):
        own = warehouse.scalar(
            f"select sum(e.t_co2e) from marts.fct_emissions e join staging.{table} t on e.source_file = t.source_file "
            f"and e.source_row = t.source_row where e.category = '{category}' and t.employee_id = ?", [pid(who)])
        assert own and own > 0, f"the inventory has no {category} rows for {who}"
        assert rows[pid(who)][column] == pytest.approx(own, rel=1e-9)
        assert sum(r[column] for r in rows.values()) == pytest.approx(own, rel=1e-9)
        assert rows[pid(who)]["t_co2e_attributed"] == pytest.approx(
            rows[pid(who)]["t_co2e_facility_share"] + rows[pid(who)]["t_co2e_business_travel"]
            + rows[pid(who)]["t_co2e_commuting"], rel=1e-9)


def test_per_person_marts_are_kept_apart(warehouse):
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        public = list_marts(con)
    assert "fct_account_ledger" in public and "rpt_group_carbon_account" in public
    assert "fct_account_claims" not in public and "rpt_employee_footprint" not in public
    private = {r["table_name"] for r in warehouse.query(
        "select table_name from information_schema.tables where table_schema = 'marts_private'")}
    assert {"fct_account_claims", "rpt_employee_footprint"} <= private


def test_names_and_phones_never_leave_bronze(warehouse):
    columns = {r["column_name"] for r in warehouse.query("select column_name from information_schema.columns")}
    assert not {"name", "phone"} & columns
    silver = pl.read_parquet(list((warehouse.data_dir / "lake" / "silver" / "employees").rglob("*.parquet")))
    assert not {"name", "phone"} & set(silver.columns)


def test_raw_account_ids_never_reach_silver_or_the_warehouse(warehouse):
    """Pseudonymisation happens before silver (assets/accounts/pseudonymise.py, wired into the silver step)."""
    lake = warehouse.data_dir / "lake"
    for table, column in (("behaviour", "account_id"), ("employees", "employee_id"), ("travel", "employee_id"),
                          ("commute", "employee_id")):
        parts = list((lake / "silver" / table).rglob("*.parquet"))
        assert parts, f"silver.{table} has no rows"
        values = set(pl.read_parquet(parts).get_column(column).to_list())
        assert values and all(v.startswith(PREFIX) for v in values), f"silver.{table}.{column} holds raw ids: {values}"
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        for schema, table, column in con.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where table_schema in ('staging', 'marts', 'marts_private') and column_name in ('account_id', 'employee_id')"
        ).fetchall():
            found = con.execute(f'select count(*) from {schema}."{table}" where "{column}" in ({", ".join("?" * len(RAW_IDS))})',
                                list(RAW_IDS)).fetchone()[0]
            assert found == 0, f"{schema}.{table}.{column} holds raw ids"


def test_a_month_rerun_incrementally_gives_the_same_ledger(warehouse, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(warehouse.data_dir, data, ignore=shutil.ignore_patterns("dbt_target"))
    again = BuiltWarehouse(data_dir=data, dbt_output="")
    before = again.query("select * from marts.fct_account_ledger order by entry_id")
    sums = {"marts.rpt_account_balances": "account_id, scenario", "marts.rpt_group_carbon_account": "reporting_year, scenario"}
    sums_before = {table: again.query(f"select * from {table} order by {key}") for table, key in sums.items()}
    years_before = again.scalar("select count(*) from intermediate.int_account_ledger_summed_by_year")
    dbt(["build", "--quiet", "--select", "tag:monthly+", "--vars", '{"start_month": "2023-06", "end_month": "2023-06"}'],
        data)
    after = again.query("select * from marts.fct_account_ledger order by entry_id")
    assert after == before
    # Balances and the group account add up the by-year sums, of which the run rebuilt 2023 only: the same
    # figures (sums of the same entries, perhaps in another order: equal to 1e-9).
    assert again.scalar("select count(*) from intermediate.int_account_ledger_summed_by_year") == years_before
    for table, key in sums.items():
        rows = again.query(f"select * from {table} order by {key}")
        assert len(rows) == len(sums_before[table]) > 0, table
        for row, expected_row in zip(rows, sums_before[table]):
            assert row.keys() == expected_row.keys()
            for column, value in expected_row.items():
                if isinstance(value, float):
                    assert row[column] == pytest.approx(value, rel=1e-9, abs=1e-9), (table, column)
                else:
                    assert row[column] == value, (table, column)


def test_the_ledger_data_tests_check_the_months_the_run_built(warehouse, tmp_path):
    """A month close tests the months it rebuilt, not the whole history again (data_tests_from_month;
    macros/generic_tests/months_built_this_run.sql): a repeated entry id in 2023-06 fails the ledger's
    unique test when June is among the months tested, and is outside a run that begins in July."""
    data = tmp_path / "data"
    shutil.copytree(warehouse.data_dir, data, ignore=shutil.ignore_patterns("dbt_target"))
    with duckdb.connect(str(data / "warehouse.duckdb")) as con:
        repeated = con.execute("insert into marts.fct_account_ledger select * from marts.fct_account_ledger "
                               "where activity_month = '2023-06' and entry_type = 'credit' limit 1").fetchone()[0]
    assert repeated == 1
    select = ["test", "--select", "unique_fct_account_ledger_entry_id"]
    assert dbt([*select, "--vars", '{"data_tests_from_month": "2023-07"}'], data, check=False).returncode == 0
    failed = dbt([*select, "--vars", '{"data_tests_from_month": "2023-06"}'], data, check=False)
    assert failed.returncode == 1 and "Got 1 result" in failed.stdout, failed.stdout[-2000:]
    assert dbt(select, data, check=False).returncode == 1  # no var (dbt by hand): every month


def test_balances_are_tied_to_the_ledger_through_the_by_year_sums(warehouse, tmp_path):
    """Balances are checked against the by-year sums, and the by-year sums against the ledger's entries for
    the years the run built (years_built_this_run): one gram more in a 2023 by-year row fails the second
    check when 2023 is tested and not in a run that begins in 2024; one point more in a balance fails the first."""
    data = tmp_path / "data"
    shutil.copytree(warehouse.data_dir, data, ignore=shutil.ignore_patterns("dbt_target"))
    with duckdb.connect(str(data / "warehouse.duckdb")) as con:
        account, scenario = con.execute(
            "select account_id, scenario from intermediate.int_account_ledger_summed_by_year "
            "where reporting_year = 2023 and credits > 0 order by account_id, scenario limit 1").fetchone()
        changed = con.execute(
            "update intermediate.int_account_ledger_summed_by_year set g_co2e_avoided = g_co2e_avoided + 1, "
            "g_co2e_credited = g_co2e_credited + 1 where account_id = ? and scenario = ? and reporting_year = 2023",
            [account, scenario]).fetchone()[0]
        assert changed == 1
    by_year = ["test", "--select", "assert_ledger_summed_by_year_equals_ledger"]
    assert dbt([*by_year, "--vars", '{"data_tests_from_month": "2024-01"}'], data, check=False).returncode == 0
    failed = dbt([*by_year, "--vars", '{"data_tests_from_month": "2023-05"}'], data, check=False)
    assert failed.returncode == 1 and "Got 1 result" in failed.stdout, failed.stdout[-2000:]
    assert dbt(by_year, data, check=False).returncode == 1  # no var: every year
    # The balance still holds the ledger's sum, so it now differs from the (altered) by-year sums.
    balances = ["test", "--select", "assert_account_balances_equal_sum_of_entries"]
    failed = dbt(balances, data, check=False)
    assert failed.returncode == 1 and "Got 1 result" in failed.stdout, failed.stdout[-2000:]


# A slice's accounts, picked from the behaviour events before they are prepared (account_prepared_events).
SLICE_FILTER = 'select * from "warehouse"."staging"."stg_behaviour"\n    where hash(account_id) % '


def test_claims_computed_in_slices_of_accounts_are_the_claims_computed_at_once(warehouse, tmp_path):
    """At the group's scale the claims are computed per slice of the accounts (one per
    account_claims_slice_events events). Forced here to slices of 5 events (the fixture's events in
    several slices): every claim and every ledger entry is the same as computed at once."""
    data = tmp_path / "data"
    shutil.copytree(warehouse.data_dir, data, ignore=shutil.ignore_patterns("dbt_target"))
    again = BuiltWarehouse(data_dir=data, dbt_output="")
    events = again.scalar("select count(*) from staging.stg_behaviour")
    assert events > 3 * 5
    tables = {"marts_private.fct_account_claims": "event_id, claim_status", "marts.fct_account_ledger": "entry_id"}
    before = {t: again.query(f"select * from {t} order by {key}") for t, key in tables.items()}
    result = dbt(["run", "--select", "fct_account_claims+", "--full-refresh", "--vars", '{"account_claims_slice_events": 5}'],
                 data)
    compiled = (data / "dbt_target" / "run" / "carbonledger" / "models" / "marts_private" / "fct_account_claims.sql")
    assert SLICE_FILTER in compiled.read_text(), result.stdout[-2000:]
    for table, key in tables.items():
        assert again.query(f"select * from {table} order by {key}") == before[table], table


@pytest.mark.parametrize("slice_events", [None, 5], ids=["at_once", "in_slices"])
def test_a_policy_change_then_a_one_month_run_rebuilds_every_month_under_the_new_policy(warehouse, tmp_path,
                                                                                       slice_events):
    """An edit that changes the policy's hash and no rule: the one-month run must rebuild the whole year
    (its rows carry the old hash) and give the same claims and ledger, none lost. In slices of 5 events,
    the slices after the first (inserted by the post-hook, after the delete) must cover the same window."""
    data = tmp_path / "data"
    shutil.copytree(warehouse.data_dir, data, ignore=shutil.ignore_patterns("dbt_target"))
    edited = tmp_path / "carbonledger.yml"
    edited.write_text(POLICY.read_text(encoding="utf-8") + "\n# reviewed again, no rule changed\n", encoding="utf-8")
    loaded = load_policy(edited)
    assert loaded.sha256 != load_policy(POLICY).sha256
    for name, frame in policy_tables(loaded).items():
        write_part(frame, Lake(data / "lake").part_path("silver", name, "policy", None))
    again = BuiltWarehouse(data_dir=data, dbt_output="")
    tables = {"marts_private.fct_account_claims": "event_id, claim_status", "marts.fct_account_ledger": "entry_id"}
    before = {t: again.query(f"select * exclude (policy_sha256) from {t} order by {key}") for t, key in tables.items()}
    run_vars = {"start_month": "2023-06", "end_month": "2023-06"}
    if slice_events:
        run_vars["account_claims_slice_events"] = slice_events
    dbt(["build", "--quiet", "--select", "tag:monthly+", "--exclude-resource-type", "test",
         "--vars", json.dumps(run_vars)], data)
    if slice_events:
        compiled = data / "dbt_target" / "compiled" / "carbonledger" / "models" / "marts_private" / "fct_account_claims.sql"
        assert SLICE_FILTER in compiled.read_text()
    for table, key in tables.items():
        assert again.query(f"select * exclude (policy_sha256) from {table} order by {key}") == before[table], table
        assert {r["policy_sha256"] for r in again.query(f"select distinct policy_sha256 from {table}")} == {loaded.sha256}
    assert len({r["activity_month"] for r in before["marts.fct_account_ledger"]}) > 1


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory, dbt_manifest, expected):
    tmp = tmp_path_factory.mktemp("accounts_cli")
    env = cli_env(tmp, **{KEY_ENV: expected["test_key"]})
    data = tmp / "data"
    result = run_cli(["run", "--landing", str(CASE / "landing"), "--data", str(data), "--config", str(POLICY)], env,
                     timeout=2400)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return data, env


def test_carbonledger_run_and_account_statement(cli_run, warehouse, expected, pid):
    data, env = cli_run
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        ledger = con.execute("select entry_id, account_id, entry_type, g_co2e_avoided, points "
                             "from marts.fct_account_ledger order by entry_id").fetchall()
    harness = [tuple(r.values()) for r in warehouse.query(
        "select entry_id, account_id, entry_type, g_co2e_avoided, points from marts.fct_account_ledger order by entry_id")]
    assert ledger == harness
    result = run_cli(["account", "--id", "E002", "--month", "2023-05", "--data", str(data), "--config", str(POLICY)], env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    opening = next(line for line in lines if line.startswith("opening balance")).split()
    closing = next(line for line in lines if line.startswith("closing balance")).split()
    assert opening[-2:] == ["2,167.600", "216"]
    assert closing[-2:] == ["4,000.000", "1,015"]
    assert [line.split()[2] for line in lines if line[:4].isdigit()] == ["credit", "credit", "transfer"]
    missing = run_cli(["account", "--id", "E999", "--month", "2023-05", "--data", str(data), "--config", str(POLICY)], env)
    assert missing.returncode == 2 and "no ledger entries" in missing.stderr

"""Every kind of bad input at once through ONE `carbonledger run`, and the mart invariants as asset checks.

The whole corpus (tests/fixtures/bad_inputs/, every kind laid over the base org) goes through the
installed command: the run goes on despite the bad rows and the unreadable workbook, every bad row
is in quarantine with file, row, column and reason, rows reconcile, the summary names rows passed
and quarantined per table, the validation report is linked from the run's metadata, and the
electricity in the inventory is exactly the electricity of the valid rows. Then the dbt invariant
tests are shown to fail on a warehouse broken on purpose.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from assets.ingest.lake import Lake, count_rows
from assets.ingest.tables import TABLES
from tests.conftest import PROJECT_ROOT, cli_env, run_cli
from tests.fixtures.bad_inputs import corpus

pytestmark = pytest.mark.integration
KINDS = corpus.kinds()
INVARIANTS = ("assert_group_row_consistent_with_entities", "assert_year_totals_equal_sum_of_months",
              "assert_every_emission_row_has_a_factor", "assert_scope2_both_methods_present",
              "assert_no_avoided_emissions_in_fct_emissions", "assert_no_avoided_emissions_in_rpt_ghg_inventory_annual",
              "assert_no_avoided_emissions_in_rpt_intensity_annual", "assert_fct_emissions_relationships_to_dimensions",
              "assert_rpt_ghg_inventory_annual_entities_exist", "assert_rpt_intensity_annual_entities_exist")


def _table_of(source_file: str) -> str:
    return next(t.name for t in sorted(TABLES, key=lambda t: -len(t.folder)) if source_file.startswith(t.folder + "/"))


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory, dbt_manifest):
    tmp = tmp_path_factory.mktemp("corpus_run")
    landing = corpus.lay_out(tmp, *KINDS)
    env = cli_env(tmp)
    result = run_cli(["run", "--landing", str(landing), "--data", str(tmp / "data")], env, timeout=1800)
    return tmp, result, env


@pytest.fixture(scope="module")
def want():
    return corpus.expected(*KINDS)


def test_the_run_goes_on_and_says_why_checks_failed(corpus_run):
    _, result, _ = corpus_run
    out = result.stdout
    assert result.returncode == 0, out[-6000:] + result.stderr[-3000:]
    assert "succeeded" in out
    assert "! check bronze/energy:files_readable failed: 1 file(s) cannot be read; their rows are missing from this run: " \
           "energy/truncated.xlsx: cannot read the workbook" in out
    assert "! check silver/energy:every_month_covered warns: 1 problem(s): energy: F-K19 electricity has no line covering 2022-05" in out
    assert "! check quarantine/energy:no_rows_quarantined warns:" in out
    assert "(blocking" not in out


def test_the_summary_gives_rows_passed_and_quarantined_per_table(corpus_run, want):
    _, result, _ = corpus_run
    quarantined: dict[str, int] = {}
    for file, _, _, _ in want.quarantined:
        quarantined[_table_of(file)] = quarantined.get(_table_of(file), 0) + 1
    lines = {line.split()[0]: line.split()[1:4] for line in result.stdout.splitlines()
             if line.startswith("  ") and len(line.split()) >= 4 and line.split()[1].replace(",", "").isdigit()}
    for table, silver in want.silver_rows.items():
        bad = quarantined.get(table, 0)
        assert lines[table] == [f"{silver + bad:,}", f"{silver:,}", f"{bad:,}"], (table, lines.get(table))
    assert "Validation report: " in result.stdout
    assert "Validation time: " in result.stdout


def test_every_bad_row_is_quarantined_and_rows_reconcile(corpus_run, want):
    tmp, _, _ = corpus_run
    lake = Lake(tmp / "data" / "lake")
    got = set()
    for table in TABLES:
        parts = lake.all_parts("quarantine", table.name)
        if parts:
            frame = pl.read_parquet(parts, hive_partitioning=False)
            got |= set(frame.select("source_file", "source_row", "reason_column", "reason_code").iter_rows())
            for file, row, column, message in frame.select("source_file", "source_row", "reason_column",
                                                          "reason_message").iter_rows():
                assert message.startswith(f"{file} row {row} column {column.split(', ')[0]}: "), message
    assert got == want.quarantined
    silver = {t.name: n for t in TABLES if (n := count_rows(lake.all_parts("silver", t.name)))}
    assert silver == want.silver_rows
    for table in TABLES:
        for month in lake.months("bronze", table.name) or [None]:
            counts = [count_rows(list(lake.parts(layer, table.name, month).values()))
                      for layer in ("bronze", "silver", "quarantine")]
            assert counts[0] == counts[1] + counts[2], (table.name, month, counts)


def test_figures_come_from_the_valid_rows_only(corpus_run, want):
    """Electricity in the inventory = the valid lines' kWh (worked out by hand in expected.yaml)."""
    tmp, _, _ = corpus_run
    with duckdb.connect(str(tmp / "data" / "warehouse.duckdb"), read_only=True) as con:
        measured = con.execute(
            "select sum(activity_quantity) from marts.fct_emissions where category = 's2_purchased_electricity' "
            "and scope2_method = 'location_based' and not is_estimate and facility_id <> 'F-DC-01'").fetchone()[0]
        sources = {r[0] for r in con.execute(
            "select distinct source_file from marts.fct_emissions where source_file like 'energy/%'").fetchall()}
    assert measured == pytest.approx(want.electricity_kwh, rel=1e-9)
    # Files whose every row was quarantined contribute nothing.
    for quarantined_only in ("energy/negative.csv", "energy/unknown_facility.csv", "energy/no_unit_column.csv",
                             "energy/future.csv", "energy/non_numeric.csv", "energy/implausible.csv"):
        assert quarantined_only not in sources


def test_the_validation_report_is_linked_from_the_run(corpus_run, monkeypatch):
    tmp, result, env = corpus_run
    from dagster import AssetKey, DagsterEventType, DagsterInstance

    monkeypatch.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
    with DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(AssetKey(["silver", "energy"]))
        metadata = event.asset_materialization.metadata
        page = Path(metadata["validation_report"].value)
        run_id = event.run_id
        checks = {e.get_dagster_event().event_specific_data.asset_check_key.to_user_string():
                  e.get_dagster_event().event_specific_data
                  for e in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)}
    assert page.exists() and page.name == f"{run_id}.html"
    assert metadata["validation_report_url"].value == page.as_uri()
    html = page.read_text(encoding="utf-8")
    for table in ("energy", "datacenter_telemetry", "travel", "behaviour"):
        assert f'id="{table}"' in html
    assert "overlaps energy/overlapping.csv row 2" in html
    # The ingestion gates and the dbt invariants all ran as asset checks of this run.
    for name in ("silver/energy:silver_suite", "silver/energy:rows_reconcile", "bronze/energy:bronze_suite"):
        assert checks[name].passed or name == "bronze/energy:bronze_suite"
    assert checks["silver/energy:silver_suite"].passed and checks["silver/energy:rows_reconcile"].passed
    for test in INVARIANTS:
        matches = [k for k in checks if k.endswith(f":{test}")]
        assert matches, test
        assert all(checks[k].passed for k in matches), (test, [checks[k].description for k in matches])


def _dbt_test(data: Path, tests: tuple[str, ...]) -> dict[str, str]:
    env = {**os.environ, "CARBONLEDGER_DATA": str(data), "CARBONLEDGER_ENGINE": "duckdb"}
    target = data / "dbt_target"
    subprocess.run([str(Path(sys.executable).parent / "dbt"), "test", "--quiet", "--select", *tests,
                    "--project-dir", str(PROJECT_ROOT / "dbt_project"), "--profiles-dir", str(PROJECT_ROOT / "dbt_project"),
                    "--target-path", str(target)], env=env, capture_output=True, text=True, timeout=900)
    results = json.loads((target / "run_results.json").read_text())
    return {r["unique_id"].split(".")[-1]: r["status"] for r in results["results"]}


def test_the_mart_invariants_fail_on_a_broken_warehouse(corpus_run, tmp_path):
    """Each invariant test fails (or warns) when its invariant is broken by hand, and only then."""
    tmp, _, _ = corpus_run
    data = tmp_path / "data"
    shutil.copytree(tmp / "data", data, ignore=shutil.ignore_patterns("logs", "reports", "marts"))
    with duckdb.connect(str(data / "warehouse.duckdb")) as con:
        # The group row no longer equals the sum of its entities.
        con.execute("update marts.rpt_ghg_inventory_annual set t_co2e = t_co2e + 1 "
                    "where is_group_total and scope = 2 and scope2_method = 'location_based'")
        # A month of F-SH-01 disappears from the facts: the year total is no longer the sum of its months.
        con.execute("delete from marts.fct_emissions where facility_id = 'F-SH-01' and activity_month = '2022-03'")
        # An emission row without its factor.
        con.execute("update marts.fct_emissions set factor_id = null "
                    "where record_id = 'BJ-2022-01' and scope2_method = 'location_based'")
        # Market-based Scope 2 missing for one line (and not explained in fct_activity_without_factor).
        con.execute("delete from marts.fct_emissions where record_id = 'BJ-2022-02' and scope2_method = 'market_based'")
        # Avoided emissions where only gross emissions belong.
        con.execute("alter table marts.rpt_intensity_annual add column t_co2e_avoided double")
        # A fact of a facility that is no facility.
        con.execute("update marts.fct_emissions set facility_id = 'F-GONE' where record_id = 'SH-2022-05'")
    status = _dbt_test(data, INVARIANTS)
    assert status["assert_group_row_consistent_with_entities"] == "fail"
    assert status["assert_year_totals_equal_sum_of_months"] == "fail"
    assert status["assert_every_emission_row_has_a_factor"] == "fail"
    assert status["assert_scope2_both_methods_present"] == "warn"
    assert status["assert_no_avoided_emissions_in_rpt_intensity_annual"] == "fail"
    assert status["assert_no_avoided_emissions_in_fct_emissions"] == "pass"
    assert status["assert_no_avoided_emissions_in_rpt_ghg_inventory_annual"] == "pass"
    assert status["assert_fct_emissions_relationships_to_dimensions"] == "fail"
    assert status["assert_rpt_ghg_inventory_annual_entities_exist"] == "pass"

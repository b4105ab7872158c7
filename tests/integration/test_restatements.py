"""Publishing, reproducing and restating an inventory, with the figures worked out by hand.

Starts from tests/fixtures/inventory_core (see its expected.yaml for the 2022 figures: group headline,
location-based, 21.835 + 1,156.8607 = 1,178.6957 t). Then:
  1. an error found: Beijing's January reading was 110,000 kWh, not 100,000 -> +10,000 x 0.6776 = +6.776 t,
     0.5749% of the published headline: not significant against the 5% threshold;
  2. after publishing that as v2 (headline 21.835 + 1,163.6367 = 1,185.4717 t, Beijing 1,174,000 kWh), a change of
     factor source: 2022 location-based pinned to the MEE national average 0.5366 instead of the regional grids:
     (1,174,000 + 249,000 + 590,000) x 0.5366 = 1,080.1758 t instead of
     1,174,000 x 0.6776 + 249,000 x 0.5617 + 590,000 x 0.3869 = 795.5024 + 139.8633 + 228.271 = 1,163.6367 t
     -> -83.4609 t, 7.0403% of 1,185.4717: significant.
  3. `carbonledger report --year 2022` then marks 2022 as restated, its published figure beside it.
"""

from __future__ import annotations

import shutil

import pytest

from pipelines.policy import load_policy
from pipelines.publish import publish, verify
from tests.conftest import FIXTURES, cli_env, run_cli
from tests.pipeline_harness import build_warehouse
from tests.report_helpers import ReportFigures, run_report

pytestmark = pytest.mark.integration
CASE = FIXTURES / "inventory_core"


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("restate")
    landing, data = tmp / "landing", tmp / "data"
    shutil.copytree(CASE / "landing", landing)
    policy_path = tmp / "policy.yml"
    shutil.copy(CASE / "policy_operational.yml", policy_path)
    build_warehouse(landing, data, policy_path)
    policy = load_policy(policy_path)
    v1 = publish(2022, data, landing, policy)
    reproduced = verify(2022, 1, data, landing, policy)
    # 1. an error correction in the landing file
    energy = landing / "energy" / "electricity.csv"
    energy.write_text(energy.read_text(encoding="utf-8").replace(
        "F-BJ-01-2022-01,F-BJ-01,2022-01-01,2022-01-31,electricity,100000,",
        "F-BJ-01-2022-01,F-BJ-01,2022-01-01,2022-01-31,electricity,110000,"), encoding="utf-8")
    after_error = build_warehouse(landing, data, policy_path)
    summary_error = after_error.query("select * from marts.rpt_restatement_summary where reporting_year = 2022")
    detail_error = after_error.query("select * from marts.rpt_restatements where reporting_year = 2022")
    differences = verify(2022, 1, data, landing, policy)
    v2 = publish(2022, data, landing, policy)
    # 2. a change of factor source
    policy_path.write_text(policy_path.read_text(encoding="utf-8").replace(
        "2022: cn_mee_2022_regional ", "2022: cn_mee_2022_national "), encoding="utf-8")
    after_method = build_warehouse(landing, data, policy_path)
    summary_method = after_method.query("select * from marts.rpt_restatement_summary where reporting_year = 2022")
    return {"tmp": tmp, "data": data, "landing": landing, "v1": v1, "v2": v2, "reproduced": reproduced,
            "differences": differences, "summary_error": summary_error[0], "detail_error": detail_error,
            "summary_method": summary_method[0]}


def test_a_snapshot_reproduces_from_the_same_inputs(story):
    assert story["reproduced"] == []
    manifest = (story["v1"].path / "manifest.json").read_text(encoding="utf-8")
    assert '"sha256"' in manifest and "energy/electricity.csv" in manifest


def test_snapshots_are_never_overwritten(story):
    assert (story["v1"].path.name, story["v2"].path.name) == ("v1", "v2")
    assert (story["v1"].path / "rpt_ghg_inventory_annual.parquet").exists()


def test_verify_names_what_changed(story):
    assert "landing file energy/electricity.csv changed" in story["differences"]
    assert any(d.startswith("mart rpt_ghg_inventory_annual") for d in story["differences"])


def test_error_correction_is_attributed_and_not_significant(story):
    summary = story["summary_error"]
    assert summary["snapshot_id"] == "2022-v1"
    assert summary["t_co2e_published"] == pytest.approx(1178.6957, rel=1e-9)
    assert summary["t_co2e_error_correction"] == pytest.approx(6.776, rel=1e-9)
    assert summary["t_co2e_method_or_factor_change"] == pytest.approx(0.0, abs=1e-9)
    assert summary["t_co2e_recalculated"] == pytest.approx(1178.6957 + 6.776, rel=1e-9)
    assert summary["cumulative_change_pct"] == pytest.approx(6.776 / 1178.6957 * 100, rel=1e-9)
    assert summary["is_significant"] is False
    location = [d for d in story["detail_error"] if d["scope2_method"] == "location_based"]
    assert [(d["trigger"], d["changed_rows"]) for d in location] == [("error_correction", 1)]


def test_factor_source_change_is_significant(story):
    summary = story["summary_method"]
    assert summary["snapshot_id"] == "2022-v2"
    assert summary["t_co2e_published"] == pytest.approx(1185.4717, rel=1e-9)
    assert summary["t_co2e_method_or_factor_change"] == pytest.approx(1080.1758 - 1163.6367, rel=1e-9)
    assert summary["cumulative_change_pct"] == pytest.approx(83.4609 / 1185.4717 * 100, rel=1e-6)
    assert summary["is_significant"] is True


def test_publish_and_verify_from_the_command_line(story, tmp_path):
    env = cli_env(tmp_path)
    args = ["--data", str(story["data"]), "--landing", str(story["landing"]), "--config", str(story["tmp"] / "policy.yml")]
    published = run_cli(["publish", "--year", "2022", *args], env)
    assert published.returncode == 0, published.stderr
    assert "Published 2022-v3" in published.stdout
    verified = run_cli(["publish", "--year", "2022", "--verify", "v3", *args], env)
    assert verified.returncode == 0 and "reproduced exactly" in verified.stdout
    stale = run_cli(["publish", "--year", "2022", "--verify", "v1", *args], env)
    assert stale.returncode == 1 and "policy differs" in stale.stdout


def test_the_report_marks_the_restated_year_beside_its_published_figure(story):
    """`carbonledger report --year 2022` after the factor-source change (before any rebuild of v3): the history
    row of 2022 is marked restated, with the figure now (21.835 + 1,080.1758 = 1,102.0108 t, the headline is
    Scope 1 + Scope 2 location-based) beside the one published as v2 (1,185.4717 t)."""
    result = run_report(story["data"], story["tmp"] / "policy.yml", 2022)
    html = (story["data"] / "reports" / "2022" / "tcfd_report_2022.html").read_text(encoding="utf-8")
    assert result.returncode in (0, 1), result.stderr  # 1: the fixture's twice-retired credit serials are refused
    parsed = ReportFigures()
    parsed.feed(html)
    history = {row["reporting_year"]: row for row in parsed.tables["history"]}
    assert history["2022"]["is_restated"] == "true"
    assert float(history["2022"]["t_co2e_as_published"]) == pytest.approx(1185.4717, rel=1e-9)
    assert float(history["2022"]["t_co2e_headline"]) == pytest.approx(21.835 + 1080.1758, rel=1e-9)
    restatements = {row["reporting_year"]: row for row in parsed.tables["restatements"]}
    assert restatements["2022"]["snapshot_id"] == "2022-v2"
    assert float(restatements["2022"]["t_co2e_method_or_factor_change"]) == pytest.approx(-83.4609, rel=1e-6)
    assert restatements["2022"]["is_significant"] == "true"
    assert "(R)" in html  # the history chart marks the restated year

"""`carbonledger report` end to end on hand-made landing folders, against figures worked out by hand.

- inventory_core (operational control, AR5) with the entity names rewritten in Chinese: every figure of
  the HTML report (elements with data-figure / data-value), of the workbook (cells are numbers) and of
  the PDF (page count, Chinese names in the text) equals tests/fixtures/inventory_core/expected.yaml;
  the credit lots whose serials were retired twice are refused with a clear message (exit 1).
- accounts_basic with two extra filings in its policy: GZ-2023-01's package holds exactly the hand
  figures of expected.yaml (2 accounts, 5 reductions, 2,709.5 g), its manifest's SHA-256 match the files;
  a re-filing of the same months and a filing under an internal, unverified methodology are refused,
  naming the filing, the methodology and the reason.

Each warehouse is built once per module (tests/pipeline_harness.py); the CLI runs as `python -m
pipelines.cli` so the working copy's code is what runs.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil

import pytest
import yaml

from tests.conftest import FIXTURES
from tests.report_helpers import ReportFigures, boxes_past_the_right_margin, run_report
from tests.pipeline_harness import BuiltWarehouse, build_warehouse

pytestmark = pytest.mark.integration
INVENTORY = FIXTURES / "inventory_core"
ACCOUNTS = FIXTURES / "accounts_basic"
CHINESE_NAMES = {"GRP": "示范金融控股集团", "BANK": "示范银行股份有限公司", "JV": "示范保险合营公司"}


def _approx(value):
    return pytest.approx(value, rel=1e-7, abs=1e-7)


# --- the inventory report ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def expected() -> dict:
    return yaml.safe_load((INVENTORY / "expected.yaml").read_text(encoding="utf-8"))["operational_ar5"]


@pytest.fixture(scope="module")
def inventory_report(tmp_path_factory):
    """inventory_core with Chinese entity names, built, then `carbonledger report --year 2022`."""
    root = tmp_path_factory.mktemp("report_inventory")
    landing = root / "landing"
    shutil.copytree(INVENTORY / "landing", landing)
    for path in (landing / "org" / "entities").rglob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            row["entity_name"] = CHINESE_NAMES.get(row["entity_id"], row["entity_name"])
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    policy = INVENTORY / "policy_operational.yml"
    warehouse = build_warehouse(landing, root / "data", policy)
    result = run_report(warehouse.data_dir, policy, 2022)
    out = warehouse.data_dir / "reports" / "2022"
    html = (out / "tcfd_report_2022.html").read_text(encoding="utf-8")
    parsed = ReportFigures()
    parsed.feed(html)
    return {"result": result, "dir": out, "html": html, "parsed": parsed, "warehouse": warehouse}


def test_report_command_writes_every_output(inventory_report):
    out = inventory_report["dir"]
    for name in ("tcfd_report_2022.html", "tcfd_report_2022.pdf", "sustainability_workbook_2022.xlsx"):
        assert (out / name).stat().st_size > 1000, name
    for name in ("tcfd_report_2022.pdf", "sustainability_workbook_2022.xlsx"):
        digest = hashlib.sha256((out / name).read_bytes()).hexdigest()
        assert digest in inventory_report["result"].stdout


def test_a_report_whose_content_is_unchanged_is_kept_and_a_changed_one_printed(inventory_report, tmp_path):
    """The PDF is printed again only when what the report shows changed (assets/reports/outputs.py)."""
    import duckdb

    data = tmp_path / "data"
    shutil.copytree(inventory_report["warehouse"].data_dir, data)
    policy = INVENTORY / "policy_operational.yml"
    pdf = data / "reports" / "2022" / "tcfd_report_2022.pdf"
    before = (pdf.read_bytes(), pdf.stat().st_mtime_ns)
    again = run_report(data, policy, 2022)
    assert "its content unchanged: kept as it was" in again.stdout, again.stdout + again.stderr
    assert (pdf.read_bytes(), pdf.stat().st_mtime_ns) == before
    with duckdb.connect(str(data / "warehouse.duckdb")) as con:
        changed = con.execute("update marts.rpt_ghg_inventory_annual set t_co2e = t_co2e + 1 "
                              "where reporting_year = 2022 and is_group_total and scope = 1").fetchone()[0]
    assert changed == 1
    changed_run = run_report(data, policy, 2022)
    assert "kept as it was" not in changed_run.stdout, changed_run.stdout
    assert pdf.read_bytes() != before[0]
    parsed = ReportFigures()
    parsed.feed((data / "reports" / "2022" / "tcfd_report_2022.html").read_text(encoding="utf-8"))
    assert float(parsed.figures["scope1_t_co2e"][0]) == _approx(21.835 + 1)  # expected.yaml's Scope 1, plus 1 t


def test_twice_retired_serials_are_refused_with_a_clear_message(inventory_report):
    result = inventory_report["result"]
    assert result.returncode == 1, result.stderr
    for lot in ("CR4", "CR5"):  # expected.yaml: CR4 and CR5 share serials VCS-1-0290..0300
        assert re.search(rf"refused: credit lot {lot} .*serial retired twice", result.stderr), result.stderr
    credits = {r["credit_id"]: r for r in inventory_report["parsed"].tables["carbon_credits"]}
    assert credits["CR1"]["counts_toward_neutrality"] == "true"
    for lot in ("CR4", "CR5"):
        assert credits[lot]["counts_toward_neutrality"] == "false"


def test_headline_figures_equal_the_hand_figures(inventory_report, expected):
    figures = {k: float(v[0]) for k, v in inventory_report["parsed"].figures.items() if v[0]}
    inventory = {(r["scope"], r["scope2_method"]): r["t_co2e"] for r in expected["inventory"]
                 if r["is_group_total"]}
    assert figures["scope1_t_co2e"] == _approx(inventory[(1, None)])  # 21.835
    assert figures["scope2_location_based_t_co2e"] == _approx(inventory[(2, "location_based")])  # 1,156.8607
    assert figures["scope2_market_based_t_co2e"] == _approx(inventory[(2, "market_based")])  # 477.4128
    intensity = expected["intensity_group_2022"]
    assert figures["t_co2e_headline"] == _approx(intensity["t_co2e_headline"])
    assert figures["t_co2e_per_capita"] == _approx(intensity["t_co2e_per_capita"])
    assert figures["kg_co2e_per_m2"] == _approx(intensity["kg_co2e_per_m2"])
    assert figures["yoy_change_pct"] == _approx(intensity["yoy_change_pct"])
    assert figures["yoy_change_per_capita_pct"] == _approx(intensity["yoy_change_per_capita_pct"])
    neutrality = expected["neutrality_2022"]
    assert figures["t_co2e_gross_operational"] == _approx(neutrality["t_co2e_gross_operational"])
    assert figures["t_co2e_credits_retired"] == _approx(neutrality["t_co2e_credits_retired"])
    assert figures["t_co2e_net"] == _approx(neutrality["t_co2e_net"])
    assert figures["target_path_t_co2e"] == _approx(neutrality["target_path_t_co2e"])
    # Gross is never netted: the gross figure is the Scope 1 + 2 sum, credits only beside it.
    assert figures["t_co2e_gross_operational"] == _approx(21.835 + 1156.8607)


def test_report_tables_hold_the_hand_figures(inventory_report, expected):
    tables = inventory_report["parsed"].tables
    instruments = {r["instrument_id"]: r for r in tables["scope2_instruments"]}
    assert set(instruments) == set(expected["instruments"])
    for instrument, reason in expected["instruments"].items():
        assert instruments[instrument]["is_applied"] == ("true" if reason is None else "false"), instrument
        assert instruments[instrument]["ineligible_reason"] == (reason or ""), instrument
    screening = tables["scope3_screening"]
    assert [int(r["category_number"]) for r in screening] == list(range(1, 16))
    assert screening[14]["status"] == "omitted" and screening[14]["is_material_omission"] == "true"
    history = {int(r["reporting_year"]): r for r in tables["history"]}
    assert float(history[2021]["scope2_location_based_t_co2e"]) == _approx(267.264)  # 480,000 kWh x 0.5568
    assert float(history[2021]["scope2_market_based_t_co2e"]) == _approx(285.216)
    assert history[2021]["is_base_year"] == "true" and history[2022]["is_restated"] == "false"
    entities = {r["entity_id"]: r for r in tables["emissions_by_entity"]}
    assert entities["BANK"]["entity_name"] == CHINESE_NAMES["BANK"]
    assert float(entities["BANK"]["scope2_location_based_t_co2e"]) == _approx(928.5897)
    assert float(entities["JV"]["scope2_market_based_t_co2e"]) == _approx(210.816)
    assert "does not claim full compliance with IFRS S2" in inventory_report["html"]
    assert CHINESE_NAMES["GRP"] in inventory_report["html"]


def test_workbook_numbers_are_numbers_equal_to_the_hand_figures(inventory_report, expected):
    import openpyxl

    book = openpyxl.load_workbook(inventory_report["dir"] / "sustainability_workbook_2022.xlsx")
    assert book.sheetnames[0] == "README"
    assert len(book.sheetnames) >= 15
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert "Factor sets:" in sheet["A3"].value and "GWP set: IPCC AR5" in sheet["A3"].value, name
        assert sheet["A4"].value.startswith("Units:"), name

    def table(name):
        sheet = book[name]
        header = [c.value for c in sheet[6]]
        return [dict(zip(header, [c.value for c in row])) for row in sheet.iter_rows(min_row=7)]

    gross = {r["Scope / category"]: r["Emissions (t CO2e)"] for r in table("gross_emissions")}
    for label, value in (("Scope 1", 21.835), ("Scope 2 (location-based)", 1156.8607),
                         ("Scope 2 (market-based)", 477.4128)):
        assert isinstance(gross[label], float), label
        assert gross[label] == _approx(value), label
    intensity = {r["Year"]: r for r in table("intensity")}[2022]
    assert isinstance(intensity["Per capita (t CO2e/employee)"], float)
    assert intensity["Per capita (t CO2e/employee)"] == _approx(1.964492833)
    assert intensity["Headcount (mean) (employees)"] == _approx(600)
    assert intensity["Per m² (kg CO2e/m²)"] == _approx(65.48309444)
    neutrality = {r["Year"]: r for r in table("neutrality")}[2022]
    assert neutrality["Target path (t CO2e)"] == _approx(252.416)
    assert neutrality["Net of credits (t CO2e)"] == _approx(1078.6957)
    entities = {r["Entity id"]: r for r in table("emissions_by_entity")}
    assert entities["GRP"]["Entity"] == CHINESE_NAMES["GRP"]


def test_pdf_pages_and_chinese_names(inventory_report):
    from pypdf import PdfReader

    reader = PdfReader(str(inventory_report["dir"] / "tcfd_report_2022.pdf"))
    pages = len(reader.pages)
    assert f"({pages} pages)" in inventory_report["result"].stdout
    assert 8 <= pages <= 30
    text = "".join(page.extract_text() or "" for page in reader.pages)
    assert CHINESE_NAMES["GRP"] in text.replace(" ", "")
    assert CHINESE_NAMES["BANK"] in text.replace(" ", "")


def test_no_table_runs_past_the_right_margin(inventory_report, accounts_run):
    """Long ids (factor sets, credit serials) and wide number tables stay inside the page."""
    accounts_html = (accounts_run["warehouse"].data_dir / "reports" / "2023" / "tcfd_report_2023.html").read_text(
        encoding="utf-8")
    assert boxes_past_the_right_margin(inventory_report["html"]) == []
    assert boxes_past_the_right_margin(accounts_html) == []


# --- filing packages ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def accounts_run(tmp_path_factory):
    """accounts_basic, its policy plus a re-filing of GZ-2023-01's months, a filing under a scheme that
    recognises an internal, unverified methodology (EMP_CYCLING_MODE_SHIFT), and a Beijing scheme's filing of
    the same March metro trips, filed before GZ-2023-01: the trips were made by Shenzhen (Guangdong) staff."""
    root = tmp_path_factory.mktemp("report_accounts")
    expected = yaml.safe_load((ACCOUNTS / "expected.yaml").read_text(encoding="utf-8"))
    policy = yaml.safe_load((ACCOUNTS / "carbonledger.yml").read_text(encoding="utf-8"))
    policy["accounts"]["schemes"] += [
        {"scheme_id": "sh_internal", "exchange": "Shanghai Environment and Energy Exchange", "places": ["CN"],
         "scenarios": ["employee"], "recognised_methodologies": ["EMP_CYCLING_MODE_SHIFT"]},
        {"scheme_id": "bj_carbon_inclusive", "exchange": "Beijing Green Exchange", "places": ["CN-BJ"],
         "scenarios": ["employee"], "recognised_methodologies": ["EMP_METRO_COMMUTE_M"]}]
    policy["accounts"]["filings"] += [
        {"filing_id": "GZ-2023-02", "scheme_id": "gz_carbon_inclusive", "period_start": "2023-03",
         "period_end": "2023-04", "filed_on": "2023-06-15"},
        {"filing_id": "SH-2023-01", "scheme_id": "sh_internal", "period_start": "2023-06", "period_end": "2023-07",
         "filed_on": "2023-08-10"},
        {"filing_id": "BJ-2023-01", "scheme_id": "bj_carbon_inclusive", "period_start": "2023-03",
         "period_end": "2023-03", "filed_on": "2023-04-20"},
    ]
    config = root / "carbonledger.yml"
    config.write_text(yaml.safe_dump(policy, allow_unicode=True, sort_keys=False), encoding="utf-8")
    from assets.accounts.pseudonymise import DEMO_ENV, KEY_ENV

    saved = {name: os.environ.get(name) for name in (KEY_ENV, DEMO_ENV)}
    os.environ[KEY_ENV] = expected["test_key"]
    os.environ.pop(DEMO_ENV, None)
    try:
        warehouse = build_warehouse(ACCOUNTS / "landing", root / "data", config)
        result = run_report(warehouse.data_dir, config, 2023)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return {"result": result, "dir": warehouse.data_dir / "reports" / "2023" / "filings", "warehouse": warehouse}


def test_filing_package_holds_the_hand_figures(accounts_run):
    package = accounts_run["dir"] / "GZ-2023-01"
    with (package / "reductions.csv").open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    # expected.yaml: E001 ev-002 and E002 ev-007..010, metro v2 (541.9 g each), all in March 2023.
    assert lines == [{"filing_id": "GZ-2023-01", "scheme_id": "gz_carbon_inclusive",
                      "exchange": "Guangzhou Carbon Emissions Exchange", "methodology_id": "EMP_METRO_COMMUTE_M",
                      "methodology_version": "2", "activity_month": "2023-03", "accounts": "2", "reductions": "5",
                      "g_co2e": lines[0]["g_co2e"], "t_co2e": lines[0]["t_co2e"]}]
    assert float(lines[0]["g_co2e"]) == _approx(5 * 541.9)
    assert float(lines[0]["t_co2e"]) == _approx(0.0027095)
    document = json.loads((package / "filing.json").read_text(encoding="utf-8"))
    assert document["totals"]["accounts"] == 2 and document["totals"]["reductions"] == 5
    assert document["evidence"][0]["approval_status"] == "exchange_recognised"
    assert document["evidence"][0]["g_co2e_already_in_inventory"] == 0
    # F-SZ-01 is in Guangdong (CN-GD), which the scheme covers; the earlier Beijing filing took none of it.
    assert document["evidence"][0]["places"] == "CN-GD" and document["scheme_places"] == ["CN-GD"]
    # The ledger's transfer entries: -541.9 (E001) and -2,167.6 (E002), booked in May 2023.
    transfers = sorted(t["g_co2e_avoided"] for t in document["ledger_transfer_entries"])
    assert transfers == [_approx(-2167.6), _approx(-541.9)]
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    assert {f["name"] for f in manifest["files"]} == {"reductions.csv", "filing.json"}
    for f in manifest["files"]:
        data = (package / f["name"]).read_bytes()
        assert f["sha256"] == hashlib.sha256(data).hexdigest() and f["bytes"] == len(data)


def test_refiled_and_ineligible_filings_are_refused(accounts_run):
    result = accounts_run["result"]
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"filing GZ-2023-02 .*methodology EMP_METRO_COMMUTE_M v2: 5 reduction\(s\).*refused: re-filed: "
                     r"already transferred to the exchange by filing GZ-2023-01", result.stderr), result.stderr
    assert re.search(r"filing SH-2023-01 .*methodology EMP_CYCLING_MODE_SHIFT v1: 2 reduction\(s\).*refused: "
                     r"ineligible methodology: version 1 is internal_unverified", result.stderr), result.stderr
    # The March metro trips of E001 and E002 (5) were made from Shenzhen: not a place the Beijing scheme covers.
    assert re.search(r"filing BJ-2023-01 .*methodology EMP_METRO_COMMUTE_M v2: 5 reduction\(s\).*refused: not recognised "
                     r"for that place: the reduction happened in CN-GD; the scheme covers CN-BJ", result.stderr), result.stderr
    for refused in ("GZ-2023-02", "SH-2023-01", "BJ-2023-01"):
        assert not (accounts_run["dir"] / refused).exists()
    index = {f["filing_id"]: f for f in json.loads((accounts_run["dir"] / "index.json").read_text())["filings"]}
    assert index["GZ-2023-01"]["status"] == "packaged"
    assert {index[f]["status"] for f in ("GZ-2023-02", "SH-2023-01", "BJ-2023-01")} == {"refused"}


def test_the_report_shows_the_memo_book_apart(accounts_run):
    html = (accounts_run["warehouse"].data_dir / "reports" / "2023" / "tcfd_report_2023.html").read_text(encoding="utf-8")
    parsed = ReportFigures()
    parsed.feed(html)
    employee = next(r for r in parsed.tables["carbon_accounts"] if r["scenario"] == "employee")
    # expected.yaml, reconciliation 2023 employee: transferred 2,709.5 g = 0.0027095 t.
    assert float(employee["t_co2e_transferred"]) == _approx(0.0027095)
    assert float(employee["t_co2e_exchange_eligible"]) == _approx(0.0027095)
    filings = parsed.tables["exchange_filings"]
    assert [(r["filing_id"], r["accounts"]) for r in filings] == [("GZ-2023-01", "2")]

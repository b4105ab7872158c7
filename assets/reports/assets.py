"""Report assets: the TCFD / IFRS S2 report (HTML, PDF), the sustainability workbook and the exchange
filing packages, for every reporting year in the warehouse, under <data>/reports/<year>/.

They read the marts read-only once the annual marts are built (inside a run: the run's working copy
of the warehouse, so this run's figures) and call the same functions as `carbonledger report`
(assets/reports/outputs.py). A refused filing or credit lot does not fail the run: each refusal is
logged as an error and listed in the asset's metadata.
"""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from assets.reports.logic import reporting_years
from assets.reports.outputs import build_filing_packages, build_tcfd, build_workbook
from pipelines.resources import CarbonLedgerResource, WarehouseLockResource

REPORT_MARTS = (
    "rpt_ghg_inventory_annual", "rpt_intensity_annual", "rpt_scope3_screening", "rpt_restatement_summary",
    "rpt_neutrality_progress", "rpt_carbon_credits", "rpt_datacenter_pue", "rpt_exclusions_register",
    "rpt_memo_items_annual", "rpt_group_carbon_account", "fct_account_ledger", "dim_reporting_entities",
    "rpt_scope2_instruments", "rpt_factor_sources_annual",
)
FILING_MARTS = ("fct_account_ledger", "dim_account_methodologies")


def _deps(marts) -> list[AssetKey]:
    return [AssetKey(["marts", m]) for m in marts]


@asset(
    key=AssetKey(["reports", "tcfd_report"]),
    group_name="reports",
    deps=_deps(REPORT_MARTS),
    description="The TCFD / IFRS S2 metrics-and-targets report per reporting year, HTML and PDF with charts "
                "(<data>/reports/<year>/tcfd_report_<year>.html|pdf).",
    kinds={"duckdb", "html", "pdf"},
)
def tcfd_report(context: AssetExecutionContext, carbonledger: CarbonLedgerResource,
                warehouse_lock: WarehouseLockResource) -> MaterializeResult:
    settings = carbonledger.settings
    warehouse = warehouse_lock.warehouse_path
    outputs = {}
    for year in reporting_years(warehouse):
        out = build_tcfd(warehouse, year, settings.reports_dir)
        outputs[str(year)] = {"html": str(out.files["html"]), "pdf": str(out.files["pdf"]), "pages": out.pages,
                              "html_sha256": out.sha256["html"], "pdf_sha256": out.sha256["pdf"],
                            "printed": not out.kept}
        if out.kept:
            context.log.info(f"tcfd report {year}: its content is unchanged, the report already there is kept")
        for message in out.refusals:
            context.log.error(message)
    metadata = {"reports": MetadataValue.json(outputs)}
    if outputs:
        latest = outputs[max(outputs)]
        metadata.update(pdf_path=MetadataValue.path(latest["pdf"]), pages=latest["pages"],
                        pdf_sha256=latest["pdf_sha256"])
    return MaterializeResult(metadata=metadata)


@asset(
    key=AssetKey(["reports", "sustainability_workbook"]),
    group_name="reports",
    deps=_deps(REPORT_MARTS),
    description="The sustainability team's Excel workbook per reporting year, one sheet per reported table "
                "(<data>/reports/<year>/sustainability_workbook_<year>.xlsx).",
    kinds={"duckdb", "excel"},
)
def sustainability_workbook(context: AssetExecutionContext, carbonledger: CarbonLedgerResource,
                            warehouse_lock: WarehouseLockResource) -> MaterializeResult:
    settings = carbonledger.settings
    warehouse = warehouse_lock.warehouse_path
    outputs = {}
    for year in reporting_years(warehouse):
        out = build_workbook(warehouse, year, settings.reports_dir)
        outputs[str(year)] = {"path": str(out.files["xlsx"]), "sha256": out.sha256["xlsx"], "sheets": len(out.sheets)}
    metadata = {"workbooks": MetadataValue.json(outputs)}
    if outputs:
        metadata["path"] = MetadataValue.path(outputs[max(outputs)]["path"])
    return MaterializeResult(metadata=metadata)


@asset(
    key=AssetKey(["reports", "filing_packages"]),
    group_name="reports",
    deps=_deps(FILING_MARTS),
    description="Exchange filing packages of eligible reductions per filing of the policy (accounts.filings), "
                "with a SHA-256 manifest (<data>/reports/<year>/filings/; schema in docs/filing.md).",
    kinds={"duckdb", "json", "csv"},
)
def filing_packages(context: AssetExecutionContext, carbonledger: CarbonLedgerResource,
                    warehouse_lock: WarehouseLockResource) -> MaterializeResult:
    settings = carbonledger.settings
    loaded = carbonledger.load_policy()
    warehouse = warehouse_lock.warehouse_path
    years = sorted({int(f.period_end[:4]) for f in loaded.policy.accounts.filings})
    packages, refusals = {}, []
    for year in years:
        out = build_filing_packages(warehouse, year, settings.reports_dir, loaded.policy.accounts, loaded.sha256)
        for f in out.filings:
            packages[f.filing_id] = {"year": year, "status": f.status, "path": str(f.path) if f.path else None,
                                     "t_co2e": f.t_co2e, "accounts": f.accounts, "manifest_sha256": f.manifest_sha256}
        refusals += out.refusals
    for message in refusals:
        context.log.error(message)
    return MaterializeResult(metadata={"filings": MetadataValue.json(packages),
                                       "refused": MetadataValue.json(refusals),
                                       "packaged": sum(1 for p in packages.values() if p["status"] == "packaged")})

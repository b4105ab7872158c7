"""Data-centre assets: the chart of monthly PUE per data centre against its baseline.

It reads marts.rpt_datacenter_pue read-only once the marts are built, writes one PNG per reporting
year under <data>/reports/datacenter/ (the report embeds them) and shows the latest year's chart in
the asset's metadata in the Dagster UI.
"""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from assets.datacenter.logic import chart_markdown, render_all
from pipelines.resources import CarbonLedgerResource

PUE_MART = AssetKey(["marts", "rpt_datacenter_pue"])


@asset(
    key=AssetKey(["datacenter", "pue_monthly_chart"]),
    group_name="datacenter",
    deps=[PUE_MART],
    description="Monthly PUE of each data centre against its baseline, one PNG per reporting year "
                "(<data>/reports/datacenter/pue_monthly_<year>.png).",
    kinds={"duckdb", "png"},
)
def pue_monthly_chart(context: AssetExecutionContext, carbonledger: CarbonLedgerResource) -> MaterializeResult:
    settings = carbonledger.settings
    pue, charts = render_all(settings.warehouse_path, settings.reports_dir)
    metadata = {
        "charts": MetadataValue.json({str(c.reporting_year): str(c.path) for c in charts}),
        "datacenters": len(set(pue["facility_id"].to_list())),
        "rows": pue.height,
    }
    if charts:
        latest = charts[-1]
        metadata["chart_path"] = MetadataValue.path(str(latest.path))
        metadata["chart"] = MetadataValue.md(chart_markdown(latest, pue))
        context.log.info(f"{len(charts)} PUE chart(s) written under {latest.path.parent}")
    else:
        metadata["chart"] = MetadataValue.md("No data-centre telemetry in the warehouse: no chart.")
    return MaterializeResult(metadata=metadata)

"""Export asset: every mart of the warehouse as Parquet under data/marts/."""


from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from assets.exports.logic import export_all
from pipelines.resources import CarbonLedgerResource, WarehouseLockResource

EXPORTED_MARTS = (
    "fct_emissions",
    "fct_activity_without_factor",
    "rpt_ghg_inventory_annual",
    "rpt_intensity_annual",
)


@asset(
    key=AssetKey(["exports", "marts_parquet"]),
    group_name="exports",
    deps=[AssetKey(["marts", m]) for m in EXPORTED_MARTS],
    description="Every mart of warehouse.duckdb as Parquet in data/marts/<mart>/ (by reporting_year; a year whose "
                "rows did not change is kept from the last export).",
    kinds={"duckdb", "parquet"},
)
def marts_parquet(context: AssetExecutionContext, carbonledger: CarbonLedgerResource,
                  warehouse_lock: WarehouseLockResource) -> MaterializeResult:
    settings = carbonledger.settings
    # Within a run the exports read the run's working copy of the warehouse and are staged; they land
    # in data/marts/ together with the warehouse when the run succeeds (pipelines/warehouse_lock.py).
    # A reporting year whose rows are unchanged since the published export (settings.marts_dir) is
    # linked from it, not written again (assets/exports/logic.py: partition fingerprints).
    exported = export_all(warehouse_lock.warehouse_path, warehouse_lock.marts_dir, settings.marts_dir)
    return MaterializeResult(metadata={
        "marts_dir": str(settings.marts_dir),
        "rows_per_mart": MetadataValue.json({mart: e["rows"] for mart, e in exported.items()}),
        "reporting_years_written": MetadataValue.json({m: e["years_written"] for m, e in exported.items() if e["years_written"]}),
        "reporting_years_kept": MetadataValue.json({m: e["years_kept"] for m, e in exported.items() if e["years_kept"]}),
    })

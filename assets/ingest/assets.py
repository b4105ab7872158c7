"""Dagster assets of ingestion: for every landing folder, bronze, then silver with its quarantine.

Built by one factory from assets/ingest/tables.py, so a new landing folder is one entry there plus
its two suites in expectations/. The work itself is in assets/ingest/logic.py.
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetOut,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from assets.ingest import logic
from assets.ingest.tables import TABLES, LandingTable
from pipelines.partitions import month_of_key, monthly_partitions, months_between, single_run
from pipelines.resources import CarbonLedgerResource

DIMENSION_DEPS = {
    "org_facilities": ("org_entities",),
    "employees": ("org_entities", "org_facilities"),
}
ACTIVITY_DEPS = ("org_entities", "org_facilities")

def run_window(context: AssetExecutionContext, table: LandingTable) -> list[str] | None:
    """The months this run covers for a partitioned table ('YYYY-MM'), None for a dimension."""
    if not table.partitioned or not context.has_partition_key_range:
        return None
    key_range = context.partition_key_range
    return months_between(month_of_key(key_range.start), month_of_key(key_range.end))

def _reasons_table(reasons: dict[str, int]) -> str:
    if not reasons:
        return "No rows quarantined."
    rows = "\n".join(f"| {code} | {n:,} |" for code, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
    return "| reason | rows |\n|---|---:|\n" + rows

def build_bronze_asset(table: LandingTable) -> AssetsDefinition:
    @asset(
        key=AssetKey(["bronze", table.name]),
        group_name="bronze",
        partitions_def=monthly_partitions if table.partitioned else None,
        backfill_policy=single_run if table.partitioned else None,
        deps=[AssetKey(["policy"])],
        description=f"Rows of landing/{table.folder} as read, every column as text, with source_file and source_row.",
        kinds={"polars", "parquet"},
    )
    def _bronze(context: AssetExecutionContext, carbonledger: CarbonLedgerResource) -> MaterializeResult:
        policy = carbonledger.load_policy()
        report = logic.ingest_bronze(table, carbonledger.settings.landing_dir, carbonledger.lake, context.run_id,
                                     policy.timezone)
        for warning in report.warnings:
            context.log.warning(warning)
        for problem in report.unreadable:
            context.log.error(problem)
        if table.required and report.files == 0:
            raise FileNotFoundError(
                f"landing/{table.folder} has no files: it is required (see docs/data_contract.md)"
            )
        return MaterializeResult(
            metadata={
                "files": report.files,
                "files_read": report.files_read,
                "files_unchanged": report.files_unchanged,
                "files_withdrawn": report.files_withdrawn,
                "rows": report.rows,
                "unreadable_files": MetadataValue.json(report.unreadable),
                "warnings": MetadataValue.json(report.warnings[:50]),
                "policy_sha256": policy.sha256,
            }
        )

    return _bronze

def build_silver_asset(table: LandingTable) -> AssetsDefinition:
    deps = [AssetKey(["bronze", table.name])]
    known = DIMENSION_DEPS.get(table.name, () if table.name == "org_entities" else ACTIVITY_DEPS)
    deps += [AssetKey(["silver", d]) for d in known if d != table.name]

    @multi_asset(
        name=f"silver_{table.name}",
        outs={
            "silver": AssetOut(key=AssetKey(["silver", table.name]), group_name="silver", is_required=True,
                               description=f"Typed, unit-normalised rows of {table.folder} that pass its suites.",
                               kinds={"polars", "parquet"}),
            "quarantine": AssetOut(key=AssetKey(["quarantine", table.name]), group_name="quarantine",
                                   description=f"Rows of {table.folder} that fail, with reason_code and a message.",
                                   kinds={"polars", "parquet"}),
        },
        deps=deps,
        partitions_def=monthly_partitions if table.partitioned else None,
        backfill_policy=single_run if table.partitioned else None,
    )
    def _silver(context: AssetExecutionContext, carbonledger: CarbonLedgerResource):
        policy = carbonledger.load_policy()
        lake = carbonledger.lake
        rule_context = logic.load_rule_context(lake, [table], policy.timezone)
        window = run_window(context, table)
        report = logic.build_silver(table, lake, policy.timezone, rule_context, window)
        common = {
            "time_window": f"{window[0]} .. {window[-1]}" if window else "all",
            "policy_sha256": policy.sha256,
            "bronze_rows": report.bronze_rows,
        }
        for message in report.examples:
            context.log.warning(message)
        yield MaterializeResult(asset_key=AssetKey(["silver", table.name]), metadata={
            **common, "rows": report.silver_rows, "warning_rows": MetadataValue.json(dict(report.warnings))})
        yield MaterializeResult(asset_key=AssetKey(["quarantine", table.name]), metadata={
            **common,
            "rows": report.quarantined_rows,
            "reasons": MetadataValue.md(_reasons_table(dict(report.reasons))),
            "examples": MetadataValue.json(report.examples),
        })

    return _silver

ingest_assets: list[AssetsDefinition] = [
    built for table in TABLES for built in (build_bronze_asset(table), build_silver_asset(table))
]

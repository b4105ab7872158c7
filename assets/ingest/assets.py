"""Dagster assets of ingestion: for every landing folder, bronze, then silver with its quarantine.

Built by one factory from assets/ingest/tables.py, so a new landing folder is one entry there plus
its two suites in expectations/. The work itself is in assets/ingest/logic.py.
"""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

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

from assets.ingest import logic, validation_report
from assets.ingest.rules import load_suite, references
from assets.ingest.tables import TABLES, LandingTable
from pipelines import checks
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

def _report_links(path) -> dict:
    """Where the run's validation report is: shown on every ingestion asset of the run."""
    return {"validation_report": MetadataValue.path(str(path)), "validation_report_url": MetadataValue.url(path.as_uri())}


def _log_checks(context: AssetExecutionContext, outcomes: list[checks.CheckOutcome]) -> None:
    for outcome in outcomes:
        if outcome.passed:
            continue
        line = f"check {outcome.asset}:{outcome.name} {'failed (blocking)' if outcome.blocking else 'warns'}: {outcome.description}"
        (context.log.error if outcome.severity == "ERROR" else context.log.warning)(line)


def build_bronze_asset(table: LandingTable) -> AssetsDefinition:
    @asset(
        key=AssetKey(["bronze", table.name]),
        group_name="bronze",
        partitions_def=monthly_partitions if table.partitioned else None,
        backfill_policy=single_run if table.partitioned else None,
        deps=[AssetKey(["policy"])],
        description=f"Rows of landing/{table.folder} as read, every column as text, with source_file and source_row.",
        kinds={"polars", "parquet"},
        check_specs=checks.bronze_check_specs(table),
    )
    def _bronze(context: AssetExecutionContext, carbonledger: CarbonLedgerResource) -> MaterializeResult:
        started = time.perf_counter()
        policy = carbonledger.load_policy()
        report = logic.ingest_bronze(table, carbonledger.settings.landing_dir, carbonledger.lake, context.run.run_id,
                                     policy.timezone)
        for warning in report.warnings:
            context.log.warning(warning)
        for problem in report.unreadable:
            context.log.error(problem)
        if table.required and report.files == 0:
            raise FileNotFoundError(
                f"landing/{table.folder} has no files: it is required (see docs/data_contract.md)"
            )
        run_date = datetime.now(ZoneInfo(policy.timezone)).date()
        outcomes, fragment = checks.evaluate_bronze(table, carbonledger.lake, report, run_window(context, table), run_date)
        page = validation_report.write_fragment(carbonledger.settings.data_dir, context.run.run_id, table.name, "bronze",
                                                fragment)
        _log_checks(context, outcomes)
        return MaterializeResult(
            check_results=[o.result() for o in outcomes],
            metadata={
                **_report_links(page),
                "validation_seconds": round(fragment["validation_seconds"], 3),
                "step_seconds": round(time.perf_counter() - started, 3),
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

def known_key_tables(table: LandingTable) -> list[str]:
    """Silver tables whose keys the table's suites check against (value_set_from "silver:<t>.<c>"):
    their silver steps must run first, or the rule would see no keys."""
    refs = set()
    for layer in ("bronze", "silver"):
        refs |= references(load_suite(layer, table.name))
    return sorted({r.split(":", 1)[1].split(".", 1)[0] for r in refs if r.startswith("silver:")} - {table.name})


def build_silver_asset(table: LandingTable) -> AssetsDefinition:
    deps = [AssetKey(["bronze", table.name])]
    known = DIMENSION_DEPS.get(table.name, () if table.name == "org_entities" else ACTIVITY_DEPS)
    known = sorted(set(known) | set(known_key_tables(table)))
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
        check_specs=checks.silver_check_specs(table),
    )
    def _silver(context: AssetExecutionContext, carbonledger: CarbonLedgerResource):
        started = time.perf_counter()
        policy = carbonledger.load_policy()
        lake = carbonledger.lake
        rule_context = logic.load_rule_context(lake, [table], policy.timezone)
        window = run_window(context, table)
        report = logic.build_silver(table, lake, policy.timezone, rule_context, window)
        outcomes, fragment = checks.evaluate_silver(table, lake, report, window, rule_context, policy.timezone)
        page = validation_report.write_fragment(carbonledger.settings.data_dir, context.run.run_id, table.name, "silver",
                                                fragment)
        common = {
            "time_window": f"{window[0]} .. {window[-1]}" if window else "all",
            "policy_sha256": policy.sha256,
            "bronze_rows": report.bronze_rows,
            **_report_links(page),
            "validation_seconds": round(fragment["validation_seconds"], 3),
            "step_seconds": round(time.perf_counter() - started, 3),
        }
        for message in report.examples:
            context.log.warning(message)
        for skipped in report.skipped_rules:
            context.log.warning(f"{table.name}: rule {skipped}")
        _log_checks(context, outcomes)
        yield MaterializeResult(asset_key=AssetKey(["silver", table.name]), metadata={
            **common, "rows": report.silver_rows, "warning_rows": MetadataValue.json(dict(report.warnings)),
            "skipped_rules": MetadataValue.json(report.skipped_rules)})
        yield MaterializeResult(asset_key=AssetKey(["quarantine", table.name]), metadata={
            **common,
            "rows": report.quarantined_rows,
            "reasons": MetadataValue.md(_reasons_table(dict(report.reasons))),
            "examples": MetadataValue.json(report.examples),
        })
        # Checks last: a failing blocking check fails this step after silver and quarantine are recorded,
        # which stops every asset downstream of them in this run.
        for outcome in outcomes:
            yield outcome.result()

    return _silver

ingest_assets: list[AssetsDefinition] = [
    built for table in TABLES for built in (build_bronze_asset(table), build_silver_asset(table))
]

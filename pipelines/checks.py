"""Asset checks built from expectations/: each ingestion stage's suite, run by the stage's own step.

The checks are declared on the bronze asset and on the silver/quarantine multi-asset of every landing
table (assets/ingest/assets.py) and evaluated in the same step, so a check covers exactly the months
of the run's partition range. Great Expectations runs through assets/ingest/gx_suites.py.

| check | asset | severity | blocking | why |
|---|---|---|---|---|
| `bronze_suite` | bronze/<t> | WARN | no | bad rows as read (missing column, text not its type) are quarantined by the silver step: reported, not stopping |
| `files_readable` | bronze/<t> | ERROR | no | an unreadable file's rows are missing; the rest of the data goes on (and `check` exits 2) |
| `silver_suite` | silver/<t> | ERROR | yes | a row in silver that fails the suite means the fast path and the declared rules disagree: downstream numbers are untrustworthy |
| `rows_reconcile` | silver/<t> | ERROR | yes | bronze = silver + quarantine per month; otherwise rows were lost or doubled |
| suite `carbonledger_checks` (e.g. `every_month_covered`) | silver/<t> | WARN | no | a gap in a series is estimated later, not an error of a row |
| `no_rows_quarantined` | quarantine/<t> | WARN | no | rows were set aside with a reason (see the validation report) |

A missing required landing folder (org/entities, org/facilities, org/headcount) fails the bronze
step itself, which stops everything downstream.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, MetadataValue

from assets.ingest import gx_suites
from assets.ingest.lake import Lake, count_rows
from assets.ingest.logic import (
    BronzeReport,
    SilverReport,
    SilverRules,
    read_bronze_parts,
    reconcile,
    run_aggregate_checks,
    silver_for_checks,
    silver_months_for_checks,
    silver_window,
)
from assets.ingest.rules import Expectation, RuleContext, Suite, load_suite, resolve
from assets.ingest.tables import LandingTable

BRONZE_SUITE = "bronze_suite"
FILES_READABLE = "files_readable"
SILVER_SUITE = "silver_suite"
ROWS_RECONCILE = "rows_reconcile"
NO_ROWS_QUARANTINED = "no_rows_quarantined"


def _key(layer: str, table: LandingTable) -> AssetKey:
    return AssetKey([layer, table.name])


def bronze_check_specs(table: LandingTable) -> list[AssetCheckSpec]:
    key = _key("bronze", table)
    return [
        AssetCheckSpec(BRONZE_SUITE, asset=key, blocking=False,
                       description=f"expectations/bronze/{table.name}.json on the rows as read (Great Expectations): "
                                   "required columns exist, text parses as its type. Warns: bad rows are quarantined."),
        AssetCheckSpec(FILES_READABLE, asset=key, blocking=False,
                       description=f"Every file under landing/{table.folder} can be read (encoding, workbook, CSV)."),
    ]


def silver_check_specs(table: LandingTable) -> list[AssetCheckSpec]:
    silver, quarantine = _key("silver", table), _key("quarantine", table)
    specs = [
        AssetCheckSpec(SILVER_SUITE, asset=silver, blocking=True,
                       description=f"expectations/silver/{table.name}.json on the rows written to silver (Great "
                                   "Expectations). Blocking: a failing row in silver makes downstream numbers untrustworthy."),
        AssetCheckSpec(ROWS_RECONCILE, asset=silver, blocking=True,
                       description="For every month of the run: rows in bronze = rows in silver + rows in quarantine. Blocking."),
        AssetCheckSpec(NO_ROWS_QUARANTINED, asset=quarantine, blocking=False,
                       description="Warns when rows were quarantined, with the count per reason_code."),
    ]
    for check in load_suite("silver", table.name).aggregate_checks:
        specs.append(AssetCheckSpec(check.get("name", check["type"]), asset=silver, blocking=check.get("severity") == "error",
                                    description=check.get("description", "")))
    return specs


@dataclass
class CheckOutcome:
    """An asset check's verdict in plain data: the Dagster result and the report both come from it."""

    asset: str  # "silver/energy"
    name: str
    passed: bool
    severity: str  # "ERROR" | "WARN"
    blocking: bool
    description: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def result(self) -> AssetCheckResult:
        return AssetCheckResult(
            asset_key=AssetKey(self.asset.split("/")), check_name=self.name, passed=self.passed,
            severity=AssetCheckSeverity.ERROR if self.severity == "ERROR" else AssetCheckSeverity.WARN,
            description=self.description, metadata=self.metadata,
        )

    def as_dict(self) -> dict[str, Any]:
        return {"asset": self.asset, "name": self.name, "passed": self.passed, "severity": self.severity.lower(),
                "blocking": self.blocking, "description": self.description}


def _outcomes_markdown(run: gx_suites.SuiteOutcome) -> str:
    lines = ["| expectation | columns | result | failing rows | engine |", "|---|---|---|---:|---|"]
    for o in run.outcomes:
        where = f" where {o.condition}" if o.condition else ""
        status = "passed" if o.success else ("FAILED" if o.severity == "error" else "warning")
        count = "" if o.unexpected_count is None else f"{o.unexpected_count:,}"
        lines.append(f"| {o.expectation}{where} ({o.reason_code}) | {', '.join(o.columns)} | {status} | {count} | {o.engine} |")
    return "\n".join(lines)


def _examples(run: gx_suites.SuiteOutcome, limit: int = 20) -> list[str]:
    out = []
    for o in run.failed:
        if o.error:
            out.append(f"{o.expectation}({', '.join(o.columns)}): {o.error}")
        out.extend(f"{o.reason_code}: {x}" for x in o.examples)
    return out[:limit]


# --- bronze --------------------------------------------------------------------------------------


def bronze_batch(lake: Lake, table: LandingTable, months: list[str | None], required: list[str]) -> pl.LazyFrame | None:
    frames = [read_bronze_parts(table, parts, required)
              for m in months if (parts := lake.parts("bronze", table.name, m))]
    return pl.concat(frames, how="vertical_relaxed") if frames else None


def _column_exists(lake: Lake, table: LandingTable, months: list[str | None], suite: Suite) -> list[gx_suites.ExpectationOutcome]:
    """expect_column_to_exist, by GX, once per distinct header among the run's files."""
    exists = suite.of_type("expect_column_to_exist")
    if not exists:
        return []
    by_header: dict[tuple[str, ...], list[tuple[str, int]]] = {}
    for month in months:
        for path in lake.parts("bronze", table.name, month).values():
            columns = tuple(c for c in pl.read_parquet_schema(path) if c not in ("source_file", "source_row",
                                                                                  "ingest_run_id", "ingested_at"))
            source = pl.scan_parquet(path).select(pl.col("source_file").first()).collect().item()
            by_header.setdefault(columns, []).append((source, count_rows([path])))
    merged: dict[int, gx_suites.ExpectationOutcome] = {}
    for columns, files in by_header.items():
        empty = pl.DataFrame(schema={c: pl.String for c in columns})
        for i, outcome in enumerate(gx_suites.run_gx(empty, exists)):
            rows = sum(n for _, n in files)
            base = merged.setdefault(i, gx_suites.ExpectationOutcome(
                expectation=outcome.expectation, columns=outcome.columns, condition=None,
                reason_code=outcome.reason_code, severity=outcome.severity, success=True,
                engine="great_expectations (each file's header)", element_count=0, unexpected_count=0))
            base.element_count = (base.element_count or 0) + rows
            if not outcome.success:
                base.success = False
                base.unexpected_count = (base.unexpected_count or 0) + rows
                base.examples += sorted({f"{f}: no column {outcome.columns[0]}" for f, _ in files})
    return [merged[i] for i in sorted(merged)]


def evaluate_bronze(table: LandingTable, lake: Lake, report: BronzeReport, months: list[str] | None,
                    run_date: date, threshold: int = gx_suites.SAMPLE_THRESHOLD) -> tuple[list[CheckOutcome], dict]:
    """The bronze step's checks and its fragment of the validation report."""
    started = time.perf_counter()
    asset = f"bronze/{table.name}"
    suite = resolve(load_suite("bronze", table.name), RuleContext(run_date=run_date))
    window = silver_window(lake, table, RuleContext(run_date=run_date), months)
    batch = bronze_batch(lake, table, window, suite.required_columns)
    row_rules = [e for e in suite.expectations if e.type != "expect_column_to_exist"]
    if batch is None:
        run = gx_suites.SuiteOutcome(suite.name, 0, 0, False, None, [], 0.0)
    else:
        run = gx_suites.validate_batch(batch, suite, threshold=threshold, expectations=row_rules)
        run.outcomes = _column_exists(lake, table, window, suite) + run.outcomes
    failing = sum(o.unexpected_count or 0 for o in run.failed)
    suite_check = CheckOutcome(
        asset, BRONZE_SUITE, passed=not run.failed, severity="WARN", blocking=False,
        description=("Every row as read passes the bronze suite." if not run.failed else
                     f"{len(run.failed)} expectation(s) fail on {failing:,} value(s) as read; those rows are "
                     "quarantined by the silver step with the reason (see the validation report)."),
        metadata={
            "rows": run.rows, "validated_rows": run.validated_rows, "sampled": run.sampled,
            "expectations": MetadataValue.md(_outcomes_markdown(run)) if run.outcomes else MetadataValue.text("no rows"),
            "failing_examples": MetadataValue.json(_examples(run)),
            "gx_seconds": round(run.seconds, 3),
        },
    )
    readable = CheckOutcome(
        asset, FILES_READABLE, passed=not report.unreadable, severity="ERROR", blocking=False,
        description=("Every file could be read." if not report.unreadable else
                     f"{len(report.unreadable)} file(s) cannot be read; their rows are missing from this run: "
                     + "; ".join(report.unreadable[:5])),
        metadata={"unreadable_files": MetadataValue.json(report.unreadable), "files": report.files},
    )
    seconds = time.perf_counter() - started
    fragment = {"gx": run.as_dict(), "unreadable": report.unreadable, "warnings": report.warnings[:100],
                "files": report.files, "checks": [suite_check.as_dict(), readable.as_dict()],
                "validation_seconds": seconds}
    suite_check.metadata["validation_seconds"] = round(seconds, 3)
    return [suite_check, readable], fragment


# --- silver --------------------------------------------------------------------------------------


def batch_expectations(suite: Suite) -> list[Expectation]:
    """The suite as it applies to a batch of several months: a key unique only within its month
    (unique_scope: partition, e.g. behaviour events) is unique per (key, activity_month)."""
    out = []
    for exp in suite.expectations:
        if exp.type in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique") \
                and exp.meta.get("unique_scope") == "partition":
            columns = exp.checked_columns + ["activity_month"]
            exp = Expectation("expect_compound_columns_to_be_unique",
                              {"column_list": columns, "ignore_row_if": "any_value_is_missing"}, exp.meta)
        out.append(exp)
    return out


def evaluate_silver(table: LandingTable, lake: Lake, report: SilverReport, months: list[str] | None,
                    context: RuleContext, tz: str, threshold: int = gx_suites.SAMPLE_THRESHOLD,
                    sample_rows: int = gx_suites.SAMPLE_ROWS) -> tuple[list[CheckOutcome], dict]:
    """The silver step's checks (run after it wrote silver and quarantine) and its report fragment."""
    started = time.perf_counter()
    silver_asset, quarantine_asset = f"silver/{table.name}", f"quarantine/{table.name}"
    rules = SilverRules.load(table, tz, context)
    window = [m for m in report.months] if table.partitioned else [None]
    frame = silver_for_checks(lake, table, window)
    if frame is None:
        run = gx_suites.SuiteOutcome(rules.silver.name, 0, 0, False, None, [], 0.0,
                                     [f"{e.describe()}: {why}" for e, why in rules.silver.skipped])
    else:
        run = gx_suites.validate_batch(frame, rules.silver, threshold=threshold, sample_rows=sample_rows,
                                       expectations=batch_expectations(rules.silver),
                                       partitions=silver_months_for_checks(lake, table, window))
    errors = run.failed_errors
    suite_check = CheckOutcome(
        silver_asset, SILVER_SUITE, passed=not errors, severity="ERROR", blocking=True,
        description=(f"All {run.rows:,} rows written to silver pass the silver suite"
                     + (f" (GX on a seeded sample of {run.validated_rows:,} rows plus aggregates on every row)" if run.sampled else "")
                     + "." if not errors else
                     f"BLOCKING: {len(errors)} expectation(s) of expectations/silver/{table.name}.json fail on rows "
                     f"written to silver, so the silver step let through rows the suite rejects; downstream assets "
                     f"are stopped. First: " + "; ".join(_examples(run, 3))),
        metadata={
            "rows": run.rows, "validated_rows": run.validated_rows, "sampled": run.sampled,
            "expectations": MetadataValue.md(_outcomes_markdown(run)) if run.outcomes else MetadataValue.text("no rows"),
            "failing_examples": MetadataValue.json(_examples(run)),
            "skipped_rules": MetadataValue.json(run.skipped),
            "gx_seconds": round(run.seconds, 3),
        },
    )
    recon_started = time.perf_counter()
    recon = reconcile(lake, table, window)
    unbalanced = [r for r in recon if not r.balanced]
    reconcile_check = CheckOutcome(
        silver_asset, ROWS_RECONCILE, passed=not unbalanced, severity="ERROR", blocking=True,
        description=(f"Rows reconcile in all {len(recon)} month(s): bronze = silver + quarantine." if not unbalanced else
                     "BLOCKING: rows do not reconcile in " + ", ".join(
                         f"{r.month or 'the table'} (bronze {r.bronze:,} ≠ silver {r.silver:,} + quarantine {r.quarantine:,})"
                         for r in unbalanced[:5])),
        metadata={"months": len(recon), "bronze_rows": sum(r.bronze for r in recon),
                  "silver_rows": sum(r.silver for r in recon), "quarantine_rows": sum(r.quarantine for r in recon),
                  "unbalanced": MetadataValue.json([r.__dict__ for r in unbalanced])},
    )
    recon_seconds = time.perf_counter() - recon_started
    outcomes = [suite_check, reconcile_check]
    aggregates = run_aggregate_checks(lake, table, rules.silver, window)
    for agg in aggregates:
        blocking = agg["severity"] == "error"
        outcomes.append(CheckOutcome(
            silver_asset, agg["check"], passed=agg["passed"], severity="ERROR" if blocking else "WARN", blocking=blocking,
            description=(agg["description"] if agg["passed"] else f"{len(agg['problems'])} problem(s): " + "; ".join(agg["problems"][:5])),
            metadata={"problems": MetadataValue.json(agg["problems"][:200])},
        ))
    reasons = dict(report.reasons)
    outcomes.append(CheckOutcome(
        quarantine_asset, NO_ROWS_QUARANTINED, passed=report.quarantined_rows == 0, severity="WARN", blocking=False,
        description=("No row quarantined." if not report.quarantined_rows else
                     f"{report.quarantined_rows:,} of {report.bronze_rows:,} row(s) quarantined: "
                     + ", ".join(f"{k} {v:,}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]))),
        metadata={"quarantined_rows": report.quarantined_rows, "reasons": MetadataValue.json(reasons),
                  "examples": MetadataValue.json(report.examples)},
    ))
    checks_seconds = time.perf_counter() - started
    validation_seconds = report.validation_seconds + checks_seconds
    fragment = {
        "time_window": f"{window[0]} .. {window[-1]}" if window and window[0] else "all",
        "bronze_rows": report.bronze_rows, "silver_rows": report.silver_rows,
        "quarantined_rows": report.quarantined_rows, "reasons": reasons, "examples": report.examples,
        "warning_rows": dict(report.warnings), "skipped_rules": report.skipped_rules,
        "reconciliation": [r.__dict__ for r in recon], "aggregate_checks": aggregates, "gx": run.as_dict(),
        "checks": [o.as_dict() for o in outcomes],
        "validation_seconds": validation_seconds,
        "timings": {"silver_step_seconds": report.seconds, "fast_path_seconds": report.validation_seconds,
                    "gx_seconds": run.seconds, "reconcile_seconds": recon_seconds},
    }
    return outcomes, fragment


def blocking_failures(outcomes: list[CheckOutcome]) -> list[CheckOutcome]:
    return [o for o in outcomes if o.blocking and not o.passed and o.severity == "ERROR"]

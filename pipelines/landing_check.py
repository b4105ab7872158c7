"""`carbonledger check`: validate landing files without touching the lake or the warehouse.

The same bronze and silver steps as a run, into a temporary folder, so `check` and `run` can never
disagree about a row. Exit 0 when every row is valid, 1 when some rows are bad, 2 when a file cannot
be read (2 wins over 1). Empty and header-only files are warnings.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TextIO

import polars as pl

from assets.ingest.lake import Lake
from assets.ingest.logic import (
    build_silver,
    ingest_bronze,
    load_rule_context,
    run_aggregate_checks,
    tables_in_dependency_order,
)
from assets.ingest.rules import load_suite
from pipelines.policy import load_policy

EXIT_OK, EXIT_BAD_ROWS, EXIT_UNREADABLE = 0, 1, 2


def check_landing(landing_dir: Path, config: str | None, out: TextIO) -> int:
    policy = load_policy(config)
    if not landing_dir.is_dir():
        print(f"{landing_dir}: no such landing folder", file=out)
        return EXIT_UNREADABLE
    unreadable: list[str] = []
    bad_rows = 0
    checked_rows = 0
    with tempfile.TemporaryDirectory(prefix="carbonledger-check-") as tmp:
        lake = Lake(Path(tmp) / "lake")
        for table in tables_in_dependency_order():
            bronze = ingest_bronze(table, landing_dir, lake, "check", policy.timezone)
            for warning in bronze.warnings:
                print(f"warning: {warning}", file=out)
            for problem in bronze.unreadable:
                print(f"error: {problem}", file=out)
            unreadable += bronze.unreadable
            if table.required and bronze.files == 0:
                print(f"error: landing/{table.folder} has no files, and it is required", file=out)
                unreadable.append(table.folder)
            if bronze.files == 0:
                continue
            report = build_silver(table, lake, policy.timezone, load_rule_context(lake, [table], policy.timezone))
            checked_rows += report.bronze_rows
            for skipped in report.skipped_rules:
                print(f"warning: {table.name}: rule {skipped}", file=out)
            months = report.months if table.partitioned else [None]
            for aggregate in run_aggregate_checks(lake, table, load_suite("silver", table.name), months):
                for problem in aggregate["problems"]:
                    print(f"warning: {problem}", file=out)
            bad_rows += report.quarantined_rows
            parts = lake.all_parts("quarantine", table.name)
            if parts:
                messages = (
                    pl.scan_parquet(parts, hive_partitioning=False)
                    .sort("source_file", "source_row")
                    .select(pl.format("{} [{}]", "reason_message", "reason_code"))
                    .collect()
                    .to_series()
                )
                for message in messages:
                    print(message, file=out)
    print(f"\n{checked_rows:,} rows checked, {bad_rows:,} bad, {len(unreadable)} unreadable file(s).", file=out)
    if unreadable:
        return EXIT_UNREADABLE
    return EXIT_BAD_ROWS if bad_rows else EXIT_OK

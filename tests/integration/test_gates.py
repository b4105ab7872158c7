"""The ingestion gates in Dagster: which checks block, which warn, and what a blocking failure stops.

Runs the ingestion assets of the org tables and energy in process (a few seconds), with a stand-in
asset downstream of silver/energy. A blocking failure is provoked by making the fast path drop one
rule (so silver holds a row its suite rejects) or lose quarantined rows (so rows do not reconcile).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance, MaterializeResult, asset, materialize

from assets.ingest import logic
from assets.ingest.assets import ingest_assets
from assets.ingest.rules import apply_row_rules
from assets.policy.assets import policy
from pipelines.resources import CarbonLedgerResource
from tests.fixtures.bad_inputs import corpus

TABLES = ("org_entities", "org_facilities", "org_headcount", "energy")
RANGE = {"dagster/asset_partition_range_start": "2022-01-01", "dagster/asset_partition_range_end": "2022-12-01"}
DOWNSTREAM = AssetKey(["marts", "stand_in_downstream_of_energy"])


@asset(key=DOWNSTREAM, deps=[AssetKey(["silver", "energy"]), AssetKey(["quarantine", "energy"])])
def stand_in_downstream() -> MaterializeResult:
    return MaterializeResult()


def _run(landing: Path, data: Path):
    selected = [a for a in ingest_assets if any(k.path[-1] in TABLES for k in a.keys)]
    resources = {"carbonledger": CarbonLedgerResource(landing_dir=str(landing), data_dir=str(data))}
    instance = DagsterInstance.ephemeral()
    result = materialize([policy, *selected, stand_in_downstream], resources=resources, tags=RANGE,
                         raise_on_error=False, instance=instance)
    checks = {e.asset_check_key.to_user_string(): e for e in result.get_asset_check_evaluations()}
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    failures = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    return result, checks, materialized, failures


def test_clean_data_passes_every_gate_and_runs_downstream(tmp_path):
    landing = corpus.lay_out(tmp_path)
    result, checks, materialized, _ = _run(landing, tmp_path / "data")
    assert result.success
    assert DOWNSTREAM in materialized
    for name in ("bronze/energy:bronze_suite", "bronze/energy:files_readable", "silver/energy:silver_suite",
                 "silver/energy:rows_reconcile", "silver/energy:every_month_covered",
                 "quarantine/energy:no_rows_quarantined", "silver/org_entities:silver_suite"):
        assert checks[name].passed, (name, checks[name].description)
    assert checks["silver/energy:silver_suite"].blocking and checks["silver/energy:rows_reconcile"].blocking
    assert not checks["bronze/energy:bronze_suite"].blocking


def test_quarantined_rows_warn_and_do_not_block(tmp_path):
    landing = corpus.lay_out(tmp_path, "negative_quantity", "missing_month", "truncated_xlsx")
    result, checks, materialized, _ = _run(landing, tmp_path / "data")
    assert result.success
    assert DOWNSTREAM in materialized
    quarantine = checks["quarantine/energy:no_rows_quarantined"]
    assert not quarantine.passed and quarantine.severity.value == "WARN" and not quarantine.blocking
    assert "1 of 36 row(s) quarantined: negative_quantity 1" in quarantine.description
    gap = checks["silver/energy:every_month_covered"]
    assert not gap.passed and gap.severity.value == "WARN"
    assert "F-K19 electricity has no line covering 2022-05" in gap.description
    readable = checks["bronze/energy:files_readable"]
    assert not readable.passed and readable.severity.value == "ERROR" and not readable.blocking
    assert "energy/truncated.xlsx: cannot read the workbook" in readable.description
    assert checks["silver/energy:silver_suite"].passed and checks["silver/energy:rows_reconcile"].passed
    # The bronze suite counts, per expectation, what fails as read (the 'n/a' style text) -- none here.
    assert checks["bronze/energy:bronze_suite"].passed


def test_a_row_in_silver_that_fails_the_suite_blocks_downstream(tmp_path, monkeypatch):
    """If the fast path let through a row its suite rejects, GX on silver fails and stops what is downstream."""

    def without_the_negative_rule(frame, suite, schema):
        kept = tuple(e for e in suite.expectations if e.reason_code != "negative_quantity")
        from dataclasses import replace
        return apply_row_rules(frame, replace(suite, expectations=kept), schema)

    monkeypatch.setattr(logic, "apply_row_rules", without_the_negative_rule)
    landing = corpus.lay_out(tmp_path, "negative_quantity")
    result, checks, materialized, failures = _run(landing, tmp_path / "data")
    assert not result.success
    check = checks["silver/energy:silver_suite"]
    assert not check.passed and check.blocking
    assert "BLOCKING" in check.description
    assert "energy/negative.csv row 2 column quantity: value '-100.0'" in check.description
    assert DOWNSTREAM not in materialized  # stopped
    assert AssetKey(["silver", "energy"]) in materialized  # the step wrote silver, then its gate failed
    assert any("blocking asset check" in f.event_specific_data.error.to_string() for f in failures)


def test_rows_that_do_not_reconcile_block_downstream(tmp_path, monkeypatch):
    """Quarantined rows that vanish break bronze = silver + quarantine: blocking."""
    monkeypatch.setattr(logic, "_quarantine_rows", lambda frame, table: pl.DataFrame(schema=logic.quarantine_schema(table)))
    landing = corpus.lay_out(tmp_path, "negative_quantity")
    result, checks, materialized, _ = _run(landing, tmp_path / "data")
    assert not result.success
    check = checks["silver/energy:rows_reconcile"]
    assert not check.passed and check.blocking
    # January: BJ-2022-01 and SH-2022-01 of the base, and NQ-1 (quarantined, then lost).
    assert "2022-01 (bronze 3 ≠ silver 2 + quarantine 0)" in check.description
    assert checks["silver/energy:silver_suite"].passed
    assert DOWNSTREAM not in materialized


def test_a_missing_required_org_folder_stops_the_run(tmp_path):
    landing = corpus.lay_out(tmp_path)
    import shutil
    shutil.rmtree(landing / "org" / "headcount")
    result, _, materialized, failures = _run(landing, tmp_path / "data")
    assert not result.success
    # What depends on headcount stops (in a full run: the dbt steps); what does not goes on.
    assert AssetKey(["silver", "org_headcount"]) not in materialized
    assert DOWNSTREAM in materialized
    assert any("landing/org/headcount has no files: it is required" in f.event_specific_data.error.to_string()
               for f in failures)


def test_the_validation_report_is_written_and_linked(tmp_path):
    landing = corpus.lay_out(tmp_path, "negative_quantity")
    result, _, _, _ = _run(landing, tmp_path / "data")
    page = tmp_path / "data" / "reports" / "validation" / f"{result.run_id}.html"
    assert page.exists()
    text = page.read_text(encoding="utf-8")
    assert "energy/negative.csv row 2 column quantity: value &#x27;-100&#x27; is negative" in text
    assert "negative_quantity" in text and "org_headcount" in text
    events = [e for e in result.get_asset_materialization_events() if e.asset_key == AssetKey(["silver", "energy"])]
    metadata = events[0].materialization.metadata
    assert metadata["validation_report"].value == str(page)
    assert metadata["validation_report_url"].value == page.as_uri()
    assert metadata["validation_seconds"].value > 0

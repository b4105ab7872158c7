"""The one Definitions object of Carbon Ledger (the Dagster code location)."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from assets.datacenter.assets import pue_monthly_chart
from assets.exports.assets import marts_parquet
from assets.ingest.assets import ingest_assets
from assets.reports.assets import filing_packages, sustainability_workbook, tcfd_report
from assets.inventory.assets import dbt_annual_marts, dbt_foundation, dbt_monthly_facts
from assets.policy.assets import policy
from pipelines.jobs import all_assets_job
from pipelines.resources import build_resources
from pipelines.schedules import monthly_close, with_marts_freshness
from pipelines.sensors import sensors

defs = Definitions(
    assets=[policy, *ingest_assets, dbt_foundation, dbt_monthly_facts, dbt_annual_marts, marts_parquet,
            pue_monthly_chart, tcfd_report, sustainability_workbook, filing_packages],
    jobs=[all_assets_job],
    schedules=[monthly_close],
    sensors=sensors,
    resources=build_resources(),
    # Steps are coarse; the multiprocess executor would add about 2 s per step.
    executor=in_process_executor,
)
# The marts promise a monthly cadence (pipelines/schedules.py); the UI shows it on each mart.
defs = with_marts_freshness(defs)

"""The one Definitions object of Carbon Ledger (the Dagster code location)."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from assets.exports.assets import marts_parquet
from assets.ingest.assets import ingest_assets
from assets.inventory.assets import dbt_annual_marts, dbt_foundation, dbt_monthly_facts
from assets.policy.assets import policy
from pipelines.jobs import all_assets_job
from pipelines.resources import build_resources

defs = Definitions(
    assets=[policy, *ingest_assets, dbt_foundation, dbt_monthly_facts, dbt_annual_marts, marts_parquet],
    jobs=[all_assets_job],
    resources=build_resources(),
    # Steps are coarse; the multiprocess executor would add about 2 s per step.
    executor=in_process_executor,
)

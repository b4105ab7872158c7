"""Jobs: everything in one run (what `carbonledger run` launches)."""

from dagster import AssetSelection, define_asset_job

ALL_ASSETS_JOB = "carbonledger_all"

all_assets_job = define_asset_job(
    ALL_ASSETS_JOB,
    selection=AssetSelection.all(),
    description="Policy, ingestion, dbt models and exports for a month window, in one run.",
)

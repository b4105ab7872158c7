"""Jobs: everything in one run (what `carbonledger run`, the monthly close and the landing sensor launch)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

ALL_ASSETS_JOB = "carbonledger_all"

# The month window of a run that mixes monthly and unpartitioned assets (Dagster's own tag names).
PARTITION_RANGE_START = "dagster/asset_partition_range_start"
PARTITION_RANGE_END = "dagster/asset_partition_range_end"
POLICY_TAG = "carbonledger/policy_sha256"
TRIGGER_TAG = "carbonledger/trigger"  # cli, monthly_close, landing_sensor (absent: launched in the UI)
# Every run of the job carries this tag, so a Dagster run queue can run them one at a time (see
# docs/operations.md, "One writer"): queued instead of failing with "warehouse busy".
WAREHOUSE_TAG = "carbonledger/warehouse"

all_assets_job = define_asset_job(
    ALL_ASSETS_JOB,
    selection=AssetSelection.all(),
    description="Policy, ingestion, dbt models and exports for a month window, in one run.",
    tags={WAREHOUSE_TAG: "writer"},
)


def month_window_tags(first_key: str, last_key: str, trigger: str, policy_sha256: str | None = None) -> dict[str, str]:
    """Tags of one run over the monthly partitions first_key..last_key ('YYYY-MM-01')."""
    if last_key < first_key:
        raise ValueError(f"partition range starts after it ends: {first_key} > {last_key}")
    tags = {PARTITION_RANGE_START: first_key, PARTITION_RANGE_END: last_key, TRIGGER_TAG: trigger}
    if policy_sha256:
        tags[POLICY_TAG] = policy_sha256
    return tags

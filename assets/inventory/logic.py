"""Pure helpers for the dbt assets (tested without Dagster)."""

from __future__ import annotations

import json

# dbt selections of the three dbt steps of a run: foundation (seeds, staging, dimensions), the
# month-partitioned facts (incremental, delete+insert by month), and the annual marts built on them.
MONTHLY_SELECT = "tag:monthly"
FOUNDATION_EXCLUDE = "tag:monthly+"
ANNUAL_SELECT = "tag:monthly+"
ANNUAL_EXCLUDE = "tag:monthly"
# A run tagged with this rebuilds the incremental facts from scratch (carbonledger run --full-refresh).
FULL_REFRESH_TAG = "carbonledger/full_refresh"


def dbt_build_args(window: tuple[str, str] | None = None, full_refresh: bool = False) -> list[str]:
    """Arguments of `dbt build`; a month window ('YYYY-MM', 'YYYY-MM') becomes the only dbt vars."""
    args = ["build"]
    if window is not None:
        start, end = window
        if start > end:
            raise ValueError(f"month window starts after it ends: {start} > {end}")
        args += ["--vars", json.dumps({"start_month": start, "end_month": end})]
    if full_refresh:
        args.append("--full-refresh")
    return args

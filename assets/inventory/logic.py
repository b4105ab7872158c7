"""Pure helpers for the dbt assets (tested without Dagster)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

# dbt selections of the three dbt steps of a run: foundation (seeds, staging, dimensions), the
# month-partitioned facts (incremental, delete+insert by month), and the annual marts built on them.
MONTHLY_SELECT = "tag:monthly"
FOUNDATION_EXCLUDE = "tag:monthly+"
ANNUAL_SELECT = "tag:monthly+"
ANNUAL_EXCLUDE = "tag:monthly"
# A run tagged with this rebuilds the incremental facts from scratch (carbonledger run --full-refresh).
FULL_REFRESH_TAG = "carbonledger/full_refresh"


# The month-partitioned account facts whose data tests check only the months a run built (dbt macro
# months_built_this_run): at the group's scale, testing every month again cost a month close a minute.
ACCOUNT_FACTS = ("marts_private.fct_account_claims", "marts.fct_account_ledger")
EVERY_MONTH = "1900-01"


def dbt_build_args(window: tuple[str, str] | None = None, full_refresh: bool = False,
                   data_tests_from: str | None = None) -> list[str]:
    """Arguments of `dbt build`; a month window ('YYYY-MM', 'YYYY-MM') becomes dbt vars, with the first
    month the account facts' data tests check (data_tests_from, see data_tests_from_month)."""
    args = ["build"]
    if window is not None:
        start, end = window
        if start > end:
            raise ValueError(f"month window starts after it ends: {start} > {end}")
        dbt_vars = {"start_month": start, "end_month": end}
        if data_tests_from is not None:
            dbt_vars["data_tests_from_month"] = data_tests_from
        args += ["--vars", json.dumps(dbt_vars)]
    if full_refresh:
        args.append("--full-refresh")
    return args


def data_tests_from_month(warehouse: Path, window_start: str, policy_sha256: str, full_refresh: bool) -> str:
    """The first month a run rebuilds in the account facts, read before dbt runs: the window's first month,
    or the January of the first year an earlier policy built (the models rebuild such years too:
    dbt_project/macros/monthly_incremental.sql). Every month when in doubt: a full refresh, a first build,
    or a warehouse that cannot be read (testing more is only slower)."""
    if full_refresh or not warehouse.exists():
        return EVERY_MONTH
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            existing = {name for (name,) in con.execute(
                "select table_schema || '.' || table_name from information_schema.tables").fetchall()}
            first = window_start
            for table in ACCOUNT_FACTS:
                if table not in existing:
                    return EVERY_MONTH
                (other_policy,) = con.execute(f"select min(activity_month) from {table} where policy_sha256 <> ?",
                                              [policy_sha256]).fetchone()
                if other_policy is not None:
                    first = min(first, other_policy[:4] + "-01")
            return first
    except duckdb.Error:
        return EVERY_MONTH

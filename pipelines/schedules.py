"""The monthly close (a schedule) and the freshness the marts promise.

Month close: on the 6th of every month at 02:00 (Asia/Shanghai, the default reporting time zone) one
run materialises the whole graph for the month that just ended: bronze and silver of that month, the
monthly facts for it, and the unpartitioned dimensions and annual marts rebuilt from every fact.

Freshness: the marts are expected to be rebuilt by each month close, so they carry a cron freshness
policy: materialised between the 1st of the month and noon on the 7th (a day and a half of slack
after the close), failing from then until they are materialised again.
"""

from __future__ import annotations

import os
import warnings
from datetime import datetime, timedelta

from dagster import (
    AssetSpec,
    DefaultScheduleStatus,
    Definitions,
    FreshnessPolicy,
    PreviewWarning,
    RunRequest,
    ScheduleEvaluationContext,
    apply_freshness_policy,
    schedule,
)


from pipelines.jobs import all_assets_job, month_window_tags

MONTH_CLOSE_CRON = "0 2 6 * *"
MONTH_CLOSE_TIMEZONE = "Asia/Shanghai"
# Schedules and the landing sensor start stopped unless CARBONLEDGER_AUTOMATION=on (a deployment that
# wants them running from its first start); once toggled in the UI the instance remembers the state.
AUTOMATION_ENV = "CARBONLEDGER_AUTOMATION"

MARTS_FRESHNESS = FreshnessPolicy.cron(
    deadline_cron="0 12 7 * *",
    lower_bound_delta=timedelta(days=6, hours=12),
    timezone=MONTH_CLOSE_TIMEZONE,
)
FRESHNESS_GROUPS = ("marts",)


def automation_on() -> bool:
    return os.environ.get(AUTOMATION_ENV, "").strip().lower() in ("1", "on", "true", "yes")


def previous_month_key(moment: datetime) -> str:
    """'YYYY-MM-01' of the month before `moment` (in moment's own time zone)."""
    year, month = (moment.year - 1, 12) if moment.month == 1 else (moment.year, moment.month - 1)
    return f"{year:04d}-{month:02d}-01"


def _policy_sha256() -> str | None:
    try:
        from pipelines.policy import load_policy

        return load_policy(os.environ.get("CARBONLEDGER_CONFIG")).sha256
    except Exception:  # the run's policy step reports a broken policy with its own message
        return None


@schedule(
    name="monthly_close",
    job=all_assets_job,
    cron_schedule=MONTH_CLOSE_CRON,
    execution_timezone=MONTH_CLOSE_TIMEZONE,
    default_status=DefaultScheduleStatus.RUNNING if automation_on() else DefaultScheduleStatus.STOPPED,
    description="Month close: one run over the month that just ended (facts) and every annual mart.",
)
def monthly_close(context: ScheduleEvaluationContext) -> RunRequest:
    month = previous_month_key(context.scheduled_execution_time)
    return RunRequest(run_key=f"monthly_close:{month[:7]}",
                      tags=month_window_tags(month, month, "monthly_close", _policy_sha256()))


def _marts_freshness(spec: AssetSpec) -> AssetSpec:
    return apply_freshness_policy(spec, MARTS_FRESHNESS) if spec.group_name in FRESHNESS_GROUPS else spec


def with_marts_freshness(defs: Definitions) -> Definitions:
    """The Definitions with the marts' freshness policy applied (shown on each mart's page in the UI)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PreviewWarning)  # map_asset_specs is "preview" in Dagster 1.13
        return defs.map_asset_specs(func=_marts_freshness)

"""The monthly close materialises last month as one run; the marts carry a monthly freshness policy."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dagster import AssetKey, build_schedule_context

from pipelines.schedules import MARTS_FRESHNESS, monthly_close, previous_month_key

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("moment", "expected"), [
    (datetime(2024, 6, 6, 2, 0, tzinfo=SHANGHAI), "2024-05-01"),
    (datetime(2024, 1, 6, 2, 0, tzinfo=SHANGHAI), "2023-12-01"),
    (datetime(2024, 3, 6, 2, 0, tzinfo=SHANGHAI), "2024-02-01"),
])
def test_previous_month(moment, expected):
    assert previous_month_key(moment) == expected


def test_the_monthly_close_runs_last_month_as_one_run():
    context = build_schedule_context(scheduled_execution_time=datetime(2025, 1, 6, 2, 0, tzinfo=SHANGHAI))
    request = monthly_close(context)
    assert request.tags["dagster/asset_partition_range_start"] == "2024-12-01"
    assert request.tags["dagster/asset_partition_range_end"] == "2024-12-01"
    assert request.tags["carbonledger/trigger"] == "monthly_close"
    assert len(request.tags["carbonledger/policy_sha256"]) == 64
    assert request.run_key == "monthly_close:2024-12"
    assert request.asset_selection is None  # the whole graph: facts of the month, annual marts, exports


def test_the_schedule_fires_on_the_6th_at_2am_shanghai():
    assert monthly_close.cron_schedule == "0 2 6 * *"
    assert monthly_close.execution_timezone == "Asia/Shanghai"
    assert monthly_close.job_name == "carbonledger_all"


def test_freshness_expects_a_materialisation_between_the_1st_and_noon_on_the_7th():
    assert MARTS_FRESHNESS.deadline_cron == "0 12 7 * *"
    assert MARTS_FRESHNESS.timezone == "Asia/Shanghai"
    assert MARTS_FRESHNESS.lower_bound_delta == timedelta(days=6, hours=12)


def test_the_marts_carry_the_freshness_policy_and_other_layers_do_not(dbt_manifest):
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    for mart in ("rpt_ghg_inventory_annual", "rpt_intensity_annual", "fct_emissions"):
        assert graph.get(AssetKey(["marts", mart])).freshness_policy == MARTS_FRESHNESS, mart
    for other in (["silver", "energy"], ["staging", "stg_energy"], ["policy"]):
        assert graph.get(AssetKey(other)).freshness_policy is None, other
    assert "monthly_close" in {s.name for s in defs.schedules}
    assert {"landing_files", "run_failure_alert"} <= {s.name for s in defs.sensors}

"""The Definitions load, with the assets, checks and job the architecture promises."""

from __future__ import annotations

import pytest

from assets.ingest.tables import TABLES


@pytest.fixture(scope="module")
def defs(dbt_manifest):
    from pipelines.definitions import defs

    return defs


def test_definitions_load_with_every_layer(defs):
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    for table in TABLES:
        for layer in ("bronze", "silver", "quarantine"):
            assert f"{layer}/{table.name}" in keys
    for mart in ("marts/fct_emissions", "marts/rpt_ghg_inventory_annual", "marts/rpt_intensity_annual", "policy",
                 "exports/marts_parquet"):
        assert mart in keys


def test_activity_assets_are_monthly_and_dimensions_are_not(defs):
    graph = defs.resolve_asset_graph()
    for table in TABLES:
        node = graph.get(__import__("dagster").AssetKey(["silver", table.name]))
        assert (node.partitions_def is not None) == table.partitioned, table.name
    annual = graph.get(__import__("dagster").AssetKey(["marts", "rpt_ghg_inventory_annual"]))
    facts = graph.get(__import__("dagster").AssetKey(["marts", "fct_emissions"]))
    assert annual.partitions_def is None
    assert facts.partitions_def is not None


def test_the_all_assets_job_is_in_process(defs):
    job = defs.resolve_job_def("carbonledger_all")
    assert job.executor_def.name == "in_process"

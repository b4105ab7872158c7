"""The inventory's dbt models as Dagster assets, in three steps of one run.

Dagster runs one partitions definition per run, so the dbt project is split by tag: the foundation
(seeds, staging views, dimensions: unpartitioned), the monthly facts (partitioned by month, given the
run's month window as dbt vars) and the annual marts (unpartitioned, rebuilt from the facts).
"""


from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

from assets.inventory.logic import (
    ANNUAL_EXCLUDE,
    ANNUAL_SELECT,
    FOUNDATION_EXCLUDE,
    FULL_REFRESH_TAG,
    MONTHLY_SELECT,
    dbt_build_args,
)
from pipelines.partitions import month_of_key, monthly_partitions, single_run
from pipelines.project import dbt_project
from pipelines.translator import translator


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    exclude=FOUNDATION_EXCLUDE,
    name="dbt_foundation",
    dagster_dbt_translator=translator,
    required_resource_keys={"warehouse_lock"},
)
def dbt_foundation(context: AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(dbt_build_args(), context=context).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select=MONTHLY_SELECT,
    name="dbt_monthly_facts",
    dagster_dbt_translator=translator,
    required_resource_keys={"warehouse_lock"},
    partitions_def=monthly_partitions,
    backfill_policy=single_run,
)
def dbt_monthly_facts(context: AssetExecutionContext, dbt: DbtCliResource):
    key_range = context.partition_key_range
    window = (month_of_key(key_range.start), month_of_key(key_range.end))
    full_refresh = context.run.tags.get(FULL_REFRESH_TAG) == "true"
    yield from dbt.cli(dbt_build_args(window, full_refresh), context=context).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select=ANNUAL_SELECT,
    exclude=ANNUAL_EXCLUDE,
    name="dbt_annual_marts",
    dagster_dbt_translator=translator,
    required_resource_keys={"warehouse_lock"},
)
def dbt_annual_marts(context: AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(dbt_build_args(), context=context).stream()

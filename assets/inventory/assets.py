"""The inventory's dbt models as Dagster assets, in three steps of one run.

Dagster runs one partitions definition per run, so the dbt project is split by tag: the foundation
(seeds, staging views, dimensions: unpartitioned), the monthly facts (partitioned by month, given the
run's month window as dbt vars) and the annual marts (unpartitioned, rebuilt from the facts).
"""


from collections.abc import Iterator

from dagster import AssetCheckResult, AssetExecutionContext, AssetMaterialization, MetadataValue, Output
from dagster_dbt import DbtCliResource, dbt_assets

from assets.inventory.logic import (
    ANNUAL_EXCLUDE,
    ANNUAL_SELECT,
    FOUNDATION_EXCLUDE,
    FULL_REFRESH_TAG,
    MONTHLY_SELECT,
    data_tests_from_month,
    dbt_build_args,
)
from pipelines.partitions import month_of_key, monthly_partitions, single_run
from pipelines.project import dbt_project
from pipelines.resources import CarbonLedgerResource, WarehouseLockResource
from pipelines.run_metadata import markdown_table, mart_preview, step_metadata
from pipelines.translator import translator


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    exclude=FOUNDATION_EXCLUDE,
    name="dbt_foundation",
    dagster_dbt_translator=translator,
)
def dbt_foundation(context: AssetExecutionContext, dbt: DbtCliResource, warehouse_lock: WarehouseLockResource,
                   carbonledger: CarbonLedgerResource):
    yield from _build(context, dbt, dbt_build_args(), warehouse_lock, carbonledger, None)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select=MONTHLY_SELECT,
    name="dbt_monthly_facts",
    dagster_dbt_translator=translator,
    partitions_def=monthly_partitions,
    backfill_policy=single_run,
)
def dbt_monthly_facts(context: AssetExecutionContext, dbt: DbtCliResource, warehouse_lock: WarehouseLockResource,
                      carbonledger: CarbonLedgerResource):
    key_range = context.partition_key_range
    window = (month_of_key(key_range.start), month_of_key(key_range.end))
    full_refresh = context.run.tags.get(FULL_REFRESH_TAG) == "true"
    tests_from = None  # on Spark: every month is tested
    if warehouse_lock.engine == "duckdb":
        tests_from = data_tests_from_month(warehouse_lock.warehouse_path, window[0],
                                           carbonledger.load_policy().sha256, full_refresh)
        context.log.info(f"data tests of the account facts check the months from {tests_from}")
    yield from _build(context, dbt, dbt_build_args(window, full_refresh, tests_from), warehouse_lock, carbonledger,
                      window)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select=ANNUAL_SELECT,
    exclude=ANNUAL_EXCLUDE,
    name="dbt_annual_marts",
    dagster_dbt_translator=translator,
)
def dbt_annual_marts(context: AssetExecutionContext, dbt: DbtCliResource, warehouse_lock: WarehouseLockResource,
                     carbonledger: CarbonLedgerResource):
    yield from _build(context, dbt, dbt_build_args(), warehouse_lock, carbonledger, None, previews=True)


# --- run metadata --------------------------------------------------------------------------------
# Every materialisation of a dbt step carries its row count, the time window, the policy's SHA-256 and
# the factor sets it pins; annual rpt_ marts also get a small preview table, and a failing dbt test a
# sample of the rows that fail it. All three are read from the run's warehouse once dbt has exited:
# while dbt runs the DuckDB file is its own (dagster-dbt's fetch_row_counts() queries it from this
# process during the run, and the connection it leaves open then locks the next dbt step out).

FAILING_ROWS_SAMPLE = 10


def _build(context: AssetExecutionContext, dbt: DbtCliResource, args: list[str], warehouse_lock: WarehouseLockResource,
           carbonledger: CarbonLedgerResource, window: tuple[str, str] | None, previews: bool = False) -> Iterator:
    common = step_metadata(carbonledger.load_policy(), window)
    common["factor_sets"] = MetadataValue.json(common["factor_sets"])
    warehouse_lock.wait_for_working_copy()  # dbt opens the run's working copy, made while bronze and silver ran
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    held: list = []
    for event in invocation.stream():
        if isinstance(event, (Output, AssetMaterialization)):
            held.append(event.with_metadata({**event.metadata, **common}))
        elif isinstance(event, AssetCheckResult) and not event.passed:
            held.append(event)
        else:
            yield event
    yield from _with_warehouse_detail(context, held, invocation, warehouse_lock, previews)
    if not invocation.is_successful():
        raise invocation.get_error()


def _text(value) -> str:
    return str(getattr(value, "value", value) or "")


def _with_warehouse_detail(context: AssetExecutionContext, held: list, invocation,
                           warehouse_lock: WarehouseLockResource, previews: bool) -> Iterator:
    import duckdb

    path = warehouse_lock.warehouse_path
    if not held or warehouse_lock.engine != "duckdb" or not path.exists():
        yield from held
        return
    nodes = _manifest_nodes(context, invocation)
    compiled = {}
    try:
        for result in invocation.get_artifact("run_results.json").get("results", []):
            compiled[result["unique_id"]] = result.get("compiled_code")
    except Exception:  # no run results (dbt stopped early): the events go out without the detail
        pass
    try:
        con = duckdb.connect(str(path), read_only=True)
    except Exception as exc:
        context.log.warning(f"cannot open {path} for row counts: {exc}")
        yield from held
        return
    try:
        for event in held:
            unique_id = _text(event.metadata.get("unique_id"))
            node = nodes.get(unique_id, {})
            try:
                if isinstance(event, AssetCheckResult):
                    sql = compiled.get(unique_id)
                    if sql:
                        cursor = con.execute(f"select * from ({sql}) as failing limit {FAILING_ROWS_SAMPLE}")
                        columns = [d[0] for d in cursor.description]
                        event = event.with_metadata({**event.metadata, "failing_rows_sample": MetadataValue.md(
                            markdown_table(columns, cursor.fetchall()))})
                elif node.get("relation_name") and node.get("config", {}).get("materialized") != "view":
                    extra = {}
                    if previews and node["name"].startswith("rpt_"):
                        table, rows = mart_preview(con, node["name"], node["relation_name"])
                        extra["preview"] = MetadataValue.md(table)
                    else:
                        rows = con.execute(f"select count(*) from {node['relation_name']}").fetchone()[0]
                    event = event.with_metadata({**event.metadata, "dagster/row_count": rows, **extra})
            except Exception as exc:  # metadata never fails the step
                context.log.warning(f"no row count or preview for {unique_id}: {exc}")
            yield event
    finally:
        con.close()  # dbt's next step needs the file to itself


def _manifest_nodes(context: AssetExecutionContext, invocation) -> dict:
    """The nodes of the manifest this dbt invocation wrote in its own target folder. Not the project's
    target/manifest.json: another run's parse may be rewriting that file (two runs at once read it
    half-written: a JSONDecodeError that failed the step)."""
    try:
        return invocation.get_artifact("manifest.json").get("nodes", {})
    except Exception as exc:  # metadata never fails the step
        context.log.warning(f"no manifest for row counts and previews: {exc}")
        return {}

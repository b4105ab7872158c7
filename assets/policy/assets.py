"""The policy asset: validates carbonledger.yml and writes it as the small silver.policy_* tables."""

from dagster import AssetExecutionContext, AssetKey, AssetOut, MaterializeResult, MetadataValue, multi_asset

from assets.ingest.lake import write_part
from pipelines.policy import POLICY_TABLES, policy_tables
from pipelines.resources import CarbonLedgerResource


@multi_asset(
    name="policy",
    outs={
        "policy": AssetOut(key=AssetKey(["policy"]), group_name="policy", kinds={"yaml"},
                           description="The reporting policy (carbonledger.yml), validated."),
        **{
            name: AssetOut(key=AssetKey(["silver", name]), group_name="policy", kinds={"parquet"},
                           description=f"The policy's {name.removeprefix('policy_')} as a table dbt reads.")
            for name in POLICY_TABLES
        },
    },
)
def policy(context: AssetExecutionContext, carbonledger: CarbonLedgerResource):
    loaded = carbonledger.load_policy()
    lake = carbonledger.lake
    tables = policy_tables(loaded)
    for name, frame in tables.items():
        write_part(frame, lake.part_path("silver", name, "policy", None))
        yield MaterializeResult(asset_key=AssetKey(["silver", name]),
                                metadata={"rows": frame.height, "policy_sha256": loaded.sha256})
    p = loaded.policy
    context.log.info(f"policy {loaded.path} sha256={loaded.sha256}")
    yield MaterializeResult(
        asset_key=AssetKey(["policy"]),
        metadata={
            "path": str(loaded.path),
            "policy_sha256": loaded.sha256,
            "consolidation_approach": p.organisation.consolidation_approach,
            "gwp_set": p.reporting.gwp_set,
            "reporting_timezone": p.reporting.timezone,
            "factor_pins": MetadataValue.json({k: {str(y): s for y, s in v.items()} for k, v in p.emission_factors.pins.items()}),
            "datacenter_authoritative_source": MetadataValue.json(dict(p.datacenters.authoritative_source)),
        },
    )

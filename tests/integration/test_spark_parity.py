"""The same dbt project on Spark gives the same marts as on DuckDB.

From one silver lake (built from tests/fixtures/spine_basic/landing and carbonledger.example.yml) and
the same seeds, `dbt build` (seeds and every model; the data tests are left to the DuckDB suites: on
Spark each is a job of its own, and there are hundreds) runs once on the duckdb target and once on
the spark target (dbt-spark, session method, local mode, UTC). Then every model of the marts schema (listed from DuckDB's
information_schema, so a new mart is covered without editing this file) is compared: same columns,
same row count, and row by row after sorting: strings, integers, booleans and dates equal, floats
within 1e-9 relative.

A second test proves the comparison has teeth: a model written in DuckDB-only SQL (no dispatch) makes
the Spark build fail.

Needs the `spark` extra (pyspark, dbt-spark[session]) and a Java runtime: `make test` installs both
where it can. Without them the tests are reported as skipped, with the reason.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipelines.engine_parity import compare_engines, read_spark_mart
from tests.conftest import cli_env, run_cli
from tests.integration import spark_support as support

pytestmark = [pytest.mark.integration, pytest.mark.spark]

FIXTURE_LANDING = support.PROJECT_ROOT / "tests" / "fixtures" / "spine_basic" / "landing"


@pytest.fixture(scope="module")
def spark_ready() -> None:
    reason = support.spark_unavailable_reason()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def both_builds(spark_ready, tmp_path_factory) -> Path:
    """One silver lake, then the whole dbt project built on DuckDB and on Spark (once for the module)."""
    data = tmp_path_factory.mktemp("spark_parity") / "data"
    data.mkdir()
    support.prepare_silver(FIXTURE_LANDING, data)
    timings = {}
    for engine in ("duckdb", "spark"):
        started = time.monotonic()
        result = support.run_dbt(support.BUILD_MODELS_AND_SEEDS, data, engine)
        timings[engine] = time.monotonic() - started
        assert result.returncode == 0, (
            f"dbt build on the {engine} target failed (a model that is not portable? see the conventions "
            f"in docs/deploy.md):\n{support.failure_text([result])}\n{result.stderr[-2000:]}")
    print(f"\ndbt build: duckdb {timings['duckdb']:.0f} s, spark {timings['spark']:.0f} s")
    return data


def test_every_mart_is_the_same_on_spark_and_duckdb(both_builds):
    data = both_builds
    comparison = compare_engines(data, data, schemas=("marts",))
    compared = dict(comparison.tables)
    assert "marts.rpt_ghg_inventory_annual" in compared and "marts.fct_emissions" in compared, compared
    # spine_basic has no behaviour events: the ledger is an empty partitioned table on both engines, and
    # Spark's (which has no data file) is read through the schema file its run recorded.
    assert compared.get("marts.fct_account_ledger") == 0, compared
    assert not comparison.differences, "Spark and DuckDB marts differ:\n" + "\n".join(comparison.differences)


def test_group_scope2_location_based_2022_is_worked_out_by_hand_on_spark(both_builds):
    """1,200,000 kWh x 0.6776 (North) + 240,000 x 0.5617 (East) + 600,000 x 0.3869 (South) = 1,180,068 kg.

    The JV's Chengdu site is outside operational control; the Hong Kong site has no factor yet.
    """
    inventory = read_spark_mart(both_builds, "rpt_ghg_inventory_annual")
    rows = inventory.filter(
        (inventory["reporting_year"] == 2022) & inventory["is_group_total"] & (inventory["scope"] == 2)
        & (inventory["scope2_method"] == "location_based"))
    assert rows["t_co2e"].sum() == pytest.approx(1180.068, rel=1e-9)


def test_trace_and_compare_engines_read_the_spark_tables(both_builds, tmp_path):
    """`carbonledger trace --engine spark` reads the Spark tables (through DuckDB views over their Parquet) and
    finds the same hand-worked figure; `carbonledger compare-engines` finds the two engines' marts the same."""
    env = cli_env(tmp_path)
    traced = run_cli(["trace", "--engine", "spark", "--data", str(both_builds), "--year", "2022", "--entity", "GRP",
                      "--group", "--category", "s2_purchased_electricity", "--method", "location_based"], env)
    assert traced.returncode == 0, traced.stderr
    assert "s2_purchased_electricity (location_based): 1,180.068 t CO2e" in traced.stdout, traced.stdout
    compared = run_cli(["compare-engines", "--duckdb-data", str(both_builds), "--spark-data", str(both_builds)], env)
    assert compared.returncode == 0, compared.stdout + compared.stderr
    assert "the same on DuckDB and Spark" in compared.stdout


def test_a_duckdb_only_model_fails_the_spark_build(spark_ready, tmp_path):
    """DuckDB-only SQL written into a model without a dispatch (a list literal and list_sum) breaks the Spark build.

    (`group by all` alone would not: Spark has accepted it since 3.4. `exclude`, list and struct
    functions, `::` casts and DuckDB's date functions do not exist there.)
    """
    project = support.copy_dbt_project(tmp_path / "dbt_project")
    (project / "models" / "marts" / "rpt_duckdb_only_probe.sql").write_text(
        "select reporting_year, list_sum([1, 2, 3]) as n, count(*) as row_count\n"
        "from (select 2022 as reporting_year) as years\n"
        "group by all\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    # DuckDB accepts the model, so the failure below is Spark rejecting DuckDB-only SQL, nothing else.
    duck = support.run_dbt(["run", "--select", "rpt_duckdb_only_probe"], data, "duckdb", project_dir=project)
    assert duck.returncode == 0, support.failure_text([duck])
    spark = support.run_dbt(["run", "--select", "rpt_duckdb_only_probe"], data, "spark", project_dir=project)
    output = support.strip_ansi(spark.stdout)
    assert spark.returncode != 0, "the Spark build accepted DuckDB-only SQL: the parity test would not catch it"
    assert "ERROR creating sql table model marts.rpt_duckdb_only_probe" in output, output[-3000:]
    assert "PARSE_SYNTAX_ERROR" in output or "UNRESOLVED_ROUTINE" in output, output[-3000:]

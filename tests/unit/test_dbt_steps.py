"""The dbt steps' arguments: the month window and the first month the account facts' data tests check
(assets/inventory/logic.py). The warehouse here is a DuckDB file made by hand with the two tables the
check reads."""

from __future__ import annotations

import json

import duckdb
import pytest

from assets.inventory.logic import EVERY_MONTH, data_tests_from_month, dbt_build_args

CURRENT, EARLIER = "a" * 64, "b" * 64


def _warehouse(path, claims_rows, ledger_rows=(("2023-01", CURRENT),)):
    with duckdb.connect(str(path)) as con:
        for schema, table, rows in (("marts_private", "fct_account_claims", claims_rows),
                                    ("marts", "fct_account_ledger", ledger_rows)):
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {schema}.{table} (activity_month varchar, policy_sha256 varchar)")
            if rows:
                con.executemany(f"insert into {schema}.{table} values (?, ?)", list(rows))
    return path


def test_a_month_close_under_the_same_policy_tests_its_own_month(tmp_path):
    path = _warehouse(tmp_path / "w.duckdb", [("2023-01", CURRENT), ("2023-12", CURRENT)])
    assert data_tests_from_month(path, "2024-01", CURRENT, full_refresh=False) == "2024-01"


def test_rows_of_an_earlier_policy_move_the_first_month_to_their_first_january(tmp_path):
    # The models rebuild every year holding rows of another policy: 2022 here (its May row), so the tests
    # must start in 2022-01, before the window's first month.
    path = _warehouse(tmp_path / "w.duckdb", [("2023-03", CURRENT)],
                      ledger_rows=[("2022-05", EARLIER), ("2023-02", EARLIER), ("2023-03", CURRENT)])
    assert data_tests_from_month(path, "2024-01", CURRENT, full_refresh=False) == "2022-01"


@pytest.mark.parametrize("case", ["full_refresh", "no_file", "no_table", "locked"])
def test_every_month_is_tested_when_in_doubt(tmp_path, case):
    path = tmp_path / "w.duckdb"
    if case != "no_file":
        _warehouse(path, [("2023-01", CURRENT)])
    if case == "no_table":
        with duckdb.connect(str(path)) as con:
            con.execute("drop table marts.fct_account_ledger")
    writer = duckdb.connect(str(path)) if case == "locked" else None  # another process would hold it
    try:
        if case == "locked":
            # DuckDB refuses a second connection with another configuration in the same process, as a
            # write lock held by a dbt process refuses it in another.
            with pytest.raises(duckdb.Error):
                duckdb.connect(str(path), read_only=True)
        assert data_tests_from_month(path, "2024-01", CURRENT, full_refresh=(case == "full_refresh")) == EVERY_MONTH
    finally:
        if writer is not None:
            writer.close()


def test_the_first_tested_month_travels_with_the_window_as_a_dbt_var():
    args = dbt_build_args(("2024-01", "2024-02"), data_tests_from="2023-01")
    assert args[:2] == ["build", "--vars"]
    assert json.loads(args[2]) == {"start_month": "2024-01", "end_month": "2024-02", "data_tests_from_month": "2023-01"}
    assert json.loads(dbt_build_args(("2024-01", "2024-01"))[2]) == {"start_month": "2024-01", "end_month": "2024-01"}
    assert dbt_build_args(full_refresh=True) == ["build", "--full-refresh"]
    with pytest.raises(ValueError, match="starts after it ends"):
        dbt_build_args(("2024-02", "2024-01"))

"""`carbonledger account`: an account's statement for a month from a (tiny, hand-made) ledger."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from assets.accounts.pseudonymise import pseudonymise_value
from pipelines.account_statement import (
    StatementError,
    account_statements,
    format_statement,
    print_statements,
    resolve_account_id,
)

KEY = "statement-test-key-0123456789abcdef"
# (entry_id, account_id, scenario, entry_type, occurred_at UTC, activity_month, g, points)
ENTRIES = [
    ("CR-1", "ps_a", "employee", "credit", datetime(2023, 1, 10, 1, 0), "2023-01", 100.0, 10),
    ("CR-2", "ps_a", "employee", "credit", datetime(2023, 2, 3, 2, 0), "2023-02", 50.5, 5),
    ("RD-3", "ps_a", "employee", "redemption", datetime(2023, 2, 20, 4, 0), "2023-02", 0.0, -8),
    ("TR-4", "ps_a", "employee", "transfer", datetime(2023, 2, 28, 16, 0), "2023-03", -100.0, 0),  # 1 March local
    ("CR-5", "ps_a", "bank_card", "credit", datetime(2023, 2, 5, 3, 0), "2023-02", 5.0, 1),
    ("CR-6", "ps_b", "employee", "credit", datetime(2023, 2, 5, 3, 0), "2023-02", 999.0, 99),
]


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_account_ledger (entry_id varchar, account_id varchar, scenario varchar, "
                    "entry_type varchar, occurred_at timestamp, activity_month varchar, g_co2e_avoided double, "
                    "points bigint, behaviour_code varchar, methodology_id varchar, methodology_version integer, note varchar)")
        con.executemany("insert into marts.fct_account_ledger values (?, ?, ?, ?, ?, ?, ?, ?, 'CODE', 'M', 1, null)", ENTRIES)
    return path


def test_opening_entries_and_closing_of_a_month(warehouse):
    statements = {s.scenario: s for s in account_statements(warehouse, "ps_a", "2023-02")}
    employee = statements["employee"]
    # Opening: January's credit (100 g, 10 points). February: +50.5 g +5, -8 points. The transfer is in March.
    assert (employee.opening_g_co2e, employee.opening_points) == (100.0, 10)
    assert [e.entry_id for e in employee.entries] == ["CR-2", "RD-3"]
    assert (employee.closing_g_co2e, employee.closing_points) == (150.5, 7)
    card = statements["bank_card"]
    assert (card.opening_g_co2e, card.opening_points, card.closing_g_co2e, card.closing_points) == (0.0, 0, 5.0, 1)
    march = {s.scenario: s for s in account_statements(warehouse, "ps_a", "2023-03")}["employee"]
    assert (march.opening_g_co2e, march.opening_points, march.closing_g_co2e, march.closing_points) == (150.5, 7, 50.5, 7)
    assert march.entries[0].occurred_at == datetime(2023, 3, 1, 0, 0)  # shown in local time (UTC+8)


def test_the_printed_statement_keeps_grams_and_points_apart(warehouse):
    text = format_statement(account_statements(warehouse, "ps_a", "2023-02")[1])
    lines = text.splitlines()
    assert "g CO2e avoided" in lines[1] and "points" in lines[1]
    assert lines[2].split()[-2:] == ["100.000", "10"]
    assert lines[-2].split()[-2:] == ["150.500", "7"]
    assert any("redemption" in line and line.split()[-2:] == ["+0.000", "-8"] for line in lines)


def test_errors_are_clear(warehouse, tmp_path):
    with pytest.raises(StatementError, match="YYYY-MM"):
        account_statements(warehouse, "ps_a", "2023-2")
    with pytest.raises(StatementError, match="no ledger entries"):
        account_statements(warehouse, "ps_zzz", "2023-02")
    with pytest.raises(StatementError, match="no ledger entries"):
        account_statements(warehouse, "ps_a", "2022-12")
    with pytest.raises(StatementError, match="no warehouse"):
        account_statements(tmp_path / "missing.duckdb", "ps_a", "2023-02")


def test_raw_ids_are_pseudonymised_with_the_key_of_the_environment(monkeypatch, warehouse):
    monkeypatch.setenv("CARBONLEDGER_PSEUDONYM_KEY", KEY)
    assert resolve_account_id("ps_a") == "ps_a"
    assert resolve_account_id(" E001 ") == pseudonymise_value("E001", KEY.encode())
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update marts.fct_account_ledger set account_id = ? where account_id = 'ps_b'",
                    [pseudonymise_value("E001", KEY.encode())])

    class Out:
        text = ""

        def write(self, s):
            self.text += s

    out = Out()
    assert print_statements(warehouse, "E001", "2023-02", out) == 0
    assert "999.000" in out.text and "99" in out.text

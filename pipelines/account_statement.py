"""`carbonledger account --id ACCOUNT --month YYYY-MM`: one account's statement for a month.

Read from the warehouse opened read-only (marts.fct_account_ledger): the opening balance (every
entry before the month), the month's entries in time order, and the closing balance, with avoided
grams and points always in separate columns. An account has one balance per scenario; each is
printed. The id may be given raw (it is pseudonymised with CARBONLEDGER_PSEUDONYM_KEY, exactly as
the silver step did) or as its pseudonym (`ps_...`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

import duckdb

from assets.accounts.pseudonymise import PREFIX, pseudonym_key, pseudonymise_value

LEDGER = "marts.fct_account_ledger"
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class StatementError(ValueError):
    """The month is malformed, the warehouse has no ledger, or the account has no entries."""


@dataclass
class Entry:
    entry_id: str
    occurred_at: datetime
    entry_type: str
    behaviour_code: str | None
    methodology: str | None
    g_co2e_avoided: float
    points: int
    note: str | None


@dataclass
class Statement:
    account_id: str
    scenario: str
    month: str
    opening_g_co2e: float
    opening_points: int
    entries: list[Entry] = field(default_factory=list)

    @property
    def closing_g_co2e(self) -> float:
        return self.opening_g_co2e + sum(e.g_co2e_avoided for e in self.entries)

    @property
    def closing_points(self) -> int:
        return self.opening_points + sum(e.points for e in self.entries)


def resolve_account_id(account: str, key: bytes | None = None) -> str:
    """A pseudonym as given; a raw id pseudonymised with the key of the environment."""
    account = account.strip()
    if account.startswith(PREFIX):
        return account
    return pseudonymise_value(account, key if key is not None else pseudonym_key())


def account_statements(warehouse: Path, account_id: str, month: str, timezone: str = "Asia/Shanghai") -> list[Statement]:
    """The account's statement for `month`, one per scenario it has entries in (none: StatementError).

    Entry times are shown in `timezone` (the policy's reporting time zone, in which months are cut)."""
    if not MONTH.match(month):
        raise StatementError(f"--month takes YYYY-MM, not {month!r}")
    if not warehouse.exists():
        raise StatementError(f"{warehouse}: no warehouse (run `carbonledger run` first)")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        present = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' "
            "and table_name = 'fct_account_ledger'").fetchone()[0]
        if not present:
            raise StatementError(f"{warehouse}: no {LEDGER} (the carbon accounts have not been built)")
        openings = con.execute(
            f"""
            select scenario,
                   coalesce(sum(case when activity_month < $month then g_co2e_avoided end), 0) as g_co2e,
                   coalesce(sum(case when activity_month < $month then points end), 0) as points
            from {LEDGER}
            where account_id = $account and activity_month <= $month
            group by scenario
            order by scenario
            """,
            {"account": account_id, "month": month},
        ).fetchall()
        rows = con.execute(
            f"""
            select scenario, entry_id,
                   cast(timezone($zone, timezone('UTC', occurred_at)) as timestamp) as occurred_local,
                   entry_type, behaviour_code,
                   case when methodology_id is not null
                        then methodology_id || ' v' || cast(methodology_version as varchar) end as methodology,
                   g_co2e_avoided, points, note
            from {LEDGER}
            where account_id = $account and activity_month = $month
            order by scenario, occurred_at, entry_id
            """,
            {"account": account_id, "month": month, "zone": timezone},
        ).fetchall()
    if not openings:
        raise StatementError(f"account {account_id} has no ledger entries up to {month}")
    statements = {s: Statement(account_id, s, month, float(g), int(p)) for s, g, p in openings}
    for scenario, *values in rows:
        statements[scenario].entries.append(Entry(*values[:5], float(values[5]), int(values[6]), values[7]))
    return list(statements.values())


def format_statement(statement: Statement) -> str:
    """A plain-text statement: grams and points in their own columns, balances before and after."""
    lines = [
        f"Carbon account {statement.account_id} ({statement.scenario}), statement for {statement.month}",
        f"{'':<20}{'':<12}{'':<28}{'g CO2e avoided':>18}{'points':>10}",
        f"{'opening balance':<60}{statement.opening_g_co2e:>18,.3f}{statement.opening_points:>10,}",
    ]
    for e in statement.entries:
        what = e.behaviour_code or (e.note or "")
        lines.append(f"{e.occurred_at:%Y-%m-%d %H:%M}    {e.entry_type:<12}{what[:28]:<28}"
                     f"{e.g_co2e_avoided:>+18,.3f}{e.points:>+10,}")
    lines.append(f"{'closing balance':<60}{statement.closing_g_co2e:>18,.3f}{statement.closing_points:>10,}")
    lines.append(f"{len(statement.entries)} entries in the month (local times). Avoided grams are a memo book, "
                 "never part of the inventory.")
    return "\n".join(lines)


def print_statements(warehouse: Path, account: str, month: str, out: TextIO, timezone: str = "Asia/Shanghai") -> int:
    account_id = resolve_account_id(account)
    for index, statement in enumerate(account_statements(warehouse, account_id, month, timezone)):
        if index:
            out.write("\n")
        out.write(format_statement(statement) + "\n")
    return 0

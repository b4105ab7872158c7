"""The unit_conversions seed agrees with pint, the unit library, for every alias pint knows."""

from __future__ import annotations

import csv
from pathlib import Path

import pint
import pytest

SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "reference" / "unit_conversions.csv"
UREG = pint.UnitRegistry()
CANONICAL = {"kWh": "kilowatt_hour", "m3": "meter**3", "kg": "kilogram", "km": "kilometer", "h": "hour"}


def _rows():
    with SEED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", [r for r in _rows() if r["pint_expression"]], ids=lambda r: r["unit_alias"])
def test_multiplier_matches_pint(row):
    expected = UREG.Quantity(1, row["pint_expression"]).to(CANONICAL[row["canonical_unit"]]).magnitude
    assert float(row["multiplier"]) == pytest.approx(expected, rel=1e-9)


def test_chinese_aliases_worked_by_hand():
    by_alias = {r["unit_alias"]: r for r in _rows()}
    # 万 is 10^4: 万千瓦时 = 10,000 kWh; 度 is the colloquial kWh; 吨 is a metric tonne.
    assert float(by_alias["万千瓦时"]["multiplier"]) == 10_000
    assert float(by_alias["度"]["multiplier"]) == 1
    assert float(by_alias["吨"]["multiplier"]) == 1_000
    assert float(by_alias["立方米"]["multiplier"]) == 1
    assert float(by_alias["升"]["multiplier"]) == 0.001


def test_aliases_are_unique_and_lower_case():
    aliases = [r["unit_alias"] for r in _rows()]
    assert len(aliases) == len(set(aliases))
    assert all(a == a.lower() for a in aliases)

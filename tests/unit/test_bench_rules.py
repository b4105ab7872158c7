"""The benchmark's floor statement and pandas implementation (bench/rules.py) against figures worked out by
hand on a tiny events table, under the shipped methodologies and the default points rule (10 g a point).
Correctness only: nothing here is timed.

Hand-worked (times UTC; local days are UTC+8, Asia/Shanghai):
  ps_e1 metro (515.5 g a trip, 4 trips a day, duplicates within 30 min) on local 2023-03-06:
    m1 00:00 credited 515.5 g, 51 points; m2 00:10 duplicate of m1 (10 min later): nothing;
    m3 02:00, m4 04:00, m5 06:00 credited (3 x 515.5 g, 3 x 51 points); m6 08:00 fifth trip: daily cap -> nothing.
    -> 2023-03: 4 x 515.5 = 2,062 g, 204 points.
  ps_e1 cycling (163.908534228 g/km, 4,000 g a day, 35 km/h at most) on local 2023-04-03:
    c1 00:00 10 km: 1,639.08534228 g, 163 points; c2 01:00 15 km (15 km/h): 2,458.62801342 g, capped to
    4,000 - 1,639.08534228 = 2,360.91465772 g, 236 points; c3 01:30 25 km (50 km/h): implausible -> nothing.
    -> 2023-04: 4,000 g, 399 points.
  ps_e2 walking steps (0.0007 km a step x 163.908534228, 296 g a day, 100,000 steps a day at most):
    w1 2023-05-10 12:00 8,000 steps: 917.88779168 g capped to 296 g, 29 points;
    w2 2023-05-11 12:00 120,000 steps: implausible daily total -> nothing.
    -> 2023-05: 296 g, 29 points.
  ps_e3 office electricity (own baseline: mean of the 3 previous readings x 536.6 g/kWh, 10,000 g a month):
    o1..o3 (2023-01-10, 02-10, 03-10) 30, 28, 32 kWh: baseline incomplete; o4 2023-04-10 24 kWh:
    (30 - 24) x 536.6 = 3,219.6 g, 321 points. -> 2023-04: 3,219.6 g, 321 points.
  ps_e4 left on 2023-03-31: metro on 2023-04-03 -> not an active employee: nothing.
  C1 daily check-in (1 point, 1 a day): k1, k2 on local 2023-06-01 -> 1 point; redemption r1 of 3 -> -3 points.
    -> 2023-06: 0 g, -2 points.
Balances: ps_e1 6,062 g, 603 points; ps_e2 296 g, 29; ps_e3 3,219.6 g, 321; C1 0 g, -2.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from bench import rules

EVENTS = [  # event_id, account_id, scenario, behaviour_code, occurred_at (UTC), quantity_canonical, unit_canonical
    ("m1", "ps_e1", "employee", "EMP_METRO_COMMUTE", datetime(2023, 3, 6, 0, 0), 1, "each"),
    ("m2", "ps_e1", "employee", "EMP_METRO_COMMUTE", datetime(2023, 3, 6, 0, 10), 1, "each"),
    ("m3", "ps_e1", "employee", "EMP_METRO_COMMUTE", datetime(2023, 3, 6, 2, 0), 1, "each"),
    ("m4", "ps_e1", "employee", "EMP_METRO_COMMUTE", datetime(2023, 3, 6, 4, 0), 1, "each"),
    ("m5", "ps_e1", "employee", "EMP_METRO_COMMUTE", datetime(2023, 3, 6, 6, 0), 1, "each"),
    ("m6", "ps_e1", "employee", "EMP_METRO_COMMUTE", datetime(2023, 3, 6, 8, 0), 1, "each"),
    ("c1", "ps_e1", "employee", "EMP_CYCLING_COMMUTE", datetime(2023, 4, 3, 0, 0), 10, "km"),
    ("c2", "ps_e1", "employee", "EMP_CYCLING_COMMUTE", datetime(2023, 4, 3, 1, 0), 15, "km"),
    ("c3", "ps_e1", "employee", "EMP_CYCLING_COMMUTE", datetime(2023, 4, 3, 1, 30), 25, "km"),
    ("w1", "ps_e2", "employee", "EMP_WALKING_STEPS", datetime(2023, 5, 10, 12, 0), 8000, "step"),
    ("w2", "ps_e2", "employee", "EMP_WALKING_STEPS", datetime(2023, 5, 11, 12, 0), 120000, "step"),
    ("o1", "ps_e3", "employee", "EMP_OFFICE_POWER_SAVING", datetime(2023, 1, 10, 12, 0), 30, "kWh"),
    ("o2", "ps_e3", "employee", "EMP_OFFICE_POWER_SAVING", datetime(2023, 2, 10, 12, 0), 28, "kWh"),
    ("o3", "ps_e3", "employee", "EMP_OFFICE_POWER_SAVING", datetime(2023, 3, 10, 12, 0), 32, "kWh"),
    ("o4", "ps_e3", "employee", "EMP_OFFICE_POWER_SAVING", datetime(2023, 4, 10, 12, 0), 24, "kWh"),
    ("x1", "ps_e4", "employee", "EMP_METRO_COMMUTE", datetime(2023, 4, 3, 0, 0), 1, "each"),
    ("k1", "C1", "bank_card", "CARD_DAILY_CHECKIN", datetime(2023, 6, 1, 1, 0), 1, "each"),
    ("k2", "C1", "bank_card", "CARD_DAILY_CHECKIN", datetime(2023, 6, 1, 2, 0), 1, "each"),
    ("r1", "C1", "bank_card", "CARD_REDEEM_GREEN_RIGHT", datetime(2023, 6, 1, 3, 0), 3, "each"),
]
EMPLOYEES = [("ps_e1", date(2015, 1, 1), None), ("ps_e2", date(2015, 1, 1), None), ("ps_e3", date(2015, 1, 1), None),
             ("ps_e4", date(2015, 1, 1), date(2023, 3, 31))]
CYCLING = 163.908534228
EXPECTED_MONTHLY = {  # (account, scenario, month): (g, points)
    ("ps_e1", "employee", "2023-03"): (4 * 515.5, 4 * 51),
    ("ps_e1", "employee", "2023-04"): (4000.0, 163 + 236),
    ("ps_e2", "employee", "2023-05"): (296.0, 29),
    ("ps_e3", "employee", "2023-04"): (3219.6, 321),
    ("C1", "bank_card", "2023-06"): (0.0, 1 - 3),
}
EXPECTED_BALANCES = {("ps_e1", "employee"): (6062.0, 603), ("ps_e2", "employee"): (296.0, 29),
                     ("ps_e3", "employee"): (3219.6, 321), ("C1", "bank_card"): (0.0, -2)}


@pytest.fixture(scope="module")
def frames():
    events = pd.DataFrame(EVENTS, columns=["event_id", "account_id", "scenario", "behaviour_code", "occurred_at",
                                           "quantity_canonical", "unit_canonical"])
    events["quantity_canonical"] = events["quantity_canonical"].astype("float64")
    local = events["occurred_at"] + pd.Timedelta(hours=8)
    events["activity_month"] = local.dt.strftime("%Y-%m")
    employees = pd.DataFrame(EMPLOYEES, columns=["employee_id", "hire_date", "leave_date"])
    employees["hire_date"] = pd.to_datetime(employees["hire_date"])
    employees["leave_date"] = pd.to_datetime(employees["leave_date"])
    return events, employees


def _as_dict(frame: pd.DataFrame, keys: list[str], g: str, points: str) -> dict:
    return {tuple(r[k] for k in keys): (round(r[g], 6), int(r[points])) for _, r in frame.iterrows()}


def _expected(table: dict) -> dict:
    return {k: (round(g, 6), p) for k, (g, p) in table.items()}


def test_hand_worked_figures_are_consistent():
    assert 1639.08534228 == pytest.approx(10 * CYCLING)
    assert 4000 - 10 * CYCLING == pytest.approx(2360.91465772)


def test_floor_statement(frames):
    events, employees = frames
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.register("events_in", events)
    con.register("employees_in", employees)
    registry = rules.methodologies(con)
    sql = rules.floor_sql("(select * from events_in)", "(select employee_id, cast(hire_date as date) as hire_date, "
                          "cast(leave_date as date) as leave_date from employees_in)", registry)
    out = con.execute(sql).df()
    keys = ["account_id", "scenario", "activity_month"]
    assert _as_dict(out, keys, "g_co2e_avoided", "points") == _expected(EXPECTED_MONTHLY)
    assert _as_dict(rules.balances(out), ["account_id", "scenario"], "g_co2e_avoided_total", "points_balance") \
        == _expected(EXPECTED_BALANCES)


def test_pandas_implementation(frames):
    events, employees = frames
    out = rules.pandas_totals(events, employees, rules.methodologies())
    keys = ["account_id", "scenario", "activity_month"]
    assert _as_dict(out, keys, "g_co2e_avoided", "points") == _expected(EXPECTED_MONTHLY)
    assert _as_dict(rules.balances(out), ["account_id", "scenario"], "g_co2e_avoided_total", "points_balance") \
        == _expected(EXPECTED_BALANCES)


def test_compare_reports_disagreement():
    left = pd.DataFrame({"k": ["a", "b", "d"], "g_co2e_avoided": [1.0, 2.0, 5.0], "points": [1, 2, 3]})
    right = pd.DataFrame({"k": ["a", "c", "d"], "g_co2e_avoided": [1.5, 2.0, 5.0 + 1e-7], "points": [1, 2, 4]})
    con = duckdb.connect()
    con.register("left_in", left)
    con.register("right_in", right)
    result = rules.compare(con, "left_in", "right_in", ["k"])
    # a: 1.0 g against 1.5 g; d: 1e-7 g apart (within 1e-6 relative) but 3 points against 4
    assert result == {"rows_left": 3, "rows_right": 3, "only_left": 1, "only_right": 1, "grams_differ": 1,
                      "points_differ": 1, "agree": False}

"""The carbon accounts' rules twice more, for the benchmark: one hand-written DuckDB statement (the floor)
and a plain pandas implementation (what teams use instead). Both compute, from silver behaviour events
(pseudonymous ids, canonical units, UTC times, as the silver step writes them), the per-account monthly
totals the ledger mart holds (grams avoided and points, credits and redemptions) and the balances.

The rules are those of dbt_project/models/intermediate/accounts/ and marts_private/fct_account_claims.sql,
in the same order: methodology in force, scenario, unit, active employee, zero and per-event limits,
whole-point redemptions; duplicates by fingerprint class within the class's window on a local day;
implausible daily totals and speeds; own baselines (mean of the previous N readings); daily then monthly
caps in time order; points = floor(round(grams / g per point, 6)) (points-only behaviours: quantity x
points per unit). What they leave out, and the harness checks is absent from the run it compares with:
policy methodologies, campaigns, reversals, filings and several points-rule or methodology versions
(the example policy has none), and points expiry (none falls due within one year at 24 months).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT_ROOT / "dbt_project" / "seeds" / "accounts"
QUANTIFIED = ("fixed_per_unit", "substitution", "own_baseline")


def methodologies(con: duckdb.DuckDBPyConnection | None = None, seeds: Path = SEEDS) -> pd.DataFrame:
    """The shipped registry resolved to g CO2e per unit, one row per behaviour code (as int_account_methodologies)."""
    con = con or duckdb.connect()
    frame = con.execute(f"""
        with f as (select factor_id, value from read_csv('{seeds}/account_behaviour_factors.csv', header = true))
        select m.behaviour_code, m.scenario, m.method, m.unit, m.baseline_periods, m.points_per_unit, m.daily_cap,
               m.monthly_cap, m.cap_unit, m.max_quantity_per_event, m.max_quantity_per_day, m.max_speed_kmh,
               coalesce(m.fingerprint_class, m.behaviour_code) as fingerprint_class,
               m.duplicate_window_minutes, m.eligibility_rule, cast(m.valid_from as date) as valid_from,
               m.method in {QUANTIFIED} as is_quantified,
               case when m.method in {QUANTIFIED}
                    then coalesce(qf.value, 1.0) * (bf.value - coalesce(af.value, 0.0)) end as g_co2e_per_unit
        from read_csv('{seeds}/account_methodologies.csv', header = true, all_varchar = false) m
        left join f qf on m.quantity_factor_id = qf.factor_id
        left join f bf on m.baseline_factor_id = bf.factor_id
        left join f af on m.alternative_factor_id = af.factor_id
        order by m.behaviour_code""").df()
    if frame["behaviour_code"].duplicated().any():
        raise ValueError("the benchmark's rules take one methodology version per behaviour code")
    for column in ("baseline_periods", "points_per_unit", "daily_cap", "monthly_cap", "max_quantity_per_event",
                   "max_quantity_per_day", "max_speed_kmh", "duplicate_window_minutes", "g_co2e_per_unit"):
        frame[column] = frame[column].astype("float64")
    return frame


def _sql_values(frame: pd.DataFrame) -> str:
    def lit(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            return "null"
        if isinstance(v, (bool, np.bool_)):
            return "true" if v else "false"
        if isinstance(v, (int, float, np.integer, np.floating)):
            return repr(float(v))
        return "'" + str(v).replace("'", "''") + "'"
    rows = ",\n            ".join("(" + ", ".join(lit(v) for v in row) + ")" for row in frame.itertuples(index=False))
    return f"(values {rows}) as m({', '.join(frame.columns)})"


def floor_sql(events: str, employees: str, registry: pd.DataFrame, g_co2e_per_point: float = 10.0,
              timezone: str = "Asia/Shanghai") -> str:
    """One DuckDB statement: per (account_id, scenario, activity_month) grams avoided and points.

    `events` and `employees` are SQL table expressions (e.g. read_parquet('.../*.parquet')).
    """
    periods = sorted({int(p) for p in registry["baseline_periods"].dropna()})
    if len(periods) > 1:
        raise ValueError("the floor takes one own-baseline period count")
    n = periods[0] if periods else 1
    reg = registry.drop(columns=["valid_from"])
    return f"""
with m as (select * from {_sql_values(reg)}),
e as (
    select e.event_id, e.account_id, e.scenario, e.behaviour_code, e.occurred_at, e.quantity_canonical as q,
           e.unit_canonical, e.activity_month,
           cast(timezone('{timezone}', timezone('UTC', e.occurred_at)) as date) as d,
           epoch(e.occurred_at) as t,
           m.scenario as m_scenario, m.method, m.unit as m_unit, m.points_per_unit as ppu, m.daily_cap, m.monthly_cap,
           m.cap_unit, m.max_quantity_per_event, m.max_quantity_per_day, m.max_speed_kmh, m.fingerprint_class as fp,
           m.duplicate_window_minutes as win, m.eligibility_rule, m.is_quantified, m.g_co2e_per_unit as gpu,
           m.behaviour_code is not null as has_m, emp.employee_id, emp.hire_date, emp.leave_date
    from {events} e
    left join m on e.behaviour_code = m.behaviour_code
    left join {employees} emp on e.account_id = emp.employee_id
),
valid as (
    select *, lag(t) over (partition by account_id, fp, d order by occurred_at, event_id) as prev_t
    from e
    where has_m and scenario = m_scenario and unit_canonical is not null and unit_canonical = m_unit
      and not (eligibility_rule = 'active_employee'
               and (employee_id is null or d < hire_date or (leave_date is not null and d > leave_date)))
      and q > 0 and not coalesce(q > max_quantity_per_event, false)
      and not (method = 'redemption' and q * ppu <> floor(q * ppu))
),
uniq as (
    select *,
           sum(q) over (partition by account_id, behaviour_code, d) as day_q,
           lag(t) over (partition by account_id, behaviour_code, d order by occurred_at, event_id) as prev_trip_t
    from valid
    where prev_t is null
       or (win is null and t <> prev_t)
       or (win is not null and win <> 0 and t - prev_t > win * 60)
),
plausible as (
    select * from uniq
    where not coalesce(day_q > max_quantity_per_day, false)
      and not coalesce(max_speed_kmh is not null and prev_trip_t is not null and t > prev_trip_t
                       and q * 3600.0 / (t - prev_trip_t) > max_speed_kmh, false)
),
measured as (
    select *,
           case when method = 'own_baseline' then round(avg(q) over w, 9) end as baseline_q,
           case when method = 'own_baseline' then count(*) over w end as readings
    from plausible
    window w as (partition by account_id, behaviour_code, method = 'own_baseline'
                 order by occurred_at, event_id rows between {n} preceding and 1 preceding)
),
creditable as (
    select *,
           case when is_quantified then avoided * gpu else 0.0 end as g_gross,
           case when cap_unit = 'unit' then case when method = 'points_only' then q else avoided end
                when is_quantified then avoided * gpu else q end as cm
    from (select *, case when method = 'own_baseline' then greatest(baseline_q - q, 0)
                         when is_quantified then q end as avoided
          from measured
          where method <> 'redemption'
            and not (method = 'own_baseline' and (readings < {n} or baseline_q <= round(q, 9)))) x
),
day_capped as (
    select *, case when daily_cap is null then cm else greatest(0.0, least(cm, daily_cap - coalesce(sum(cm) over (
                  partition by account_id, behaviour_code, d order by occurred_at, event_id
                  rows between unbounded preceding and 1 preceding), 0.0))) end as allowed_day
    from creditable
),
capped as (
    select *, case when monthly_cap is null then allowed_day else greatest(0.0, least(allowed_day, monthly_cap - coalesce(sum(allowed_day) over (
                  partition by account_id, behaviour_code, activity_month order by occurred_at, event_id
                  rows between unbounded preceding and 1 preceding), 0.0))) end as allowed
    from day_capped
),
entries as (
    select account_id, scenario, activity_month, g_gross * (allowed / cm) as g,
           cast(case when method = 'points_only' then floor(round(q * (allowed / cm) * ppu, 6))
                     else floor(round(g_gross * (allowed / cm) / {g_co2e_per_point!r}, 6)) end as bigint) as points
    from capped where cm > 0 and allowed > 0
    union all
    select account_id, scenario, activity_month, 0.0, cast(-1 * q * ppu as bigint)
    from measured where method = 'redemption'
)
select account_id, scenario, activity_month, sum(g) as g_co2e_avoided, sum(points) as points, count(*) as entries
from entries
group by account_id, scenario, activity_month
"""


# --- pandas ---------------------------------------------------------------------------------------------


def pandas_totals(events: pd.DataFrame, employees: pd.DataFrame, registry: pd.DataFrame,
                  g_co2e_per_point: float = 10.0, timezone: str = "Asia/Shanghai") -> pd.DataFrame:
    """The same rules in plain (vectorised) pandas; same output as floor_sql."""
    e = events[["event_id", "account_id", "scenario", "behaviour_code", "occurred_at", "quantity_canonical",
                "unit_canonical", "activity_month"]].rename(columns={"quantity_canonical": "q"})
    reg = registry.rename(columns={"scenario": "m_scenario", "unit": "m_unit", "points_per_unit": "ppu",
                                   "fingerprint_class": "fp", "duplicate_window_minutes": "win",
                                   "g_co2e_per_unit": "gpu"})
    # the registry's words as categories: ten million rows then carry one-byte codes, not copies of the strings
    for column in ("m_scenario", "m_unit", "fp", "method", "cap_unit", "eligibility_rule"):
        reg[column] = reg[column].astype("category")
    e = e.merge(reg, on="behaviour_code", how="left", indicator="has_m")
    e["has_m"] = e["has_m"] == "both"
    emp = employees[["employee_id", "hire_date", "leave_date"]].copy()
    emp["hire_date"] = pd.to_datetime(emp["hire_date"])
    emp["leave_date"] = pd.to_datetime(emp["leave_date"])
    e = e.merge(emp, left_on="account_id", right_on="employee_id", how="left")
    occurred = pd.to_datetime(e["occurred_at"])
    e["d"] = occurred.dt.tz_localize("UTC").dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize()
    e["t"] = occurred.astype("int64") / 10**9 if occurred.dtype == "datetime64[s]" else \
        (occurred - pd.Timestamp("1970-01-01")).dt.total_seconds()

    inactive = (e["eligibility_rule"] == "active_employee") & (
        e["employee_id"].isna() | (e["d"] < e["hire_date"]) | (e["leave_date"].notna() & (e["d"] > e["leave_date"])))
    ok = (e["has_m"] & (e["scenario"] == e["m_scenario"]) & e["unit_canonical"].notna()
          & (e["unit_canonical"] == e["m_unit"]) & ~inactive & (e["q"] > 0)
          & ~(e["max_quantity_per_event"].notna() & (e["q"] > e["max_quantity_per_event"]))
          & ~((e["method"] == "redemption") & (e["q"] * e["ppu"] != np.floor(e["q"] * e["ppu"]))))
    v = e[ok.to_numpy()].copy()
    del e, ok, inactive, occurred  # each stage frees the one before: at the group's scale two copies must not pile up

    # duplicates
    v = v.sort_values(["account_id", "fp", "d", "occurred_at", "event_id"], kind="stable")
    prev_t = v.groupby(["account_id", "fp", "d"], sort=False)["t"].shift()
    gap = v["t"] - prev_t
    starts = prev_t.isna() | (v["win"].isna() & (gap != 0)) | (v["win"].notna() & (v["win"] != 0) & (gap > v["win"] * 60))
    u = v[starts.to_numpy()].copy()
    del v, prev_t, gap, starts

    # plausibility
    u = u.sort_values(["account_id", "behaviour_code", "d", "occurred_at", "event_id"], kind="stable")
    day = u.groupby(["account_id", "behaviour_code", "d"], sort=False)
    u["day_q"] = day["q"].transform("sum")
    prev_trip = day["t"].shift()
    speed = u["q"] * 3600.0 / (u["t"] - prev_trip)
    bad = ((u["max_quantity_per_day"].notna() & (u["day_q"] > u["max_quantity_per_day"]))
           | (u["max_speed_kmh"].notna() & prev_trip.notna() & (u["t"] > prev_trip) & (speed > u["max_speed_kmh"])))
    p = u[~bad.to_numpy()].copy()
    del u, day, prev_trip, speed, bad

    # own baselines: mean of the previous N readings (all months)
    own = p["method"] == "own_baseline"
    p["baseline_q"] = np.nan
    p["readings"] = np.nan
    if own.any():
        r = p[own].sort_values(["account_id", "behaviour_code", "occurred_at", "event_id"], kind="stable")
        g = r.groupby(["account_id", "behaviour_code"], sort=False)
        number = g.cumcount()
        n = r["baseline_periods"].astype("int64")
        if n.nunique() > 1:
            raise ValueError("one own-baseline period count")
        n0 = int(n.iloc[0])
        cs = g["q"].cumsum()
        prev_cs = cs - r["q"]
        older = cs.groupby([r["account_id"], r["behaviour_code"]], sort=False).shift(n0 + 1).fillna(0.0)
        readings = np.minimum(number, n0)
        total = prev_cs - older
        p.loc[r.index, "readings"] = readings
        p.loc[r.index, "baseline_q"] = np.where(readings > 0, np.round(total / readings.where(readings > 0, 1), 9),
                                                np.nan)
        del r, g, number, n, cs, prev_cs, older, readings, total

    redemptions = p[p["method"] == "redemption"]
    c = p[(p["method"] != "redemption")
          & ~(own & ((p["readings"] < p["baseline_periods"]) | (p["baseline_q"] <= p["q"].round(9))))].copy()
    del p
    quantified = c["is_quantified"].astype(bool)
    c["avoided"] = np.where(c["method"] == "own_baseline", np.maximum(c["baseline_q"] - c["q"], 0),
                            np.where(quantified, c["q"], np.nan))
    c["g_gross"] = np.where(quantified, c["avoided"] * c["gpu"], 0.0)
    c["cm"] = np.where(c["cap_unit"] == "unit", np.where(c["method"] == "points_only", c["q"], c["avoided"]),
                       np.where(quantified, c["avoided"] * c["gpu"], c["q"]))

    # caps, in time order
    c = c.sort_values(["account_id", "behaviour_code", "d", "occurred_at", "event_id"], kind="stable")
    before_day = c.groupby(["account_id", "behaviour_code", "d"], sort=False)["cm"].cumsum() - c["cm"]
    c["allowed_day"] = np.where(c["daily_cap"].isna(), c["cm"],
                                np.maximum(0.0, np.minimum(c["cm"], c["daily_cap"] - before_day)))
    c = c.sort_values(["account_id", "behaviour_code", "activity_month", "occurred_at", "event_id"], kind="stable")
    before_month = c.groupby(["account_id", "behaviour_code", "activity_month"], sort=False)["allowed_day"].cumsum() \
        - c["allowed_day"]
    c["allowed"] = np.where(c["monthly_cap"].isna(), c["allowed_day"],
                            np.maximum(0.0, np.minimum(c["allowed_day"], c["monthly_cap"] - before_month)))
    c = c[(c["cm"] > 0) & (c["allowed"] > 0)]
    share = c["allowed"] / c["cm"]
    g_credited = c["g_gross"] * share
    points = np.where(c["method"] == "points_only", np.floor(np.round(c["q"] * share * c["ppu"], 6)),
                      np.floor(np.round(g_credited / g_co2e_per_point, 6)))
    entries = pd.concat([
        pd.DataFrame({"account_id": c["account_id"], "scenario": c["scenario"], "activity_month": c["activity_month"],
                      "g": g_credited, "points": points.astype("int64")}),
        pd.DataFrame({"account_id": redemptions["account_id"], "scenario": redemptions["scenario"],
                      "activity_month": redemptions["activity_month"], "g": 0.0,
                      "points": np.round(-1 * redemptions["q"] * redemptions["ppu"]).astype("int64")}),
    ], ignore_index=True)
    out = entries.groupby(["account_id", "scenario", "activity_month"], as_index=False).agg(
        g_co2e_avoided=("g", "sum"), points=("points", "sum"), entries=("g", "size"))
    return out


def balances(monthly: pd.DataFrame) -> pd.DataFrame:
    """Per account: the sums of its monthly totals (no expiry falls due within the benchmark's year)."""
    return monthly.groupby(["account_id", "scenario"], as_index=False).agg(
        g_co2e_avoided_total=("g_co2e_avoided", "sum"), points_balance=("points", "sum"))


def compare(con: duckdb.DuckDBPyConnection, left: str, right: str, keys: list[str], grams: str = "g_co2e_avoided",
            points: str = "points", tolerance_g: float = 1e-6) -> dict:
    """Rows of two relations (tables or registered frames) on one side only, and rows whose grams differ by more
    than tolerance (relative) or whose points differ at all. In DuckDB: at the group's scale both sides hold
    tens of millions of account-months, which a pandas merge cannot hold beside the rest."""
    on = " and ".join(f"l.{k} is not distinct from r.{k}" for k in keys)
    row = con.execute(f"""
        with l as (select {', '.join(keys)}, {grams} as g, {points} as p, true as here from {left}),
             r as (select {', '.join(keys)}, {grams} as g, {points} as p, true as here from {right})
        select (select count(*) from l), (select count(*) from r),
               count(*) filter (where r.here is null), count(*) filter (where l.here is null),
               count(*) filter (where l.here and r.here and abs(l.g - r.g) > {tolerance_g} * greatest(1.0, abs(r.g))),
               count(*) filter (where l.here and r.here and cast(l.p as bigint) <> cast(r.p as bigint))
        from l full outer join r on {on}""").fetchone()
    result = dict(zip(("rows_left", "rows_right", "only_left", "only_right", "grams_differ", "points_differ"),
                      (int(v) for v in row)))
    result["agree"] = not any(result[k] for k in ("only_left", "only_right", "grams_differ", "points_differ"))
    return result

"""The carbon accounts at group scale: synthetic silver behaviour events, and the accounts' dbt models timed on them.

    python -m assets.accounts.benchmark silver --data /tmp/accbench --months 2023-01:2023-12
    python -m assets.accounts.benchmark run --data /tmp/accbench            # the year, from scratch
    python -m assets.accounts.benchmark silver --data /tmp/accbench --months 2024-01:2024-01
    python -m assets.accounts.benchmark run --data /tmp/accbench --window 2024-01:2024-01   # one new month

`silver` writes what the silver step would have written (pseudonymous ids, canonical units, UTC times,
activity_month partitions) straight from DuckDB, vectorised (no Python loop over rows), at the rates of
the demo generator (generator/behaviour_codes.py): about 210,000 enrolled employees and 8.5 million
active card-holders, some 9 million events a month, with 1% of trips reported twice through another
channel and a few implausible step counts. It benchmarks the accounts' SQL, not the ingestion.
`run` builds the accounts' models (claims, ledger, balances, reconciliation, footprint and what they
need) with `dbt build`, and reports wall time, rows per second and the peak RSS of the dbt process
(DuckDB runs inside it). Results: docs/benchmarks.md, "Carbon accounts at scale".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl

from pipelines.policy import EXAMPLE_POLICY, load_policy, policy_tables

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = PROJECT_ROOT / "dbt_project"
EMPLOYEES, ENROLLED, CARDS, FACILITIES = 300_000, 210_000, 8_500_000, 2_000
SELECT = ["+fct_account_claims", "+fct_account_ledger", "+rpt_account_balances", "+rpt_group_carbon_account",
          "+dim_account_methodologies", "behaviour_codes"]
LINEAGE = ("'bench' as source_file, cast(1 as bigint) as source_row, 'benchmark' as ingest_run_id, "
           "cast(now() as timestamp) as ingested_at, cast(null as varchar) as warning_codes")

# code, scenario, unit as delivered, canonical unit, multiplier, events per account and month, median,
# lognormal spread, first hour, hours spanned, channel (rates and medians as in generator/behaviour_codes.py)
CODES = [
    ("EMP_OFFICE_POWER_SAVING", "employee", "kWh", "kWh", 1.0, 1.0, 30.0, 0.15, 19, 3, "smart_meter"),
    ("EMP_WATER_SAVING", "employee", "L", "m3", 0.001, 1.0, 5.0, 0.5, 9, 8, "staff_app"),
    ("EMP_PAPER_SAVING", "employee", "sheet", "each", 1.0, 1.0, 12.0, 0.6, 9, 8, "print_management"),
    ("EMP_DOUBLE_SIDED_PRINT", "employee", "sheet", "each", 1.0, 1.5, 8.0, 0.6, 9, 8, "print_management"),
    ("EMP_PAPERLESS_APPROVAL", "employee", "each", "each", 1.0, 2.0, 1.0, 0.0, 9, 8, "oa_system"),
    ("EMP_CANTEEN_NO_LEFTOVER", "employee", "each", "each", 1.0, 2.0, 1.0, 0.0, 11, 2, "canteen_app"),
    ("EMP_PLANT_BASED_MEAL", "employee", "each", "each", 1.0, 0.6, 1.0, 0.0, 11, 2, "canteen_app"),
    ("EMP_CYCLING_COMMUTE", "employee", "km", "km", 1.0, 0.6, 4.5, 0.5, 7, 2, "bike_share_api"),
    ("EMP_WALKING_STEPS", "employee", "step", "step", 1.0, 6.4, 7000.0, 0.45, 21, 3, "staff_app"),
    ("EMP_METRO_COMMUTE", "employee", "each", "each", 1.0, 1.5, 1.0, 0.0, 7, 2, "transit_card_api"),
    ("EMP_BUS_COMMUTE", "employee", "each", "each", 1.0, 0.6, 1.0, 0.0, 17, 2, "transit_card_api"),
    ("EMP_VIDEO_CONF_NOT_FLIGHT", "employee", "km", "km", 1.0, 0.15, 1100.0, 0.5, 9, 8, "travel_system"),
    ("EMP_RAIL_NOT_FLIGHT", "employee", "km", "km", 1.0, 0.06, 800.0, 0.4, 8, 10, "travel_system"),
    ("EMP_MANGROVE_VOLUNTEER", "employee", "h", "h", 1.0, 0.01, 4.0, 0.3, 9, 6, "volunteer_platform"),
    ("EMP_TREE_PLANTING", "employee", "each", "each", 1.0, 0.02, 3.0, 0.5, 9, 6, "volunteer_platform"),
    ("EMP_TIME_BANK_VOLUNTEER", "employee", "h", "h", 1.0, 0.03, 2.0, 0.4, 9, 6, "volunteer_platform"),
    ("EMP_REDEEM_GREEN_RIGHT", "employee", "each", "each", 1.0, 0.05, 100.0, 0.0, 12, 8, "staff_app"),
    ("CARD_E_STATEMENT", "bank_card", "次", "each", 1.0, 0.06, 1.0, 0.0, 1, 3, "credit_card_app"),
    ("CARD_ONLINE_BILL_PAY", "bank_card", "次", "each", 1.0, 0.05, 1.0, 0.0, 8, 14, "mobile_banking"),
    ("CARD_MOBILE_PAY_NO_CASH", "bank_card", "次", "each", 1.0, 0.075, 1.0, 0.0, 8, 14, "mobile_banking"),
    ("CARD_DIGITAL_RECEIPT", "bank_card", "次", "each", 1.0, 0.06, 1.0, 0.0, 8, 14, "pos"),
    ("CARD_ONLINE_CARD_APPLICATION", "bank_card", "次", "each", 1.0, 0.001, 1.0, 0.0, 8, 14, "credit_card_app"),
    ("CARD_METRO_RIDE", "bank_card", "次", "each", 1.0, 0.05, 1.0, 0.0, 7, 2, "metro_qr"),
    ("CARD_BUS_RIDE", "bank_card", "次", "each", 1.0, 0.025, 1.0, 0.0, 17, 2, "bus_card"),
    ("CARD_E_INVOICE", "bank_card", "次", "each", 1.0, 0.02, 1.0, 0.0, 8, 14, "e_invoice_platform"),
    ("CARD_ONLINE_TRAIN_TICKET", "bank_card", "次", "each", 1.0, 0.01, 1.0, 0.0, 8, 14, "mobile_banking"),
    ("CARD_ACTIVATION", "bank_card", "次", "each", 1.0, 0.0015, 1.0, 0.0, 8, 14, "credit_card_app"),
    ("CARD_LOGIN_STREAK", "bank_card", "次", "each", 1.0, 0.025, 1.0, 0.0, 8, 14, "mobile_banking"),
    ("CARD_DAILY_CHECKIN", "bank_card", "次", "each", 1.0, 0.10, 1.0, 0.0, 8, 14, "mobile_banking"),
    ("CARD_SHARE_ARTICLE", "bank_card", "次", "each", 1.0, 0.01, 1.0, 0.0, 18, 5, "wechat_mini_program"),
    ("CARD_QUIZ", "bank_card", "次", "each", 1.0, 0.01, 1.0, 0.0, 18, 5, "mobile_banking"),
    ("CARD_WATCH_VIDEO", "bank_card", "次", "each", 1.0, 0.01, 1.0, 0.0, 18, 5, "mobile_banking"),
    ("CARD_INVITE_FRIEND", "bank_card", "次", "each", 1.0, 0.0025, 1.0, 0.0, 18, 5, "wechat_mini_program"),
    ("CARD_GREEN_PLEDGE", "bank_card", "次", "each", 1.0, 0.0015, 1.0, 0.0, 8, 14, "mobile_banking"),
    ("CARD_PROFILE_COMPLETE", "bank_card", "次", "each", 1.0, 0.0015, 1.0, 0.0, 8, 14, "mobile_banking"),
    ("CARD_CARBON_REPORT_VIEW", "bank_card", "次", "each", 1.0, 0.03, 1.0, 0.0, 18, 5, "mobile_banking"),
    ("CARD_POINTS_DONATION", "bank_card", "次", "each", 1.0, 0.0025, 1.0, 0.0, 18, 5, "mobile_banking"),
    ("CARD_GREEN_PRODUCT_VIEW", "bank_card", "次", "each", 1.0, 0.015, 1.0, 0.0, 8, 14, "mobile_banking"),
    ("CARD_REDEEM_GREEN_RIGHT", "bank_card", "次", "each", 1.0, 0.01, 50.0, 0.0, 8, 14, "mobile_banking"),
]


def _account(index_sql: str, scenario_sql: str) -> str:
    """A pseudonym-like id (the silver step writes ps_ + 32 hex digits) of an account number, vectorised."""
    return (f"'ps_' || case when {scenario_sql} = 'employee' then 'e' else 'c' end || "
            f"lpad(lower(to_hex(hash({index_sql}, {scenario_sql}))), 31, '0')")


def _uniform(*parts: str) -> str:
    return f"((hash({', '.join(parts)}) % 1000000007) / 1000000007.0)"


def month_sql(month: str, scale: float) -> str:
    codes = ",\n".join(
        "('{}', '{}', '{}', '{}', {}, {}, {}, {}, {}, {}, '{}', {})".format(*c, i) for i, c in enumerate(CODES))
    days = f"day(last_day(cast('{month}-01' as date)))"
    return f"""
    with codes(code, scenario, unit, unit_canonical, multiplier, rate, median, spread, hour0, hours, channel, code_no)
        as (values {codes}),
    counts as (
        select *, cast(round(rate * {scale} * case scenario when 'employee' then {ENROLLED} else {CARDS} end) as bigint) as n
        from codes
    ),
    drawn as (
        select counts.*, r.i,
            {_uniform("r.i", "code_no", f"'{month}'", "1")} as u_account,
            {_uniform("r.i", "code_no", f"'{month}'", "2")} as u_day,
            {_uniform("r.i", "code_no", f"'{month}'", "3")} as u_hour,
            {_uniform("r.i", "code_no", f"'{month}'", "4")} as u1,
            {_uniform("r.i", "code_no", f"'{month}'", "5")} as u2
        from counts, range(counts.n) as r(i)
    ),
    events as (
        select
            '{month}-' || cast(code_no as varchar) || '-' || cast(i as varchar) as event_id,
            case when scenario = 'employee' then cast(floor(u_account * {ENROLLED}) as bigint)
                 else cast(floor(u_account * u_account * {CARDS}) as bigint) end as account_no,
            scenario, code as behaviour_code, unit, unit_canonical, multiplier, channel,
            cast('{month}-01' as timestamp) - interval 8 hour
                + to_seconds(cast(floor(u_day * {days}) * 86400 + (hour0 + floor(u_hour * hours)) * 3600
                                  + floor(u1 * 3600) as bigint)) as occurred_at,
            case when spread = 0 then median
                 else round(median * exp(spread * sqrt(-2 * ln(greatest(u1, 1e-12))) * cos(2 * pi() * u2)), 1) end as quantity
        from drawn
    ),
    twice as (
        -- 1% of trips reported a second time, 5 minutes later, through the staff app
        select event_id || '-dup' as event_id, account_no, scenario, behaviour_code, unit, unit_canonical, multiplier,
               'staff_app' as channel, occurred_at + interval 5 minute as occurred_at, quantity
        from events
        where behaviour_code in ('EMP_CYCLING_COMMUTE', 'EMP_METRO_COMMUTE', 'CARD_METRO_RIDE')
            and hash(event_id, 'dup') % 100 = 0
    ),
    unioned as (
        select * from events
        union all
        select * from twice
    )
    select
        event_id,
        {_account("account_no", "scenario")} as account_id,
        scenario,
        behaviour_code,
        occurred_at,
        case when behaviour_code = 'EMP_WALKING_STEPS' and hash(event_id, 'steps') % 1000 = 0 then 150000.0
             else greatest(quantity, 0.1) end as quantity,
        unit,
        channel,
        unit_canonical,
        case unit_canonical when 'kWh' then 'energy' when 'm3' then 'volume' when 'km' then 'distance'
             when 'h' then 'time' else 'count' end as unit_dimension,
        case when behaviour_code = 'EMP_WALKING_STEPS' and hash(event_id, 'steps') % 1000 = 0 then 150000.0
             else greatest(quantity, 0.1) end * multiplier as quantity_canonical,
        'behaviour/bench/{month}.parquet' as source_file,
        cast(row_number() over () + 1 as bigint) as source_row,
        'benchmark' as ingest_run_id,
        cast(now() as timestamp) as ingested_at,
        cast(null as varchar) as warning_codes
    from unioned
    """


def write_silver(data: Path, months: list[str], scale: float) -> dict:
    lake = data / "lake" / "silver"
    for name, frame in policy_tables(load_policy(EXAMPLE_POLICY)).items():
        (lake / name).mkdir(parents=True, exist_ok=True)
        frame.write_parquet(lake / name / "policy.parquet")
    stats = {}
    with duckdb.connect() as con:
        con.execute("set enable_progress_bar = false")
        (lake / "org_entities").mkdir(parents=True, exist_ok=True)
        con.execute(f"""copy (select *, {LINEAGE} from (values
            ('GRP', 'Group', null, 'group', 'CN', 'root', 100.0, true, true, date '2000-01-01', cast(null as date)),
            ('BANK', 'Bank', 'GRP', 'banking', 'CN', 'subsidiary', 100.0, true, true, date '2000-01-01', cast(null as date)))
            as t(entity_id, entity_name, parent_entity_id, business_line, country, relationship_type, equity_share_pct,
                 operational_control, financial_control, valid_from, valid_to)) to '{lake}/org_entities/part.parquet'""")
        for name, sql in {
            "org_facilities": f"""select 'F-' || lpad(cast(i as varchar), 5, '0') as facility_id, 'BANK' as entity_id,
                'Branch ' || i as facility_name, 'branch' as facility_type, 'leased' as tenure, 'CN' as country,
                'Guangdong' as province, '深圳' as city, 800.0 as floor_area_m2, date '2010-01-01' as valid_from,
                cast(null as date) as valid_to, {LINEAGE} from range({FACILITIES}) t(i)""",
            "employees": f"""select {_account("i", "'employee'")} as employee_id, 'BANK' as entity_id,
                'F-' || lpad(cast(i % {FACILITIES} as varchar), 5, '0') as facility_id, date '2015-01-01' as hire_date,
                case when i % 20 = 0 then date '2023-06-30' end as leave_date, 'employees/bench.csv' as source_file,
                cast(i + 2 as bigint) as source_row, 'benchmark' as ingest_run_id, cast(now() as timestamp) as ingested_at,
                cast(null as varchar) as warning_codes from range({EMPLOYEES}) t(i)""",
        }.items():
            (lake / name).mkdir(parents=True, exist_ok=True)
            con.execute(f"copy ({sql}) to '{lake}/{name}/part.parquet' (format parquet)")
        for month in months:
            folder = lake / "behaviour" / f"activity_month={month}"
            folder.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            con.execute(f"copy ({month_sql(month, scale)}) to '{folder}/part.parquet' "
                        "(format parquet, compression zstd, row_group_size 1000000)")
            rows = con.execute(f"select count(*) from '{folder}/part.parquet'").fetchone()[0]
            stats[month] = {"rows": rows, "seconds": round(time.perf_counter() - started, 1)}
            print(f"{month}: {rows:,} events in {stats[month]['seconds']} s", flush=True)
    return stats


def run_dbt(data: Path, window: tuple[str, str] | None, full_refresh: bool, threads: int, memory_limit: str) -> dict:
    """`dbt build` of the accounts' models against the synthetic silver; wall time and peak RSS of dbt."""
    profiles = data / "profiles"
    profiles.mkdir(parents=True, exist_ok=True)
    (profiles / "profiles.yml").write_text(json.dumps({"carbonledger": {"target": "duckdb", "outputs": {"duckdb": {
        "type": "duckdb", "path": str(data / "warehouse.duckdb"), "threads": threads,
        "settings": {"preserve_insertion_order": False, "TimeZone": "UTC", "memory_limit": memory_limit,
                     "temp_directory": str(data / "duckdb_tmp")}}}}}), encoding="utf-8")
    args = [str(Path(sys.executable).parent / "dbt"), "build", "--select", *SELECT, "--project-dir", str(DBT_DIR),
            "--profiles-dir", str(profiles), "--target-path", str(data / "dbt_target")]
    if window:
        args += ["--vars", json.dumps({"start_month": window[0], "end_month": window[1]})]
    if full_refresh:
        args.append("--full-refresh")
    env = {**os.environ, "CARBONLEDGER_DATA": str(data), "CARBONLEDGER_ENGINE": "duckdb"}
    started = time.perf_counter()
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    (data / "dbt_build.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        raise SystemExit(f"dbt build failed (see {data / 'dbt_build.log'}):\n{result.stdout[-3000:]}")
    timings = {r["unique_id"].split(".")[-1]: round(r["execution_time"], 1) for r in json.loads(
        (data / "dbt_target" / "run_results.json").read_text())["results"]}
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in (
            "marts_private.fct_account_claims", "marts.fct_account_ledger", "marts.rpt_account_balances")}
        months = con.execute("select count(distinct activity_month) from marts_private.fct_account_claims").fetchone()[0]
    return {"wall_seconds": round(seconds, 1), "peak_rss_mb": round(peak_rss_mb), "rows": counts, "months": months,
            "model_seconds": {k: v for k, v in timings.items() if v >= 1.0}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assets.accounts.benchmark", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    silver = sub.add_parser("silver")
    silver.add_argument("--data", required=True)
    silver.add_argument("--months", default="2023-01:2023-12", help="YYYY-MM:YYYY-MM")
    silver.add_argument("--scale", type=float, default=1.0, help="multiplies every event rate")
    run = sub.add_parser("run")
    run.add_argument("--data", required=True)
    run.add_argument("--window", default=None, help="YYYY-MM:YYYY-MM (an incremental run of those months)")
    run.add_argument("--full-refresh", action="store_true")
    run.add_argument("--threads", type=int, default=2)
    run.add_argument("--memory-limit", default="12GB")
    args = parser.parse_args(argv)
    data = Path(args.data).resolve()
    if args.command == "silver":
        first, last = args.months.split(":")
        months = pl.date_range(pl.date(int(first[:4]), int(first[5:]), 1), pl.date(int(last[:4]), int(last[5:]), 1),
                               "1mo", eager=True).dt.strftime("%Y-%m").to_list()
        stats = write_silver(data, months, args.scale)
        print(json.dumps({"events": sum(s["rows"] for s in stats.values()), "months": stats}))
    else:
        window = tuple(args.window.split(":")) if args.window else None
        print(json.dumps(run_dbt(data, window, args.full_refresh, args.threads, args.memory_limit), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The `carbonledger` command line: how people and scripts drive Carbon Ledger.

Options that locate data are exported as CARBONLEDGER_* variables *before* the Dagster Definitions
are imported, because resources and dbt's profiles.yml read only those. Runs go to the Dagster
instance in DAGSTER_HOME (default: .dagster/ in the project), so `make dev` shows them.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PLANNED_EVENTS_ENV = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"
DEMO_MARKER = ".carbonledger-demo"  # in a data folder `carbonledger demo` made

EXIT_OK, EXIT_BAD_ROWS, EXIT_UNREADABLE = 0, 1, 2


def parse_years(text: str | None) -> tuple[int, int] | None:
    """'2022' -> (2022, 2022); '2021-2023' -> (2021, 2023); None -> None."""
    if not text:
        return None
    first, _, last = text.partition("-")
    try:
        start, end = int(first), int(last or first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--years takes YYYY or YYYY-YYYY, not {text!r}") from None
    if not (2000 <= start <= end <= 2100):
        raise argparse.ArgumentTypeError(f"--years {text!r}: years must be ascending, between 2000 and 2100")
    return start, end


def _add_data_options(parser: argparse.ArgumentParser, years: bool = True) -> None:
    parser.add_argument("--landing", default=None, help="landing folder (default: <data>/landing)")
    parser.add_argument("--data", default=None, help="data folder: lake, warehouse, marts, reports (default: data)")
    parser.add_argument("--config", default=None,
                        help="policy file (default: carbonledger.yml, else carbonledger.example.yml)")
    if years:
        parser.add_argument("--years", type=parse_years, default=None,
                            help="YYYY or YYYY-YYYY (default: every year found in the landing files)")


def _add_engine_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--engine", choices=("duckdb", "spark"), default=None, help=help_text)


def export_environment(args: argparse.Namespace) -> None:
    """CARBONLEDGER_* and DAGSTER_HOME, as absolute paths, for everything loaded after this."""
    data = Path(args.data or os.environ.get("CARBONLEDGER_DATA") or "data").resolve()
    landing = Path(args.landing or os.environ.get("CARBONLEDGER_LANDING") or data / "landing").resolve()
    os.environ["CARBONLEDGER_DATA"] = str(data)
    os.environ["CARBONLEDGER_LANDING"] = str(landing)
    from pipelines.policy import resolve_policy_path

    os.environ["CARBONLEDGER_CONFIG"] = str(resolve_policy_path(args.config or os.environ.get("CARBONLEDGER_CONFIG")).resolve())
    if getattr(args, "engine", None):
        os.environ["CARBONLEDGER_ENGINE"] = args.engine
    # A data folder the demo made keeps using the demo's documented pseudonym key (synthetic data only).
    if (data / DEMO_MARKER).exists():
        os.environ.setdefault("CARBONLEDGER_DEMO", "1")
    # One "materialization planned" event per asset for a run over many months, not one per asset and
    # month: on the SQLite instance the latter cost minutes before a 3-year run even started (docs/operations.md).
    os.environ.setdefault(PLANNED_EVENTS_ENV, "true")
    if not os.environ.get("DAGSTER_HOME"):
        os.environ["DAGSTER_HOME"] = str(PROJECT_ROOT / ".dagster")
    ensure_dagster_home(Path(os.environ["DAGSTER_HOME"]))


def reading_warehouse(data: Path) -> Path:
    """What the read-only commands (trace, account, publish, report) read: <data>/warehouse.duckdb, or for a
    data folder built by `carbonledger run --engine spark` DuckDB views over the Spark tables' Parquet
    (assets/exports/logic.py). --engine (CARBONLEDGER_ENGINE) decides; without it, the Spark tables are read
    when the folder has them and no warehouse.duckdb."""
    engine = os.environ.get("CARBONLEDGER_ENGINE")
    duckdb_file = data / "warehouse.duckdb"
    from assets.exports.logic import SPARK_WAREHOUSE_DIR, spark_views_warehouse

    if engine == "spark" or (not engine and not duckdb_file.exists() and (data / SPARK_WAREHOUSE_DIR).is_dir()):
        return spark_views_warehouse(data)
    return duckdb_file


def ensure_dagster_home(home: Path) -> None:
    """A Dagster instance folder with a dagster.yaml (local storage; no telemetry leaves the machine)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("# Created by carbonledger; see docs/operations.md for PostgreSQL storage.\n"
                          "telemetry:\n  enabled: false\n", encoding="utf-8")


def _ensure_manifest() -> None:
    """The dbt manifest must exist before the Definitions load (`make` prepares it; so does this)."""
    manifest = PROJECT_ROOT / "dbt_project" / "target" / "manifest.json"
    if manifest.exists():
        return
    import subprocess

    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run([str(dbt), "parse", "--quiet", "--project-dir", str(manifest.parents[1]),
                    "--profiles-dir", str(manifest.parents[1])], check=True)


# --- commands ------------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    export_environment(args)
    # `check` keeps nothing it reads: without a configured key, a throwaway one pseudonymises the ids.
    os.environ.setdefault("CARBONLEDGER_PSEUDONYM_KEY", secrets.token_hex(32))
    from pipelines.landing_check import check_landing

    return check_landing(Path(os.environ["CARBONLEDGER_LANDING"]), os.environ["CARBONLEDGER_CONFIG"], out=sys.stdout)


def cmd_run(args: argparse.Namespace) -> int:
    export_environment(args)
    from assets.accounts.pseudonymise import PSEUDONYMISED_COLUMNS, PseudonymKeyError, pseudonym_key
    from assets.ingest.tables import TABLES

    landing = Path(os.environ["CARBONLEDGER_LANDING"])
    personal = [landing / t.folder for t in TABLES if t.name in PSEUDONYMISED_COLUMNS]
    if any(f.is_file() for folder in personal if folder.is_dir() for f in folder.rglob("*")):
        try:  # refuse before the run starts rather than in its silver step
            pseudonym_key()
        except PseudonymKeyError as exc:
            print(f"carbonledger run: {exc}", file=sys.stderr)
            return 2
    _ensure_manifest()
    from pipelines.runner import print_summary, run_pipeline

    result = run_pipeline(years=args.years, full_refresh=getattr(args, "full_refresh", False))
    print_summary(result, out=sys.stdout)
    return 0 if result.success else 1


def cmd_generate(args: argparse.Namespace) -> int:
    from generator.group import generate

    years = args.years or (2021, 2023)
    out = Path(args.out).resolve()
    summary = generate(scale=args.scale, years=years, seed=args.seed, out_dir=out)
    print(summary)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    export_environment(args)
    from generator.group import generate

    landing = Path(os.environ["CARBONLEDGER_LANDING"])
    data = Path(os.environ["CARBONLEDGER_DATA"])
    data.mkdir(parents=True, exist_ok=True)
    (data / DEMO_MARKER).write_text("Synthetic demo data: ids are pseudonymised with the documented demo key.\n",
                                    encoding="utf-8")
    os.environ["CARBONLEDGER_DEMO"] = "1"
    years = args.years or (2021, 2023)
    print(f"Generating the demo group ({years[0]}-{years[1]}, seed {args.seed}) into {landing} ...", flush=True)
    print(generate(scale="demo", years=years, seed=args.seed, out_dir=landing), flush=True)
    args.years = years
    return cmd_run(args)


def cmd_publish(args: argparse.Namespace) -> int:
    export_environment(args)
    from pipelines.policy import load_policy
    from pipelines.publish import PublishError, publish, verify

    data = Path(os.environ["CARBONLEDGER_DATA"])
    landing = Path(os.environ["CARBONLEDGER_LANDING"])
    policy = load_policy(os.environ["CARBONLEDGER_CONFIG"])
    try:
        if args.verify:
            problems = verify(args.year, int(args.verify.lstrip("v")), data, landing, policy,
                              warehouse=reading_warehouse(data))
            for problem in problems:
                print(f"  differs: {problem}")
            print(f"snapshot {args.year}-{args.verify}: " + ("reproduced exactly" if not problems else
                                                            f"{len(problems)} difference(s)"))
            return 0 if not problems else 1
        snapshot = publish(args.year, data, landing, policy, warehouse=reading_warehouse(data))
    except PublishError as exc:
        print(f"carbonledger publish: {exc}", file=sys.stderr)
        return 2
    print(f"Published {snapshot.snapshot_id} to {snapshot.path} (manifest.json holds the SHA-256 of the landing "
          f"files, policy, factor seeds and code). Run `carbonledger run` to see restatements against it.")
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    export_environment(args)
    from pipelines.trace import TraceError, trace

    try:
        return trace(reading_warehouse(Path(os.environ["CARBONLEDGER_DATA"])), args.year, args.entity, args.category,
                     sys.stdout, method=args.method, group=args.group, limit=args.limit)
    except TraceError as exc:
        print(f"carbonledger trace: {exc}", file=sys.stderr)
        return 2


def cmd_account(args: argparse.Namespace) -> int:
    export_environment(args)
    from pipelines.account_statement import StatementError, print_statements
    from pipelines.policy import load_policy

    timezone = load_policy(os.environ["CARBONLEDGER_CONFIG"]).timezone
    try:
        return print_statements(reading_warehouse(Path(os.environ["CARBONLEDGER_DATA"])), args.id, args.month,
                                sys.stdout, timezone=timezone)
    except StatementError as exc:
        print(f"carbonledger account: {exc}", file=sys.stderr)
        return 2


def cmd_report(args: argparse.Namespace) -> int:
    """The year's report (HTML, PDF), workbook and filing packages from the existing warehouse (no dbt run)."""
    export_environment(args)
    from assets.reports.logic import ReportError
    from assets.reports.outputs import build_reports
    from pipelines.policy import load_policy

    data = Path(os.environ["CARBONLEDGER_DATA"])
    loaded = load_policy(os.environ["CARBONLEDGER_CONFIG"])
    try:
        out = build_reports(reading_warehouse(data), args.year, data / "reports", loaded.policy.accounts, loaded.sha256)
    except ReportError as exc:
        print(f"carbonledger report: {exc}", file=sys.stderr)
        return 2
    print(f"Reports for {args.year} in {out.directory}:")
    print(f"  TCFD / IFRS S2 report: {out.files['html'].name}, {out.files['pdf'].name} ({out.pages} pages"
          f"{'; its content unchanged: kept as it was' if out.kept else ''})")
    print(f"  workbook: {out.files['xlsx'].name} ({len(out.sheets)} sheets)")
    for f in out.filings:
        where = f"filings/{f.filing_id}/ ({f.t_co2e:.6f} t CO2e, {f.accounts} accounts)" if f.path else "no package"
        print(f"  filing {f.filing_id}: {f.status}: {where}")
    for key, digest in out.sha256.items():
        print(f"  sha256 {key}: {digest}")
    for message in out.refusals:
        print(f"refused: {message}", file=sys.stderr)
    return 1 if out.refusals else 0


def cmd_compare_engines(args: argparse.Namespace) -> int:
    """Every mart of a DuckDB-built data folder against the same mart built by Spark (docs/deploy.md)."""
    from pipelines.engine_parity import compare_engines

    duckdb_data, spark_data = Path(args.duckdb_data).resolve(), Path(args.spark_data).resolve()
    if not (duckdb_data / "warehouse.duckdb").exists():
        print(f"carbonledger compare-engines: no {duckdb_data / 'warehouse.duckdb'} (run `carbonledger run` there)",
              file=sys.stderr)
        return 2
    result = compare_engines(duckdb_data, spark_data)
    for table, rows in result.tables:
        print(f"  {table:55} {rows:>12,} rows")
    for difference in result.differences:
        print(f"differs: {difference}")
    print(f"{len(result.tables)} tables compared row by row (floats within 1e-9 relative): "
          + ("the same on DuckDB and Spark" if not result.differences else f"{len(result.differences)} difference(s)"))
    return 0 if not result.differences else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carbonledger", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="generate the demo group and run everything")
    _add_data_options(demo)
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(func=cmd_demo)

    gen = sub.add_parser("generate", help="write a synthetic group in the landing contract")
    gen.add_argument("--scale", default="demo",
                     help="demo, group, or group@F for a fraction F of the group (e.g. group@0.1; benchmarks)")
    gen.add_argument("--years", type=parse_years, default=None, help="YYYY or YYYY-YYYY (default 2021-2023)")
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--out", default="data/landing")
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="materialise every asset for the years, in one run")
    _add_data_options(run)
    run.add_argument("--full-refresh", action="store_true", help="rebuild incremental facts from scratch")
    run.add_argument("--engine", choices=("duckdb", "spark"), default=None, help="dbt target (default duckdb)")
    run.set_defaults(func=cmd_run)

    pub = sub.add_parser("publish", help="freeze a year's inventory as a snapshot (never overwritten)")
    _add_data_options(pub, years=False)
    pub.add_argument("--year", type=int, required=True)
    pub.add_argument("--verify", default=None, metavar="vN",
                     help="instead of publishing, check that snapshot vN reproduces from the current inputs")
    _add_engine_option(pub, "which warehouse to read (default: warehouse.duckdb, else the Spark tables)")
    pub.set_defaults(func=cmd_publish)

    tr = sub.add_parser("trace", help="print how a reported figure is built: rows, factors, sums")
    _add_data_options(tr, years=False)
    tr.add_argument("--year", type=int, required=True)
    tr.add_argument("--entity", required=True)
    tr.add_argument("--category", required=True, help="e.g. s2_purchased_electricity, s3_06_business_travel")
    tr.add_argument("--method", choices=("location_based", "market_based"), default=None)
    tr.add_argument("--group", action="store_true", help="the group total (entity = the policy's root)")
    tr.add_argument("--limit", type=int, default=10, help="source rows to list (largest first)")
    _add_engine_option(tr, "which warehouse to read (default: warehouse.duckdb, else the Spark tables)")
    tr.set_defaults(func=cmd_trace)

    acct = sub.add_parser("account", help="an account's statement for a month: balances and entries, grams and points")
    _add_data_options(acct, years=False)
    acct.add_argument("--id", required=True, help="the account id (raw, pseudonymised with CARBONLEDGER_PSEUDONYM_KEY) "
                                                  "or its pseudonym (ps_...)")
    acct.add_argument("--month", required=True, help="YYYY-MM (cut in the reporting time zone)")
    _add_engine_option(acct, "which warehouse to read (default: warehouse.duckdb, else the Spark tables)")
    acct.set_defaults(func=cmd_account)

    rep = sub.add_parser("report", help="the year's TCFD report (HTML, PDF), workbook and filing packages, "
                                        "from the existing warehouse (exit 1 when a filing or credit lot is refused)")
    _add_data_options(rep, years=False)
    rep.add_argument("--year", type=int, required=True)
    _add_engine_option(rep, "which warehouse to read (default: warehouse.duckdb, else the Spark tables)")
    rep.set_defaults(func=cmd_report)

    cmp = sub.add_parser("compare-engines", help="compare every mart of a DuckDB run with a Spark run's "
                                                 "(exit 0 the same, 1 differences)")
    cmp.add_argument("--duckdb-data", required=True, help="data folder of `carbonledger run` (DuckDB)")
    cmp.add_argument("--spark-data", required=True, help="data folder of `carbonledger run --engine spark`")
    cmp.set_defaults(func=cmd_compare_engines)

    check = sub.add_parser("check", help="validate landing files only (exit 0 valid, 1 bad rows, 2 unreadable)")
    _add_data_options(check, years=False)
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a clear one-line error for users, the traceback with CARBONLEDGER_DEBUG=1
        from pipelines.policy import PolicyError

        if os.environ.get("CARBONLEDGER_DEBUG") or not isinstance(exc, (PolicyError, FileNotFoundError, ValueError)):
            raise
        print(f"carbonledger: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""Landing → bronze → silver + quarantine, without Dagster (the assets call these; so do tests and `check`).

bronze: every landing file read as text, one Parquet part per file and month, named by the sha1 of
        the file's landing path. A file is re-read only when its size or mtime changed; a file that is
        gone from landing has its parts withdrawn in every layer.
silver: for each month of the run, all bronze parts of that month typed, unit-normalised and checked
        against the table's suites in one polars pass; failing rows go to quarantine with a reason.
        For every month: rows in bronze = rows in silver + rows in quarantine.
"""

from __future__ import annotations

import csv
import logging
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone as dt_timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from assets.ingest import parsing
from assets.ingest.lake import UNKNOWN_MONTH, Lake, count_rows, remove_part, write_part
from assets.ingest.readers import LandingFile, LandingFileError, find_landing_files, read_landing_file, scratch_directory
from assets.ingest.rules import RuleContext, Suite, apply_row_rules, load_suite, references, resolve
from assets.ingest.tables import TABLES, LandingTable

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = PROJECT_ROOT / "dbt_project" / "seeds"
LINEAGE_COLUMNS = ("source_file", "source_row", "ingest_run_id", "ingested_at")
REASON_COLUMNS = ("reason_code", "reason_column", "reason_message")


# --- bronze --------------------------------------------------------------------------------------


@dataclass
class BronzeReport:
    table: str
    files: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    files_withdrawn: int = 0
    rows_by_month: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # "<file>: <problem>"

    @property
    def rows(self) -> int:
        return sum(self.rows_by_month.values())


def _withdraw(lake: Lake, table: LandingTable, part: str) -> None:
    """Remove a landing file's parts from every layer and month."""
    for layer in ("bronze", "silver", "quarantine"):
        base = lake.table_dir(layer, table.name)
        if base.is_dir():
            for path in list(base.rglob(f"{part}.parquet")):
                remove_part(path)


def _month_expr(table: LandingTable, columns: list[str], tz: str) -> pl.Expr:
    if table.month_column not in columns:
        return pl.lit(UNKNOWN_MONTH)
    column_type = table.column(table.month_column).type
    return parsing.activity_month(pl.col(table.month_column), column_type, tz)


def _write_bronze_file(frame: pl.LazyFrame, table: LandingTable, landing_file: LandingFile, lake: Lake,
                       columns: list[str], tz: str, scratch: Path) -> dict[str, int]:
    """Write one file's bronze parts (one per month), streaming; returns rows per month."""
    part = landing_file.part_name
    if not table.partitioned:
        out = lake.part_path("bronze", table.name, part, None)
        staged = scratch / f"{part}.parquet"
        frame.sink_parquet(staged, compression="zstd")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staged, out)
        return {"": count_rows([out])}
    staging = scratch / f"bronze-{part}"
    frame.with_columns(_month_expr(table, columns, tz).alias("activity_month")).sink_parquet(
        pl.PartitionBy(staging, key="activity_month", include_key=False, approximate_bytes_per_file=None),
        compression="zstd",
        mkdir=True,
    )
    rows: dict[str, int] = {}
    for month_dir in sorted(staging.glob("activity_month=*")):
        month = month_dir.name.split("=", 1)[1]
        pieces = sorted(month_dir.glob("*.parquet"))
        out = lake.part_path("bronze", table.name, part, month)
        out.parent.mkdir(parents=True, exist_ok=True)
        if len(pieces) == 1:
            shutil.move(pieces[0], out)
        else:
            write_part(pl.read_parquet(pieces), out)
        rows[month] = count_rows([out])
    shutil.rmtree(staging, ignore_errors=True)
    return rows


def ingest_bronze(table: LandingTable, landing_dir: Path, lake: Lake, run_id: str, tz: str,
                  force: bool = False) -> BronzeReport:
    """Bring landing/<folder> into bronze: new and changed files read, removed files withdrawn."""
    report = BronzeReport(table=table.name)
    files, skipped = find_landing_files(landing_dir, table.folder)
    report.warnings.extend(skipped)
    report.files = len(files)
    manifest = lake.read_manifest(table.name)
    current = {f.source_file: f for f in files}
    for source_file in sorted(set(manifest) - set(current)):
        _withdraw(lake, table, manifest.pop(source_file)["part"])
        report.files_withdrawn += 1
    ingested_at = datetime.now(dt_timezone.utc).replace(tzinfo=None)
    with scratch_directory(lake.root / "_scratch") as tmp:
        scratch = Path(tmp)
        for landing_file in files:
            fingerprint = landing_file.fingerprint()
            entry = manifest.get(landing_file.source_file)
            if (not force and entry and entry["fingerprint"] == fingerprint and entry.get("timezone") == tz
                    and not entry.get("error")):
                report.files_unchanged += 1
                for month, n in entry["rows_by_month"].items():
                    report.rows_by_month[month] = report.rows_by_month.get(month, 0) + n
                report.warnings.extend(entry.get("warnings", []))
                continue
            # The file is new or changed: its old parts go, whatever happens next.
            _withdraw(lake, table, landing_file.part_name)
            new_entry = {"part": landing_file.part_name, "fingerprint": fingerprint, "timezone": tz,
                         "rows_by_month": {}, "columns": [], "warnings": [], "error": None}
            try:
                result = read_landing_file(landing_file, scratch)
                new_entry["columns"] = result.columns
                new_entry["warnings"] = result.warnings
                if result.frame is not None:
                    frame = result.frame.with_columns(
                        pl.lit(run_id).alias("ingest_run_id"),
                        pl.lit(ingested_at).alias("ingested_at"),
                    )
                    rows = _write_bronze_file(frame, table, landing_file, lake, result.columns, tz, scratch)
                    new_entry["rows_by_month"] = {m: n for m, n in rows.items() if n}
                    if not any(rows.values()):
                        new_entry["warnings"].append(f"{landing_file.source_file}: header only, no rows")
            except LandingFileError as exc:
                _withdraw(lake, table, landing_file.part_name)
                new_entry["error"] = str(exc)
                report.unreadable.append(str(exc))
            except pl.exceptions.PolarsError as exc:
                _withdraw(lake, table, landing_file.part_name)
                new_entry["error"] = f"{landing_file.source_file}: cannot be read: {exc}".splitlines()[0]
                report.unreadable.append(new_entry["error"])
            manifest[landing_file.source_file] = new_entry
            report.files_read += 1
            report.warnings.extend(new_entry["warnings"])
            for month, n in new_entry["rows_by_month"].items():
                report.rows_by_month[month] = report.rows_by_month.get(month, 0) + n
    lake.write_manifest(table.name, manifest)
    return report


# --- silver --------------------------------------------------------------------------------------


@dataclass
class SilverReport:
    table: str
    months: list[str] = field(default_factory=list)
    bronze_rows: int = 0
    silver_rows: int = 0
    quarantined_rows: int = 0
    reasons: Counter = field(default_factory=Counter)
    warnings: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)  # a few quarantine messages, for run metadata

    def add(self, other: "SilverReport") -> None:
        self.bronze_rows += other.bronze_rows
        self.silver_rows += other.silver_rows
        self.quarantined_rows += other.quarantined_rows
        self.reasons.update(other.reasons)
        self.warnings.update(other.warnings)
        self.examples.extend(other.examples[: max(0, 10 - len(self.examples))])


def silver_schema(table: LandingTable) -> dict[str, pl.DataType]:
    """The columns silver stores for a table, in order (personal columns never reach silver)."""
    # Timestamps are stored as naive UTC (the `_at` convention) so DuckDB and Spark read the same value.
    kinds = {"string": pl.String, "float": pl.Float64, "int": pl.Int64, "bool": pl.Boolean, "date": pl.Date,
             "month": pl.Date, "timestamp": pl.Datetime("us")}
    schema: dict[str, pl.DataType] = {
        c.name: kinds[c.type] for c in table.columns if c.name not in table.personal_columns
    }
    if table.unit_column:
        schema.update({"unit_canonical": pl.String, "unit_dimension": pl.String, "quantity_canonical": pl.Float64})
    schema.update({"source_file": pl.String, "source_row": pl.Int64, "ingest_run_id": pl.String,
                   "ingested_at": pl.Datetime("us"), "warning_codes": pl.String})
    return schema


def quarantine_schema(table: LandingTable) -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = {c.name: pl.String for c in table.columns if c.name not in table.personal_columns}
    schema.update({"source_file": pl.String, "source_row": pl.Int64, "ingest_run_id": pl.String,
                   "ingested_at": pl.Datetime("us"), "reason_code": pl.String, "reason_column": pl.String,
                   "reason_message": pl.String})
    return schema


def unit_table() -> pl.DataFrame:
    """The unit_conversions seed: alias (lower case) -> canonical unit, multiplier, dimension."""
    return pl.read_csv(
        SEEDS_DIR / "reference" / "unit_conversions.csv",
        schema_overrides={"unit_alias": pl.String, "multiplier": pl.Float64},
    ).select(
        pl.col("unit_alias").str.to_lowercase(), "canonical_unit", "multiplier", "dimension"
    )


def _read_bronze_parts(table: LandingTable, parts: dict[str, Path]) -> pl.LazyFrame:
    """All parts of one month as one frame with exactly the table's columns (missing ones null).

    `missing_columns` lists, per row, the required columns its file lacks.
    """
    frames = []
    for part, path in sorted(parts.items()):
        present = set(pl.read_parquet_schema(path))
        missing = [c for c in table.required_columns if c not in present]
        frames.append(
            pl.scan_parquet(path).select(
                [pl.col(c) if c in present else pl.lit(None, dtype=pl.String).alias(c) for c in table.column_names]
                + [pl.col(c) for c in LINEAGE_COLUMNS]
                + [pl.lit(", ".join(missing), dtype=pl.String).alias("missing_columns")]
            )
        )
    return pl.concat(frames, how="vertical_relaxed").sort("source_file", "source_row")


def _bronze_reasons(frame: pl.LazyFrame, bronze: Suite, schema: pl.Schema) -> pl.LazyFrame:
    """Bronze rules (columns exist, text parses as its type) on the raw text columns."""
    missing = pl.col("missing_columns")
    has_missing = missing.is_not_null() & (missing != "")
    frame = apply_row_rules(frame, bronze, schema)
    return frame.with_columns(
        pl.when(has_missing).then(pl.lit("missing_column")).otherwise(pl.col("reason_code")).alias("reason_code"),
        pl.when(has_missing).then(missing).otherwise(pl.col("reason_column")).alias("reason_column"),
        pl.when(has_missing)
        .then(pl.format("{} row {} column {}: the file has no such column (required)", pl.col("source_file"),
                        pl.col("source_row"), missing))
        .otherwise(pl.col("reason_message"))
        .alias("reason_message"),
    ).rename({c: f"bronze__{c}" for c in REASON_COLUMNS}).drop("warning_codes")


def _typed(frame: pl.LazyFrame, table: LandingTable, tz: str, units: pl.DataFrame) -> pl.LazyFrame:
    """Raw text kept as raw__<col>; typed values under the column's own name; units normalised."""
    frame = frame.with_columns([pl.col(c).alias(f"raw__{c}") for c in table.column_names])
    frame = frame.with_columns(
        [parsing.parse_as(pl.col(f"raw__{c.name}"), c.type, tz).alias(c.name) for c in table.columns]
    )
    if table.unit_column:
        frame = frame.with_columns(pl.col(table.unit_column).str.to_lowercase().alias(table.unit_column)).join(
            units.lazy().rename({"unit_alias": table.unit_column, "canonical_unit": "unit_canonical",
                                 "dimension": "unit_dimension"}),
            on=table.unit_column,
            how="left",
            maintain_order="left",
        ).with_columns(
            (pl.col(table.quantity_column) * pl.col("multiplier")).alias("quantity_canonical")
        ).drop("multiplier")
    # A value that matched its format but is still not a real value (e.g. 2022-02-30).
    unparseable = [
        (pl.col(f"raw__{c.name}").pipe(parsing.clean_text).is_not_null() & pl.col(c.name).is_null(), c.name)
        for c in table.columns if c.type != "string"
    ]
    code = pl.lit(None, dtype=pl.String)
    column = pl.lit(None, dtype=pl.String)
    message = pl.lit(None, dtype=pl.String)
    for failed, name in reversed(unparseable):
        code = pl.when(failed).then(pl.lit(f"not_a_{table.column(name).type}")).otherwise(code)
        column = pl.when(failed).then(pl.lit(name)).otherwise(column)
        message = pl.when(failed).then(
            pl.format("{} row {} column {}: value '{}' is not a real {}", pl.col("source_file"), pl.col("source_row"),
                      pl.lit(name), pl.col(f"raw__{name}"), pl.lit(table.column(name).type))
        ).otherwise(message)
    return frame.with_columns(code.alias("parse__reason_code"), column.alias("parse__reason_column"),
                              message.alias("parse__reason_message"))


def _key_elsewhere(frame: pl.LazyFrame, key: list[str], existing: pl.DataFrame | None) -> pl.LazyFrame:
    if existing is None or existing.is_empty():
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias("key_elsewhere_month"))
    existing = existing.with_columns([pl.col(k).cast(pl.String).alias(f"__key_{k}") for k in key]).drop(key)
    return frame.with_columns([pl.col(k).cast(pl.String).alias(f"__key_{k}") for k in key]).join(
        existing.lazy(), on=[f"__key_{k}" for k in key], how="left", maintain_order="left", nulls_equal=False
    ).drop([f"__key_{k}" for k in key])


def _keys_seen_elsewhere(lake: Lake, table: LandingTable, key: list[str], window: list[str]) -> dict[str, pl.DataFrame]:
    """For each month of the run, the keys that belong to another month: key -> that month.

    A key must be unique across the table. Keys already in silver outside the run's months win;
    within the run, the earliest month (then file, then row) keeps the key.
    """
    frames = []
    for month in lake.months("silver", table.name):
        if month not in window:
            parts = list(lake.parts("silver", table.name, month).values())
            frames.append(pl.scan_parquet(parts, hive_partitioning=False).select(
                [pl.col(k).cast(pl.String) for k in key]).with_columns(pl.lit(month).alias("key_month"),
                                                                       pl.lit(0).alias("rank")))
    for month in window:
        parts = list(lake.parts("bronze", table.name, month).values())
        if parts and month != UNKNOWN_MONTH:
            frames.append(pl.scan_parquet(parts, hive_partitioning=False, missing_columns="insert").select(
                [parsing.clean_text(pl.col(k)).alias(k) for k in key]).with_columns(pl.lit(month).alias("key_month"),
                                                                                    pl.lit(1).alias("rank")))
    if not frames:
        return {}
    seen = pl.concat(frames).drop_nulls(key).unique(subset=[*key, "key_month"])
    spread = seen.group_by(key).agg(pl.len().alias("months")).filter(pl.col("months") > 1).drop("months")
    owner = (
        seen.join(spread, on=key, how="semi").sort("rank", "key_month").group_by(key, maintain_order=True)
        .first().select([*key, pl.col("key_month").alias("key_elsewhere_month")]).collect()
    )
    if owner.is_empty():
        return {}
    return {m: owner.filter(pl.col("key_elsewhere_month") != m) for m in window}


def validate_frame(raw: pl.LazyFrame, table: LandingTable, bronze: Suite, silver: Suite, tz: str,
                   units: pl.DataFrame, existing: pl.DataFrame | None = None) -> pl.LazyFrame:
    """One pass: every row with its typed values and the first reason it fails (null when it passes)."""
    raw_schema = raw.collect_schema()
    frame = _bronze_reasons(raw, bronze, raw_schema)
    frame = _typed(frame, table, tz, units)
    typed_schema = frame.collect_schema()
    frame = apply_row_rules(frame, silver, typed_schema)
    unique = [e for e in silver.unique_keys if e.meta.get("unique_scope", "table") == "table"]
    if unique:
        key = unique[0].columns
        frame = _key_elsewhere(frame, key, existing)
        elsewhere = pl.col("key_elsewhere_month").is_not_null() & pl.col("reason_code").is_null()
        frame = frame.with_columns(
            pl.when(elsewhere).then(pl.lit("duplicate_key")).otherwise(pl.col("reason_code")).alias("reason_code"),
            pl.when(elsewhere).then(pl.lit(", ".join(key))).otherwise(pl.col("reason_column")).alias("reason_column"),
            pl.when(elsewhere)
            .then(pl.format("{} row {} column {}: value '{}' repeats a key first seen in {} (the first occurrence is kept)",
                            pl.col("source_file"), pl.col("source_row"), pl.lit(key[0]), pl.col(f"raw__{key[0]}"),
                            pl.col("key_elsewhere_month")))
            .otherwise(pl.col("reason_message")).alias("reason_message"),
        ).drop("key_elsewhere_month")
    # Bronze problems (missing column, unreadable text) come first: the typed value is meaningless.
    return frame.with_columns(
        pl.coalesce("bronze__reason_code", "parse__reason_code", "reason_code").alias("reason_code"),
        pl.coalesce("bronze__reason_column", "parse__reason_column", "reason_column").alias("reason_column"),
        pl.coalesce("bronze__reason_message", "parse__reason_message", "reason_message").alias("reason_message"),
    ).drop([f"bronze__{c}" for c in REASON_COLUMNS] + [f"parse__{c}" for c in REASON_COLUMNS])


def _silver_rows(frame: pl.DataFrame, table: LandingTable) -> pl.DataFrame:
    schema = silver_schema(table)
    return frame.filter(pl.col("reason_code").is_null()).with_columns(
        pl.col("warning_codes").list.join(",").replace("", None).alias("warning_codes")
    ).select([pl.col(c).cast(t) for c, t in schema.items()])


def _quarantine_rows(frame: pl.DataFrame, table: LandingTable) -> pl.DataFrame:
    schema = quarantine_schema(table)
    raw = {c.name: pl.col(f"raw__{c.name}") for c in table.columns if c.name not in table.personal_columns}
    return frame.filter(pl.col("reason_code").is_not_null()).select(
        [expr.cast(pl.String).alias(name) for name, expr in raw.items()]
        + [pl.col(c).cast(schema[c]) for c in (*LINEAGE_COLUMNS, *REASON_COLUMNS)]
    )


def _replace_parts(lake: Lake, layer: str, table: LandingTable, month: str | None, frame: pl.DataFrame) -> None:
    """Write one part per source file of `frame`; remove the month's parts of every other file."""
    written: set[str] = set()
    if not frame.is_empty():
        for (source_file,), group in frame.group_by("source_file", maintain_order=True):
            part = LandingFile(path=Path(source_file), source_file=source_file).part_name
            write_part(group, lake.part_path(layer, table.name, part, month))
            written.add(part)
    for part, path in lake.parts(layer, table.name, month).items():
        if part not in written:
            remove_part(path)


def build_silver(table: LandingTable, lake: Lake, tz: str, context: RuleContext,
                 months: list[str] | None = None) -> SilverReport:
    """Type, normalise and validate bronze into silver and quarantine for the given months (None: all)."""
    bronze, silver = load_suite("bronze", table.name), resolve(load_suite("silver", table.name), context)
    bronze = resolve(bronze, context)
    units = unit_table()
    report = SilverReport(table=table.name)
    if table.partitioned:
        present = lake.months("bronze", table.name)
        # Undatable rows and rows dated after this month have no partition: every run quarantines them.
        current = context.run_date.strftime("%Y-%m")
        homeless = {m for m in present if m == UNKNOWN_MONTH or m > current}
        wanted = sorted((set(present) if months is None else set(months) & set(present)) | homeless)
        # Months of the window that bronze no longer has: their silver and quarantine are stale.
        window = wanted + [m for m in lake.months("silver", table.name) + lake.months("quarantine", table.name)
                           if (months is None or m in months) and m not in wanted]
    else:
        window = [None]
    unique = [e for e in silver.unique_keys if e.meta.get("unique_scope", "table") == "table"]
    elsewhere = _keys_seen_elsewhere(lake, table, unique[0].columns, [m for m in window if m]) if (unique and table.partitioned) else {}
    for month in sorted(window, key=lambda m: m or ""):
        parts = lake.parts("bronze", table.name, month)
        month_report = SilverReport(table=table.name, months=[month or ""])
        if parts:
            frame = validate_frame(_read_bronze_parts(table, parts), table, bronze, silver, tz, units,
                                   elsewhere.get(month)).collect()
            if month == UNKNOWN_MONTH:
                # The row's date cannot be read, so it cannot be placed in a month.
                month_col = table.month_column
                frame = frame.with_columns(
                    pl.coalesce(pl.col("reason_code"), pl.lit(f"not_a_{table.column(month_col).type}")).alias("reason_code"),
                    pl.coalesce(pl.col("reason_column"), pl.lit(month_col)).alias("reason_column"),
                    pl.coalesce(pl.col("reason_message"), pl.format("{} row {} column {}: the date cannot be read",
                                                                    pl.col("source_file"), pl.col("source_row"),
                                                                    pl.lit(month_col))).alias("reason_message"),
                )
            good, bad = _silver_rows(frame, table), _quarantine_rows(frame, table)
            month_report.bronze_rows = frame.height
            month_report.silver_rows = good.height
            month_report.quarantined_rows = bad.height
            month_report.reasons.update(dict(bad.group_by("reason_code").len().iter_rows()))
            if "warning_codes" in good.columns:
                for codes in good.get_column("warning_codes").drop_nulls():
                    month_report.warnings.update(codes.split(","))
            month_report.examples = bad.get_column("reason_message").head(10).to_list()
        else:
            good = pl.DataFrame(schema=silver_schema(table))
            bad = pl.DataFrame(schema=quarantine_schema(table))
        if month != UNKNOWN_MONTH:
            _replace_parts(lake, "silver", table, month, good)
        _replace_parts(lake, "quarantine", table, month, bad)
        if month is not None:
            report.months.append(month)
        report.add(month_report)
    return report


# --- context for known keys ----------------------------------------------------------------------


def load_rule_context(lake: Lake, tables: list[LandingTable], tz: str, run_date: date | None = None) -> RuleContext:
    """Resolve every value set the given tables' suites refer to (seeds and known keys in silver)."""
    context = RuleContext(run_date=run_date or datetime.now(ZoneInfo(tz)).date())
    refs: set[str] = set()
    for t in tables:
        for layer in ("bronze", "silver"):
            refs |= references(load_suite(layer, t.name))
    for ref in sorted(refs):
        kind, _, target = ref.partition(":")
        name, _, column = target.partition(".")
        if kind == "seed":
            path = next(SEEDS_DIR.rglob(f"{name}.csv"))
            with path.open(encoding="utf-8", newline="") as handle:
                values = sorted({row[column].strip().lower() for row in csv.DictReader(handle)})
        elif kind == "silver":
            parts = lake.all_parts("silver", name)
            values = (
                pl.scan_parquet(parts).select(pl.col(column).drop_nulls().unique()).collect().to_series().sort().to_list()
                if parts else []
            )
        else:
            raise ValueError(f"unknown value_set_from {ref!r}")
        context.known_values[ref] = values
    return context


def tables_in_dependency_order() -> list[LandingTable]:
    """Dimensions first: their keys are the known values the other tables are checked against."""
    order = {"org_entities": 0, "org_facilities": 1, "employees": 2}
    return sorted(TABLES, key=lambda t: order.get(t.name, 3))


def landing_years(landing_dir: Path, tz: str, today: date | None = None) -> set[int]:
    """Reporting years that dated rows of the landing files fall in (unreadable or future dates ignored)."""
    today = today or date.today()
    years: set[int] = set()
    with scratch_directory() as tmp:
        for table in TABLES:
            if not table.partitioned:
                continue
            files, _ = find_landing_files(landing_dir, table.folder)
            for landing_file in files:
                try:
                    result = read_landing_file(landing_file, Path(tmp))
                except LandingFileError:
                    continue
                if result.frame is None or table.month_column not in result.columns:
                    continue
                months = (
                    result.frame.select(_month_expr(table, result.columns, tz).alias("m"))
                    .filter(pl.col("m") != UNKNOWN_MONTH)
                    .select(pl.col("m").str.slice(0, 4).cast(pl.Int32).unique())
                    .collect()
                    .to_series()
                    .to_list()
                )
                years.update(y for y in months if 2000 <= y <= today.year)
    return years

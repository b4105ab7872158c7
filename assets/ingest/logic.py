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
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from datetime import date, datetime, timezone as dt_timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from assets.accounts.pseudonymise import PSEUDONYMISED_COLUMNS, pseudonymise_table

from assets.ingest import parsing
from assets.ingest.lake import UNKNOWN_MONTH, Lake, count_rows, remove_part, write_part
from assets.ingest.readers import LandingFile, LandingFileError, find_landing_files, read_landing_file, scratch_directory
from assets.ingest.rules import Check, RuleContext, Suite, apply_row_rules, compacted_strings, first_failure, load_suite, references, resolve
from assets.ingest.tables import TABLES, LandingTable, Overlap

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
            # A month validated in slices holds a part per slice: <part>.<slice>.parquet.
            for path in [*base.rglob(f"{part}.parquet"), *base.rglob(f"{part}.*.parquet")]:
                remove_part(path)


def _month_expr(table: LandingTable, columns: list[str], tz: str) -> pl.Expr:
    if table.month_column not in columns:
        return pl.lit(UNKNOWN_MONTH)
    column_type = table.column(table.month_column).type
    return parsing.activity_month(pl.col(table.month_column), column_type, tz)


class MonthCache:
    """'YYYY-MM' of the dating column's text, parsed once per distinct text across a file's batches."""

    LIMIT = 2_000_000  # distinct texts kept; beyond, the cache starts again (memory stays bounded)

    def __init__(self, table: LandingTable, columns: list[str], tz: str):
        self.table, self.columns, self.tz = table, columns, tz
        self.column = table.month_column
        self.known = pl.DataFrame(schema={self.column: pl.String, "activity_month": pl.String})

    def add_month(self, batch: pl.DataFrame) -> pl.DataFrame:
        if self.column not in self.columns:
            return batch.with_columns(pl.lit(UNKNOWN_MONTH).alias("activity_month"))
        texts = batch.select(pl.col(self.column).unique())
        new = texts.join(self.known, on=self.column, how="anti", nulls_equal=True)
        if not new.is_empty():
            if self.known.height + new.height > self.LIMIT:
                # Start again from this batch's texts, all of them: the ones it shares with the cache
                # would otherwise go with the cache and leave their rows without a month.
                self.known = self.known.clear()
                new = texts
            column_type = self.table.column(self.column).type
            candidates = parsing.candidates_of(pl.col(self.column), column_type, self.tz)
            if candidates is None:
                parsed = new.with_columns(_month_expr(self.table, self.columns, self.tz).alias("activity_month"))
            else:  # each text parsed by its likely format first (parsing.first_match)
                parsed = new.with_columns(parsing.first_match(new, candidates).alias("__value")).select(
                    self.column, parsing.month_text(pl.col("__value"), column_type, self.tz).alias("activity_month"))
            self.known = pl.concat([self.known, parsed])
        return batch.join(self.known, on=self.column, how="left", nulls_equal=True, maintain_order="left")


def _write_bronze_file(result, table: LandingTable, landing_file: LandingFile, lake: Lake, run_id: str,
                       ingested_at: datetime, tz: str, scratch: Path) -> dict[str, int]:
    """Write one file's bronze parts (one per month) batch by batch; returns rows per month.

    The file is read a few MB at a time (readers.ReadResult.iter_batches) and each batch's rows are
    appended to its month's Parquet part as a row group, so a file of any size is never held whole.
    """
    import pyarrow.parquet as pq

    part = landing_file.part_name
    months = MonthCache(table, result.columns, tz) if table.partitioned else None
    pieces: dict[str, list[Path]] = {}
    rows: dict[str, int] = {}
    schema = None
    # Each batch's rows of a month become one small piece; a month's pieces are then joined into its
    # part one piece at a time. (A writer per month left open would hold buffers for every month.)
    for number, batch in enumerate(result.iter_batches()):
        batch = batch.with_columns(pl.lit(run_id).alias("ingest_run_id"), pl.lit(ingested_at).alias("ingested_at"))
        groups = months.add_month(batch).partition_by("activity_month", as_dict=True, include_key=False) \
            if months is not None else {("",): batch}
        for (month,), group in groups.items():
            arrow = group.to_arrow()
            schema = schema or arrow.schema
            piece = scratch / f"bronze-{part}-{month or 'all'}-{number:06d}.parquet"
            pq.write_table(arrow.cast(schema), piece, compression="zstd")
            pieces.setdefault(month, []).append(piece)
            rows[month] = rows.get(month, 0) + group.height
    for month, paths in pieces.items():
        out = lake.part_path("bronze", table.name, part, month or None)
        out.parent.mkdir(parents=True, exist_ok=True)
        if len(paths) == 1:
            shutil.move(paths[0], out)
            continue
        staged = scratch / f"bronze-{part}-{month or 'all'}.parquet"
        with pq.ParquetWriter(staged, schema, compression="zstd") as writer:
            for path in paths:
                writer.write_table(pq.read_table(path))
                path.unlink()
        shutil.move(staged, out)
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
                    rows = _write_bronze_file(result, table, landing_file, lake, run_id, ingested_at, tz, scratch)
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

OVERLAP_FLAG, OVERLAP_DETAIL = "overlaps_earlier_period", "overlap_detail"


MAX_EXAMPLES = 30  # quarantine messages a table's report quotes


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
    rows_by_month: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # month -> (bronze, silver, quarantine)
    skipped_rules: list[str] = field(default_factory=list)  # rules not applied this run, and why
    seconds: float = 0.0  # wall time of the step (reading, typing, the rules, writing)
    validation_seconds: float = 0.0  # of which evaluating the suites' rules (typing included)

    def add(self, other: "SilverReport") -> None:
        self.bronze_rows += other.bronze_rows
        self.silver_rows += other.silver_rows
        self.quarantined_rows += other.quarantined_rows
        self.reasons.update(other.reasons)
        self.warnings.update(other.warnings)
        # One example per reason first (every kind of problem is shown), up to MAX_EXAMPLES in all.
        self.examples.extend(other.examples[: max(0, MAX_EXAMPLES - len(self.examples))])
        self.rows_by_month.update(other.rows_by_month)
        self.validation_seconds += other.validation_seconds


def silver_schema(table: LandingTable) -> dict[str, pl.DataType]:
    """The columns silver stores for a table, in order (personal columns never reach silver)."""
    # Timestamps are stored as naive UTC (the `_at` convention) so DuckDB and Spark read the same value.
    kinds = {"string": pl.String, "place": pl.String, "float": pl.Float64, "int": pl.Int64, "bool": pl.Boolean,
             "date": pl.Date, "month": pl.Date, "timestamp": pl.Datetime("us")}
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


def read_bronze_parts(table: LandingTable, parts: dict[str, Path], required: list[str] | None = None,
                      where: pl.Expr | None = None) -> pl.LazyFrame:
    """All parts of one month as one frame with exactly the table's columns (missing ones null), or
    the rows of them `where` keeps (a slice of the month, filtered as each part is read).

    `missing_columns` lists, per row, the required columns (the bronze suite's expect_column_to_exist)
    its file lacks.
    """
    required = list(required) if required is not None else load_suite("bronze", table.name).required_columns
    frames = []
    for part, path in sorted(parts.items()):
        present = set(pl.read_parquet_schema(path))
        missing = [c for c in required if c not in present]
        frame = pl.scan_parquet(path).select(
            [pl.col(c) if c in present else pl.lit(None, dtype=pl.String).alias(c) for c in table.column_names]
            + [pl.col(c) for c in LINEAGE_COLUMNS]
            + [pl.lit(", ".join(missing), dtype=pl.String).alias("missing_columns")]
        )
        frames.append(frame if where is None else frame.filter(where))
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


def derived_columns(frame: pl.LazyFrame, table: LandingTable) -> pl.LazyFrame:
    """Columns computed from a typed row that the suites may check (never stored in silver).

    period_days  days a period covers, both ends included (0: the end is the day before the start)
    pue          facility energy / IT energy of a telemetry interval (null when IT energy is 0)
    """
    exprs = []
    if table.period:
        start, end = table.period
        exprs.append(((pl.col(end) - pl.col(start)).dt.total_days() + 1).cast(pl.Int64).alias("period_days"))
    if table.pue:
        facility, it = table.pue
        exprs.append(pl.when(pl.col(it) > 0).then(pl.col(facility) / pl.col(it)).otherwise(None).alias("pue"))
    return frame.with_columns(exprs) if exprs else frame


def _read_first_match(texts: pl.Series, candidates: list[pl.Expr]) -> pl.Series:
    return parsing.first_match(texts.to_frame(), candidates)


def typed_frame(frame: pl.LazyFrame, table: LandingTable, tz: str, units: pl.DataFrame) -> pl.LazyFrame:
    """Raw text kept as raw__<col>; typed values under the column's own name; units normalised."""
    frame = frame.with_columns([pl.col(c).alias(f"raw__{c}") for c in table.column_names])
    temporal = [c for c in table.columns if c.type in ("date", "timestamp", "month")]
    frame = frame.with_columns(
        [parsing.parse_as(pl.col(f"raw__{c.name}"), c.type, tz).alias(c.name) for c in table.columns if c not in temporal]
    )
    # Dates and times are read row by row, each by its likeliest format first (parsing.first_match):
    # a month of event times is nearly all distinct, so parsing the distinct texts and joining them
    # back cost 1.2 s per 1.7 million events where this costs about 0.2 s.
    frame = frame.with_columns(
        pl.col(f"raw__{c.name}").map_batches(
            partial(_read_first_match, candidates=parsing.candidates_of(pl.col(f"raw__{c.name}"), c.type, tz)),
            return_dtype=pl.Datetime("us") if c.type == "timestamp" else pl.Date, is_elementwise=True,
        ).alias(c.name)
        for c in temporal
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
    frame = derived_columns(frame, table)
    # A value that matched its format but is still not a real value (e.g. 2022-02-30).
    checks = [
        Check(pl.col(f"raw__{c.name}").pipe(parsing.clean_text).is_not_null() & pl.col(c.name).is_null(),
              f"not_a_{c.type}", c.name,
              pl.format("{} row {} column {}: value '{}' is not a real {}", pl.col("source_file"), pl.col("source_row"),
                        pl.lit(c.name), pl.col(f"raw__{c.name}"), pl.lit(c.type)))
        for c in table.columns if c.type not in ("string", "place")
    ]
    return first_failure(frame, checks, ("parse__reason_code", "parse__reason_column", "parse__reason_message"))


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
            frames.append(pl.scan_parquet(parts, hive_partitioning=False, missing_columns="insert",
                                          extra_columns="ignore").select(
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


def overlap_columns(frame: pl.LazyFrame, overlap: Overlap, candidate: pl.Expr,
                    predecessors: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """Add `overlaps_earlier_period` (null where `candidate` is false) and `overlap_detail`.

    Lines of one key are taken in order (period start, then file, then row); a line is kept when it
    shares no day (both ends inclusive) with a line already kept, or with any line of `predecessors`
    (lines already in silver for other months, which win). Otherwise it is flagged and the detail
    names the first kept line it overlaps. Only `candidate` lines take part, so a line that fails for
    another reason never pushes a good one out, and a flagged line never does either.
    """
    key, start, end = list(overlap.key), overlap.start, overlap.end
    frame = frame.with_row_index("__overlap_row").with_columns(candidate.fill_null(False).alias("__candidate"))
    mine = frame.filter(pl.col("__candidate")).select("__overlap_row", *key, start, end, "source_file", "source_row").collect()
    renamed = {"__overlap_row": "o_id", start: "o_start", end: "o_end", "source_file": "o_file", "source_row": "o_row"}
    others = mine.rename(renamed)
    earlier = (pl.col("o_start") < pl.col(start)) | (
        (pl.col("o_start") == pl.col(start))
        & ((pl.col("o_file") < pl.col("source_file"))
           | ((pl.col("o_file") == pl.col("source_file")) & (pl.col("o_row") < pl.col("source_row"))))
    )
    shares_a_day = (pl.col("o_start") <= pl.col(end)) & (pl.col("o_end") >= pl.col(start))
    pairs = mine.join(others, on=key, how="inner").filter(earlier & shares_a_day).select(
        "__overlap_row", "o_id", "o_start", "o_end", "o_file", "o_row")
    fixed = pl.DataFrame(schema={"__overlap_row": pl.UInt32, "o_id": pl.UInt32, "o_start": pl.Date, "o_end": pl.Date,
                                 "o_file": pl.String, "o_row": pl.Int64})
    if predecessors is not None:
        before = predecessors.select(*key, *(pl.col(c).alias(renamed[c]) for c in (start, end, "source_file", "source_row")))
        fixed = (mine.lazy().join(before, on=key, how="inner").filter(shares_a_day)
                 .select("__overlap_row", pl.lit(None, dtype=pl.UInt32).alias("o_id"), "o_start", "o_end", "o_file", "o_row")
                 .collect().cast(fixed.schema))
    # Keep-first, line by line, as a fixpoint: a line is flagged when it overlaps a predecessor or an
    # earlier line that is kept. After k rounds the first k lines of every chain are settled.
    flagged = fixed.select("__overlap_row").unique()
    for _ in range(max(1, mine.height + 1)):
        kept_pairs = pairs.join(flagged.rename({"__overlap_row": "o_id"}), on="o_id", how="anti")
        now = pl.concat([fixed.select("__overlap_row"), kept_pairs.select("__overlap_row")]).unique()
        if now.sort("__overlap_row").equals(flagged.sort("__overlap_row")):
            break
        flagged = now
    hits = pl.concat([fixed, pairs.join(flagged.rename({"__overlap_row": "o_id"}), on="o_id", how="anti")])
    found = (
        hits.join(flagged, on="__overlap_row", how="semi").sort("__overlap_row", "o_start", "o_file", "o_row")
        .group_by("__overlap_row", maintain_order=True).first()
        .select("__overlap_row", pl.lit(True).alias("__hit"),
                pl.format("(overlaps {} row {}: {} to {})", "o_file", "o_row", "o_start", "o_end").alias("__detail"))
    )
    return frame.join(found.lazy(), on="__overlap_row", how="left", maintain_order="left").with_columns(
        pl.when(pl.col("__candidate")).then(pl.col("__hit").fill_null(False)).otherwise(None).alias(OVERLAP_FLAG),
        pl.col("__detail").alias(OVERLAP_DETAIL),
    ).drop("__overlap_row", "__candidate", "__hit", "__detail")


def _first_reason(frame: pl.LazyFrame, prefix: str, condition: pl.Expr | None = None) -> pl.LazyFrame:
    """Keep the reason already set; else take `<prefix>reason_*` (where `condition`, if given)."""
    fill = [pl.col(f"{prefix}{c}") for c in REASON_COLUMNS]
    if condition is not None:
        fill = [pl.when(condition).then(f).otherwise(None) for f in fill]
    return frame.with_columns(
        [pl.coalesce(pl.col(c), f).alias(c) for c, f in zip(REASON_COLUMNS, fill)]
    )


def _name_duplicates(frame: pl.DataFrame, table: LandingTable, key: list[str], code: str) -> pl.DataFrame:
    """Rows a unique rule flagged: say which earlier row they repeat, and `duplicate_row` when they
    repeat it exactly (same typed values), `duplicate_key` when the values differ."""
    flagged = frame.with_row_index("__row").filter(pl.col("reason_code") == code).rechunk()  # see rules.first_failure
    if flagged.is_empty():
        return frame
    columns = [c.name for c in table.columns if c.name not in table.personal_columns]
    content = pl.struct(columns).hash(7)
    firsts = (
        frame.join(flagged.select(key).unique(), on=key, how="semi", nulls_equal=True)
        .group_by(key, maintain_order=True)
        .agg(pl.col("source_file").first().alias("__first_file"), pl.col("source_row").first().alias("__first_row"),
             content.first().alias("__first_content"))
    )
    named = flagged.join(firsts, on=key, how="left", nulls_equal=True, maintain_order="left").select(
        "__row",
        pl.when(content == pl.col("__first_content")).then(pl.lit("duplicate_row")).otherwise(pl.lit(code)).alias("__code"),
        pl.when(content == pl.col("__first_content"))
        .then(pl.format("{} row {} column {}: value '{}' repeats {} row {} exactly (the first is kept)",
                        pl.col("source_file"), pl.col("source_row"), pl.lit(key[0]), pl.col(f"raw__{key[0]}"),
                        pl.col("__first_file"), pl.col("__first_row")))
        .otherwise(pl.format("{} row {} column {}: value '{}' repeats the key of {} row {} with different values "
                             "(the first is kept)", pl.col("source_file"), pl.col("source_row"), pl.lit(key[0]),
                             pl.col(f"raw__{key[0]}"), pl.col("__first_file"), pl.col("__first_row")))
        .alias("__message"),
    )
    return (
        frame.with_row_index("__row").join(named, on="__row", how="left", maintain_order="left")
        .with_columns(pl.coalesce("__code", "reason_code").alias("reason_code"),
                      pl.coalesce("__message", "reason_message").alias("reason_message"))
        .drop("__row", "__code", "__message")
    )


def validate_frame(raw: pl.LazyFrame, table: LandingTable, bronze: Suite, silver: Suite, tz: str,
                   units: pl.DataFrame, existing: pl.DataFrame | None = None,
                   predecessors: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """One pass: every row with its typed and derived values and the first reason it fails (null when it passes).

    Order of reasons: a missing column or text that is not its type (bronze), then the silver
    suite's rules in suite order, then a key already kept in another month, then (for tables with an
    `overlap`) a period overlapping an earlier line: only rows valid in every other way take part in
    the overlap rule, so a bad line never pushes a good one out.
    """
    raw_schema = raw.collect_schema()
    frame = _bronze_reasons(raw, bronze, raw_schema)
    frame = typed_frame(frame, table, tz, units)
    typed_schema = frame.collect_schema()
    # Rules on the overlap flag wait until the flag exists (it is not in typed_schema yet).
    frame = apply_row_rules(frame, silver, typed_schema)
    if silver.unique_keys:
        # Name the row a duplicate repeats (materialised once; only the repeated keys are touched).
        first_key = silver.unique_keys[0]
        frame = _name_duplicates(frame.collect(), table, first_key.checked_columns, first_key.reason_code).lazy()
    unique = [e for e in silver.unique_keys if e.meta.get("unique_scope", "table") == "table"]
    if unique:
        key = unique[0].checked_columns
        raw_key = pl.col(f"raw__{key[0]}")
        frame = _key_elsewhere(frame, key, existing)
        elsewhere = pl.col("key_elsewhere_month").is_not_null() & pl.col("reason_code").is_null()
        frame = frame.with_columns(
            pl.when(elsewhere).then(pl.lit(unique[0].reason_code)).otherwise(pl.col("reason_code")).alias("reason_code"),
            pl.when(elsewhere).then(pl.lit(", ".join(key))).otherwise(pl.col("reason_column")).alias("reason_column"),
            pl.when(elsewhere)
            .then(pl.format("{} row {} column {}: value '{}' repeats a key first seen in {} (the first occurrence is kept)",
                            pl.col("source_file"), pl.col("source_row"), pl.lit(key[0]), raw_key,
                            pl.col("key_elsewhere_month")))
            .otherwise(pl.col("reason_message")).alias("reason_message"),
        ).drop("key_elsewhere_month")
    # Bronze problems (missing column, unreadable text) come first: the typed value is meaningless.
    frame = frame.rename({c: f"rule__{c}" for c in REASON_COLUMNS}).with_columns(
        pl.coalesce("bronze__reason_code", "parse__reason_code", "rule__reason_code").alias("reason_code"),
        pl.coalesce("bronze__reason_column", "parse__reason_column", "rule__reason_column").alias("reason_column"),
        pl.coalesce("bronze__reason_message", "parse__reason_message", "rule__reason_message").alias("reason_message"),
    ).drop([f"{p}__{c}" for p in ("bronze", "parse", "rule") for c in REASON_COLUMNS])
    if table.overlap:
        # The overlap rule needs the other reasons first; materialise once rather than compute twice.
        frame = frame.collect().lazy()
        frame = overlap_columns(frame, table.overlap, pl.col("reason_code").is_null(), predecessors)
        overlap_rules = replace(silver, expectations=tuple(e for e in silver.expectations if OVERLAP_FLAG in e.columns))
        frame = apply_row_rules(frame.rename({c: f"base__{c}" for c in (*REASON_COLUMNS, "warning_codes")}),
                                overlap_rules, frame.collect_schema())
        frame = frame.rename({c: f"overlap__{c}" for c in (*REASON_COLUMNS, "warning_codes")}).rename(
            {f"base__{c}": c for c in (*REASON_COLUMNS, "warning_codes")})
        frame = _first_reason(frame, "overlap__").drop([f"overlap__{c}" for c in (*REASON_COLUMNS, "warning_codes")])
    return frame


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
    ).with_columns(compacted_strings())  # the few quarantined rows must not hold their slice's buffers


def _write_parts(lake: Lake, layer: str, table: LandingTable, month: str | None, frame: pl.DataFrame,
                 suffix: str = "") -> set[str]:
    """Write one part per source file of `frame` (named after the file, then `suffix`); return the names."""
    written: set[str] = set()
    for (source_file,), group in frame.group_by("source_file", maintain_order=True):
        part = LandingFile(path=Path(source_file), source_file=source_file).part_name + suffix
        write_part(group, lake.part_path(layer, table.name, part, month))
        written.add(part)
    return written


def _remove_parts_except(lake: Lake, layer: str, table: LandingTable, month: str | None, kept: set[str]) -> None:
    for part, path in lake.parts(layer, table.name, month).items():
        if part not in kept:
            remove_part(path)


def _replace_parts(lake: Lake, layer: str, table: LandingTable, month: str | None, frame: pl.DataFrame) -> None:
    """Write one part per source file of `frame`; remove the month's parts of every other file."""
    _remove_parts_except(lake, layer, table, month, _write_parts(lake, layer, table, month, frame))


def silver_window(lake: Lake, table: LandingTable, context: RuleContext, months: list[str] | None) -> list[str | None]:
    """The months a silver step processes: the run's months bronze has, months whose rows have no
    partition (undatable, or after the run's month), and months of the window that bronze no longer
    has (their silver and quarantine are stale). [None] for a dimension."""
    if not table.partitioned:
        return [None]
    present = lake.months("bronze", table.name)
    current = context.run_date.strftime("%Y-%m")
    homeless = {m for m in present if m == UNKNOWN_MONTH or m > current}
    wanted = sorted((set(present) if months is None else set(months) & set(present)) | homeless)
    stale = [m for m in lake.months("silver", table.name) + lake.months("quarantine", table.name)
             if (months is None or m in months) and m not in wanted]
    return sorted(set(wanted) | set(stale))


def overlap_predecessors(lake: Lake, table: LandingTable, month: str | None, window: list[str | None]) -> pl.LazyFrame | None:
    """Silver lines an overlap is checked against when `month` is validated: every month outside the
    run's window (already kept, they win) and the run's earlier months (already written this run)."""
    if table.overlap is None or month is None:
        return None
    paths = []
    for other in lake.months("silver", table.name):
        if other != month and (other not in window or other < month):
            paths += list(lake.parts("silver", table.name, other).values())
    if not paths:
        return None
    ov = table.overlap
    return pl.scan_parquet(paths, hive_partitioning=False).select(*ov.key, ov.start, ov.end, "source_file", "source_row")


# A month with more bronze rows than this is validated in slices (docs/benchmarks.md: a month of 8.5 million
# behaviour events validated at once held 16.7 GB). Each slice holds whole keys, so it sees every duplicate.
SILVER_SLICE_ROWS = 2_000_000


@dataclass
class SilverRules:
    """A table's suites resolved for one run, and what the silver step needs besides."""

    table: LandingTable
    bronze: Suite
    silver: Suite
    units: pl.DataFrame
    tz: str

    @classmethod
    def load(cls, table: LandingTable, tz: str, context: RuleContext) -> "SilverRules":
        return cls(table, resolve(load_suite("bronze", table.name), context),
                   resolve(load_suite("silver", table.name), context), unit_table(), tz)

    def slice_key(self) -> list[str] | None:
        """The columns a month may be sliced by, or None when rows of a month meet each other through
        anything but one unique key: an overlap rule, a second unique key, or a key that is personal or
        pseudonymised (its bronze text is not what the rule compares)."""
        table, uniques = self.table, self.silver.unique_keys
        if not table.partitioned or table.overlap is not None or len(uniques) != 1:
            return None
        key = list(uniques[0].checked_columns)
        hidden = set(table.personal_columns) | set(PSEUDONYMISED_COLUMNS.get(table.name, ()))
        return None if hidden & set(key) or not set(key) <= set(table.column_names) else key

    def slices(self, lake: Lake, month: str | None) -> list[pl.Expr | None]:
        """Filters that cut a month's bronze rows into slices of about SILVER_SLICE_ROWS, each holding all
        rows of its keys (by a hash of the key's typed value, so ' E1' and 'E1' fall together); [None]: whole."""
        key = self.slice_key()
        if key is None or month is None:
            return [None]
        rows = count_rows(list(lake.parts("bronze", self.table.name, month).values()))
        count = -(-rows // SILVER_SLICE_ROWS)
        if count <= 1:
            return [None]
        typed = [parsing.parse_as(pl.col(c), self.table.column(c).type, self.tz).alias(c) for c in key]
        bucket = pl.struct(typed).hash(11) % count
        return [bucket == i for i in range(count)]

    def validate_month(self, lake: Lake, month: str | None, window: list[str | None],
                       elsewhere: pl.DataFrame | None = None, where: pl.Expr | None = None) -> pl.DataFrame | None:
        """Every bronze row of a month (or of the slice `where` keeps), typed, with its derived columns and
        first reason (None: no rows)."""
        table = self.table
        parts = lake.parts("bronze", table.name, month)
        if not parts:
            return None
        # Account and employee ids become keyed pseudonyms before any rule sees them: silver and
        # quarantine never hold the raw ids (assets/accounts/pseudonymise.py).
        # The slice is read once: pseudonymising a lazy frame would read it twice (once for its ids).
        raw = pseudonymise_table(read_bronze_parts(table, parts, self.bronze.required_columns, where).collect(),
                                 table.name).lazy()
        frame = validate_frame(raw, table, self.bronze,
                               self.silver, self.tz, self.units, elsewhere,
                               overlap_predecessors(lake, table, month, window)).collect()
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
        return frame


def build_silver(table: LandingTable, lake: Lake, tz: str, context: RuleContext,
                 months: list[str] | None = None,
                 on_month: "Callable[[str | None, pl.DataFrame, SilverRules], None] | None" = None) -> SilverReport:
    """Type, normalise and validate bronze into silver and quarantine for the given months (None: all).

    `on_month` sees each month's validated frame before it is written (the parity test compares it
    with Great Expectations)."""
    started = time.perf_counter()
    rules = SilverRules.load(table, tz, context)
    report = SilverReport(table=table.name)
    report.skipped_rules = [f"{exp.describe()}: {why}" for exp, why in (*rules.bronze.skipped, *rules.silver.skipped)]
    window = silver_window(lake, table, context, months)
    unique = [e for e in rules.silver.unique_keys if e.meta.get("unique_scope", "table") == "table"]
    # A key that contains the column dating the row (telemetry interval, headcount period) lives in one
    # month only; other keys (record_id, trip_id) must be unique across months.
    across_months = bool(unique) and table.partitioned and table.month_column not in unique[0].checked_columns
    elsewhere = _keys_seen_elsewhere(lake, table, unique[0].checked_columns, [m for m in window if m]) if across_months else {}
    for month in sorted(window, key=lambda m: m or ""):
        month_report = SilverReport(table=table.name, months=[month or ""])
        bads, bronze_rows, written = [], 0, set()
        slices = rules.slices(lake, month)
        for i, where in enumerate(slices):
            validating = time.perf_counter()
            frame = rules.validate_month(lake, month, window, elsewhere.get(month), where)
            month_report.validation_seconds += time.perf_counter() - validating
            if frame is None:
                continue
            if on_month is not None:
                on_month(month, frame, rules)
            good = _silver_rows(frame, table)
            bads.append(_quarantine_rows(frame, table))
            bronze_rows += frame.height
            del frame
            month_report.silver_rows += good.height
            if "warning_codes" in good.columns:
                # Counted in polars: a month of behaviour events can carry millions of warnings.
                counts = (good.get_column("warning_codes").drop_nulls().str.split(",").explode()
                          .value_counts(name="rows"))
                month_report.warnings.update(dict(counts.iter_rows()))
            if month != UNKNOWN_MONTH:
                # A slice's silver rows are written as it is done (a part per source file and slice), so
                # one slice is held at a time: a month of the group's events, held whole and sorted,
                # took the silver step to 9.5 GB (docs/benchmarks.md).
                written |= _write_parts(lake, "silver", table, month, good, f".{i}" if len(slices) > 1 else "")
            del good
        if bads:
            bad = pl.concat(bads).sort("source_file", "source_row") if len(bads) > 1 else bads[0]
            month_report.bronze_rows = bronze_rows
            month_report.quarantined_rows = bad.height
            month_report.reasons.update(dict(bad.group_by("reason_code").len().iter_rows()))
            month_report.examples = (bad.group_by("reason_code", maintain_order=True).first()
                                     .get_column("reason_message").head(MAX_EXAMPLES).to_list())
        else:
            bad = pl.DataFrame(schema=quarantine_schema(table))
        month_report.rows_by_month = {month or "": (month_report.bronze_rows, month_report.silver_rows,
                                                    month_report.quarantined_rows)}
        if month != UNKNOWN_MONTH:
            _remove_parts_except(lake, "silver", table, month, written)
        _replace_parts(lake, "quarantine", table, month, bad)
        if month is not None:
            report.months.append(month)
        report.add(month_report)
    report.seconds = time.perf_counter() - started
    return report


# --- reconciliation and aggregate checks ---------------------------------------------------------


@dataclass
class Reconciliation:
    month: str  # '' for a dimension
    bronze: int
    silver: int
    quarantine: int

    @property
    def balanced(self) -> bool:
        return self.bronze == self.silver + self.quarantine


def reconcile(lake: Lake, table: LandingTable, months: list[str | None]) -> list[Reconciliation]:
    """Rows per month counted from the Parquet footers of each layer: bronze = silver + quarantine.

    `unknown` (rows whose date cannot be read) has no silver by design: all of it is quarantine.
    """
    out = []
    for month in months:
        counts = [count_rows(list(lake.parts(layer, table.name, month).values()))
                  for layer in ("bronze", "silver", "quarantine")]
        out.append(Reconciliation(month or "", *counts))
    return out


def read_silver(lake: Lake, table: LandingTable, months: list[str | None], ordered: bool = True) -> pl.LazyFrame | None:
    """Silver rows of the given months (all of a dimension), in source order (unless not `ordered`), with
    `activity_month`."""
    frames = [pl.scan_parquet(sorted(parts.values()), hive_partitioning=False).with_columns(
                  pl.lit(m or "", dtype=pl.String).alias("activity_month"))
              for m in months if m != UNKNOWN_MONTH and (parts := lake.parts("silver", table.name, m))]
    if not frames:
        return None
    frame = pl.concat(frames, how="vertical_relaxed")
    return frame.sort("source_file", "source_row") if ordered else frame


def silver_for_checks(lake: Lake, table: LandingTable, months: list[str | None]) -> pl.LazyFrame | None:
    """Silver rows of the run's months with the derived columns the suite checks, recomputed. Not in source
    order (gx_suites.validate_batch orders what it hands to GX): sorting a year of behaviour events only to
    count them held every row in memory."""
    frame = read_silver(lake, table, months, ordered=table.overlap is not None)
    if frame is None:
        return None
    frame = derived_columns(frame, table)
    if table.overlap:
        window = [m for m in months]
        outside = [p for m in lake.months("silver", table.name) if m not in window
                   for p in lake.parts("silver", table.name, m).values()]
        predecessors = None
        if outside:
            ov = table.overlap
            predecessors = pl.scan_parquet(outside, hive_partitioning=False).select(
                *ov.key, ov.start, ov.end, "source_file", "source_row")
        frame = overlap_columns(frame, table.overlap, pl.lit(True), predecessors)
    return frame


def silver_months_for_checks(lake: Lake, table: LandingTable, months: list[str | None]) -> dict[str, pl.LazyFrame]:
    """The rows of silver_for_checks again, one frame per month, for the checks that hold within a month (a
    key unique per month: gx_suites._distinct_keys). Empty for a table with an overlap rule (its derived
    columns need every month at once) and for a dimension."""
    if table.overlap is not None or not table.partitioned:
        return {}
    frames = {m: read_silver(lake, table, [m], ordered=False) for m in months if m and m != UNKNOWN_MONTH}
    return {m: derived_columns(frame, table) for m, frame in frames.items() if frame is not None}


def months_not_covered(lake: Lake, table: LandingTable, months: list[str | None], check: dict) -> pl.DataFrame:
    """The suite's `every_month_covered` check: for each key (e.g. facility x energy type) with lines
    in a reporting year, the months of that year no line covers.

    Months considered: those of the run, up to the last month any line of the table covers (data not
    yet delivered for the current month is not a gap), inside the facility's validity when the key
    has a facility_id. Returns key columns, `month`, sorted.
    """
    key, start, end = list(check["key"]), check["start"], check["end"]
    empty = pl.DataFrame(schema={**{k: pl.String for k in key}, "month": pl.String})
    window = sorted(m for m in months if m and m != UNKNOWN_MONTH)
    silver = read_silver(lake, table, window)
    if silver is None or not window:
        return empty
    covered = (
        silver.select(*key, pl.date_ranges(pl.col(start).dt.month_start(), pl.col(end).dt.month_start(), "1mo")
                      .alias("m"))
        .explode("m").drop_nulls("m").select(*key, pl.col("m").dt.strftime("%Y-%m").alias("month"))
        .unique().collect()
    )
    if covered.is_empty():
        return empty
    horizon = covered["month"].max()
    in_window = [m for m in window if m <= horizon]
    years = covered.select(*key, pl.col("month").str.slice(0, 4).alias("year")).unique()
    expected = years.join(pl.DataFrame({"month": in_window}).with_columns(pl.col("month").str.slice(0, 4).alias("year")),
                          on="year").drop("year")
    if "facility_id" in key:
        facilities = read_silver(lake, table_by_name("org_facilities"), [None])
        if facilities is not None:
            validity = facilities.select(
                "facility_id", pl.col("valid_from").dt.strftime("%Y-%m").alias("from_month"),
                pl.col("valid_to").dt.strftime("%Y-%m").alias("to_month")).unique("facility_id").collect()
            expected = expected.join(validity, on="facility_id", how="left").filter(
                (pl.col("from_month").is_null() | (pl.col("month") >= pl.col("from_month")))
                & (pl.col("to_month").is_null() | (pl.col("month") <= pl.col("to_month")))
            ).drop("from_month", "to_month")
    return expected.join(covered, on=[*key, "month"], how="anti").sort(*key, "month")


def run_aggregate_checks(lake: Lake, table: LandingTable, suite: Suite, months: list[str | None]) -> list[dict]:
    """Evaluate the suite's `carbonledger_checks`: [{check, severity, passed, problems: [text]}]."""
    results = []
    for check in suite.aggregate_checks:
        if check["type"] == "every_month_covered":
            gaps = months_not_covered(lake, table, months, check)
            problems = [
                f"{table.name}: {' '.join(str(v) for v in row[:-1])} has no line covering {row[-1]}"
                f" ({check.get('problem', 'a gap in the series')})"
                for row in gaps.iter_rows()
            ]
        else:
            raise ValueError(f"{suite.name}: unknown carbonledger check {check['type']!r}")
        results.append({"check": check.get("name", check["type"]), "type": check["type"],
                        "severity": check.get("severity", "warning"), "passed": not problems,
                        "problems": problems, "description": check.get("description", "")})
    return results


# --- context for known keys ----------------------------------------------------------------------


def load_rule_context(lake: Lake, tables: list[LandingTable], tz: str, run_date: date | None = None,
                      run_time: datetime | None = None) -> RuleContext:
    """Resolve every value set the given tables' suites refer to (seeds, keys in silver or bronze).

    Seeds are found anywhere under dbt_project/seeds/ by file name; values are kept as written
    (trimmed). A seed that does not exist is recorded in `missing_sources` (rules marked
    `when_source_empty: skip` are then skipped; others fail, as an empty set fails every value).
    """
    if run_time is None and run_date is None:
        run_time = datetime.now(dt_timezone.utc).replace(tzinfo=None, microsecond=0)
    if run_date is None:
        run_date = run_time.replace(tzinfo=dt_timezone.utc).astimezone(ZoneInfo(tz)).date()
    if run_time is None:
        # The end of the run's day in the reporting time zone, in UTC.
        local_end = datetime.combine(run_date, datetime.max.time()).replace(microsecond=0, tzinfo=ZoneInfo(tz))
        run_time = local_end.astimezone(dt_timezone.utc).replace(tzinfo=None)
    context = RuleContext(run_date=run_date, run_time=run_time)
    refs: set[str] = set()
    for t in tables:
        for layer in ("bronze", "silver"):
            refs |= references(load_suite(layer, t.name))
    for ref in sorted(refs):
        kind, _, target = ref.partition(":")
        name, _, column = target.partition(".")
        if kind == "seed":
            paths = sorted(SEEDS_DIR.rglob(f"{name}.csv"))
            if not paths:
                context.missing_sources[ref] = f"seed {name}.csv does not exist yet"
                context.known_values[ref] = []
                continue
            with paths[0].open(encoding="utf-8", newline="") as handle:
                values = sorted({(row.get(column) or "").strip() for row in csv.DictReader(handle)} - {""})
        elif kind in ("silver", "bronze"):
            parts = lake.all_parts(kind, name)
            if not parts:
                context.missing_sources[ref] = f"{kind} table {name} has no rows (no landing files)"
            column_expr = pl.col(column) if kind == "silver" else parsing.clean_text(pl.col(column).cast(pl.String))
            values = (
                pl.scan_parquet(parts, hive_partitioning=False, missing_columns="insert", extra_columns="ignore")
                .select(column_expr.alias(column)).drop_nulls().unique().collect().to_series().sort().to_list()
                if parts else []
            )
        else:
            raise ValueError(f"unknown value_set_from {ref!r}")
        context.known_values[ref] = values
    return context


def table_by_name(name: str) -> LandingTable:
    return next(t for t in TABLES if t.name == name)


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
                    if result.frame is None or table.month_column not in result.columns:
                        continue
                    months = MonthCache(table, result.columns, tz)
                    for batch in result.iter_batches():
                        dated = months.add_month(batch.select(table.month_column)).filter(
                            pl.col("activity_month") != UNKNOWN_MONTH)
                        years.update(y for y in dated["activity_month"].str.slice(0, 4).cast(pl.Int32).unique().to_list()
                                     if 2000 <= y <= today.year)
                except (LandingFileError, pl.exceptions.PolarsError):
                    continue  # unreadable: `run` reports it in the bronze step
    return years

"""Great Expectations 1.x on the lake's frames, without Dagster (pipelines/checks.py turns the results
into asset checks; tests/unit/test_rules_parity.py compares them with the polars fast path).

GX runs with its pandas engine on an ephemeral context (its SQL data source over DuckDB fails on
every expectation here), with progress bars and usage statistics off and no network access.

Scale: a batch (the rows one asset check validates: a table's rows in the run's months) under
`SAMPLE_THRESHOLD` rows is validated whole. Above it, GX validates a seeded sample of
`SAMPLE_ROWS` rows, and aggregate expectations are computed with polars on every row (null counts,
minimum and maximum, distinct values against the allowed set, distinct keys against rows), so a
rare bad value the sample misses still fails its aggregate.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import polars as pl

from assets.ingest.rules import PAIR_TYPES, UNIQUE_TYPES, Expectation, Suite, compacted_strings, failure_expr

# No usage statistics leave the machine, whatever imports GX first.
os.environ["GX_ANALYTICS_ENABLED"] = "False"

SAMPLE_THRESHOLD = 5_000_000
SAMPLE_ROWS = 1_000_000
SAMPLE_SEED = 20_240_601
# The lake's month partition column: a key that holds it is unique within a month (see _distinct_keys).
PARTITION_COLUMN = "activity_month"
# Expectations evaluated per row (GX returns the failing rows) and per table (a schema property).
TABLE_TYPES = {"expect_column_values_to_be_of_type", "expect_column_to_exist"}
MAX_ROWS_REPORTED = 20

log = logging.getLogger(__name__)


@dataclass
class ExpectationOutcome:
    """One expectation's result, GX's or an aggregate's, in plain data (JSON-able)."""

    expectation: str  # GX type
    columns: list[str]
    condition: str | None
    reason_code: str
    severity: str  # "error" | "warning"
    success: bool
    engine: str  # "great_expectations" | "polars aggregate"
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_rows: list[int] = field(default_factory=list)  # positions in the validated frame
    examples: list[str] = field(default_factory=list)  # "file row n column c: value v"
    observed: Any = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("unexpected_rows")
        out["observed"] = _jsonable(self.observed)
        return out


@dataclass
class SuiteOutcome:
    suite: str
    rows: int  # rows in the batch
    validated_rows: int  # rows GX saw (the sample above the threshold)
    sampled: bool
    seed: int | None
    outcomes: list[ExpectationOutcome]
    seconds: float
    skipped: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def failed_errors(self) -> list[ExpectationOutcome]:
        return [o for o in self.failed if o.severity == "error"]

    def as_dict(self) -> dict[str, Any]:
        return {"suite": self.suite, "rows": self.rows, "validated_rows": self.validated_rows,
                "sampled": self.sampled, "seed": self.seed, "seconds": round(self.seconds, 3),
                "skipped": self.skipped, "expectations": [o.as_dict() for o in self.outcomes]}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value][:50]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, "item"):  # numpy scalars
        try:
            return value.item()
        except (ValueError, AttributeError):
            return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


# --- sampling decision ------------------------------------------------------------------------


def plan(rows: int, threshold: int = SAMPLE_THRESHOLD, sample_rows: int = SAMPLE_ROWS) -> tuple[bool, int]:
    """(sampled, rows GX validates): the whole batch under the threshold, else a sample."""
    if rows < threshold:
        return False, rows
    return True, min(sample_rows, rows)


def seeded_sample(frame: pl.LazyFrame, rows: int, total: int, seed: int = SAMPLE_SEED) -> pl.DataFrame:
    """About `rows` rows chosen by a seeded hash of (source_file, source_row), streamed, in source order.

    The hash keeps a row with probability a little above rows/total (10% and 1,000 rows of margin, so
    the sample is never short in practice), then the `rows` kept rows lowest in hash order are taken:
    the same seed gives the same rows, and only the kept rows are ever held in memory.

    The hash is the filter itself (not a column filtered on), so polars applies it in the Parquet reader:
    for a year of behaviour events the sample peaked at 6.6 GB filtering on a hash column added first,
    1.7 GB this way (docs/benchmarks.md).
    """
    keep = min(1.0, (rows * 1.1 + 1000) / max(total, 1))
    cut = int(keep * (2**64 - 1))
    key = pl.struct("source_file", "source_row").hash(seed)
    return (
        frame.filter(key <= cut)
        .collect(engine="streaming").lazy()
        .with_columns(key.alias("__sample_key"), compacted_strings())
        .sort("__sample_key").head(rows)
        .sort("source_file", "source_row")
        .drop("__sample_key")
        .collect()
    )


# --- GX ---------------------------------------------------------------------------------------


def _safe_to_import_gx() -> None:
    """Great Expectations imports pyspark when it is installed (the spark extra). pyspark takes a
    process whose __main__ has neither __spec__ nor __file__ (`python -c`, a pytest-xdist worker) for
    a doctest run and, lacking Spark Connect's packages, calls sys.exit(0) on import. Giving such a
    __main__ a file name lets the import go on as everywhere else; nothing else reads it."""
    import sys

    main = sys.modules.get("__main__")
    if main is not None and getattr(main, "__spec__", None) is None and not hasattr(main, "__file__"):
        main.__file__ = "<carbonledger>"


# Value sets resolved at run time (known keys, seeds) can hold 300,000 values. GX 1.x copies an
# expectation's kwargs through its pydantic v1 model about a hundred times per validation (60 s for
# one 300,000-value set), so those run as `expect_column_values_to_be_in_reference_set`, a GX column
# map expectation whose kwargs name the set; the set itself is looked up here. GX still decides which
# rows it applies to (nulls, row_condition) and reports the failing rows.
REFERENCE_SETS: dict[str, frozenset] = {}
REFERENCE_EXPECTATION = "expect_column_values_to_be_in_reference_set"


def _register_reference_expectation() -> None:
    _safe_to_import_gx()
    from great_expectations.execution_engine import PandasExecutionEngine
    from great_expectations.expectations.expectation import ColumnMapExpectation
    from great_expectations.expectations.metrics.map_metric_provider import (
        ColumnMapMetricProvider,
        column_condition_partial,
    )

    class ColumnValuesInReferenceSet(ColumnMapMetricProvider):
        condition_metric_name = "column_values.in_reference_set"
        condition_value_keys = ("reference",)

        @column_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column, reference, **kwargs):
            return column.isin(REFERENCE_SETS[reference])

    class ExpectColumnValuesToBeInReferenceSet(ColumnMapExpectation):
        """Values are in a value set resolved at run time (known keys, seeds), named by `reference`."""

        reference: str
        map_metric = "column_values.in_reference_set"
        success_keys = ("reference", "mostly")


@lru_cache(maxsize=1)
def _context():
    _safe_to_import_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    _register_reference_expectation()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


_batches = 0


def _batch(df):
    global _batches
    _batches += 1
    context = _context()
    source = context.data_sources.add_or_update_pandas(f"frame_{_batches}")
    asset = source.add_dataframe_asset("rows")
    definition = asset.add_batch_definition_whole_dataframe("whole")
    return context, source, definition.get_batch(batch_parameters={"dataframe": df})


def to_pandas(frame: pl.DataFrame):
    """A pandas frame GX reads the way polars means it: Int64 and boolean stay nullable (not float
    or object), dates and timestamps are datetime64, text is pandas' str."""
    df = frame.to_pandas()
    for name, dtype in frame.schema.items():
        if dtype.is_integer():
            df[name] = df[name].astype("Int64")
        elif dtype == pl.Boolean:
            df[name] = df[name].astype("boolean")
        elif (dtype == pl.Date or isinstance(dtype, pl.Datetime)) and _fits_nanoseconds(frame[name]):
            # GX's between is vectorised only for datetime64[ns]; polars hands pandas [us] or [ms], which
            # GX compares row by row in Python (6 s per million rows; docs/benchmarks.md).
            zone = getattr(dtype, "time_zone", None)
            df[name] = df[name].astype(f"datetime64[ns, {zone}]" if zone else "datetime64[ns]")
    return df


def _fits_nanoseconds(column: pl.Series) -> bool:
    """Whether every value is inside pandas' nanosecond range (1677-09-21 .. 2262-04-11)."""
    low, high = column.min(), column.max()
    if low is None:
        return True
    as_dt = [v if isinstance(v, datetime) else datetime(v.year, v.month, v.day) for v in (low, high)]
    return datetime(1678, 1, 1) <= as_dt[0].replace(tzinfo=None) and as_dt[1].replace(tzinfo=None) <= datetime(2262, 1, 1)


def _bound(value: Any, dtype: pl.DataType) -> Any:
    import pandas as pd

    if value is None:
        return None
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return pd.Timestamp(str(value))
    return value


def gx_kwargs(exp: Expectation, schema: pl.Schema) -> dict[str, Any]:
    """The expectation's kwargs as GX's pandas engine needs them (bounds of date columns as timestamps)."""
    kwargs = dict(exp.kwargs)
    if exp.type == "expect_column_values_to_be_between":
        dtype = schema[kwargs["column"]]
        for bound in ("min_value", "max_value"):
            if bound in kwargs:
                kwargs[bound] = _bound(kwargs[bound], dtype)
    if exp.type == "expect_column_pair_values_to_be_in_set":
        kwargs["value_pairs_set"] = [tuple(p) for p in kwargs["value_pairs_set"]]
    if exp.condition is not None:
        kwargs.setdefault("condition_parser", "great_expectations")
    return kwargs


def _examples(frame: pl.DataFrame, exp: Expectation, positions: list[int]) -> list[str]:
    if not positions or "source_file" not in frame.columns:
        return []
    column = exp.checked_columns[0] if exp.checked_columns else ""
    shown = frame[positions[:MAX_ROWS_REPORTED]]
    value = shown[column].cast(pl.String) if column in shown.columns else pl.Series([None] * shown.height, dtype=pl.String)
    return [f"{f} row {r} column {column}: value {v!r}" for f, r, v in
            zip(shown["source_file"].to_list(), shown["source_row"].to_list(), value.to_list())]


def run_gx(frame: pl.DataFrame, expectations: list[Expectation], result_format: str = "SUMMARY",
           engine_label: str = "great_expectations") -> list[ExpectationOutcome]:
    """Validate `frame` against the expectations with GX's pandas engine, one outcome per expectation.

    result_format COMPLETE returns every failing row's position; SUMMARY returns the first 20.
    """
    if not expectations:
        return []
    _safe_to_import_gx()
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    schema = frame.schema
    _context()
    configs = []
    references: list[str] = []
    for i, e in enumerate(expectations):
        kwargs = gx_kwargs(e, schema) if all(c in schema for c in e.columns) else dict(e.kwargs)
        gx_type = e.type
        if e.type == "expect_column_values_to_be_in_set" and "value_set_from" in e.meta:
            name = f"{id(frame)}:{i}"
            REFERENCE_SETS[name] = frozenset(kwargs.pop("value_set"))
            references.append(name)
            gx_type, kwargs["reference"] = REFERENCE_EXPECTATION, name
        configs.append(ExpectationConfiguration(type=gx_type, kwargs=kwargs, meta={"index": i}))
    df = to_pandas(frame)
    context, source, batch = _batch(df)
    fmt: dict[str, Any] = {"result_format": result_format}
    if result_format != "COMPLETE":
        fmt["partial_unexpected_count"] = MAX_ROWS_REPORTED
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = batch.validate(gx.ExpectationSuite(name="carbonledger", expectations=configs), result_format=fmt)
    finally:
        context.data_sources.delete(source.name)
        for name in references:
            REFERENCE_SETS.pop(name, None)
    outcomes: list[ExpectationOutcome] = []
    by_index = {r.expectation_config.meta["index"]: r for r in result.results}
    for i, exp in enumerate(expectations):
        r = by_index[i]
        res = r.result or {}
        positions = res.get("unexpected_index_list")
        if positions is None:
            positions = res.get("partial_unexpected_index_list") or []
        positions = [int(p) for p in positions]
        error = None
        if r.exception_info and r.exception_info.get("raised_exception"):
            error = (r.exception_info.get("exception_message") or "GX raised an exception").splitlines()[0]
        outcomes.append(ExpectationOutcome(
            expectation=exp.type, columns=exp.checked_columns, condition=str(exp.condition) if exp.condition else None,
            reason_code=exp.reason_code, severity="warning" if exp.is_warning else "error",
            success=bool(r.success), engine=engine_label, element_count=res.get("element_count"),
            unexpected_count=res.get("unexpected_count"), unexpected_rows=positions,
            examples=_examples(frame, exp, positions), observed=res.get("observed_value"), error=error,
        ))
    return outcomes


# --- aggregates on every row (above the sampling threshold) ------------------------------------


def _scalar_plan(exp: Expectation, schema: pl.Schema) -> tuple[list[pl.Expr], Any] | None:
    """For an expectation whose verdict is a few numbers over every row (null count, minimum and maximum,
    failing pairs): the polars expressions and a function of their values giving (name, observed, success).
    These share one streamed pass over the rows; None for the others."""
    kw = exp.kwargs
    t = exp.type
    cond = exp.condition.expr() if exp.condition else pl.lit(True)
    if t == "expect_column_values_to_not_be_null":
        return [pl.col(kw["column"]).filter(cond).null_count()], \
            lambda v: ("expect_column_values_to_not_be_null (null count)", v[0], v[0] == 0)
    if t == "expect_column_values_to_be_between":
        col = pl.col(kw["column"]).filter(cond)

        def between(v):
            lo, hi = v
            bounds = {k: x for k, x in kw.items() if k not in ("row_condition", "condition_parser")}
            probe = pl.DataFrame({kw["column"]: [lo, hi]}, schema={kw["column"]: schema[kw["column"]]})
            failed = probe.select(failure_expr(Expectation(t, bounds), probe.schema).any()).item()
            return "expect_column_min/max_to_be_between", {"min": lo, "max": hi}, not failed
        return [col.min(), col.max()], between
    if t in PAIR_TYPES:
        return [failure_expr(exp, schema).filter(cond).sum()], \
            lambda v: (f"{t} (count on every row)", v[0], v[0] == 0)
    return None


def _values_outside_set(frame: pl.LazyFrame, exp: Expectation) -> tuple[str, Any, bool]:
    """The distinct values (in the expectation's rows) outside its allowed set, or inside its forbidden one."""
    kw = exp.kwargs
    cond = exp.condition.expr() if exp.condition else pl.lit(True)
    distinct = frame.filter(cond).select(pl.col(kw["column"]).drop_nulls().unique()).collect().to_series()
    listed = distinct.is_in(list(kw["value_set"]))
    if exp.type == "expect_column_values_to_be_in_set":
        name, bad = "expect_column_distinct_values_to_be_in_set", distinct.filter(~listed)
    else:
        name, bad = "expect_column_distinct_values_to_not_contain (set)", distinct.filter(listed)
    return name, bad.head(MAX_ROWS_REPORTED).to_list(), bad.len() == 0


def _distinct_keys(frame: pl.LazyFrame, exp: Expectation,
                   partitions: dict[str, pl.LazyFrame] | None = None) -> tuple[str, Any, bool]:
    """Rows with a whole key against distinct keys. A key that contains the lake's month partition column
    (a key unique within its month, pipelines.checks.batch_expectations) is counted a month at a time, and
    as 64-bit hashes first: a year of behaviour event ids as one set of texts held 15 GB (docs/benchmarks.md).
    As many distinct hashes as rows proves the keys distinct; fewer (a duplicate, or a collision) is
    settled by counting the keys themselves.

    `partitions`, the same rows one frame per month, is read when given: filtering the whole batch on a
    month read every month again (24 s for a year of behaviour events, 5 s a month at a time). The hashes
    of a month are collected, then counted (0.4 GB for a month of 8.5 M events; counted while streamed,
    3.9 GB)."""
    kw = exp.kwargs
    key = [kw["column"]] if "column" in kw else list(kw["column_list"])
    cond = exp.condition.expr() if exp.condition else pl.lit(True)
    if PARTITION_COLUMN in key and partitions:
        batches = [part.filter(cond).drop_nulls(key) for _, part in sorted(partitions.items())]
    elif PARTITION_COLUMN in key:
        keyed = frame.filter(cond).drop_nulls(key)
        parts = keyed.select(pl.col(PARTITION_COLUMN).unique()).collect().to_series().sort().to_list()
        batches = [keyed.filter(pl.col(PARTITION_COLUMN) == part) for part in parts]
    else:
        batches = [frame.filter(cond).drop_nulls(key)]
    rows = distinct = 0
    for batch in batches:
        hashed = batch.select(pl.struct(key).hash(SAMPLE_SEED)).collect(engine="streaming").to_series()
        n, hashes = hashed.len(), hashed.n_unique()
        del hashed
        if hashes != n:
            hashes = batch.select(pl.struct(key).n_unique()).collect().item()
        rows, distinct = rows + n, distinct + hashes
    return ("expect_column_proportion_of_unique_values_to_be_between (min 1)",
            {"rows": rows, "distinct": distinct}, rows == distinct)


def _aggregates(frame: pl.LazyFrame, expectations: list[Expectation], schema: pl.Schema,
                rows: int, partitions: dict[str, pl.LazyFrame] | None = None) -> list[ExpectationOutcome]:
    """What GX's aggregate expectations would say on every row, computed with polars: the scalar ones in
    one streamed pass, distinct values and keys a query each (regular expressions: the sample only)."""
    chosen = [exp for exp in expectations if exp.type not in TABLE_TYPES and all(c in schema for c in exp.columns)]
    scalar = {id(exp): plan_ for exp in chosen if (plan_ := _scalar_plan(exp, schema)) is not None}
    exprs = [e.alias(f"__agg_{i}_{j}") for i, (es, _) in enumerate(scalar.values()) for j, e in enumerate(es)]
    values = iter(frame.select(exprs).collect(engine="streaming").row(0) if exprs else ())
    outcomes = []
    for exp in chosen:
        if id(exp) in scalar:
            es, finish = scalar[id(exp)]
            name, observed, success = finish([next(values) for _ in es])
        elif exp.type in ("expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set"):
            name, observed, success = _values_outside_set(frame, exp)
        elif exp.type in UNIQUE_TYPES:
            name, observed, success = _distinct_keys(frame, exp, partitions)
        else:
            continue
        outcomes.append(ExpectationOutcome(expectation=name, columns=exp.checked_columns,
                                           condition=str(exp.condition) if exp.condition else None,
                                           reason_code=exp.reason_code,
                                           severity="warning" if exp.is_warning else "error", success=bool(success),
                                           engine="polars aggregate", element_count=rows, observed=observed))
    return outcomes


def validate_batch(frame: pl.LazyFrame, suite: Suite, *, threshold: int = SAMPLE_THRESHOLD,
                   sample_rows: int = SAMPLE_ROWS, seed: int = SAMPLE_SEED, result_format: str = "SUMMARY",
                   expectations: list[Expectation] | None = None,
                   partitions: dict[str, pl.LazyFrame] | None = None) -> SuiteOutcome:
    """Validate a batch with GX: whole under the threshold, else a seeded sample plus aggregates.

    `partitions`: optionally the batch's rows again, one frame per month partition (keys unique per month
    are counted from them)."""
    started = time.perf_counter()
    chosen = [e for e in (expectations if expectations is not None else suite.expectations)]
    schema = frame.collect_schema()
    # A rule on a column the batch does not have is GX's failure to report, except derived columns
    # a table does not have at all (the expectation does not apply).
    rows = frame.select(pl.len()).collect().item()
    sampled, validated = plan(rows, threshold, sample_rows)
    skipped = [f"{e.describe()}: {why}" for e, why in suite.skipped]
    if rows == 0:
        return SuiteOutcome(suite.name, 0, 0, False, None, [], time.perf_counter() - started, skipped)
    if not sampled:
        # In source order, so the rows GX reports are the same whatever order the batch was read in.
        outcomes = run_gx(frame.sort("source_file", "source_row").collect(), chosen, result_format)
    else:
        sample = seeded_sample(frame, validated, rows, seed)
        validated = sample.height
        outcomes = run_gx(sample, chosen, result_format, engine_label="great_expectations (sample)")
        outcomes += _aggregates(frame, chosen, schema, rows, partitions)
    return SuiteOutcome(suite.name, rows, validated, sampled, seed if sampled else None, outcomes,
                        time.perf_counter() - started, skipped)

"""The row rules of the Great Expectations suites, applied in one polars pass.

`expectations/<layer>/<table>.json` are the only declaration of what valid means. Great Expectations
runs them as asset checks (pipelines/checks.py, assets/ingest/gx_suites.py); this module turns their
*row-level* expectations into polars expressions so the silver step can set a `reason_code` for every
row in a single pass over millions of rows. tests/unit/test_rules_parity.py proves both agree row by
row, expectation by expectation, on the bad-input corpus, with one documented difference: of the rows
that repeat a key, the first (earliest month, then file, then row) is kept and only the later ones
fail, where Great Expectations flags every row of the repeated key.

Suite JSON is the Great Expectations 1.x format. Row rules may use the GX kwargs `row_condition`
(with `condition_parser: "great_expectations"`, one comparison such as `col("mode")=="air"`) and
`ignore_row_if`; both mean here what they mean in GX. Each expectation's `meta` may carry:
  reason_code       the code a failing row is quarantined with (default: derived from the type)
  severity          "error" (row quarantined, the default) or "warning" (row kept, counted)
  problem           plain words for the message, e.g. "is negative"
  report_columns    the landing columns a message names when the rule checks a derived column
  value_set_from    where `value_set` comes from at run time: "seed:<seed file stem>.<column>",
                    "silver:<table>.<column>" (a known key) or "bronze:<table>.<column>" (keys
                    delivered in the same landing folder, for references inside one table)
  when_source_empty "skip": when the value set's source has no rows (an optional registry that was
                    not delivered, a seed not written yet), the rule is skipped and reported as such
  max_value_from    "run_date": the upper bound is the day of the run (no future dates);
                    "run_time": the moment of the run in UTC (for `_at` timestamps)
  unique_scope      "table" (default) or "partition" for unique-key expectations
Suite-level `meta.carbonledger_checks` lists aggregate checks Great Expectations has no expectation
for (e.g. every month covered); logic.py evaluates them and the asset checks report them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

ROW_RULE_TYPES = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_be_between",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_not_match_regex",
    "expect_column_pair_values_a_to_be_greater_than_b",
    "expect_column_pair_values_to_be_in_set",
    "expect_column_values_to_be_unique",
    "expect_compound_columns_to_be_unique",
}
UNIQUE_TYPES = {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
PAIR_TYPES = {"expect_column_pair_values_a_to_be_greater_than_b", "expect_column_pair_values_to_be_in_set"}

_DEFAULT_CODES = {
    "expect_column_to_exist": "missing_column",
    "expect_column_values_to_not_be_null": "missing_value",
    "expect_column_values_to_be_in_set": "value_not_allowed",
    "expect_column_values_to_not_be_in_set": "value_not_allowed",
    "expect_column_values_to_be_between": "out_of_range",
    "expect_column_values_to_match_regex": "bad_format",
    "expect_column_values_to_not_match_regex": "bad_format",
    "expect_column_pair_values_a_to_be_greater_than_b": "inconsistent_pair",
    "expect_column_pair_values_to_be_in_set": "inconsistent_pair",
    "expect_column_values_to_be_unique": "duplicate_key",
    "expect_compound_columns_to_be_unique": "duplicate_key",
    "expect_column_values_to_be_of_type": "wrong_type",
}

# `col("name")=="value"` or `!=`: the one form of GX's "great_expectations" condition parser used here.
_CONDITION = re.compile(r'^\s*col\("(?P<column>[^"]+)"\)\s*(?P<op>==|!=)\s*"(?P<value>[^"]*)"\s*$')


@dataclass(frozen=True)
class RowCondition:
    column: str
    op: str
    value: str

    def expr(self) -> pl.Expr:
        col = pl.col(self.column).cast(pl.String)
        test = (col == self.value) if self.op == "==" else (col != self.value)
        return test.fill_null(False)

    def __str__(self) -> str:
        return f"{self.column} {self.op} {self.value!r}"


@dataclass(frozen=True)
class Expectation:
    type: str
    kwargs: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def reason_code(self) -> str:
        return self.meta.get("reason_code", _DEFAULT_CODES.get(self.type, self.type))

    @property
    def is_warning(self) -> bool:
        return self.meta.get("severity", "error") == "warning"

    @property
    def is_row_rule(self) -> bool:
        return self.type in ROW_RULE_TYPES

    @property
    def columns(self) -> list[str]:
        """Every column the expectation reads (the condition's column included)."""
        kw = self.kwargs
        if "column" in kw:
            cols = [kw["column"]]
        elif "column_A" in kw:
            cols = [kw["column_A"], kw["column_B"]]
        else:
            cols = list(kw.get("column_list", []))
        condition = self.condition
        if condition and condition.column not in cols:
            cols.append(condition.column)
        return cols

    @property
    def checked_columns(self) -> list[str]:
        kw = self.kwargs
        if "column" in kw:
            return [kw["column"]]
        if "column_A" in kw:
            return [kw["column_A"], kw["column_B"]]
        return list(kw.get("column_list", []))

    @property
    def report_columns(self) -> list[str]:
        """The landing columns a message names (a derived column names the columns it comes from)."""
        return list(self.meta.get("report_columns") or self.checked_columns)

    @property
    def condition(self) -> RowCondition | None:
        text = self.kwargs.get("row_condition")
        if not text:
            return None
        parser = self.kwargs.get("condition_parser", "great_expectations")
        match = _CONDITION.match(text)
        if parser != "great_expectations" or not match:
            raise ValueError(f"{self.type}: row_condition {text!r} is not of the form col(\"x\")==\"v\" "
                             "(condition_parser great_expectations)")
        return RowCondition(match["column"], match["op"], match["value"])

    def describe(self) -> str:
        """One line in plain words (used in reports and messages)."""
        cols = ", ".join(self.checked_columns)
        text = f"{self.type.removeprefix('expect_')}({cols})"
        if self.condition:
            text += f" where {self.condition}"
        return text

    def as_gx_dict(self) -> dict[str, Any]:
        return {"type": self.type, "kwargs": self.kwargs, "meta": self.meta}


@dataclass(frozen=True)
class Suite:
    name: str
    layer: str
    table: str
    expectations: tuple[Expectation, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    skipped: tuple[tuple[Expectation, str], ...] = ()  # (expectation, why) dropped by resolve()

    def of_type(self, *types: str) -> list[Expectation]:
        return [e for e in self.expectations if e.type in types]

    @property
    def row_rules(self) -> list[Expectation]:
        return [e for e in self.expectations if e.type in ROW_RULE_TYPES]

    @property
    def required_columns(self) -> list[str]:
        return [e.kwargs["column"] for e in self.of_type("expect_column_to_exist")]

    @property
    def unique_keys(self) -> list[Expectation]:
        return self.of_type(*UNIQUE_TYPES)

    @property
    def aggregate_checks(self) -> list[dict[str, Any]]:
        return list(self.meta.get("carbonledger_checks") or [])


def suite_path(layer: str, table: str) -> Path:
    return EXPECTATIONS_DIR / layer / f"{table}.json"


def load_suite(layer: str, table: str) -> Suite:
    path = suite_path(layer, table)
    document = json.loads(path.read_text(encoding="utf-8"))
    expectations = tuple(
        Expectation(type=e["type"], kwargs=dict(e.get("kwargs", {})), meta=dict(e.get("meta") or {}))
        for e in document.get("expectations", [])
    )
    return Suite(name=document["name"], layer=layer, table=table, expectations=expectations, meta=document.get("meta") or {})


@dataclass
class RuleContext:
    """What value sets and bounds resolve to at run time."""

    run_date: date
    known_values: dict[str, list[Any]] = field(default_factory=dict)  # "silver:org_facilities.facility_id" -> values
    run_time: datetime | None = None  # the moment of the run, UTC without a zone (default: end of run_date)
    missing_sources: dict[str, str] = field(default_factory=dict)  # reference -> why it has no values

    def values_for(self, reference: str) -> list[Any]:
        if reference not in self.known_values:
            raise KeyError(f"no values loaded for {reference!r}")
        return self.known_values[reference]

    @property
    def run_time_utc(self) -> datetime:
        return self.run_time or datetime.combine(self.run_date, datetime.max.time()).replace(microsecond=0)


def resolve(suite: Suite, context: RuleContext) -> Suite:
    """Fill run-time value sets and bounds so polars and Great Expectations see the same kwargs.

    Rules whose value set comes from a source with no rows are skipped when their meta says
    `when_source_empty: skip` (listed in `Suite.skipped`); otherwise an empty set fails every value.
    """
    resolved = []
    skipped = list(suite.skipped)
    for exp in suite.expectations:
        kwargs = dict(exp.kwargs)
        reference = exp.meta.get("value_set_from")
        if reference:
            values = context.known_values.get(reference)
            if values is None and reference not in context.missing_sources:
                raise KeyError(f"no values loaded for {reference!r}")
            if not values and exp.meta.get("when_source_empty") == "skip":
                why = context.missing_sources.get(reference) or f"{reference} has no rows"
                skipped.append((exp, f"skipped: {why}"))
                continue
            kwargs["value_set"] = list(values or [])
        if exp.meta.get("max_value_from") == "run_date":
            kwargs["max_value"] = context.run_date.isoformat()
        elif exp.meta.get("max_value_from") == "run_time":
            kwargs["max_value"] = context.run_time_utc.isoformat(sep=" ")
        resolved.append(replace(exp, kwargs=kwargs))
    return replace(suite, expectations=tuple(resolved), skipped=tuple(skipped))


def references(suite: Suite) -> set[str]:
    return {e.meta["value_set_from"] for e in suite.expectations if "value_set_from" in e.meta}


# --- polars expressions ------------------------------------------------------------------------


def _literal_for(dtype: pl.DataType, value: Any) -> Any:
    if value is None:
        return None
    if dtype == pl.Date:
        return date.fromisoformat(str(value)[:10])
    if isinstance(dtype, pl.Datetime):
        return pl.lit(str(value)).str.to_datetime(time_zone=dtype.time_zone or None, strict=False)
    return value


def _ignored(kw: dict[str, Any], columns: list[str], default: str) -> pl.Expr:
    """True where GX's `ignore_row_if` leaves a row out of a multi-column expectation."""
    mode = kw.get("ignore_row_if", default)
    nulls = [pl.col(c).is_null() for c in columns]
    if mode in ("either_value_is_missing", "any_value_is_missing"):
        return pl.any_horizontal(nulls)
    if mode in ("both_values_are_missing", "all_values_are_missing"):
        return pl.all_horizontal(nulls)
    if mode == "never":
        return pl.lit(False)
    raise ValueError(f"ignore_row_if {mode!r} is not supported")


def _failure(exp: Expectation, schema: pl.Schema) -> pl.Expr:
    kw = exp.kwargs
    t = exp.type
    if t == "expect_column_values_to_not_be_null":
        return pl.col(kw["column"]).is_null()
    col = pl.col(kw["column"]) if "column" in kw else None
    if t == "expect_column_values_to_be_in_set":
        return col.is_not_null() & ~col.is_in(list(kw["value_set"]))
    if t == "expect_column_values_to_not_be_in_set":
        return col.is_not_null() & col.is_in(list(kw["value_set"]))
    if t == "expect_column_values_to_be_between":
        dtype = schema[kw["column"]]
        fails = pl.lit(False)
        lo, hi = kw.get("min_value"), kw.get("max_value")
        if lo is not None:
            lo_v = _literal_for(dtype, lo)
            fails = fails | ((col <= lo_v) if kw.get("strict_min") else (col < lo_v))
        if hi is not None:
            hi_v = _literal_for(dtype, hi)
            fails = fails | ((col >= hi_v) if kw.get("strict_max") else (col > hi_v))
        return col.is_not_null() & fails
    if t == "expect_column_values_to_match_regex":
        return col.is_not_null() & ~col.cast(pl.String).str.contains(kw["regex"])
    if t == "expect_column_values_to_not_match_regex":
        return col.is_not_null() & col.cast(pl.String).str.contains(kw["regex"])
    if t == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = pl.col(kw["column_A"]), pl.col(kw["column_B"])
        ok = (a >= b) if kw.get("or_equal") else (a > b)
        # A comparison with a missing value is not "greater": it fails unless ignore_row_if leaves it out.
        return ~_ignored(kw, [kw["column_A"], kw["column_B"]], "both_values_are_missing") & ~ok.fill_null(False)
    if t == "expect_column_pair_values_to_be_in_set":
        a, b = pl.col(kw["column_A"]).cast(pl.String), pl.col(kw["column_B"]).cast(pl.String)
        allowed = ["\x1f".join(map(str, pair)) for pair in kw["value_pairs_set"]]
        pair = pl.concat_str([a.fill_null("\x00"), b.fill_null("\x00")], separator="\x1f")
        return ~_ignored(kw, [kw["column_A"], kw["column_B"]], "both_values_are_missing") & ~pair.is_in(allowed)
    if t in UNIQUE_TYPES:
        key = [kw["column"]] if "column" in kw else list(kw["column_list"])
        considered = ~_ignored(kw, key, "all_values_are_missing") if len(key) > 1 else pl.col(key[0]).is_not_null()
        # Later occurrences of a key fail; the first in frame order (source order) is kept. Whether a
        # row is left out depends only on its key values, so rows of one key are all in or all out.
        first = pl.col(key[0]).is_first_distinct() if len(key) == 1 else pl.struct(key).is_first_distinct()
        return considered & ~first
    raise ValueError(f"{exp.type} is not a row rule")


def failure_expr(exp: Expectation, schema: pl.Schema) -> pl.Expr:
    """True where a row fails `exp`; False where it passes or the rule does not apply (as GX skips nulls)."""
    fails = _failure(exp, schema).fill_null(False)
    condition = exp.condition
    if condition is not None:
        if exp.type in UNIQUE_TYPES:
            raise ValueError("row_condition on a unique expectation is not supported")
        fails = condition.expr() & fails
    return fails


def applicable(exp: Expectation, schema: pl.Schema) -> bool:
    return all(c in schema for c in exp.columns)


def rule_flags(suite: Suite, schema: pl.Schema) -> list[tuple[Expectation, pl.Expr]]:
    """Each applicable row rule of the suite with its failure expression (for parity tests and reports)."""
    return [(e, failure_expr(e, schema)) for e in suite.row_rules if applicable(e, schema)]


def _problem(exp: Expectation) -> str:
    """Plain words naming what is wrong with the value, for the quarantine message."""
    kw = exp.kwargs
    t = exp.type
    if "problem" in exp.meta:
        text = exp.meta["problem"]
    elif t == "expect_column_values_to_not_be_null":
        text = "is empty but required"
    elif t == "expect_column_values_to_be_in_set":
        values = kw["value_set"]
        text = "is not an allowed value" + (f" (allowed: {', '.join(map(str, values))})" if len(values) <= 12 else "")
    elif t == "expect_column_values_to_not_be_in_set":
        text = "is not allowed"
    elif t == "expect_column_values_to_be_between":
        text = f"is outside [{kw.get('min_value', '-inf')}, {kw.get('max_value', 'inf')}]"
    elif t == "expect_column_values_to_match_regex":
        text = f"does not have the expected format {kw['regex']}"
    elif t == "expect_column_pair_values_a_to_be_greater_than_b":
        text = f"is less than {kw['column_B']}" if kw.get("or_equal") else f"is not more than {kw['column_B']}"
    elif t == "expect_column_pair_values_to_be_in_set":
        text = f"does not go with {kw['column_B']}"
    elif t in UNIQUE_TYPES:
        text = "repeats a key already seen in an earlier row"
    else:
        text = "fails " + t
    if exp.condition is not None:
        text += f" (a rule for rows where {exp.condition})"
    return text


def message_expr(exp: Expectation, schema: pl.Schema) -> pl.Expr:
    """'<file> row <n> column <c>: value '<raw text>' <problem> (<other column> = <value>, ...)'.

    The value is quoted as delivered (bronze text) when the frame holds it; the other columns the
    rule reads (the second of a pair, a derived value such as the PUE) follow in parentheses.
    """
    column = exp.report_columns[0]
    if f"raw__{column}" in schema:
        raw = pl.col(f"raw__{column}")
    elif column in schema:
        raw = pl.col(column).cast(pl.String)
    else:
        raw = pl.lit(None, dtype=pl.String)
    value = pl.when(raw.is_null()).then(pl.lit("(empty)")).otherwise(pl.lit("'") + raw + pl.lit("'"))
    detail = exp.meta.get("detail_column")
    others = [] if detail else [c for c in exp.checked_columns if c != column and c in schema]
    parts: list[pl.Expr] = [pl.format("{} row {} column {}: value {} {}", pl.col("source_file"), pl.col("source_row"),
                                      pl.lit(column), value, pl.lit(_problem(exp)))]
    if others:
        shown = [pl.lit(f"{c} = ") + pl.col(c).cast(pl.String).fill_null("(empty)") for c in others]
        parts.append(pl.lit(" (") + pl.concat_str(shown, separator=", ") + pl.lit(")"))
    if detail and detail in schema:
        parts.append(pl.when(pl.col(detail).is_not_null()).then(pl.lit(" ") + pl.col(detail)).otherwise(pl.lit("")))
    return pl.concat_str(parts)


@dataclass(frozen=True)
class Check:
    """One row check: where it fails, the code and column(s) it reports, and the message (formatted
    only for the rows that fail)."""

    failed: pl.Expr
    code: str
    column: str
    message: pl.Expr


def first_failure(frame: pl.LazyFrame, checks: list[Check], names: tuple[str, str, str] = (
        "reason_code", "reason_column", "reason_message"), extra: list[pl.Expr] | None = None) -> pl.LazyFrame:
    """Add the first failing check's code, column and message per row (nulls where none fails).

    One pass evaluates every check; messages are then formatted only for the failing rows and
    scattered back (a message column per check for every row would cost more than the checks).
    """
    rule = pl.lit(None, dtype=pl.Int32)
    for i, check in reversed(list(enumerate(checks))):
        rule = pl.when(check.failed).then(pl.lit(i, dtype=pl.Int32)).otherwise(rule)
    codes = {i: c.code for i, c in enumerate(checks)}
    columns = {i: c.column for i, c in enumerate(checks)}
    code, column, message = names
    df = frame.with_columns(rule.alias("__rule"), *(extra or [])).with_columns(
        pl.col("__rule").replace_strict(codes, default=None, return_dtype=pl.String).alias(code),
        pl.col("__rule").replace_strict(columns, default=None, return_dtype=pl.String).alias(column),
    ).collect()
    messages = pl.repeat(None, df.height, dtype=pl.String, eager=True)
    failing = df.with_row_index("__pos").filter(pl.col("__rule").is_not_null())
    # rechunk(): polars 2.1 panics ("i < self.len()") formatting strings on a filtered multi-chunk
    # frame (seen with a column the file does not have); a contiguous copy of the few failing rows is safe.
    for i in failing.get_column("__rule").unique().sort().to_list():
        rows = failing.filter(pl.col("__rule") == i).rechunk()
        messages = messages.scatter(rows["__pos"], rows.select(checks[i].message).to_series())
    return df.with_columns(messages.alias(message)).drop("__rule").lazy()


def compacted_strings() -> pl.Expr:
    """Every String column rebuilt in new buffers. Polars keeps a string column as views into the buffers
    it decoded: the few rows a filter keeps hold the whole page alive (the GX sample of a 106% year, about
    a million rows, held 6.4 GB through its thirteen months' pages: docs/benchmarks.md). Appending "" copies
    each kept value, so only the kept rows stay in memory; null stays null."""
    return pl.col(pl.String) + ""


def apply_row_rules(frame: pl.LazyFrame, suite: Suite, schema: pl.Schema) -> pl.LazyFrame:
    """Add reason_code, reason_column, reason_message (first failing error rule) and warning_codes.

    The frame must be sorted in source order (source_file, source_row) so "first" is well defined.
    """
    errors = [e for e in suite.row_rules if not e.is_warning and applicable(e, schema)]
    warnings = [e for e in suite.row_rules if e.is_warning and applicable(e, schema)]
    warning_codes = pl.concat_list(
        [pl.when(failure_expr(w, schema)).then(pl.lit(w.reason_code)).otherwise(None) for w in warnings]
    ).list.drop_nulls() if warnings else pl.lit([], dtype=pl.List(pl.String))
    checks = [Check(failure_expr(e, schema), e.reason_code, ", ".join(e.report_columns), message_expr(e, schema))
              for e in errors]
    return first_failure(frame, checks, extra=[warning_codes.alias("warning_codes")])

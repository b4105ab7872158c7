"""The row rules of the Great Expectations suites, applied in one polars pass.

`expectations/<layer>/<table>.json` are the only declaration of what valid means. Great Expectations
runs them as asset checks; this module turns their *row-level* expectations into polars expressions
so the silver step can set a `reason_code` for every row in a single pass over millions of rows.
A test proves both agree row by row on the bad-input corpus, with one documented difference: of the
rows that repeat a key, the first (in file and row order) is kept and only the later ones fail.

Suite JSON is the Great Expectations 1.x format. Each expectation's `meta` may carry:
  reason_code    the code a failing row is quarantined with (default: derived from the type)
  severity       "error" (row quarantined, the default) or "warning" (row kept, counted)
  problem        plain words for the message, e.g. "must not be negative"
  value_set_from where `value_set` comes from at run time: "seed:<seed file stem>.<column>" or
                 "silver:<table>.<column>" (a known key)
  max_value_from "run_date": the upper bound is the day of the run (no future dates)
  unique_scope   "table" (default) or "partition" for unique-key expectations
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
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
}


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
    def columns(self) -> list[str]:
        kw = self.kwargs
        if "column" in kw:
            return [kw["column"]]
        if "column_A" in kw:
            return [kw["column_A"], kw["column_B"]]
        return list(kw.get("column_list", []))

    def as_gx_dict(self) -> dict[str, Any]:
        return {"type": self.type, "kwargs": self.kwargs, "meta": self.meta}


@dataclass(frozen=True)
class Suite:
    name: str
    layer: str
    table: str
    expectations: tuple[Expectation, ...]
    meta: dict[str, Any] = field(default_factory=dict)

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

    def values_for(self, reference: str) -> list[Any]:
        if reference not in self.known_values:
            raise KeyError(f"no values loaded for {reference!r}")
        return self.known_values[reference]


def resolve(suite: Suite, context: RuleContext) -> Suite:
    """Fill run-time value sets and bounds so polars and Great Expectations see the same kwargs."""
    resolved = []
    for exp in suite.expectations:
        kwargs = dict(exp.kwargs)
        if "value_set_from" in exp.meta:
            kwargs["value_set"] = list(context.values_for(exp.meta["value_set_from"]))
        if exp.meta.get("max_value_from") == "run_date":
            kwargs["max_value"] = context.run_date.isoformat()
        resolved.append(replace(exp, kwargs=kwargs))
    return replace(suite, expectations=tuple(resolved))


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


def failure_expr(exp: Expectation, schema: pl.Schema) -> pl.Expr:
    """True where a row fails `exp` (null where the rule does not apply, as GX skips nulls)."""
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
        return a.is_not_null() & b.is_not_null() & ~ok
    if t == "expect_column_pair_values_to_be_in_set":
        a, b = pl.col(kw["column_A"]).cast(pl.String), pl.col(kw["column_B"]).cast(pl.String)
        allowed = ["\x1f".join(map(str, pair)) for pair in kw["value_pairs_set"]]
        pair = pl.concat_str([a, b], separator="\x1f")
        return a.is_not_null() & b.is_not_null() & ~pair.is_in(allowed)
    if t in UNIQUE_TYPES:
        key = [kw["column"]] if "column" in kw else list(kw["column_list"])
        # Later occurrences of a key fail; the first in (source_file, source_row) order is kept.
        return pl.all_horizontal([pl.col(k).is_not_null() for k in key]) & pl.int_range(pl.len()).over(key).gt(0)
    raise ValueError(f"{exp.type} is not a row rule")


def _problem(exp: Expectation) -> pl.Expr:
    """Plain words naming what is wrong with the value, for the quarantine message."""
    kw = exp.kwargs
    t = exp.type
    if "problem" in exp.meta:
        text = pl.lit(exp.meta["problem"])
    elif t == "expect_column_values_to_not_be_null":
        text = pl.lit("is empty but required")
    elif t == "expect_column_values_to_be_in_set":
        values = kw["value_set"]
        text = pl.lit("is not an allowed value" + (f" (allowed: {', '.join(map(str, values))})" if len(values) <= 12 else ""))
    elif t == "expect_column_values_to_be_between":
        text = pl.lit(f"is outside [{kw.get('min_value', '-inf')}, {kw.get('max_value', 'inf')}]")
    elif t in {"expect_column_values_to_match_regex"}:
        text = pl.lit(f"does not have the expected format {kw['regex']}")
    elif t == "expect_column_pair_values_a_to_be_greater_than_b":
        text = pl.lit(f"is before {kw['column_B']} ").add(pl.col(kw["column_B"]).cast(pl.String).fill_null(""))
    elif t == "expect_column_pair_values_to_be_in_set":
        text = pl.lit(f"does not go with {kw['column_B']} ").add(pl.col(kw["column_B"]).cast(pl.String).fill_null(""))
    elif t in UNIQUE_TYPES:
        text = pl.lit("repeats a key already seen in an earlier row")
    else:
        text = pl.lit("fails " + t)
    return text


def message_expr(exp: Expectation, schema: pl.Schema) -> pl.Expr:
    column = exp.columns[0]
    # Quote the value as delivered (bronze text) when the frame also holds the typed value.
    raw = pl.col(f"raw__{column}") if f"raw__{column}" in schema else pl.col(column).cast(pl.String)
    value = pl.when(raw.is_null()).then(pl.lit("(empty)")).otherwise(pl.lit("'") + raw + pl.lit("'"))
    return pl.format("{} row {} column {}: value {} {}", pl.col("source_file"), pl.col("source_row"), pl.lit(column), value, _problem(exp))


def apply_row_rules(frame: pl.LazyFrame, suite: Suite, schema: pl.Schema) -> pl.LazyFrame:
    """Add reason_code, reason_column, reason_message (first failing error rule) and warning_codes.

    The frame must be sorted in source order (source_file, source_row) so "first" is well defined.
    """
    errors = [e for e in suite.row_rules if not e.is_warning and all(c in schema for c in e.columns)]
    warnings = [e for e in suite.row_rules if e.is_warning and all(c in schema for c in e.columns)]
    fails = [failure_expr(e, schema).fill_null(False) for e in errors]
    code = pl.lit(None, dtype=pl.String)
    column = pl.lit(None, dtype=pl.String)
    message = pl.lit(None, dtype=pl.String)
    for exp, failed in reversed(list(zip(errors, fails))):
        code = pl.when(failed).then(pl.lit(exp.reason_code)).otherwise(code)
        column = pl.when(failed).then(pl.lit(", ".join(exp.columns))).otherwise(column)
        message = pl.when(failed).then(message_expr(exp, schema)).otherwise(message)
    warning_codes = pl.concat_list(
        [pl.when(failure_expr(w, schema).fill_null(False)).then(pl.lit(w.reason_code)).otherwise(None) for w in warnings]
    ).list.drop_nulls() if warnings else pl.lit([], dtype=pl.List(pl.String))
    return frame.with_columns(
        code.alias("reason_code"), column.alias("reason_column"), message.alias("reason_message"),
        warning_codes.alias("warning_codes"),
    )

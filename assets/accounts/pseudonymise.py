"""Pseudonymous account and employee ids: a keyed hash applied before silver (Dagster-free).

Raw account ids (card numbers, customer numbers) and employee ids never reach silver: the silver
step replaces them, right after reading bronze, by

    pseudonym(id) = "ps_" + the first 32 hex digits of HMAC-SHA256(key, trimmed id, UTF-8)

so the same person gets the same pseudonym in every table (behaviour.account_id of the employee
scenario joins employees.employee_id, travel.employee_id and commute.employee_id) and in every run
that uses the same key, while nobody without the key can recompute or reverse it (employee ids are
enumerable: an unkeyed hash would be reversed by hashing every possible id).

The key comes from the environment variable CARBONLEDGER_PSEUDONYM_KEY (at least 32 characters,
kept in a secret store, never committed). Without it the step refuses to run, except in demo mode
(CARBONLEDGER_DEMO=1, set by `carbonledger demo`, `make demo` and the tests), which uses the
documented throwaway key DEMO_KEY: pseudonyms made with it protect nothing, so real data must never
be run in demo mode, and the demo key is refused outside demo mode. Changing the key changes every
pseudonym: rebuild silver and the warehouse (`carbonledger run --full-refresh`) after a rotation.

The hash runs in DuckDB (built-in sha256 over blobs: HMAC written out as RFC 2104 defines it) over
the distinct ids of a frame, so a month of 100 million events costs one vectorised pass, never a
Python loop over rows. `pseudonymise_value` is the plain-Python reference the unit tests compare to.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence
from typing import TypeVar

import duckdb
import polars as pl

KEY_ENV = "CARBONLEDGER_PSEUDONYM_KEY"
DEMO_ENV = "CARBONLEDGER_DEMO"
# The demo's documented throwaway key (docs/methodology.md, "Privacy"). Not a secret, by design.
DEMO_KEY = "carbonledger-demo-throwaway-pseudonym-key-not-secret"
MIN_KEY_LENGTH = 32
PREFIX = "ps_"
HEX_DIGITS = 32  # 128 bits: no collision in practice even among billions of ids

# The columns the silver step pseudonymises, per landing table (see the module docstring).
PSEUDONYMISED_COLUMNS: dict[str, tuple[str, ...]] = {
    "behaviour": ("account_id",),
    "employees": ("employee_id",),
    "travel": ("employee_id",),
    "commute": ("employee_id",),
}

# Trimmed like assets.ingest.parsing.clean_text, so ' E001 ' and 'E001' are the same person.
_BLANKS = " \t\r\n\u3000\u00a0"
_BLOCK = 64  # SHA-256 block size in bytes

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


class PseudonymKeyError(ValueError):
    """No usable key: the message says how to provide one."""


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def is_demo_mode(environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    return _truthy(environ.get(DEMO_ENV))


def pseudonym_key(environ: Mapping[str, str] | None = None) -> bytes:
    """The key from CARBONLEDGER_PSEUDONYM_KEY; the demo key only in demo mode; else an error."""
    environ = os.environ if environ is None else environ
    demo = is_demo_mode(environ)
    key = environ.get(KEY_ENV, "")
    if key:
        if key == DEMO_KEY and not demo:
            raise PseudonymKeyError(
                f"{KEY_ENV} is the documented demo key, which protects nothing: set a secret key of your own "
                f"(at least {MIN_KEY_LENGTH} characters), or set {DEMO_ENV}=1 for synthetic demo data only")
        if len(key) < MIN_KEY_LENGTH:
            raise PseudonymKeyError(f"{KEY_ENV} is too short: use at least {MIN_KEY_LENGTH} characters "
                                    "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)")
        return key.encode("utf-8")
    if demo:
        return DEMO_KEY.encode("utf-8")
    raise PseudonymKeyError(
        f"{KEY_ENV} is not set: account and employee ids are pseudonymised with a secret key before silver. "
        f"Set it (at least {MIN_KEY_LENGTH} characters, from your secret store; the same key on every run), "
        f"or set {DEMO_ENV}=1 to use the documented throwaway key on synthetic demo data")


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip(_BLANKS)
    return text or None


def pseudonymise_value(value: str | None, key: bytes) -> str | None:
    """The pseudonym of one id (None and blank stay None). Reference implementation (Python hmac)."""
    text = _clean(value)
    if text is None:
        return None
    return PREFIX + hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:HEX_DIGITS]


def _pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer padded keys (RFC 2104): a key longer than a block is hashed first."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def pseudonym_map(values: pl.Series, key: bytes) -> pl.DataFrame:
    """Distinct cleaned ids -> pseudonyms, computed in DuckDB (columns `value`, `pseudonym`)."""
    distinct = pl.DataFrame({"value": values.cast(pl.String)}).select(
        pl.col("value").str.strip_chars(_BLANKS)).filter(pl.col("value").is_not_null() & (pl.col("value") != "")
                                                          ).unique()
    if distinct.is_empty():
        return pl.DataFrame(schema={"value": pl.String, "pseudonym": pl.String})
    inner, outer = _pads(key)
    with duckdb.connect() as con:
        con.execute("set enable_progress_bar = false")
        con.register("distinct_ids", distinct.to_arrow())
        result = con.sql(
            "select value, $prefix || substr(sha256($outer::blob || unhex(sha256($inner::blob || encode(value)))), "
            "1, $digits) as pseudonym from distinct_ids",
            params={"prefix": PREFIX, "outer": outer, "inner": inner, "digits": HEX_DIGITS},
        ).to_arrow_table()
        return pl.from_arrow(result)


def pseudonymise_columns(frame: Frame, columns: Sequence[str], key: bytes | None = None) -> Frame:
    """`frame` with each of `columns` (those it has) replaced by its pseudonyms; other columns untouched.

    Values are trimmed first; null and blank values become null (so not-null rules still fire).
    Works on eager and lazy frames (a lazy frame is scanned once for its distinct ids).
    """
    present = [c for c in columns if c in frame.collect_schema().names()]
    if not present:
        return frame
    ids = frame.select(pl.concat_list([pl.col(c).cast(pl.String) for c in present]).alias("ids")).explode("ids")
    ids = ids.collect() if isinstance(frame, pl.LazyFrame) else ids
    # The key is needed (and checked) only when there is an id to hash.
    has_ids = ids.get_column("ids").str.strip_chars(_BLANKS).replace("", None).drop_nulls().len() > 0
    mapping = pseudonym_map(ids.get_column("ids"), pseudonym_key() if key is None and has_ids else (key or b""))
    lookup = mapping.lazy() if isinstance(frame, pl.LazyFrame) else mapping
    for column in present:
        frame = (
            frame.with_columns(pl.col(column).cast(pl.String).str.strip_chars(_BLANKS).alias(column))
            .join(lookup.rename({"value": column, "pseudonym": "__pseudonym"}), on=column, how="left",
                  maintain_order="left")
            .with_columns(pl.col("__pseudonym").alias(column))
            .drop("__pseudonym")
        )
    return frame


def pseudonymise_table(frame: Frame, table: str, key: bytes | None = None) -> Frame:
    """The silver step's call: pseudonymise the columns PSEUDONYMISED_COLUMNS lists for `table`
    (a table without such columns is returned unchanged and needs no key)."""
    columns = PSEUDONYMISED_COLUMNS.get(table, ())
    if not columns:
        return frame
    return pseudonymise_columns(frame, columns, key)

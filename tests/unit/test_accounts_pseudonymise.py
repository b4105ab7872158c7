"""Pseudonymous ids (assets/accounts/pseudonymise.py): HMAC-SHA256 as RFC 2104 defines it, the same in
DuckDB (what the silver step runs) and in Python, stable across tables, and never without a key."""

from __future__ import annotations

import hashlib
import hmac

import polars as pl
import pytest

from assets.accounts.pseudonymise import (
    DEMO_ENV,
    DEMO_KEY,
    HEX_DIGITS,
    KEY_ENV,
    PREFIX,
    PSEUDONYMISED_COLUMNS,
    PseudonymKeyError,
    pseudonym_key,
    pseudonym_map,
    pseudonymise_columns,
    pseudonymise_table,
    pseudonymise_value,
)

KEY = b"unit-test-key-unit-test-key-unit-test-key"


def test_rfc4231_vectors_in_python_and_in_duckdb():
    # RFC 4231 test case 1 (20-byte key) and case 6 (a 131-byte key, hashed first).
    cases = [
        (b"\x0b" * 20, "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (b"\xaa" * 131, "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ]
    for key, message, digest in cases:
        want = PREFIX + digest[:HEX_DIGITS]
        assert pseudonymise_value(message, key) == want
        mapping = pseudonym_map(pl.Series([message]), key)
        assert mapping.to_dicts() == [{"value": message, "pseudonym": want}]


def test_duckdb_and_python_agree_on_many_ids_including_chinese_and_trimming():
    ids = [f"E{i:05d}" for i in range(500)] + ["张伟", "C 100", "Ünïcode"]
    frame = pl.DataFrame({"account_id": [f"  {v}\u3000" for v in ids], "n": list(range(len(ids)))})
    out = pseudonymise_table(frame, "behaviour", KEY)
    assert out.get_column("account_id").to_list() == [pseudonymise_value(v, KEY) for v in ids]
    assert out.get_column("n").to_list() == list(range(len(ids)))  # other columns and row order untouched
    assert pseudonymise_value("E00001", KEY) == PREFIX + hmac.new(KEY, b"E00001", hashlib.sha256).hexdigest()[:32]


def test_the_same_person_gets_the_same_pseudonym_in_every_table():
    behaviour = pseudonymise_table(pl.DataFrame({"account_id": ["E001"], "scenario": ["employee"]}), "behaviour", KEY)
    employees = pseudonymise_table(pl.DataFrame({"employee_id": ["E001"], "entity_id": ["GRP"]}), "employees", KEY)
    travel = pseudonymise_table(pl.DataFrame({"employee_id": [" E001"], "trip_id": ["T1"]}), "travel", KEY)
    commute = pseudonymise_table(pl.DataFrame({"employee_id": ["E001 "]}), "commute", KEY)
    ids = {behaviour["account_id"][0], employees["employee_id"][0], travel["employee_id"][0], commute["employee_id"][0]}
    assert len(ids) == 1 and ids.pop().startswith(PREFIX)
    assert employees["entity_id"][0] == "GRP" and travel["trip_id"][0] == "T1"
    assert set(PSEUDONYMISED_COLUMNS) == {"behaviour", "employees", "travel", "commute"}


def test_another_key_gives_other_pseudonyms_and_null_or_blank_stay_null():
    assert pseudonymise_value("E001", KEY) != pseudonymise_value("E001", KEY + b"x")
    out = pseudonymise_columns(pl.DataFrame({"account_id": ["E001", None, "", "  "]}), ["account_id"], KEY)
    assert out["account_id"].to_list()[1:] == [None, None, None]


def test_lazy_and_eager_frames_give_the_same_result():
    frame = pl.DataFrame({"employee_id": ["b", "a", "b", None], "x": [1, 2, 3, 4]})
    eager = pseudonymise_table(frame, "employees", KEY)
    lazy = pseudonymise_table(frame.lazy(), "employees", KEY)
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect().equals(eager)


def test_tables_without_ids_and_frames_without_values_need_no_key(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(DEMO_ENV, raising=False)
    energy = pl.DataFrame({"record_id": ["R1"]})
    assert pseudonymise_table(energy, "energy").equals(energy)
    empty = pl.DataFrame({"account_id": [None]}, schema={"account_id": pl.String})
    assert pseudonymise_table(empty, "behaviour")["account_id"].to_list() == [None]
    with pytest.raises(PseudonymKeyError, match=KEY_ENV):
        pseudonymise_table(pl.DataFrame({"account_id": ["E001"]}), "behaviour")


def test_the_key_comes_from_the_environment():
    good = "k" * 40
    assert pseudonym_key({KEY_ENV: good}) == good.encode()
    with pytest.raises(PseudonymKeyError, match="not set"):
        pseudonym_key({})
    with pytest.raises(PseudonymKeyError, match="too short"):
        pseudonym_key({KEY_ENV: "short"})
    # Demo mode uses the documented throwaway key; that key is refused outside demo mode.
    assert pseudonym_key({DEMO_ENV: "1"}) == DEMO_KEY.encode()
    assert pseudonym_key({DEMO_ENV: "1", KEY_ENV: good}) == good.encode()
    with pytest.raises(PseudonymKeyError, match="demo key"):
        pseudonym_key({KEY_ENV: DEMO_KEY})
    assert pseudonym_key({KEY_ENV: DEMO_KEY, DEMO_ENV: "true"}) == DEMO_KEY.encode()
    assert issubclass(PseudonymKeyError, ValueError)  # the CLI prints it as one line

"""docs/validation.md lists every suite in plain words, generated from expectations/ and kept in step."""

from __future__ import annotations

from pathlib import Path

from assets.ingest.rules import ROW_RULE_TYPES, load_suite
from assets.ingest.suite_docs import BEGIN, END, markdown, plain_words
from assets.ingest.tables import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "validation.md"
KNOWN_TYPES = ROW_RULE_TYPES | {"expect_column_to_exist", "expect_column_values_to_be_of_type"}


def test_the_page_lists_the_suites_as_they_are():
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(BEGIN):text.index(END) + len(END)]
    assert section == markdown(), "regenerate with: .venv/bin/python -m assets.ingest.suite_docs"


def test_every_table_has_both_suites_and_only_types_the_code_knows():
    for table in TABLES:
        for layer in ("bronze", "silver"):
            suite = load_suite(layer, table.name)
            assert suite.expectations, (layer, table.name)
            for exp in suite.expectations:
                assert exp.type in KNOWN_TYPES, (layer, table.name, exp.type)
                assert exp.reason_code, (layer, table.name, exp.type)
                assert not plain_words(exp).startswith("expect_"), exp
        assert load_suite("bronze", table.name).required_columns == list(table.required_columns), table.name


def test_every_value_set_from_names_a_source_that_exists():
    from assets.ingest.logic import SEEDS_DIR

    for table in TABLES:
        for exp in load_suite("silver", table.name).expectations:
            ref = exp.meta.get("value_set_from")
            if not ref:
                continue
            kind, _, target = ref.partition(":")
            name, _, column = target.partition(".")
            if kind == "seed" and exp.meta.get("when_source_empty") != "skip":
                seeds = list(SEEDS_DIR.rglob(f"{name}.csv"))
                assert seeds, ref
                assert column in seeds[0].read_text(encoding="utf-8").splitlines()[0].split(","), ref
            elif kind in ("silver", "bronze"):
                assert name in {t.name for t in TABLES}, ref
                assert column in {c.name for t in TABLES if t.name == name for c in t.columns}, ref

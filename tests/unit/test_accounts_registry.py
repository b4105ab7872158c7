"""The methodology registry (seeds/accounts) and the policy's `accounts` section: every shipped row is valid
under the same model as a configured one, the scenarios are complete, and configuration can add
methodologies and versions but never rewrite a published one."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml

from assets.accounts.policy_config import (
    ACCOUNT_POLICY_TABLES,
    BEHAVIOUR_CODES_SEED,
    AccountsPolicy,
    Methodology,
    accounts_policy_tables,
    shipped_factors,
    shipped_methodologies,
)
from pipelines.policy import EXAMPLE_POLICY, POLICY_TABLES, PolicyError, load_policy, policy_tables

FIXTURE_POLICY = Path(__file__).resolve().parents[1] / "fixtures" / "accounts_basic" / "carbonledger.yml"


def _codes() -> list[dict[str, str]]:
    with BEHAVIOUR_CODES_SEED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_shipped_methodology_and_factor_is_valid_and_referenced():
    methodologies, factors = shipped_methodologies(), shipped_factors()
    assert len({m.key for m in methodologies}) == len(methodologies)
    factor_ids = {f.factor_id for f in factors}
    used = set()
    for m in methodologies:
        for factor in (m.quantity_factor_id, m.baseline_factor_id, m.alternative_factor_id):
            if factor:
                assert factor in factor_ids, (m.methodology_id, factor)
                used.add(factor)
    # Every factor is used (the metro substitution figure by the demo's and the fixture's version 2).
    assert factor_ids - used <= {"huang2017_gz_metro_substitution_g_per_trip"}
    for f in factors:
        assert f.source and f.status in ("published", "internal_unverified", "assumption")
        if "Ant Forest" in f.source:
            assert f.status == "internal_unverified", f.factor_id  # figures from apps
        if f.factor_id.startswith("assumption_"):
            assert f.status == "assumption" and "assumption" in f.source


def test_every_behaviour_code_has_one_shipped_methodology_of_its_scenario():
    shipped = {m.behaviour_code: m for m in shipped_methodologies()}
    assert Counter(m.behaviour_code for m in shipped_methodologies()).most_common(1)[0][1] == 1
    for row in _codes():
        m = shipped[row["behaviour_code"]]
        assert m.scenario == row["scenario"], row["behaviour_code"]


def test_bank_card_scenario_has_21_behaviours_9_quantified_and_12_points_only():
    card = [m for m in shipped_methodologies() if m.scenario == "bank_card" and m.method != "redemption"]
    assert len(card) == 21
    assert sum(m.method in ("fixed_per_unit", "substitution", "own_baseline") for m in card) == 9
    assert sum(m.method == "points_only" for m in card) == 12


def test_employee_scenario_covers_each_method():
    methods = {m.method for m in shipped_methodologies() if m.scenario == "employee"}
    assert {"fixed_per_unit", "substitution", "own_baseline", "points_only", "redemption"} <= methods


def test_the_example_policy_gets_default_rules_and_its_illustrative_filing():
    loaded = load_policy(EXAMPLE_POLICY)
    tables = policy_tables(loaded)
    assert set(ACCOUNT_POLICY_TABLES) <= set(POLICY_TABLES) and set(ACCOUNT_POLICY_TABLES) <= set(tables)
    rules = tables["policy_account_points_rules"]  # no points_rules key: the default, 10 g a point
    assert rules.height == 1 and rules["g_co2e_per_point"][0] == 10.0
    # carbonledger.example.yml adds one methodology version, one scheme and one filing (for the demo)
    configured = tables["policy_account_methodologies"].to_dicts()
    assert [(r["methodology_id"], r["version"], r["approval_status"]) for r in configured] == [
        ("CARD_METRO_RIDE_M", 2, "exchange_recognised")]
    assert tables["policy_account_filings"].height == 1
    assert (tables["policy_account_settings"]["policy_sha256"] == loaded.sha256).all()


def test_the_fixture_policy_adds_a_methodology_and_a_version_through_configuration():
    tables = policy_tables(load_policy(FIXTURE_POLICY))
    configured = {(r["methodology_id"], r["version"]) for r in tables["policy_account_methodologies"].to_dicts()}
    assert configured == {("EMP_METRO_COMMUTE_M", 2), ("EMP_CYCLING_MODE_SHIFT", 1)}
    assert tables["policy_account_campaigns"].to_dicts()[0]["behaviour_code"] == "EMP_CYCLING_COMMUTE"
    assert tables["policy_account_schemes"].to_dicts()[0]["scenario"] == "employee"
    assert tables["policy_account_schemes"].to_dicts()[0]["place"] == "CN-GD"


def test_a_scheme_names_its_places_and_a_scenario_without_facilities_may_have_one():
    scheme = {"scheme_id": "s", "exchange": "Guangzhou", "recognised_methodologies": ["EMP_METRO_COMMUTE_M"]}
    with pytest.raises(ValueError, match="places"):
        _accounts(schemes=[scheme])
    with pytest.raises(ValueError, match="places"):
        _accounts(schemes=[{**scheme, "places": ["Guangdong"]}])  # a code, not a name
    with pytest.raises(ValueError, match="scenario_places"):
        _accounts(scenario_places={"bank_card": "china"})
    accounts = _accounts(schemes=[{**scheme, "places": ["CN-GD", "CN-SH"], "scenarios": ["employee", "bank_card"]}],
                         scenario_places={"bank_card": "CN"})
    tables = accounts_policy_tables(accounts)
    # one row per scenario x methodology x place: 2 x 1 x 2
    assert sorted((r["scenario"], r["place"]) for r in tables["policy_account_schemes"].to_dicts()) == [
        ("bank_card", "CN-GD"), ("bank_card", "CN-SH"), ("employee", "CN-GD"), ("employee", "CN-SH")]
    settings = dict(tables["policy_account_settings"].select("setting", "value").iter_rows())
    assert settings["scenario_place.bank_card"] == "CN"


def _accounts(**section) -> AccountsPolicy:
    return AccountsPolicy.model_validate(section)


def _metro(**changes) -> dict:
    base = next(m for m in shipped_methodologies() if m.methodology_id == "EMP_METRO_COMMUTE_M").model_dump()
    base.update(version=2, valid_from=date(2023, 3, 1))
    base.update(changes)
    return base


def test_a_published_version_can_never_be_changed_only_followed():
    with pytest.raises(ValueError, match="already in the registry and never changes; add version 2"):
        _accounts(methodologies=[_metro(version=1)])
    with pytest.raises(ValueError, match="valid_from must be after"):
        _accounts(methodologies=[_metro(valid_from=date(2020, 1, 1))])
    with pytest.raises(ValueError, match="keeps the behaviour_code"):
        _accounts(methodologies=[_metro(behaviour_code="EMP_BUS_COMMUTE")])
    assert _accounts(methodologies=[_metro()]).methodologies[0].version == 2


def test_configured_methodologies_are_checked_against_factors_and_codes():
    with pytest.raises(ValueError, match="unknown factor 'nope'"):
        _accounts(methodologies=[_metro(baseline_factor_id="nope")])
    with pytest.raises(ValueError, match="not in behaviour_codes.csv"):
        _accounts(methodologies=[_metro(methodology_id="NEW_M", version=1, behaviour_code="NOT_A_CODE")])
    with pytest.raises(ValueError, match="already a shipped factor"):
        _accounts(factors=[{"factor_id": "pingan2023_a4_sheet_g", "value": 1, "unit": "g", "status": "assumption",
                            "source": "mine"}])


def test_each_method_takes_the_parameters_it_needs():
    base = _metro(methodology_id="X_M", version=1, behaviour_code="EMP_METRO_COMMUTE")
    with pytest.raises(ValueError, match="needs baseline_factor_id"):
        Methodology.model_validate({**base, "baseline_factor_id": None})
    with pytest.raises(ValueError, match="needs points_per_unit"):
        Methodology.model_validate({**base, "method": "points_only", "baseline_factor_id": None, "daily_cap": None})
    with pytest.raises(ValueError, match="needs baseline_periods"):
        Methodology.model_validate({**base, "method": "own_baseline", "cap_unit": "g_co2e"})
    with pytest.raises(ValueError, match="max_speed_kmh needs a distance unit"):
        Methodology.model_validate({**base, "max_speed_kmh": 30})
    with pytest.raises(ValueError):
        Methodology.model_validate({**base, "method": "magic"})


def test_points_rules_campaigns_filings_and_reversals_are_validated():
    with pytest.raises(ValueError, match="must start after"):
        _accounts(points_rules=[{"version": 1, "valid_from": "2023-01-01", "g_co2e_per_point": 10},
                                {"version": 2, "valid_from": "2022-01-01", "g_co2e_per_point": 5}])
    with pytest.raises(ValueError, match="end_date is before start_date"):
        _accounts(campaigns=[{"campaign_id": "c", "start_date": "2023-02-01", "end_date": "2023-01-01", "multiplier": 2}])
    with pytest.raises(ValueError, match="unknown scheme"):
        _accounts(filings=[{"filing_id": "f", "scheme_id": "none", "period_start": "2023-01", "period_end": "2023-02",
                            "filed_on": "2023-03-01"}])
    with pytest.raises(ValueError, match="filed_on must fall after"):
        _accounts(schemes=[{"scheme_id": "s", "exchange": "Guangzhou", "places": ["CN-GD"]}],
                  filings=[{"filing_id": "f", "scheme_id": "s", "period_start": "2023-01", "period_end": "2023-02",
                            "filed_on": "2023-02-15"}])
    with pytest.raises(ValueError, match="reversed twice"):
        _accounts(reversals=[{"event_id": "e", "reversed_on": "2023-01-01", "reason": "bad"}] * 2)


def test_an_unknown_key_in_the_accounts_section_is_named(tmp_path):
    document = yaml.safe_load(EXAMPLE_POLICY.read_text(encoding="utf-8"))
    document["accounts"] = {"points_rule": []}
    path = tmp_path / "carbonledger.yml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"accounts\.points_rule: unknown key"):
        load_policy(path)


def test_policy_tables_have_the_declared_columns():
    tables = accounts_policy_tables(AccountsPolicy())
    assert list(tables) == list(ACCOUNT_POLICY_TABLES)
    sources = yaml.safe_load((Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "staging"
                              / "_silver__sources.yml").read_text(encoding="utf-8"))
    declared = {t["name"]: [c["name"] for c in t["columns"]] for t in sources["sources"][0]["tables"]}
    for name, frame in tables.items():
        assert declared[name] == [*frame.columns, "policy_sha256"], name

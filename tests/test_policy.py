"""The policy file: validated strictly, errors name the key, the hash is the file's."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from pipelines.policy import EXAMPLE_POLICY, PolicyError, load_policy, policy_tables


def _write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "carbonledger.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def _example() -> dict:
    return yaml.safe_load(EXAMPLE_POLICY.read_text(encoding="utf-8"))


def test_the_example_policy_is_valid_and_hashed():
    loaded = load_policy(EXAMPLE_POLICY)
    assert loaded.sha256 == hashlib.sha256(EXAMPLE_POLICY.read_bytes()).hexdigest()
    assert loaded.policy.organisation.consolidation_approach == "operational_control"
    assert loaded.policy.emission_factors.pins["electricity_location_based"][2022] == (
        "cn_mee_2022_regional", "desnz_2022_gb_electricity")


def test_unknown_key_is_named(tmp_path):
    document = _example()
    document["reporting"]["gwp_sett"] = "AR6"
    with pytest.raises(PolicyError, match=r"reporting\.gwp_sett: unknown key"):
        load_policy(_write(tmp_path, document))


def test_unknown_factor_set_is_named(tmp_path):
    document = _example()
    document["emission_factors"]["pins"]["electricity_location_based"][2022] = "cn_mee_2099_regional"
    with pytest.raises(PolicyError, match=r"electricity_location_based\.2022: unknown factor set 'cn_mee_2099_regional'"):
        load_policy(_write(tmp_path, document))


def test_a_market_based_set_cannot_be_pinned_as_location_based(tmp_path):
    document = _example()
    document["emission_factors"]["pins"]["electricity_location_based"][2022] = "cn_mee_2022_residual"
    with pytest.raises(PolicyError, match="is a market_based set, pinned as location_based"):
        load_policy(_write(tmp_path, document))


def test_bad_values_are_named(tmp_path):
    document = _example()
    document["organisation"]["consolidation_approach"] = "vibes"
    document["reporting"]["timezone"] = "Mars/Olympus"
    with pytest.raises(PolicyError) as error:
        load_policy(_write(tmp_path, document))
    assert "organisation.consolidation_approach" in str(error.value)
    assert "unknown time zone 'Mars/Olympus'" in str(error.value)


def test_missing_file_and_not_yaml(tmp_path):
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(tmp_path / "nope.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("policy_version: [1\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid UTF-8 YAML"):
        load_policy(bad)


def test_policy_tables_carry_the_hash():
    loaded = load_policy(EXAMPLE_POLICY)
    tables = policy_tables(loaded)
    settings = dict(tables["policy_settings"].select("setting", "value").iter_rows())
    assert settings["root_entity_id"] == "GRP"
    assert settings["gwp_set"] == "AR5"
    pins = tables["policy_factor_pins"].filter(
        (tables["policy_factor_pins"]["reporting_year"] == 2021) & (tables["policy_factor_pins"]["pin_key"] == "electricity_location_based"))
    assert pins.sort("priority")["factor_set"].to_list() == ["cn_mee_2021_national", "desnz_2022_gb_electricity"]
    for frame in tables.values():
        assert set(frame["policy_sha256"].to_list()) <= {loaded.sha256}


def test_year_ranges_and_priority_lists(tmp_path):
    document = _example()
    document["emission_factors"]["pins"]["electricity_location_based"] = {
        "2021-2022": ["cn_mee_2022_regional", "cn_mee_2022_national"], 2023: "cn_mee_2023_regional"}
    loaded = load_policy(_write(tmp_path, document))
    pins = policy_tables(loaded)["policy_factor_pins"]
    pins = pins.filter(pins["pin_key"] == "electricity_location_based").sort("reporting_year", "priority")
    assert pins.select("reporting_year", "factor_set", "priority").rows() == [
        (2021, "cn_mee_2022_regional", 1), (2021, "cn_mee_2022_national", 2),
        (2022, "cn_mee_2022_regional", 1), (2022, "cn_mee_2022_national", 2),
        (2023, "cn_mee_2023_regional", 1)]


def test_a_year_pinned_twice_is_an_error(tmp_path):
    document = _example()
    document["emission_factors"]["pins"]["electricity_location_based"] = {"2021-2022": "cn_mee_2022_regional",
                                                                          2022: "cn_mee_2022_regional"}
    with pytest.raises(PolicyError, match="year 2022 is pinned twice"):
        load_policy(_write(tmp_path, document))

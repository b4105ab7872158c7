"""The policy's `datacenters` section: validation, defaults, and the silver.policy_datacenters rows."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipelines.policy import EXAMPLE_POLICY, PolicyError, load_policy, policy_tables


def _write(tmp_path: Path, datacenters: dict | None) -> Path:
    document = yaml.safe_load(EXAMPLE_POLICY.read_text(encoding="utf-8"))
    document.pop("datacenters", None)
    if datacenters is not None:
        document["datacenters"] = datacenters
    path = tmp_path / "carbonledger.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_without_the_section_every_data_centre_takes_the_documented_defaults(tmp_path):
    table = policy_tables(load_policy(_write(tmp_path, None)))["policy_datacenters"]
    assert table.height == 1
    row = table.row(0, named=True)
    assert row["facility_id"] == "default"
    assert (row["authoritative_source"], row["it_measurement_point"], row["pue_category"]) == ("invoices", "ups_output", 1)
    assert (row["office_load_kw"], row["gap_fill_method"], row["max_fill_gap_minutes"]) == (0.0, "neighbour_mean", 1440)
    assert (row["counter_reset_spike_ratio"], row["diesel_kwh_per_litre"], row["chilled_water_conversion_factor"],
            row["design_standard_pue"]) == (10.0, 9.9, 1.0, 1.5)


def test_per_data_centre_entries_become_rows_and_keep_the_default(tmp_path):
    loaded = load_policy(_write(tmp_path, {
        "authoritative_source": {"DC-1": "telemetry"},
        "it_measurement_point": {"default": "pdu_output", "DC-2": "it_equipment_input"},
        "office_load_kw": {"DC-2": 20},
        "gap_fill_method": "none",
    }))
    rows = {r["facility_id"]: r for r in policy_tables(loaded)["policy_datacenters"].iter_rows(named=True)}
    assert set(rows) == {"default", "DC-1", "DC-2"}
    assert rows["default"]["authoritative_source"] == "invoices"
    assert rows["default"]["pue_category"] == 2
    assert rows["DC-1"]["authoritative_source"] == "telemetry" and rows["DC-1"]["it_measurement_point"] is None
    assert (rows["DC-2"]["pue_category"], rows["DC-2"]["office_load_kw"]) == (3, 20.0)
    assert {r["gap_fill_method"] for r in rows.values()} == {"none"}
    assert {r["policy_sha256"] for r in rows.values()} == {loaded.sha256}


@pytest.mark.parametrize(("section", "message"), [
    ({"authoritative_source": {"DC-1": "meter"}}, "datacenters.authoritative_source.DC-1"),
    ({"it_measurement_point": {"DC-1": "rack"}}, "datacenters.it_measurement_point.DC-1"),
    ({"office_load_kw": {"DC-1": -5}}, "office load cannot be negative"),
    ({"counter_reset_spike_ratio": 1.0}, "datacenters.counter_reset_spike_ratio"),
    ({"gap_fill_method": "linear"}, "datacenters.gap_fill_method"),
    ({"gap_fill": "neighbour_mean"}, "datacenters.gap_fill: unknown key"),
])
def test_invalid_settings_are_named_by_key(tmp_path, section, message):
    with pytest.raises(PolicyError, match=message.replace(".", r"\.")):
        load_policy(_write(tmp_path, section))

"""Bronze → silver + quarantine on small hand-made landing folders: nothing lost, every reason named."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from assets.ingest.lake import Lake, count_rows
from assets.ingest.logic import build_silver, ingest_bronze, load_rule_context
from assets.ingest.tables import table

TZ = "Asia/Shanghai"
RUN_DATE = date(2024, 6, 30)
ENTITIES = (
    "entity_id,entity_name,parent_entity_id,business_line,country,relationship_type,equity_share_pct,"
    "operational_control,financial_control,valid_from,valid_to\n"
    "GRP,Group,,group,CN,root,100,true,true,2000-01-01,\n"
)
FACILITIES = (
    "facility_id,entity_id,facility_name,facility_type,tenure,country,province,city,floor_area_m2,valid_from,valid_to\n"
    "F1,GRP,Office,office,owned,CN,北京,北京,1000,2010-01-01,\n"
)
ENERGY_HEADER = "record_id,facility_id,period_start,period_end,energy_type,quantity,unit,data_source\n"


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _ingest(landing: Path, lake: Lake, name: str, months=None):
    t = table(name)
    bronze = ingest_bronze(t, landing, lake, "test-run", TZ)
    silver = build_silver(t, lake, TZ, load_rule_context(lake, [t], TZ, RUN_DATE), months)
    return bronze, silver


@pytest.fixture()
def landing(tmp_path) -> Path:
    root = tmp_path / "landing"
    _write(root, "org/entities/e.csv", ENTITIES)
    _write(root, "org/facilities/f.csv", FACILITIES)
    return root


@pytest.fixture()
def lake(tmp_path, landing) -> Lake:
    lake = Lake(tmp_path / "lake")
    _ingest(landing, lake, "org_entities")
    _ingest(landing, lake, "org_facilities")
    return lake


def _quarantine(lake: Lake, name: str) -> pl.DataFrame:
    return pl.read_parquet(lake.all_parts("quarantine", name), hive_partitioning=False).sort("source_file", "source_row")


def _silver(lake: Lake, name: str) -> pl.DataFrame:
    return pl.read_parquet(lake.all_parts("silver", name), hive_partitioning=False).sort("source_file", "source_row")


def test_each_bad_row_is_quarantined_with_file_row_column_and_reason(landing, lake):
    _write(landing, "energy/2022.csv", ENERGY_HEADER + "\n".join([
        "R1,F1,2022-01-01,2022-01-31,electricity,\"1,000\",kWh,meter",      # good: 1,000 kWh
        "R2,F1,2022-01-01,2022-01-31,electricity,-5,kWh,meter",             # negative
        "R3,F9,2022-01-01,2022-01-31,electricity,10,kWh,meter",             # unknown facility
        "R4,F1,2022-01-01,2022-01-31,electricity,10,m3,meter",              # unit does not fit
        "R1,F1,2022-02-01,2022-02-28,electricity,20,kWh,meter",             # repeats R1 (later month)
        "R5,F1,2022-02-01,2022-02-28,electricity,ten,kWh,meter",            # not a number
        "R6,F1,2022-03-10,2022-03-01,electricity,10,kWh,meter",             # ends before it starts
        "R7,F1,2099-01-01,2099-01-31,electricity,10,kWh,meter",             # future
        "R8,F1,2022-03-01,2022-03-31,electricity,2,MWh,invoice",            # good: 2 MWh = 2,000 kWh
        "R9,F1,2022-13-01,2022-13-31,electricity,1,kWh,meter",              # undatable
    ]) + "\n")
    bronze, silver = _ingest(landing, lake, "energy")
    assert bronze.rows == 10
    assert silver.bronze_rows == 10 and silver.silver_rows == 2 and silver.quarantined_rows == 8
    good = _silver(lake, "energy")
    assert good["record_id"].to_list() == ["R1", "R8"]
    assert good["quantity_canonical"].to_list() == [1000.0, 2000.0]
    bad = _quarantine(lake, "energy")
    reasons = dict(zip(bad["source_row"].to_list(), bad["reason_code"].to_list()))
    assert reasons == {3: "negative_quantity", 4: "unknown_facility", 5: "unit_not_valid_for_type", 6: "duplicate_key",
                       7: "not_a_float", 8: "end_before_start", 9: "future_date", 11: "not_a_date"}
    message = bad.filter(pl.col("source_row") == 3)["reason_message"].item()
    assert message == "energy/2022.csv row 3 column quantity: value '-5' is negative"
    assert bad.filter(pl.col("source_row") == 4)["reason_column"].item() == "facility_id"
    # Raw text is kept in quarantine so the message can be checked against the file.
    assert bad.filter(pl.col("source_row") == 7)["quantity"].item() == "ten"


def test_rows_reconcile_per_month(landing, lake):
    _write(landing, "energy/a.csv", ENERGY_HEADER + "A1,F1,2022-01-01,2022-01-31,electricity,5,kWh,meter\n"
                                                   "A2,F1,2022-02-01,2022-02-28,electricity,-1,kWh,meter\n")
    _ingest(landing, lake, "energy")
    for month in lake.months("bronze", "energy"):
        bronze = count_rows(list(lake.parts("bronze", "energy", month).values()))
        silver = count_rows(list(lake.parts("silver", "energy", month).values()))
        quarantine = count_rows(list(lake.parts("quarantine", "energy", month).values()))
        assert bronze == silver + quarantine, month


def test_fixing_a_file_releases_its_quarantined_rows(landing, lake):
    path = landing / "energy/a.csv"
    _write(landing, "energy/a.csv", ENERGY_HEADER + "A1,F1,2022-01-01,2022-01-31,electricity,-5,kWh,meter\n")
    _ingest(landing, lake, "energy")
    assert _quarantine(lake, "energy").height == 1
    _write(landing, "energy/a.csv", ENERGY_HEADER + "A1,F1,2022-01-01,2022-01-31,electricity,5,kWh,meter\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    bronze, silver = _ingest(landing, lake, "energy")
    assert bronze.files_read == 1
    assert lake.all_parts("quarantine", "energy") == []
    assert _silver(lake, "energy")["quantity"].to_list() == [5.0]


def test_removing_a_file_withdraws_its_rows_everywhere(landing, lake):
    _write(landing, "energy/a.csv", ENERGY_HEADER + "A1,F1,2022-01-01,2022-01-31,electricity,5,kWh,meter\n")
    _write(landing, "energy/b.csv", ENERGY_HEADER + "B1,F1,2022-01-01,2022-01-31,electricity,-7,kWh,meter\n")
    _ingest(landing, lake, "energy")
    (landing / "energy/b.csv").unlink()
    bronze, _ = _ingest(landing, lake, "energy")
    assert bronze.files_withdrawn == 1
    assert count_rows(lake.all_parts("bronze", "energy")) == 1
    assert lake.all_parts("quarantine", "energy") == []
    assert _silver(lake, "energy")["record_id"].to_list() == ["A1"]


def test_a_file_without_a_required_column_quarantines_all_its_rows(landing, lake):
    _write(landing, "energy/nounit.csv", "record_id,facility_id,period_start,period_end,energy_type,quantity,data_source\n"
                                         "N1,F1,2022-01-01,2022-01-31,electricity,5,meter\n")
    _, silver = _ingest(landing, lake, "energy")
    bad = _quarantine(lake, "energy")
    assert silver.quarantined_rows == 1
    assert bad["reason_code"].to_list() == ["missing_column"]
    assert bad["reason_column"].to_list() == ["unit"]


def test_a_key_already_in_silver_for_another_month_is_a_duplicate(landing, lake):
    _write(landing, "energy/jan.csv", ENERGY_HEADER + "K1,F1,2022-01-01,2022-01-31,electricity,5,kWh,meter\n")
    _ingest(landing, lake, "energy")
    _write(landing, "energy/feb.csv", ENERGY_HEADER + "K1,F1,2022-02-01,2022-02-28,electricity,6,kWh,meter\n")
    _, silver = _ingest(landing, lake, "energy", months=["2022-02"])
    assert silver.reasons == {"duplicate_key": 1}
    assert "repeats a key first seen in 2022-01" in _quarantine(lake, "energy")["reason_message"].item()


def test_personal_columns_never_leave_bronze(landing, lake):
    _write(landing, "employees/e.csv", "employee_id,entity_id,facility_id,hire_date,leave_date,name,phone\n"
                                       "E1,GRP,F1,2020-01-01,,张三,13800000000\n"
                                       "E2,GRP,F1,not a date,,李四,13900000000\n")
    _ingest(landing, lake, "employees")
    assert "name" in pl.read_parquet(lake.all_parts("bronze", "employees")).columns
    for layer in ("silver", "quarantine"):
        columns = pl.read_parquet(lake.all_parts(layer, "employees"), hive_partitioning=False).columns
        assert "name" not in columns and "phone" not in columns


def test_the_month_cache_dates_every_row_when_it_starts_again():
    # Two batches of energy lines whose period_start texts overlap; a cache limit of 3 texts makes the
    # second batch (2 texts already known + 2 new = 5 > 3) start the cache again. Every row keeps its
    # month, read by hand from its text: 2023-01-31 and 2023-02-01 are months 01 and 02, and so on.
    from assets.ingest.logic import MonthCache

    energy = table("energy")
    cache = MonthCache(energy, [c.name for c in energy.columns], TZ)
    cache.LIMIT = 3
    first = pl.DataFrame({"period_start": ["2023-01-31", "2023-02-01", "2023-01-31"]})
    second = pl.DataFrame({"period_start": ["2023-02-01", "2023-01-31", "2023-03-15", "2023-04-01"]})
    assert cache.add_month(first).get_column("activity_month").to_list() == ["2023-01", "2023-02", "2023-01"]
    assert cache.add_month(second).get_column("activity_month").to_list() == ["2023-02", "2023-01", "2023-03", "2023-04"]


BEHAVIOUR_HEADER = "event_id,account_id,scenario,behaviour_code,occurred_at,quantity,unit,channel\n"


def test_a_month_validated_in_slices_gives_what_it_gives_whole(landing, lake, monkeypatch):
    # Six events of one month; rows 3 and 4 repeat rows 1 and 2 (row 3 exactly; row 4 with another
    # quantity and the key written ' ev-2 ', the same key once trimmed). Validated whole, then again in
    # slices of at most 2 rows (3 slices): each slice must hold both rows of a repeated key, so the
    # same rows are kept and quarantined, naming the same first rows.
    from assets.ingest import logic

    _write(landing, "employees/e.csv", "employee_id,entity_id,facility_id,hire_date,leave_date,name,phone\n"
                                       "E1,GRP,F1,2020-01-01,,张三,13800000000\n")
    _ingest(landing, lake, "employees")
    rows = ["ev-1,E1,employee,EMP_METRO_COMMUTE,2023-02-06 08:30:00,1,each,transit_card_api",
            "ev-2,E1,employee,EMP_METRO_COMMUTE,2023-02-07 08:30:00,1,each,transit_card_api",
            "ev-1,E1,employee,EMP_METRO_COMMUTE,2023-02-06 08:30:00,1,each,transit_card_api",
            " ev-2 ,E1,employee,EMP_METRO_COMMUTE,2023-02-07 08:30:00,2,each,transit_card_api",
            "ev-3,E1,employee,EMP_METRO_COMMUTE,2023-02-08 08:30:00,1,each,transit_card_api",
            "ev-4,E1,employee,EMP_METRO_COMMUTE,2023-02-09 08:30:00,1,each,transit_card_api"]
    _write(landing, "behaviour/2023-02.csv", BEHAVIOUR_HEADER + "\n".join(rows) + "\n")
    _, whole = _ingest(landing, lake, "behaviour")
    silver_whole, quarantine_whole = _silver(lake, "behaviour"), _quarantine(lake, "behaviour")
    (whole_part,) = lake.parts("silver", "behaviour", "2023-02")

    logic_slice_rows = logic.SILVER_SLICE_ROWS
    monkeypatch.setattr(logic, "SILVER_SLICE_ROWS", 2)
    t = table("behaviour")
    context = load_rule_context(lake, [t], TZ, RUN_DATE)
    assert len(logic.SilverRules.load(t, TZ, context).slices(lake, "2023-02")) == 3
    sliced = build_silver(t, lake, TZ, context)

    assert silver_whole.get_column("event_id").to_list() == ["ev-1", "ev-2", "ev-3", "ev-4"]
    assert quarantine_whole.select("source_row", "reason_code").rows() == [(4, "duplicate_row"), (5, "duplicate_key")]
    assert "repeats behaviour/2023-02.csv row 2 exactly" in quarantine_whole["reason_message"][0]
    assert "repeats the key of behaviour/2023-02.csv row 3" in quarantine_whole["reason_message"][1]
    assert _silver(lake, "behaviour").drop("ingested_at").equals(silver_whole.drop("ingested_at"))
    assert _quarantine(lake, "behaviour").drop("ingested_at").equals(quarantine_whole.drop("ingested_at"))
    assert (sliced.bronze_rows, sliced.silver_rows, sliced.quarantined_rows) == (6, 4, 2)
    assert (whole.bronze_rows, whole.silver_rows, whole.quarantined_rows) == (6, 4, 2)
    # Sliced, each slice's silver rows are a part of their own (<the file's part>.<slice>), written as the
    # slice is done; validated whole again, the month is one part and the slice parts are gone.
    sliced_parts = lake.parts("silver", "behaviour", "2023-02")
    assert set(sliced_parts) <= {f"{whole_part}.{i}" for i in range(3)}
    assert sum(pl.read_parquet(p).height for p in sliced_parts.values()) == 4
    monkeypatch.setattr(logic, "SILVER_SLICE_ROWS", logic_slice_rows)
    build_silver(t, lake, TZ, context)
    assert set(lake.parts("silver", "behaviour", "2023-02")) == {whole_part}
    assert _silver(lake, "behaviour").drop("ingested_at").equals(silver_whole.drop("ingested_at"))
    # Slice parts are the file's parts too: removing the file withdraws them, whatever months the run has.
    monkeypatch.setattr(logic, "SILVER_SLICE_ROWS", 2)
    build_silver(t, lake, TZ, context)
    assert len(lake.parts("silver", "behaviour", "2023-02")) > 1
    (landing / "behaviour/2023-02.csv").unlink()
    _ingest(landing, lake, "behaviour", months=["2023-01"])
    assert lake.all_parts("silver", "behaviour") == [] and lake.all_parts("bronze", "behaviour") == []

"""The synthetic-group generator (generator/): determinism, the landing contract, the facts the demo
promises, the injected bad rows and plausible magnitudes.

Everything expected here is worked out from the written files with the test's own readers and
public facts (provinces and grids from the project's seeds, airports from `airportsdata`); nothing
calls the generator's helpers to re-derive an expected value.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from generator.group import generate

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"
DOCS = PROJECT_ROOT / "docs" / "demo_data.md"
FOLDERS = ("org/entities", "org/facilities", "org/headcount", "employees", "energy", "energy_instruments",
           "refrigerants", "fleet", "datacenter/telemetry", "datacenter/baselines", "travel", "commute", "materials",
           "behaviour", "credits")
ELECTRICITY_KWH_PER_UNIT = {"kwh": 1.0, "度": 1.0, "千瓦时": 1.0, "mwh": 1000.0, "万千瓦时": 10000.0}
NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+|\d{1,3}(,\d{3})+(\.\d*)?)$"


# --- reading what was written, independently of the generator ------------------------------------


def read_table(path: Path) -> pl.DataFrame:
    """Any landing file as text columns: CSV in UTF-8 (with or without BOM) or GB18030, XLSX, Parquet."""
    if path.suffix == ".parquet":
        return pl.read_parquet(path).with_columns(pl.all().cast(pl.String))
    if path.suffix == ".xlsx":
        return pl.read_excel(path, infer_schema_length=0)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    return pl.read_csv(io.StringIO(text), infer_schema=False)


def read_folder(root: Path, folder: str) -> pl.DataFrame:
    frames = [read_table(p).with_columns(pl.lit(p.relative_to(root).as_posix()).alias("file"))
              for p in sorted((root / folder).rglob("*")) if p.is_file()]
    return pl.concat(frames, how="diagonal_relaxed")


def file_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def seed_csv(relative: str) -> list[dict[str, str]]:
    with (SEEDS / relative).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "landing"
    generate(scale="demo", years=(2021, 2023), seed=7, out_dir=out)
    return out


@pytest.fixture(scope="module")
def facilities(demo) -> pl.DataFrame:
    aliases = {r["province_alias"]: r["province_iso"] for r in seed_csv("reference/cn_province_aliases.csv")}
    grids = {r["province_iso"]: r["grid_region_id"] for r in seed_csv("reference/cn_province_grid_regions.csv")}
    frame = read_folder(demo, "org/facilities")
    iso = frame["province"].fill_null("").str.strip_chars().str.to_lowercase().replace_strict(aliases, default=None)
    return frame.with_columns(iso.alias("iso"), iso.replace_strict(grids, default=None).alias("grid"))


# --- determinism and the output folder -----------------------------------------------------------


def test_same_seed_gives_the_same_bytes_and_another_seed_differs(tmp_path):
    first, again, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(scale="demo", years=(2022, 2022), seed=7, out_dir=first)
    generate(scale="demo", years=(2022, 2022), seed=7, out_dir=again)
    generate(scale="demo", years=(2022, 2022), seed=8, out_dir=other)
    hashes = file_hashes(first)
    assert len(hashes) > 50
    assert hashes == file_hashes(again)
    differing = {name for name, digest in file_hashes(other).items() if hashes.get(name) != digest}
    assert {"employees/BANK.csv", "energy/BANK/2022.csv", "behaviour/2022/2022-06.parquet"} <= differing
    assert len(differing) > 0.8 * len(hashes)


def test_rerun_replaces_its_own_output_and_refuses_a_foreign_folder(tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty"):
        generate(scale="demo", years=(2022, 2022), seed=7, out_dir=foreign)
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]

    out = tmp_path / "landing"
    generate(scale="demo", years=(2022, 2022), seed=7, out_dir=out)
    before = file_hashes(out)
    (out / "energy" / "stale.csv").write_text("record_id\nold\n")
    (out / "README.txt").write_text("the user's own file")
    generate(scale="demo", years=(2022, 2022), seed=7, out_dir=out)
    after = file_hashes(out)
    assert "energy/stale.csv" not in after
    assert after.pop("README.txt") and after == before


# --- the landing contract ------------------------------------------------------------------------


def test_every_landing_folder_has_files_and_the_marker(demo):
    for folder in FOLDERS:
        assert any(p.is_file() for p in (demo / folder).rglob("*")), folder
    assert (demo / ".carbonledger-generated").is_file()
    assert len([p for p in demo.rglob("*") if p.is_file()]) < 300


def test_encodings_and_formats_are_mixed_as_real_files_are(demo):
    csvs = sorted(demo.rglob("*.csv"))
    gb18030 = []
    for path in csvs:
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            gb18030.append(path)
            assert re.search(r"[\u4e00-\u9fff]", raw.decode("gb18030"))  # Chinese text, in GB18030
    assert gb18030
    assert any(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in csvs)  # Excel's "CSV UTF-8" BOM
    workbooks = sorted(demo.rglob("*.xlsx"))
    assert workbooks
    energy_book = next(p for p in workbooks if p.parts[-3] == "energy")
    typed = pl.read_excel(energy_book)  # numbers stored as numbers, dates as text
    assert typed.schema["quantity"] == pl.Float64
    assert typed.schema["period_start"] == pl.String
    behaviour = sorted((demo / "behaviour").rglob("*.parquet"))
    assert len(behaviour) == 36 and behaviour[0].relative_to(demo).as_posix() == "behaviour/2021/2021-01.parquet"
    assert pq.ParquetFile(behaviour[0]).metadata.row_group(0).column(0).compression == "ZSTD"


def test_energy_periods_run_from_first_to_last_day(demo):
    energy = read_folder(demo, "energy").with_columns(
        pl.col("period_start").str.to_date(strict=False).alias("start"),
        pl.col("period_end").str.to_date(strict=False).alias("end"),
    ).filter(pl.col("start").is_not_null() & pl.col("end").is_not_null() & (pl.col("end") >= pl.col("start")))
    assert (energy["start"].dt.day() == 1).all()
    assert (energy["end"] == energy["end"].dt.month_end()).all()
    assert set(energy["data_source"]) == {"meter", "invoice", "landlord_allocation", "estimate"}
    units = set(energy.filter(pl.col("energy_type") == "electricity")["unit"])
    assert {"kWh", "度", "MWh", "万千瓦时"} <= units


# --- the group the issue asks for ----------------------------------------------------------------


def test_entities_form_a_group_with_a_joint_venture_an_associate_and_an_acquisition(demo):
    entities = {r["entity_id"]: r for r in read_table(demo / "org/entities/entities.csv").iter_rows(named=True)}
    assert entities["GRP"]["relationship_type"] == "root" and not entities["GRP"]["parent_entity_id"]
    kinds = Counter(r["relationship_type"] for r in entities.values())
    assert kinds["subsidiary"] >= 6 and kinds["joint_venture"] == 1 and kinds["associate"] == 1
    jv = next(r for r in entities.values() if r["relationship_type"] == "joint_venture")
    assert float(jv["equity_share_pct"]) == 50 and jv["operational_control"] == "false"
    lines = {r["business_line"] for r in entities.values()}
    assert {"banking", "life_insurance", "property_insurance", "securities", "asset_management", "technology"} <= lines
    joined_during = [r for r in entities.values() if "2021-01-01" < r["valid_from"] <= "2023-12-31"]
    assert len(joined_during) == 1  # the structural change for base-year recalculation


def test_sites_cover_20_provinces_all_seven_grids_hong_kong_and_london(facilities, demo):
    mainland = facilities.filter(pl.col("country") == "CN")
    assert mainland["iso"].null_count() == 0  # every spelling is one the pipeline accepts
    assert mainland["iso"].n_unique() >= 20
    assert mainland["grid"].drop_nulls().n_unique() == 7
    assert facilities.filter((pl.col("country") == "HK") & (pl.col("province") == "香港")).height == 1
    assert facilities.filter((pl.col("country") == "GB") & (pl.col("city") == "London")).height == 1
    spellings = set(mainland["province"])
    assert spellings & {"北京", "上海"} and spellings & {"Beijing", "Guangdong"}
    assert any(s.startswith("CN-") for s in spellings)
    data_centres = facilities.filter(pl.col("facility_type") == "data_center")["facility_id"].to_list()
    assert len(data_centres) >= 3
    telemetry = read_folder(demo, "datacenter/telemetry")
    assert set(telemetry["facility_id"]) == set(data_centres)


def test_data_centres_have_plausible_pue_and_invoices_match_telemetry(demo):
    telemetry = read_folder(demo, "datacenter/telemetry").with_columns(
        pl.col("it_energy_kwh").cast(pl.Float64), pl.col("facility_energy_kwh").cast(pl.Float64),
        pl.col("interval_start").str.slice(0, 7).alias("month"),
    ).unique(subset=["facility_id", "interval_start"], keep="first")
    assert (telemetry["interval_minutes"] == "15").all()
    yearly = telemetry.group_by("facility_id", pl.col("month").str.slice(0, 4).alias("year")).agg(
        (pl.col("facility_energy_kwh").sum() / pl.col("it_energy_kwh").sum()).alias("pue"))
    assert yearly["pue"].min() > 1.15 and yearly["pue"].max() < 1.7
    assert yearly.filter(pl.col("pue") < 1.32).height >= 1  # the newer site
    baselines = read_table(demo / "datacenter/baselines/baselines.csv")
    assert set(baselines["baseline_basis"]) <= {"measured_pre_retrofit", "design_standard", "other"}
    invoices = read_folder(demo, "energy").filter(pl.col("facility_id").str.contains("-DC")
                                                  & (pl.col("energy_type") == "electricity"))
    invoices = invoices.select("facility_id", pl.col("period_start").str.slice(0, 7).alias("month"),
                               pl.col("quantity").cast(pl.Float64).alias("invoiced"))
    metered = telemetry.group_by("facility_id", "month").agg(pl.col("facility_energy_kwh").sum().alias("metered"))
    joined = invoices.join(metered, on=["facility_id", "month"])
    assert joined.height == invoices.height > 0
    assert ((joined["invoiced"] / joined["metered"] - 1).abs() < 0.01).all()


def test_headcount_is_the_employees_on_the_books_at_each_month_end(demo):
    employees = read_folder(demo, "employees").with_columns(
        pl.col("hire_date").str.to_date(), pl.col("leave_date").str.to_date(strict=False))
    assert employees["employee_id"].is_unique().all()
    assert {"name", "phone"} <= set(employees.columns)
    headcount = read_folder(demo, "org/headcount")
    for row in headcount.sample(40, seed=1).iter_rows(named=True):
        month_end = pl.Series([f"{row['period']}-01"]).str.to_date().dt.month_end()[0]
        on_books = employees.filter(
            (pl.col("entity_id") == row["entity_id"]) & (pl.col("hire_date") <= month_end)
            & (pl.col("leave_date").is_null() | (pl.col("leave_date") >= month_end)))
        assert on_books.height == int(row["headcount"]), row


def test_magnitudes_are_those_of_a_financial_group(demo):
    headcount = read_folder(demo, "org/headcount").with_columns(pl.col("headcount").cast(pl.Int64))
    employees_by_year = headcount.group_by(pl.col("period").str.slice(0, 4).alias("year"), "period").agg(
        pl.col("headcount").sum()).group_by("year").agg(pl.col("headcount").mean().alias("employees"))
    energy = read_folder(demo, "energy").filter(pl.col("energy_type") == "electricity")
    energy = energy.filter(pl.col("quantity").str.contains(NUMBER) & ~pl.col("quantity").str.starts_with("-"))
    kwh = energy.with_columns(
        (pl.col("quantity").str.replace_all(",", "").cast(pl.Float64)
         * pl.col("unit").str.to_lowercase().replace_strict(ELECTRICITY_KWH_PER_UNIT, default=None)).alias("kwh"),
        pl.col("period_start").str.slice(0, 4).alias("year"),
    ).group_by("year").agg(pl.col("kwh").sum())
    per_year = kwh.join(employees_by_year, on="year").with_columns(
        (pl.col("kwh") * 0.55 / 1000).alias("t_co2"),
    ).with_columns((pl.col("t_co2") / pl.col("employees")).alias("t_per_employee")).sort("year")
    assert per_year.height == 3
    assert per_year["employees"].is_between(2_800, 3_500).all()
    assert per_year["t_per_employee"].is_between(0.5, 2.0).all()
    assert per_year["t_co2"].is_between(1_000, 10_000).all()  # a few thousand tonnes


# --- behaviour, travel and the seed ----------------------------------------------------------------


def test_behaviour_events_use_the_codes_of_the_seed(demo):
    seed = {r["behaviour_code"]: r for r in seed_csv("accounts/behaviour_codes.csv")}
    assert list(next(iter(seed.values()))) == ["behaviour_code", "scenario", "description_en", "description_zh",
                                               "default_unit", "is_quantified", "notes"]
    aliases = {r["unit_alias"] for r in seed_csv("reference/unit_conversions.csv")}
    assert all(r["default_unit"].lower() in aliases for r in seed.values())
    columns = ["account_id", "scenario", "behaviour_code", "unit"]
    events = pl.concat([pl.read_parquet(p, columns=columns) for p in sorted((demo / "behaviour").rglob("*.parquet"))]
                       ).with_columns(pl.all().cast(pl.String))
    assert events.height > 500_000
    known = events.filter(pl.col("behaviour_code").is_in(list(seed)))
    assert set(known["unit"].str.to_lowercase()) <= aliases
    happened = known.select("scenario", "behaviour_code").unique()
    assert (happened["scenario"] == happened["behaviour_code"].replace_strict(
        {c: r["scenario"] for c, r in seed.items()})).all()
    card = happened.filter(pl.col("scenario") == "bank_card")["behaviour_code"].to_list()
    assert len(card) == 21 and sum(seed[c]["is_quantified"] == "true" for c in card) == 9
    employee = happened.filter(pl.col("scenario") == "employee")["behaviour_code"].to_list()
    assert len(employee) >= 15 and any(seed[c]["is_quantified"] == "false" for c in employee)
    staff = set(read_folder(demo, "employees")["employee_id"])
    employee_accounts = set(events.filter(pl.col("scenario") == "employee")["account_id"])
    assert employee_accounts <= staff  # the employee scenario's account is the staff number
    assert events.filter(pl.col("scenario") == "bank_card")["account_id"].n_unique() > 5_000


def test_travel_flies_between_real_airports(demo):
    import airportsdata

    airports = airportsdata.load("IATA")
    travel = read_folder(demo, "travel")
    air = travel.filter(pl.col("mode") == "air")
    codes = set(air["origin"]) | set(air["destination"])
    assert {"PEK", "SHA", "SZX", "HKG"} <= codes and len(codes - set(airports)) == 2  # the injected city codes
    assert air["cabin_class"].value_counts().sort("count")["cabin_class"][-1] == "economy"
    assert air["distance_km"].null_count() > 0.8 * air.height  # left to the pipeline's great-circle distance
    ground = travel.filter(pl.col("mode").is_in(["rail", "high_speed_rail", "car", "taxi", "bus"]))
    assert ground["distance_km"].null_count() == 0
    assert set(travel["mode"]) == {"air", "rail", "high_speed_rail", "car", "taxi", "bus", "hotel"}
    assert (travel.filter(pl.col("mode") == "hotel")["nights"].cast(pl.Int64) > 0).all()


# --- the injected bad rows ------------------------------------------------------------------------


def documented_bad_rows() -> Counter:
    """(file, reason_code) -> rows, from the table in docs/demo_data.md."""
    text = DOCS.read_text(encoding="utf-8")
    table = text.split("## Injected bad rows", 1)[1].split("\n## ", 1)[0]
    found: Counter = Counter()
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[1].startswith("`") and cells[2].isdigit():
            found[(cells[1].strip("`"), cells[3].strip("`"))] += int(cells[2])
    return found


def recounted_bad_rows(root: Path) -> Counter:
    """Every row of the written files that breaks a rule, found by this test's own reading."""
    import airportsdata

    found: Counter = Counter()

    def count(frame: pl.DataFrame, condition: pl.Expr, reason: str) -> None:
        for file, n in frame.filter(condition).group_by("file").len().iter_rows():
            found[(file, reason)] += n

    def duplicates(frame: pl.DataFrame, key: list[str], exact_reason: str = "duplicate_row") -> None:
        """A row repeating an earlier row's key: exact_reason if it repeats that row exactly, else duplicate_key."""
        content = [c for c in frame.columns if c != "file"]
        first = frame.unique(subset=key, keep="first", maintain_order=True).select(content)
        repeated = frame.filter(pl.int_range(pl.len()).over(key) > 0)
        exact = repeated.join(first, on=content, how="semi", nulls_equal=True)
        count(exact, pl.lit(True), exact_reason)
        count(repeated.join(exact, on=content, how="anti", nulls_equal=True), pl.lit(True), "duplicate_key")

    sites = set(read_folder(root, "org/facilities")["facility_id"])
    energy = read_folder(root, "energy").drop("备注", strict=False)
    count(energy, pl.col("quantity").str.starts_with("-"), "negative_quantity")
    count(energy, ~pl.col("facility_id").is_in(list(sites)), "unknown_facility")
    count(energy, (pl.col("energy_type") == "electricity")
          & ~pl.col("unit").str.to_lowercase().is_in(list(ELECTRICITY_KWH_PER_UNIT)), "unit_not_valid_for_type")
    count(energy, ~pl.col("quantity").str.contains(NUMBER), "not_a_float")
    count(energy, pl.col("period_end").str.to_date(strict=False) > date.today(), "future_date")
    count(energy, pl.col("period_end") < pl.col("period_start"), "end_before_start")
    duplicates(energy, ["record_id"])
    materials = read_folder(root, "materials")
    count(materials, pl.col("quantity").str.starts_with("-"), "negative_quantity")
    count(read_folder(root, "fleet"), ~pl.col("quantity").str.contains(NUMBER), "not_a_float")
    count(read_folder(root, "refrigerants"), ~pl.col("facility_id").is_in(list(sites)), "unknown_facility")
    telemetry = read_folder(root, "datacenter/telemetry")
    count(telemetry, pl.col("facility_energy_kwh").cast(pl.Float64) < pl.col("it_energy_kwh").cast(pl.Float64),
          "implausible_pue")
    duplicates(telemetry, ["facility_id", "interval_start"])
    travel = read_folder(root, "travel")
    airports = list(airportsdata.load("IATA"))
    count(travel, (pl.col("mode") == "air") & ~pl.col("origin").is_in(airports), "unknown_airport")
    count(travel, (pl.col("mode") == "air") & ~pl.col("destination").is_in(airports), "unknown_airport")
    duplicates(travel, ["trip_id"])
    count(read_folder(root, "commute"), pl.col("one_way_km").cast(pl.Float64) > 200, "implausible_distance")
    behaviour = pl.concat([  # every column (a repeat is told apart from a copy by its content): 1.5 million rows
        pl.read_parquet(p).with_columns(
            pl.col(pl.Categorical, pl.Enum).cast(pl.String),
            pl.lit(p.relative_to(root).as_posix()).alias("file"))
        for p in sorted((root / "behaviour").rglob("*.parquet"))], how="diagonal_relaxed")
    codes = [r["behaviour_code"] for r in seed_csv("accounts/behaviour_codes.csv")]
    count(behaviour, ~pl.col("behaviour_code").is_in(codes), "unknown_behaviour")
    count(behaviour, (pl.col("unit") == "step") & (pl.col("quantity") > 200_000), "implausible_quantity")
    # Event ids are unique per month (one file): an exact copy is duplicate_row, a changed repeat duplicate_key.
    duplicates(behaviour, ["file", "event_id"])
    return found


def test_injected_bad_rows_are_exactly_those_documented(demo):
    documented = documented_bad_rows()
    assert sum(documented.values()) >= 20
    assert recounted_bad_rows(demo) == documented
    total_rows = sum(read_table(p).height for p in demo.rglob("*.*") if p.suffix in (".csv", ".xlsx"))
    assert sum(documented.values()) < 0.001 * total_rows

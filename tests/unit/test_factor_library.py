"""The emission-factor library (dbt_project/seeds/factors): structure, catalogue and published values.

Expected numbers are copied from the published tables (DESNZ/BEIS flat files, EPA GHG Emission
Factors Hub, IPCC 2006, the Chinese default-parameter table, IPCC AR4/AR5/AR6) and written here as
literals with the arithmetic in a comment; none is re-derived with the seeds under test. See
docs/methodology.md, "Emission-factor library".
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FACTORS = ROOT / "dbt_project" / "seeds" / "factors"
BRIDGES = ROOT / "dbt_project" / "seeds" / "reference" / "factor_unit_bridges.csv"
CABIN_CLASSES = ROOT / "dbt_project" / "seeds" / "reference" / "scope3_air_cabin_classes.csv"

EF_COLUMNS = ["factor_id", "factor_set", "activity", "activity_variant", "geography", "gas", "kg_per_unit",
              "activity_unit", "gwp_set", "data_year", "valid_from", "valid_to", "publisher", "source",
              "source_url", "verification", "uncertainty_pct", "notes"]
SET_COLUMNS = ["factor_set", "activity", "geography_level", "data_year", "publisher", "scope2_method",
               "verification", "description"]
GASES = {"CO2", "CH4", "N2O", "CO2e", "rf_uplift"}
LEVELS = {"national", "grid_region", "province", "country", "egrid_subregion", "global"}


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _ef_files() -> list[Path]:
    return sorted(FACTORS.glob("ef_*.csv"))


def _set_files() -> list[Path]:
    return sorted(FACTORS.glob("factor_sets_*.csv"))


@pytest.fixture(scope="module")
def factors() -> list[dict[str, str]]:
    rows = []
    for path in _ef_files():
        rows += [dict(row, _file=path.name) for row in _read(path)[1]]
    return rows


@pytest.fixture(scope="module")
def sets() -> list[dict[str, str]]:
    rows = []
    for path in _set_files():
        rows += [dict(row, _file=path.name) for row in _read(path)[1]]
    return rows


@pytest.fixture(scope="module")
def by_id(factors) -> dict[str, dict[str, str]]:
    return {row["factor_id"]: row for row in factors}


def value(by_id, factor_id: str) -> float:
    return float(by_id[factor_id]["kg_per_unit"])


# ------------------------------------------------------------------------------------------------
# Structure and catalogue
# ------------------------------------------------------------------------------------------------

def test_every_family_has_rows_and_a_catalogue():
    families = {p.name[len("ef_"):-len(".csv")] for p in _ef_files()}
    catalogued = {p.name[len("factor_sets_"):-len(".csv")] for p in _set_files()}
    assert families == catalogued
    assert {"cn_electricity", "gb_electricity", "us_electricity", "fuels", "heat", "travel",
            "materials_waste"} <= families


@pytest.mark.parametrize("path", _ef_files(), ids=lambda p: p.name)
def test_ef_seed_columns(path):
    assert _read(path)[0] == EF_COLUMNS


@pytest.mark.parametrize("path", _set_files(), ids=lambda p: p.name)
def test_factor_set_seed_columns(path):
    assert _read(path)[0] == SET_COLUMNS


def test_every_seed_is_under_two_megabytes():
    for path in FACTORS.glob("*.csv"):
        assert path.stat().st_size < 2_000_000, path.name


def test_factor_ids_unique_across_the_library(factors):
    seen: dict[str, str] = {}
    for row in factors:
        assert row["factor_id"] not in seen, f"{row['factor_id']} in {row['_file']} and {seen[row['factor_id']]}"
        seen[row["factor_id"]] = row["_file"]


def test_factor_sets_unique_across_catalogues(sets):
    names = [row["factor_set"] for row in sets]
    assert len(names) == len(set(names)), sorted(n for n in set(names) if names.count(n) > 1)


def test_every_row_has_a_catalogued_set_and_every_set_has_rows(factors, sets):
    catalogue = {row["factor_set"]: row for row in sets}
    used = defaultdict(set)
    for row in factors:
        assert row["factor_set"] in catalogue, f"{row['factor_id']}: set {row['factor_set']} not catalogued"
        used[row["factor_set"]].add(row["activity"])
    assert set(catalogue) == set(used), sorted(set(catalogue) ^ set(used))
    for name, activities in used.items():
        # One set covers one activity: the policy pins sets per activity (pipelines/policy.py).
        assert activities == {catalogue[name]["activity"]}, name


def test_catalogue_values(sets):
    for row in sets:
        assert row["geography_level"] in LEVELS, row["factor_set"]
        assert row["scope2_method"] in ("", "location_based", "market_based"), row["factor_set"]
        int(row["data_year"])
        assert row["description"] and row["publisher"], row["factor_set"]


def test_rows_numeric_dated_and_typed(factors):
    for row in factors:
        fid = row["factor_id"]
        assert float(row["kg_per_unit"]) >= 0, fid
        if row["uncertainty_pct"]:
            assert float(row["uncertainty_pct"]) >= 0, fid
        assert row["gas"] in GASES, fid
        if row["gas"] in ("CO2e", "rf_uplift"):
            assert row["gwp_set"] in ("AR4", "AR5", "AR6"), fid
        else:
            assert row["gwp_set"] == "", fid
        start, end = dt.date.fromisoformat(row["valid_from"]), dt.date.fromisoformat(row["valid_to"])
        assert start <= end, fid
        assert int(row["data_year"]) == start.year, fid
        for column in ("factor_set", "activity", "geography", "activity_unit", "publisher", "source"):
            assert row[column], (fid, column)


def test_units_are_bridged_and_never_double_counted(factors):
    """A row's unit must be reachable from a canonical activity unit, and within one set no canonical unit
    may reach two factor units of the same activity/variant/place/gas (it would be counted twice)."""
    bridges = defaultdict(set)
    for row in _read(BRIDGES)[1]:
        bridges[row["from_unit"]].add(row["to_unit"])
    reachable = set().union(*bridges.values())
    units = defaultdict(set)
    for row in factors:
        assert row["activity_unit"] in reachable, (row["factor_id"], row["activity_unit"])
        units[(row["factor_set"], row["activity"], row["activity_variant"], row["geography"], row["gas"])].add(
            row["activity_unit"])
    for key, found in units.items():
        for source_unit, targets in bridges.items():
            assert len(found & targets) <= 1, (key, source_unit, found & targets)


def test_one_row_per_set_variant_place_gas_and_unit(factors):
    keys = [(r["factor_set"], r["activity_variant"], r["geography"], r["gas"], r["activity_unit"]) for r in factors]
    assert len(keys) == len(set(keys))


def test_per_gas_sets_are_complete(factors):
    """Where a set publishes a gas split, each variant/place/unit has CO2, CH4 and N2O together."""
    gases = defaultdict(set)
    for r in factors:
        if r["gas"] in ("CO2", "CH4", "N2O"):
            gases[(r["factor_set"], r["activity_variant"], r["geography"], r["activity_unit"])].add(r["gas"])
    for key, found in gases.items():
        if key[0].startswith("cn_mee") or key[0].startswith("cn_ets") or key[0].startswith("cn_ndrc"):
            assert found == {"CO2"}, key  # published as CO2 only
        else:
            assert found == {"CO2", "CH4", "N2O"}, key


def test_policy_validator_sees_the_library():
    from pipelines.policy import known_factor_sets

    library = known_factor_sets()
    assert library["defra_2023_air_travel"]["activity"] == "air_travel"
    assert library["desnz_2024_gb_electricity"]["scope2_method"] == "location_based"
    assert library["egrid_2022"]["geography_level"] == "egrid_subregion"
    assert library["cn_fuel_defaults_2011_natural_gas"]["activity"] == "natural_gas"
    assert library["defra_2024_hotel"]["geography_level"] == "country"


def test_example_policy_pins_exist(sets):
    policy = yaml.safe_load((ROOT / "carbonledger.example.yml").read_text(encoding="utf-8"))
    catalogue = {row["factor_set"] for row in sets}
    for by_year in policy["emission_factors"]["pins"].values():
        for pinned in by_year.values():
            for name in [pinned] if isinstance(pinned, str) else pinned:
                assert name in catalogue, name


def test_air_cabin_class_variants_exist_in_every_air_set(factors):
    wanted = {row["factor_variant"] for row in _read(CABIN_CLASSES)[1]}
    variants = defaultdict(set)
    for r in factors:
        if r["activity"] in ("air_travel", "air_travel_wtt"):
            variants[r["factor_set"]].add(r["activity_variant"])
    assert len(variants) == 6  # 2022, 2023, 2024 x (direct, wtt)
    for name, found in variants.items():
        assert wanted <= found, (name, wanted - found)


# ------------------------------------------------------------------------------------------------
# Spot values from the published sources
# ------------------------------------------------------------------------------------------------

def test_china_fuel_defaults_reproduce_the_published_factors(by_id):
    # NCV (kJ/unit) x carbon content (tC/TJ) x oxidation x 44/12 / 1e6, against the published
    # '各种能源折标准煤及碳排放参考系数' column (4 significant figures or better):
    #   natural gas 38,931 kJ/m3 x 15.3 x 0.99 x 44/12 / 1e6 = 2.16219 -> published 2.1622 kg CO2/m3
    #   diesel      42,652 kJ/kg x 20.2 x 0.98 x 44/12 / 1e6 = 3.09591 -> published 3.0959 kg CO2/kg
    #   gasoline    43,070 x 18.9 x 0.98 x 44/12 / 1e6 = 2.92506 -> 2.9251;  LPG 50,179 x 17.2 x 0.98 ... -> 3.1013
    #   fuel oil    41,816 x 21.1 x 0.98 x 44/12 / 1e6 = 3.17046 -> 3.1705;  raw coal 20,908 x 26.37 x 0.94 -> 1.9003
    published = {"natural_gas": 2.1622, "diesel": 3.0959, "gasoline": 2.9251, "lpg": 3.1013, "fuel_oil": 3.1705,
                 "coal": 1.9003}
    for fuel, kg in published.items():
        got = value(by_id, f"cn_fuel_defaults_2011_{fuel}_stationary_co2")
        assert got == pytest.approx(kg, rel=5e-5), fuel
    assert by_id["cn_fuel_defaults_2011_natural_gas_stationary_co2"]["activity_unit"] == "m3"
    assert by_id["cn_fuel_defaults_2011_diesel_mobile_co2"]["activity_unit"] == "kg"
    assert value(by_id, "cn_fuel_defaults_2011_diesel_mobile_co2") == pytest.approx(3.0959, rel=5e-5)


def test_china_fuel_ch4_n2o_from_ipcc_tables_on_chinese_ncv(by_id):
    # IPCC 2006 Vol.2 Table 2.3 (commercial/institutional) natural gas CH4 5 kg/TJ:
    #   5 x 38,931 kJ/m3 / 1e9 = 0.000194655 kg CH4/m3
    assert value(by_id, "cn_fuel_defaults_2011_natural_gas_stationary_ch4") == pytest.approx(0.000194655, rel=1e-9)
    # Table 2.3 oil N2O 0.6 kg/TJ: 0.6 x 42,652 kJ/kg / 1e9 = 2.55912e-5 kg N2O/kg diesel
    assert value(by_id, "cn_fuel_defaults_2011_diesel_stationary_n2o") == pytest.approx(2.55912e-5, rel=1e-9)
    # Table 3.2.2 (road) gas/diesel oil N2O 3.9 kg/TJ: 3.9 x 42,652 / 1e9 = 1.663428e-4 kg N2O/kg
    assert value(by_id, "cn_fuel_defaults_2011_diesel_mobile_n2o") == pytest.approx(1.663428e-4, rel=1e-9)
    # Table 3.2.2 motor gasoline (low-mileage light duty, 1995+) CH4 3.8 kg/TJ: 3.8 x 43,070 / 1e9 = 1.63666e-4
    assert value(by_id, "cn_fuel_defaults_2011_gasoline_mobile_ch4") == pytest.approx(1.63666e-4, rel=1e-9)
    # Table 2.3 coal CH4 10 kg/TJ: 10 x 20,908 kJ/kg / 1e9 = 2.0908e-4 kg CH4/kg raw coal
    assert value(by_id, "cn_fuel_defaults_2011_coal_stationary_ch4") == pytest.approx(2.0908e-4, rel=1e-9)


def test_ipcc_2006_defaults_agree_with_table_1_4(by_id):
    # IPCC 2006 Vol.2 Table 1.4 default CO2 emission factors (kg CO2/TJ): natural gas 56,100; gas/diesel oil
    # 74,100; motor gasoline 69,300. Per kg: 74,100 x 43.0 GJ/t (Table 1.2) / 1e6 = 3.1863 kg CO2/kg diesel;
    # 69,300 x 44.3 / 1e6 = 3.06999 kg CO2/kg gasoline. Table 1.4 rounds carbon content x 44/12, so 0.1%.
    assert value(by_id, "ipcc_2006_natural_gas_stationary_co2") == pytest.approx(56100, rel=1e-3)
    assert by_id["ipcc_2006_natural_gas_stationary_co2"]["activity_unit"] == "TJ"
    assert value(by_id, "ipcc_2006_diesel_stationary_co2") == pytest.approx(3.1863, rel=1e-3)
    assert value(by_id, "ipcc_2006_gasoline_mobile_co2") == pytest.approx(3.06999, rel=1e-3)
    assert by_id["ipcc_2006_diesel_stationary_co2"]["geography"] == "*"
    # Table 2.3 natural gas N2O 0.1 kg/TJ, Table 3.2.2 CNG CH4 92 kg/TJ
    assert value(by_id, "ipcc_2006_natural_gas_stationary_n2o") == pytest.approx(0.1)
    assert value(by_id, "ipcc_2006_natural_gas_mobile_ch4") == pytest.approx(92)


def test_desnz_2023_uk_electricity_per_gas_rebuilds_the_published_total(by_id):
    # DESNZ 2023 'UK electricity > Electricity generated > Electricity: UK', kWh (IDs 7_400_4000_5_1..4):
    # total 0.207074288591 kg CO2e = CO2 0.20496 + CH4 0.000896 + N2O 0.0012182885906 (kg CO2e, AR5);
    # stored per gas: CH4 0.000896 / 28 = 3.2e-5 kg, N2O 0.0012182885906 / 265 = 4.59731543623e-6 kg.
    co2 = value(by_id, "desnz_2023_gb_electricity_gb_co2")
    ch4 = value(by_id, "desnz_2023_gb_electricity_gb_ch4")
    n2o = value(by_id, "desnz_2023_gb_electricity_gb_n2o")
    assert co2 == pytest.approx(0.20496, abs=1e-12)
    assert ch4 == pytest.approx(3.2e-5, rel=1e-9)
    assert co2 + ch4 * 28 + n2o * 265 == pytest.approx(0.207074288591, abs=1e-6)


def test_desnz_2024_and_beis_2022_electricity(by_id):
    # DESNZ 2024: 0.20705 = 0.20493 + 0.0009 + 0.00122 (AR5: CH4 28, N2O 265)
    total_2024 = (value(by_id, "desnz_2024_gb_electricity_gb_co2") + value(by_id, "desnz_2024_gb_electricity_gb_ch4") * 28
                  + value(by_id, "desnz_2024_gb_electricity_gb_n2o") * 265)
    assert total_2024 == pytest.approx(0.20705, abs=1e-6)
    # BEIS 2022 uses AR4 GWPs (its 'Kyoto protocol products' rows give Methane 25, Nitrous oxide 298):
    # 0.19338 = 0.19121 + 0.0008 + 0.00137 -> CH4 0.0008 / 25 = 3.2e-5 kg, N2O 0.00137 / 298 = 4.5973e-6 kg
    assert value(by_id, "desnz_2022_gb_electricity_gb_ch4") == pytest.approx(0.0008 / 25, rel=1e-9)
    total_2022 = (value(by_id, "desnz_2022_gb_electricity_gb_co2") + value(by_id, "desnz_2022_gb_electricity_gb_ch4") * 25
                  + value(by_id, "desnz_2022_gb_electricity_gb_n2o") * 298)
    assert total_2022 == pytest.approx(0.19338, abs=1e-6)


def test_defra_per_gas_rows_rebuild_their_published_totals(factors):
    """Every DEFRA per-gas triple x the edition's GWPs equals the published CO2e total noted on the CO2 row."""
    gwp = {"2022": (25, 298), "2023": (28, 265), "2024": (28, 265)}  # BEIS 2022 = AR4; DESNZ 2023/2024 = AR5
    triples = defaultdict(dict)
    for r in factors:
        if r["publisher"].startswith(("BEIS", "DESNZ")) and r["gas"] in ("CO2", "CH4", "N2O"):
            triples[(r["factor_set"], r["activity_variant"], r["geography"], r["activity_unit"])][r["gas"]] = r
    assert len(triples) > 50
    for key, rows in triples.items():
        note = rows["CO2"]["notes"]
        published = float(note.split("row total ")[1].split(" ")[0])
        ch4_gwp, n2o_gwp = gwp[rows["CO2"]["data_year"]]
        scale = 1000 if "per tonne / 1000" in note else 1
        rebuilt = (float(rows["CO2"]["kg_per_unit"]) + float(rows["CH4"]["kg_per_unit"]) * ch4_gwp
                   + float(rows["N2O"]["kg_per_unit"]) * n2o_gwp) * scale
        assert rebuilt == pytest.approx(published, rel=2e-4, abs=2e-5), key


def test_defra_2024_long_haul_economy_without_rf_and_rf_uplift(by_id):
    # DESNZ 2024 'Business travel- air > Flights > Long-haul, to/from UK > Economy class', passenger.km:
    # without RF total 0.11812 = CO2 0.11712 + CH4 0.00001 + N2O 0.00099 (kg CO2e);
    # with RF total 0.20011 -> rf_uplift = 0.20011 - 0.11812 = 0.08199 kg CO2e per passenger.km
    stem = "defra_2024_air_travel_long_haul_economy"
    assert value(by_id, f"{stem}_co2") == pytest.approx(0.11712, abs=1e-12)
    assert value(by_id, f"{stem}_ch4") == pytest.approx(0.00001 / 28, rel=1e-9)
    assert value(by_id, f"{stem}_n2o") == pytest.approx(0.00099 / 265, rel=1e-9)
    assert value(by_id, f"{stem}_rf_uplift") == pytest.approx(0.08199, abs=1e-9)
    assert by_id[f"{stem}_co2"]["activity_variant"] == "long_haul|economy"
    assert by_id[f"{stem}_co2"]["activity_unit"] == "passenger_km"
    # long-haul average passenger: with RF 0.26128 - without RF 0.15423 = 0.10705
    assert value(by_id, "defra_2024_air_travel_long_haul_average_rf_uplift") == pytest.approx(0.10705, abs=1e-9)
    # WTT long-haul economy 2024: 0.02461 kg CO2e per passenger.km (ID 22_912_3171_11_1)
    assert value(by_id, "defra_2024_air_travel_wtt_long_haul_economy_co2e") == pytest.approx(0.02461)
    # DESNZ 2023 international (to/from non-UK) average without RF: total 0.103773783893 kg CO2e
    stem = "defra_2023_air_travel_international_average"
    total = value(by_id, f"{stem}_co2") + value(by_id, f"{stem}_ch4") * 28 + value(by_id, f"{stem}_n2o") * 265
    assert total == pytest.approx(0.103773783893, abs=1e-6)


def test_egrid_subregions_converted_from_lb_per_mwh(by_id):
    # EPA Hub 2024 Table 6 (eGRID2022), CAMX: 497.443 lb CO2/MWh x 0.45359237 kg/lb / 1000 = 0.225636349 kg/kWh;
    # CH4 0.03 lb/MWh -> 1.36077711e-5 kg/kWh; N2O 0.004 lb/MWh -> 1.81436948e-6 kg/kWh
    assert value(by_id, "egrid_2022_camx_co2") == pytest.approx(0.22563634931, rel=1e-9)
    assert value(by_id, "egrid_2022_camx_ch4") == pytest.approx(1.36077711e-5, rel=1e-9)
    assert value(by_id, "egrid_2022_camx_n2o") == pytest.approx(1.81436948e-6, rel=1e-9)
    assert by_id["egrid_2022_camx_co2"]["geography"] == "US-CAMX"
    # US average 823.149 lb/MWh -> 0.373374106 kg/kWh; EPA Hub 2025 (eGRID2023) NYUP 240.99 -> 0.109311225
    assert value(by_id, "egrid_2022_us_average_co2") == pytest.approx(0.37337410577, rel=1e-9)
    assert value(by_id, "egrid_2023_nyup_co2") == pytest.approx(0.10931122525, rel=1e-9)


def test_other_defra_spot_values(by_id):
    # Hotel stay, room per night (same in 2022-2024): China 53.5, Hong Kong 51.5, UK 10.4, United States 16.1
    assert value(by_id, "defra_2024_hotel_cn_co2e") == 53.5
    assert value(by_id, "defra_2024_hotel_hk_co2e") == 51.5
    assert value(by_id, "defra_2023_hotel_gb_co2e") == 10.4
    assert value(by_id, "defra_2022_hotel_us_co2e") == 16.1
    assert by_id["defra_2022_hotel_us_co2e"]["gwp_set"] == "AR4"
    # Paper and board: paper, primary material production 2024: 1339.31834 kg CO2e/t / 1000 per kg
    assert value(by_id, "defra_2024_paper_co2e") == pytest.approx(1.33931834, rel=1e-9)
    # Water supply 2023 0.176684546579 kg CO2e/m3; water treatment 2024 0.18574 kg CO2e/m3
    assert value(by_id, "defra_2023_water_supply_co2e") == pytest.approx(0.176684546579)
    assert value(by_id, "defra_2024_wastewater_co2e") == pytest.approx(0.18574)
    # Commercial and industrial waste to landfill 2023: 520.334743463 kg CO2e/t -> per kg
    assert value(by_id, "defra_2023_waste_general_co2e") == pytest.approx(0.520334743463, rel=1e-9)
    assert value(by_id, "defra_2023_waste_general_landfill_co2e") == pytest.approx(0.520334743463, rel=1e-9)
    # Natural gas 2024, cubic metres: CO2 2.0414, CH4 0.00307 kg CO2e / 28
    assert value(by_id, "defra_2024_natural_gas_stationary_m3_co2") == pytest.approx(2.0414)
    assert value(by_id, "defra_2024_natural_gas_stationary_m3_ch4") == pytest.approx(0.00307 / 28, rel=1e-9)
    # Average car, unknown fuel, 2024: 0.16574 kg CO2/km; National rail 2024: 0.0351 kg CO2/passenger.km
    assert value(by_id, "defra_2024_car_co2") == pytest.approx(0.16574)
    assert value(by_id, "defra_2024_rail_co2") == pytest.approx(0.0351)
    # UK electricity T&D 2024: CO2 0.01811 kg/kWh; WTT generation 2024 0.0459 kg CO2e/kWh
    assert value(by_id, "defra_2024_electricity_td_losses_gb_co2") == pytest.approx(0.01811)
    assert value(by_id, "defra_2024_electricity_wtt_gb_co2e") == pytest.approx(0.0459)


def test_china_heat_default(by_id):
    # NDRC enterprise accounting guidelines: heat supply 0.11 t CO2/GJ = 110 kg CO2/GJ
    assert value(by_id, "cn_ndrc_2013_purchased_heat_cn_co2") == 110
    assert by_id["cn_ndrc_2013_purchased_heat_cn_co2"]["activity_unit"] == "GJ"


# ------------------------------------------------------------------------------------------------
# GWPs, refrigerants, densities
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def gwp() -> dict[tuple[str, str], float]:
    rows = _read(FACTORS / "gwp_values.csv")[1]
    keys = [(r["gas"], r["gwp_set"]) for r in rows]
    assert len(keys) == len(set(keys))
    return {(r["gas"], r["gwp_set"]): float(r["gwp100"]) for r in rows}


def test_gwp_values(gwp):
    # IPCC AR4: CH4 25, N2O 298; AR5: CH4 28, N2O 265; AR6: N2O 273, CH4 fossil 29.8 and non-fossil 27.0
    # (AR6 WG1 Table 7.15); HFC-32 AR5 677, HFC-125 AR5 3170, SF6 AR5 23,500, HCFC-22 AR5 1760.
    assert gwp[("CH4", "AR4")] == 25 and gwp[("N2O", "AR4")] == 298
    assert gwp[("CH4", "AR5")] == 28 and gwp[("N2O", "AR5")] == 265
    assert gwp[("N2O", "AR6")] == 273
    assert gwp[("CH4_fossil", "AR6")] == 29.8
    assert gwp[("CH4_non_fossil", "AR6")] == 27.0
    assert gwp[("HFC-32", "AR5")] == 677 and gwp[("HFC-125", "AR5")] == 3170
    assert gwp[("SF6", "AR5")] == 23500 and gwp[("HCFC-22", "AR5")] == 1760
    for gas in ("CO2", "CH4", "N2O", "HFC-134a", "PFC-14", "SF6", "NF3", "HCFC-22"):
        for gwp_set in ("AR4", "AR5", "AR6"):
            assert (gas, gwp_set) in gwp, (gas, gwp_set)


def test_refrigerant_blends_match_published_blend_gwps(gwp):
    rows = _read(FACTORS / "refrigerant_blends.csv")[1]
    blends = defaultdict(list)
    for r in rows:
        blends[r["refrigerant"]].append((r["component_gas"], float(r["mass_fraction"])))
    for name, parts in blends.items():
        assert sum(f for _, f in parts) == pytest.approx(1.0), name
        for gas, _ in parts:
            for gwp_set in ("AR4", "AR5", "AR6"):
                assert (gas, gwp_set) in gwp, (name, gas, gwp_set)

    def blend(name, gwp_set):
        return sum(f * gwp[(gas, gwp_set)] for gas, f in blends[name])

    # Published blend GWPs (rounded to the unit): DESNZ 2023 / EPA Hub 2025 Table 12 (AR5) R-410A 1924,
    # R-404A 3943, R-407C 1624, R-507A 3985; BEIS 2022 (AR4) R-410A 2088, R-404A 3922, R-407C 1774.
    # By hand: R-410A AR5 0.5 x 677 + 0.5 x 3170 = 1923.5; R-404A AR5 0.44 x 3170 + 0.52 x 4800 + 0.04 x 1300 = 3942.8
    for name, gwp_set, published in (("R-410A", "AR5", 1924), ("R-404A", "AR5", 3943), ("R-407C", "AR5", 1624),
                                     ("R-507A", "AR5", 3985), ("R-410A", "AR4", 2088), ("R-404A", "AR4", 3922),
                                     ("R-407C", "AR4", 1774)):
        assert blend(name, gwp_set) == pytest.approx(published, abs=0.5), (name, gwp_set)
    assert blends["R-22"] == [("HCFC-22", 1.0)]
    assert blends["R-134a"] == [("HFC-134a", 1.0)]
    assert blends["R-32"] == [("HFC-32", 1.0)]


def test_refrigerant_aliases_unique_after_the_models_normalisation():
    # int_refrigerants_joined_to_gwp matches upper(input without spaces and hyphens) to upper(alias without
    # hyphens): two aliases that normalise alike would duplicate a top-up.
    rows = _read(FACTORS / "refrigerant_aliases.csv")[1]
    canonical = {r["refrigerant"] for r in _read(FACTORS / "refrigerant_blends.csv")[1]}
    keys = [r["alias"].upper().replace("-", "").replace(" ", "") for r in rows]
    assert len(keys) == len(set(keys))
    lookup = dict(zip(keys, (r["refrigerant"] for r in rows)))
    assert set(lookup.values()) <= canonical
    for spelling, name in (("R410A", "R-410A"), ("R-410A", "R-410A"), ("HFC-134a", "R-134a"), ("R134a", "R-134a"),
                           ("R-134a", "R-134a"), ("R22", "R-22"), ("HCFC-22", "R-22"), ("R-32", "R-32"),
                           ("HFC-227ea", "HFC-227ea"), ("FM-200", "HFC-227ea"), ("SF6", "SF6"), ("R-407C", "R-407C")):
        assert lookup[spelling.upper().replace("-", "").replace(" ", "")] == name, spelling


def test_fuel_densities():
    rows = {r["fuel"]: float(r["kg_per_litre"]) for r in _read(FACTORS / "fuel_densities.csv")[1]}
    # DESNZ 2024: diesel (100% mineral) 2.62818 kg CO2/litre / 3164.33 kg CO2/tonne x 1000 = 0.83056 kg/litre;
    # petrol (100% mineral) 2.33955 / 3135 x 1000 = 0.74627; LPG 1.55491 / 2935.18 x 1000 = 0.52975;
    # fuel oil 3.16262 / 3216.38 x 1000 = 0.98329
    assert rows == pytest.approx({"diesel": 0.8306, "gasoline": 0.7463, "lpg": 0.5297, "fuel_oil": 0.9833}, abs=1e-4)

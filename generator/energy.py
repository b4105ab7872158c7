"""Energy per facility (energy/): electricity everywhere, gas, generator diesel, district heat.

Electricity = floor area x intensity (100-150 kWh/m2 a year for offices), shaped by the climate
(summer cooling everywhere, electric heating south of the heating line), falling 1-5% a year at
each site (the group's efficiency programme), with 3% month-to-month noise. Data centres'
electricity is their metered monthly total (datacenter.py) as invoiced.

Every series covers every month of a year without overlaps, as the pipeline's gap check expects:
electricity and gas monthly; generator diesel (a test run a quarter) as quarterly lines; district
heat monthly in the heating season plus one zero line for the months the network is off.
Units, encodings and layouts differ by company, as the files of real offices do.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from generator.ids import rng_for
from generator.months import Month, day_number, months_of

# Month weights (January first) of cooling and heating demand.
COOLING = np.array([0, 0, 0, 0.1, 0.4, 0.8, 1.0, 1.0, 0.6, 0.2, 0, 0])
HEATING = np.array([1.0, 0.8, 0.4, 0, 0, 0, 0, 0, 0, 0, 0.5, 1.0])
# District heat by month in the heating season (15 Nov - 15 Mar; severe-cold regions Oct - Apr).
HEAT_SEASON = {"cold": np.array([0.27, 0.22, 0.11, 0, 0, 0, 0, 0, 0, 0, 0.15, 0.25]),
               "severe_cold": np.array([0.22, 0.19, 0.13, 0.05, 0, 0, 0, 0, 0, 0.05, 0.14, 0.22])}
HEAT_GJ_PER_M2 = {"cold": 0.30, "severe_cold": 0.45}
# How strongly each climate's electricity swings with cooling and (electric) heating.
CLIMATE_SWING = {"severe_cold": (0.10, 0.05), "cold": (0.25, 0.05), "hscw": (0.35, 0.20), "hsww": (0.45, 0.0),
                 "mild": (0.10, 0.05)}
HOT_WATER_SHARE = 0.3  # of a gas boiler's year, spread evenly (the rest follows heating demand)

# Units as each company writes them, with the number of decimals its system keeps.
ELECTRICITY_UNIT = {"GRP": "kWh", "BANK": "度", "LIFE": "kWh", "PROP": "万千瓦时", "SEC": "MWh", "AM": "kWh",
                    "TECH": "kWh", "JV": "度", "ASSOC": "kWh", "PENSION": "MWh"}
UNIT_KWH = {"kWh": 1.0, "度": 1.0, "MWh": 1000.0, "万千瓦时": 10000.0}
UNIT_DECIMALS = {"kWh": 1, "度": 0, "MWh": 3, "万千瓦时": 4, "m3": 1, "立方米": 0, "L": 0, "升": 0, "kg": 0, "GJ": 2,
                 "吉焦": 2}
CHINESE_STYLE = frozenset({"BANK", "PROP", "TECH", "PENSION", "GRP"})
TYPE_CODE = {"electricity": "E", "natural_gas": "G", "diesel": "D", "purchased_heat": "H"}
REMARK_ZH = {"electricity": "电费", "natural_gas": "燃气费", "diesel": "发电机柴油", "purchased_heat": "采暖费"}
# Per-facility workbooks: the P&C insurer's head office sends its own spreadsheet, as do data centres.
XLSX_SITES = frozenset({"PROP-F0001"})


def build_energy(facilities: pl.DataFrame, dc_monthly: pl.DataFrame, years: tuple[int, int], seed: int
                 ) -> pl.DataFrame:
    """Every energy line, with its amount in canonical units in `_canonical` (kWh, m3, litres/kg, GJ)."""
    rng = rng_for(seed, "energy")
    months = months_of(years)
    grid = _SiteMonths(facilities, months)
    lines = [
        grid.monthly(_electricity(grid, rng), "electricity"),
        grid.monthly(_gas(grid, rng), "natural_gas"),
        grid.quarterly(_diesel(grid, rng), "diesel"),
        _heat_lines(grid, _heat(grid, rng)),
    ]
    rows = pl.concat([line for line in lines if not line.is_empty()])
    site_facts = facilities.select("facility_id", "entity_id", "facility_name", "tenure", "country").with_row_index(
        "_site").with_columns(pl.col("_site").cast(pl.Int64))
    rows = rows.join(site_facts, on="_site", how="left").drop("_site")
    if not dc_monthly.is_empty():
        rows = pl.concat([rows, _data_centre_lines(facilities, dc_monthly, rng).select(rows.columns)])
    # One draw per site, so a site keeps its data source (meter, invoice, landlord) all along.
    site_draw = pl.DataFrame({"facility_id": facilities["facility_id"].sort(),
                              "_site_draw": rng.integers(0, 100, facilities.height)})
    return _with_units_and_sources(rows.join(site_draw, on="facility_id", how="left", maintain_order="left"), rng)


class _SiteMonths:
    """Facility x month matrices and how to turn them into lines."""

    def __init__(self, facilities: pl.DataFrame, months: list[Month]):
        self.months = months
        self.n, self.m = facilities.height, len(months)
        self.calendar_month = np.array([mo.month for mo in months]) - 1
        self.year_offset = np.array([mo.year - months[0].year for mo in months])
        self.days = np.array([mo.days for mo in months])
        self.is_open = facilities["_opened"].cast(pl.Int32).to_numpy()[:, None] <= np.array(
            [day_number(mo.first_day) for mo in months])
        self.climate = facilities["_climate"].to_numpy()
        self.kind = facilities["_kind"].to_numpy()
        self.area = facilities["floor_area_m2"].to_numpy()
        self.staff = facilities["_planned_staff"].to_numpy()
        self.eui = facilities["_eui"].to_numpy()
        self.it_kw = facilities["_it_kw"].to_numpy()
        self.owned = facilities["tenure"].to_numpy() == "owned"
        self.data_centre = facilities["facility_type"].to_numpy() == "data_center"
        self.overseas = facilities["country"].to_numpy() != "CN"
        self.london = facilities["country"].to_numpy() == "GB"
        self.district_heat = facilities["_district_heat"].to_numpy()

    def _lines(self, site: np.ndarray, value: np.ndarray, start, end, year, period, energy_type: str) -> pl.DataFrame:
        return pl.DataFrame({
            "_site": site.astype(np.int64), "_value": value, "energy_type": energy_type,
            "period_start": start, "period_end": end, "_year": year, "_period": period,
        }, schema_overrides={"energy_type": pl.String, "_year": pl.Int64})

    def _facts(self, months: list[Month], label: str) -> dict[str, np.ndarray]:
        return {"start": np.array([mo.first_day.isoformat() for mo in months]),
                "end": np.array([mo.last_day.isoformat() for mo in months]),
                "year": np.array([mo.year for mo in months]),
                "period": np.array([label.format(y=mo.year, m=mo.month, q=mo.quarter) for mo in months])}

    def monthly(self, matrix: np.ndarray, energy_type: str) -> pl.DataFrame:
        site, col = np.nonzero(self.is_open & (matrix > 0))
        facts = self._facts(self.months, "{y}{m:02d}")
        return self._lines(site, matrix[site, col], facts["start"][col], facts["end"][col], facts["year"][col],
                           facts["period"][col], energy_type)

    def quarterly(self, matrix: np.ndarray, energy_type: str) -> pl.DataFrame:
        """Sum months into quarters; a site with any amount in a year gets a line for each open quarter."""
        quarters = self.m // 3
        by_quarter = (matrix * self.is_open).reshape(self.n, quarters, 3).sum(axis=2)
        open_quarter = self.is_open.reshape(self.n, quarters, 3).all(axis=2)
        reports = np.repeat(by_quarter.reshape(self.n, -1, 4).sum(axis=2) > 0, 4, axis=1)
        site, q = np.nonzero(open_quarter & reports)
        starts = self._facts(self.months[0::3], "{y}Q{q}")
        ends = self._facts(self.months[2::3], "")
        return self._lines(site, by_quarter[site, q], starts["start"][q], ends["end"][q], starts["year"][q],
                           starts["period"][q], energy_type)


def _electricity(grid: _SiteMonths, rng: np.random.Generator) -> np.ndarray:
    cool = np.array([CLIMATE_SWING[c][0] for c in grid.climate])[:, None]
    heat = np.array([CLIMATE_SWING[c][1] for c in grid.climate])[:, None]
    shape = (1 + cool * COOLING[grid.calendar_month] + heat * HEATING[grid.calendar_month]) * grid.days / 30.4375
    shape = shape / shape[:, :12].sum(axis=1, keepdims=True)  # a year of weights sums to 1
    yearly_cut = rng.uniform(0.01, 0.05, grid.n)[:, None]
    electricity = (grid.area * grid.eui)[:, None] * shape * (1 - yearly_cut) ** grid.year_offset
    return electricity * rng.normal(1.0, 0.03, (grid.n, grid.m)) * ~grid.data_centre[:, None]


def _gas(grid: _SiteMonths, rng: np.random.Generator) -> np.ndarray:
    """m3 (kWh in London): canteen cooking where staff eat on site, boilers in some southern owned offices."""
    n = grid.n
    some_regional = (grid.kind == "regional") & (rng.random(n) < 0.3)
    cooking = np.where(np.isin(grid.kind, ["head_office", "training"]) | some_regional, grid.staff * 1.5, 0.0)
    cooking = np.where(grid.kind == "canteen", grid.area * 0.6, cooking)
    boiler = np.where((grid.climate == "hscw") & grid.owned & (rng.random(n) < 0.4), grid.area * 1.2, 0.0)
    boiler = np.where(grid.london, grid.area * 95.0, boiler)  # a London gas bill is in kWh
    cooking = np.where(grid.london | grid.data_centre, 0.0, cooking)
    season = HOT_WATER_SHARE / 12 + (1 - HOT_WATER_SHARE) * HEATING[grid.calendar_month] / HEATING.sum()
    gas = cooking[:, None] * grid.days / 30.4375 + boiler[:, None] * season
    return gas * rng.normal(1.0, 0.05, (n, grid.m))


def _diesel(grid: _SiteMonths, rng: np.random.Generator) -> np.ndarray:
    """Litres (kg at data centres) burnt in one generator test a quarter."""
    n = grid.n
    some_regional = (grid.kind == "regional") & (rng.random(n) < 0.3)
    has_generator = (grid.kind == "head_office") | grid.data_centre | some_regional
    test_month = (grid.calendar_month[None, :] % 3) == rng.integers(0, 3, n)[:, None]
    litres = np.where(grid.data_centre[:, None], grid.it_kw[:, None] * rng.uniform(1.2, 2.0, (n, grid.m)),
                      rng.uniform(30, 180, (n, grid.m)))
    return np.where(has_generator[:, None] & test_month, litres, 0.0)


def _heat(grid: _SiteMonths, rng: np.random.Generator) -> np.ndarray:
    """GJ of district heat: owned northern sites (and leased ones whose landlord bills heat apart)."""
    district = grid.district_heat & (grid.owned | (rng.random(grid.n) < 0.3)) & ~grid.overseas & ~grid.data_centre
    heat = np.zeros((grid.n, grid.m))
    for zone, weights in HEAT_SEASON.items():
        in_zone = district & (grid.climate == zone)
        season = (grid.area * HEAT_GJ_PER_M2[zone])[:, None] * weights[grid.calendar_month]
        heat += np.where(in_zone[:, None], season, 0.0)
    return heat * rng.normal(1.0, 0.04, (grid.n, grid.m))


def _heat_lines(grid: _SiteMonths, heat: np.ndarray) -> pl.DataFrame:
    """Monthly lines in the season, and one zero line covering the months the network is off
    (from the site's first open month, for a site that joins the group in the off season)."""
    season = grid.monthly(heat, "purchased_heat")
    heated = np.nonzero((heat > 0).any(axis=1))[0]
    off_lines = []
    for year in sorted({mo.year for mo in grid.months}):  # a loop over years and the two climate zones
        for zone, weights in HEAT_SEASON.items():
            off = [grid.months.index(Month(year, i + 1)) for i, w in enumerate(weights) if w == 0]
            sites = heated[grid.climate[heated] == zone]
            open_off = grid.is_open[np.ix_(sites, off)]
            sites, first_open = sites[open_off.any(axis=1)], np.argmax(open_off[open_off.any(axis=1)], axis=1)
            starts = np.array([grid.months[c].first_day.isoformat() for c in off])[first_open]
            end = grid.months[off[-1]].last_day.isoformat()
            off_lines.append(grid._lines(sites, np.zeros(sites.size), starts, np.full(sites.size, end),
                                         np.full(sites.size, year), np.full(sites.size, f"{year}OFF"),
                                         "purchased_heat"))
    return pl.concat([season, *off_lines])


def _data_centre_lines(facilities: pl.DataFrame, dc_monthly: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The utility's monthly invoice of each data centre: its metered energy within +-0.4%."""
    invoiced = dc_monthly.with_columns(
        (pl.col("facility_energy_kwh") * pl.Series(rng.uniform(0.996, 1.004, dc_monthly.height))).alias("_value"),
        pl.col("_month").str.slice(0, 4).cast(pl.Int64).alias("_year"),
        pl.col("_month").str.replace("-", "").alias("_period"),
        (pl.col("_month") + "-01").alias("period_start"),
        pl.lit("electricity").alias("energy_type"),
    ).with_columns(pl.col("period_start").str.to_date().dt.month_end().cast(pl.String).alias("period_end"))
    facts = facilities.select("facility_id", "entity_id", "facility_name", "tenure", "country")
    return invoiced.join(facts, on="facility_id", how="left")


def _with_units_and_sources(rows: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    entity, energy_type = pl.col("entity_id"), pl.col("energy_type")
    is_dc = pl.col("facility_id").str.contains("-DC")
    chinese = entity.is_in(list(CHINESE_STYLE))
    unit = (
        pl.when((energy_type == "electricity") & is_dc).then(pl.lit("kWh"))
        .when(energy_type == "electricity").then(entity.replace_strict(ELECTRICITY_UNIT, default="kWh"))
        .when((energy_type == "natural_gas") & (pl.col("country") == "GB")).then(pl.lit("kWh"))
        .when(energy_type == "natural_gas").then(pl.when(chinese).then(pl.lit("立方米")).otherwise(pl.lit("m3")))
        .when((energy_type == "diesel") & is_dc).then(pl.lit("kg"))  # tankers deliver by weight
        .when(energy_type == "diesel").then(pl.when(entity == "BANK").then(pl.lit("升")).otherwise(pl.lit("L")))
        .otherwise(pl.when(entity.is_in(["BANK", "PENSION"])).then(pl.lit("吉焦")).otherwise(pl.lit("GJ")))
    )
    rows = rows.with_columns(unit.alias("unit"))
    # Electricity is generated in kWh; only its units need converting.
    per_unit = pl.when(energy_type == "electricity").then(
        pl.col("unit").replace_strict(UNIT_KWH, default=1.0, return_dtype=pl.Float64)).otherwise(1.0)
    decimals = pl.col("unit").replace_strict(UNIT_DECIMALS, default=2, return_dtype=pl.Int64)
    value = pl.col("_value") / per_unit
    rounded = pl.lit(None, dtype=pl.Float64)
    for places in sorted(set(UNIT_DECIMALS.values())):  # polars' round takes a constant
        rounded = pl.when(decimals == places).then(value.round(places)).otherwise(rounded)
    text = pl.when(decimals == 0).then(rounded.cast(pl.Int64).cast(pl.String)).otherwise(rounded.cast(pl.String))
    # The life insurer's export writes thousands separators ("12,345.6").
    text = pl.when((entity == "LIFE") & (energy_type == "electricity")).then(_thousands(rounded)).otherwise(text)

    owned = pl.col("tenure") == "owned"
    source = (
        pl.when(is_dc).then(pl.lit("invoice"))
        .when(owned & (pl.col("_site_draw") < 70)).then(pl.lit("meter"))
        .when(owned).then(pl.lit("invoice"))
        .when(pl.col("_site_draw") < 60).then(pl.lit("landlord_allocation"))
        .otherwise(pl.lit("invoice"))
    )
    # About 2% of monthly lines are estimates (the invoice had not arrived when the books closed).
    estimated = pl.Series(rng.random(rows.height) < 0.02) & (pl.col("_period").str.len_chars() == 6)
    source = pl.when(estimated & ~is_dc).then(pl.lit("estimate")).otherwise(source)

    xlsx = is_dc | pl.col("facility_id").is_in(list(XLSX_SITES))
    file = pl.when(xlsx).then(pl.format("{}/{}_{}.xlsx", entity, pl.col("facility_id"), pl.col("_year"))).otherwise(
        pl.format("{}/{}.csv", entity, pl.col("_year")))
    bank_csv = (entity == "BANK") & ~xlsx
    return rows.with_columns(
        pl.format("{}-{}-{}", pl.col("facility_id"), energy_type.replace_strict(TYPE_CODE), pl.col("_period"))
        .alias("record_id"),
        text.alias("quantity"),
        source.alias("data_source"),
        pl.when(bank_csv).then(pl.col("facility_name") + energy_type.replace_strict(REMARK_ZH)).alias("备注"),
        file.alias("_file"),
        pl.when(bank_csv).then(pl.lit("gb18030")).otherwise(pl.lit("utf-8")).alias("_encoding"),
    ).sort("_file", "facility_id", "energy_type", "period_start").select(
        "record_id", "facility_id", "period_start", "period_end", "energy_type", "quantity", "unit", "data_source",
        "备注", pl.col("_value").alias("_canonical"), "_file", "_encoding", pl.col("entity_id").alias("_entity_id"),
        pl.col("country").alias("_country"), "_year")


def _thousands(value: pl.Expr) -> pl.Expr:
    """12345.6 -> '12,345.6' (below a billion; `value` already has one decimal)."""
    whole = value.floor().cast(pl.Int64)
    tenths = ((value - value.floor()) * 10).round(0).cast(pl.Int64)
    millions, thousands, units = whole // 1_000_000, (whole // 1000) % 1000, whole % 1000
    pad = lambda e: e.cast(pl.String).str.zfill(3)  # noqa: E731
    integer = (
        pl.when(millions > 0).then(pl.format("{},{},{}", millions, pad(thousands), pad(units)))
        .when(thousands > 0).then(pl.format("{},{}", thousands, pad(units)))
        .otherwise(units.cast(pl.String))
    )
    return pl.format("{}.{}", integer, tenths)

"""Paper, water and waste per facility (materials/), monthly or quarterly as each company reports.

Per-employee rates of a Chinese financial office: about 20 kg of paper a year (falling 6% a year
as approvals go paperless), 15 m3 of water, 120 kg of general waste and 30 kg recycled; canteens
add food waste. Data centres report only water (evaporative cooling, about 1.2 L per IT kWh).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from generator.ids import rng_for
from generator.months import day_number, months_of

# material: (per employee per month, unit, what the number is in)
PER_EMPLOYEE_MONTH = {
    "paper": 1.7,  # kg
    "water_supply": 1.25,  # m3
    "waste_general": 10.0,  # kg
    "waste_recycled": 2.5,  # kg
}
FOOD_WASTE_KG_PER_M2_MONTH = 0.9  # canteen floor area drives food waste
WASTEWATER_SHARE = 0.85
DC_WATER_LITRES_PER_IT_KWH = 1.2
QUARTERLY = frozenset({"LIFE", "PROP", "JV", "ASSOC", "PENSION"})
TONNE_WRITERS = frozenset({"PROP", "PENSION"})  # write paper and waste in 吨
WATER_IN_TONNES = frozenset({"BANK"})  # Chinese water bills often say 吨 for m3
CODE = {"paper": "PAP", "water_supply": "WAT", "wastewater": "WWT", "waste_general": "WGN", "waste_recycled": "WRC",
        "waste_food": "WFD"}


def build_materials(facilities: pl.DataFrame, years: tuple[int, int], seed: int) -> pl.DataFrame:
    rng = rng_for(seed, "materials")
    months = months_of(years)
    n, m = facilities.height, len(months)
    staff = facilities["_planned_staff"].to_numpy()
    is_dc = facilities["facility_type"].to_numpy() == "data_center"
    kind = facilities["_kind"].to_numpy()
    area = facilities["floor_area_m2"].to_numpy()
    opened = facilities["_opened"].cast(pl.Int32).to_numpy()
    is_open = opened[:, None] <= np.array([day_number(mo.first_day) for mo in months])
    year_offset = np.array([mo.year - years[0] for mo in months])

    amounts: dict[str, np.ndarray] = {}
    noise = lambda: rng.normal(1.0, 0.08, (n, m))  # noqa: E731
    amounts["paper"] = staff[:, None] * PER_EMPLOYEE_MONTH["paper"] * 0.94 ** year_offset * noise()
    dc_water = facilities["_it_kw"].to_numpy() * 0.72 * 730 * DC_WATER_LITRES_PER_IT_KWH / 1000
    amounts["water_supply"] = np.where(is_dc, dc_water, staff * PER_EMPLOYEE_MONTH["water_supply"])[:, None] * noise()
    amounts["wastewater"] = amounts["water_supply"] * np.where(is_dc, 0.3, WASTEWATER_SHARE)[:, None]
    amounts["waste_general"] = staff[:, None] * PER_EMPLOYEE_MONTH["waste_general"] * noise()
    amounts["waste_recycled"] = staff[:, None] * PER_EMPLOYEE_MONTH["waste_recycled"] * 1.03 ** year_offset * noise()
    amounts["waste_food"] = np.where(kind == "canteen", area * FOOD_WASTE_KG_PER_M2_MONTH, 0.0)[:, None] * noise()
    for material in ("paper", "waste_general", "waste_recycled", "waste_food"):
        amounts[material] = np.where(is_dc[:, None], 0.0, amounts[material])

    frames = []
    for material, matrix in amounts.items():
        site, month = np.nonzero(is_open & (matrix > 0))
        frames.append(pl.DataFrame({"_site": site.astype(np.int64), "_m": month.astype(np.int64),
                                    "_value": matrix[site, month], "material": material}))
    rows = pl.concat(frames)
    month_facts = pl.DataFrame({
        "_m": np.arange(m, dtype=np.int64), "_year": [mo.year for mo in months],
        "_month_start": [mo.first_day.isoformat() for mo in months],
        "_month_end": [mo.last_day.isoformat() for mo in months],
        "_quarter": [mo.quarter for mo in months],
    })
    site_facts = facilities.select("facility_id", "entity_id").with_row_index("_site").with_columns(
        pl.col("_site").cast(pl.Int64))
    rows = rows.join(month_facts, on="_m").join(site_facts, on="_site")
    quarterly = pl.col("entity_id").is_in(list(QUARTERLY))
    rows = rows.with_columns(
        pl.when(quarterly).then(pl.format("{}Q{}", pl.col("_year"), pl.col("_quarter")))
        .otherwise(pl.col("_month_start").str.replace_all("-", "").str.slice(0, 6)).alias("_period"),
    ).group_by("facility_id", "entity_id", "material", "_period", "_year", maintain_order=True).agg(
        pl.col("_month_start").min().alias("period_start"), pl.col("_month_end").max().alias("period_end"),
        pl.col("_value").sum(),
    )
    return _with_units(rows)


def _with_units(rows: pl.DataFrame) -> pl.DataFrame:
    entity, material = pl.col("entity_id"), pl.col("material")
    water = material.is_in(["water_supply", "wastewater"])
    in_tonnes = (entity.is_in(list(TONNE_WRITERS)) & ~water) | (entity.is_in(list(WATER_IN_TONNES)) & water)
    unit = pl.when(in_tonnes).then(pl.lit("吨")).when(water).then(pl.lit("m3")).otherwise(pl.lit("kg"))
    quantity = pl.when(in_tonnes & ~water).then((pl.col("_value") / 1000).round(3)).otherwise(pl.col("_value").round(1))
    return rows.with_columns(
        pl.format("{}-{}-{}", pl.col("facility_id"), material.replace_strict(CODE), pl.col("_period"))
        .alias("record_id"),
        quantity.alias("quantity"),
        unit.alias("unit"),
        pl.format("{}/{}.csv", pl.col("_year"), entity).alias("_file"),
    ).sort("_file", "facility_id", "material", "period_start").select(
        "record_id", "facility_id", "period_start", "period_end", "material", "quantity", "unit", "_file")

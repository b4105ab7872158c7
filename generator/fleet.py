"""Company vehicles' fuel purchases (fleet/): the bank's diesel cash-in-transit vans and everyone's
petrol cars, a few fill-ups a month each, in the units each company's fuel-card export uses.
"""

from __future__ import annotations

import calendar

import numpy as np
import polars as pl

from generator.ids import rng_for, weighted_choice
from generator.months import day_number, months_of
from generator.org import ENTITIES_BY_ID, entity_valid_from
from generator.scales import Scale

# Share of the group's vehicles per entity (claims adjusters' cars make the P&C insurer's fleet large).
FLEET_SHARE = {"BANK": 0.35, "PROP": 0.25, "LIFE": 0.12, "SEC": 0.04, "GRP": 0.05, "TECH": 0.04, "JV": 0.03,
               "ASSOC": 0.02, "PENSION": 0.10}
UNIT = {"BANK": "升", "LIFE": "litres", "PENSION": "升"}  # others write "L"
PLATE_PREFIX = {"CN-SH": "沪A", "CN-GD": "粤B", "CN-BJ": "京A", "CN-ZJ": "浙A", "CN-SC": "川A", "CN-HB": "鄂A",
                "CN-TJ": "津A"}
PLATE_CHARACTERS = np.array(list("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"))


def build_fleet(scale: Scale, years: tuple[int, int], seed: int) -> pl.DataFrame:
    rng = rng_for(seed, "fleet")
    entity_ids = list(FLEET_SHARE)
    owner = np.array(entity_ids)[weighted_choice(rng, np.array(list(FLEET_SHARE.values())), scale.vehicles)]
    owner.sort(kind="stable")
    # Half the bank's vehicles are diesel vans; everything else runs on petrol.
    diesel = (owner == "BANK") & (rng.random(owner.size) < 0.5)
    # Distinct plate numbers: five characters of a 34-letter alphabet (no I or O), drawn without repeats.
    numbers = rng.choice(PLATE_CHARACTERS.size ** 5, owner.size, replace=False)
    base = PLATE_CHARACTERS.size
    digits = np.stack([(numbers // base**k) % base for k in range(4, -1, -1)], axis=1)
    tails = pl.DataFrame(PLATE_CHARACTERS[digits], orient="row").select(pl.concat_str(pl.all())).to_series()
    prefixes = pl.Series(owner).replace_strict({e: PLATE_PREFIX[ENTITIES_BY_ID[e].hq_province] for e in FLEET_SHARE})
    plates = (prefixes + tails).to_numpy()
    joined = pl.Series(owner).replace_strict(
        {e: day_number(entity_valid_from(ENTITIES_BY_ID[e], years)) for e in FLEET_SHARE}).to_numpy()

    frames = []
    for month in months_of(years):
        in_service = joined <= day_number(month.first_day)
        fills = rng.poisson(np.where(diesel, 4.0, 2.2)) * in_service
        vehicle = np.repeat(np.arange(owner.size), fills)
        day = rng.integers(1, calendar.monthrange(month.year, month.month)[1] + 1, vehicle.size)
        litres = np.where(diesel[vehicle], rng.uniform(55, 95, vehicle.size), rng.uniform(30, 55, vehicle.size))
        date_text = pl.select(pl.lit(f"{month.key}-") + pl.Series(day).cast(pl.String).str.zfill(2)).to_series()
        frames.append(pl.DataFrame({"_vehicle": vehicle.astype(np.int64), "date": date_text,
                                    "quantity": np.round(litres, 2)}).with_columns(pl.lit(month.year).alias("_year")))
    fills = pl.concat(frames).sort("date", "_vehicle")
    entity = pl.Series(owner).gather(fills["_vehicle"])
    return fills.with_columns(
        entity.alias("entity_id"),
        pl.Series(plates).gather(fills["_vehicle"]).alias("vehicle_id"),
        pl.Series(np.where(diesel, "diesel", "gasoline")).gather(fills["_vehicle"]).alias("fuel_type"),
        entity.replace_strict(UNIT, default="L").alias("unit"),
    ).with_columns(
        pl.format("{}-FL-{}-{}", pl.col("entity_id"), pl.col("date").str.replace_all("-", ""),
                  pl.int_range(1, pl.len() + 1).over("entity_id", "date").cast(pl.String).str.zfill(3)
                  ).alias("record_id"),
        pl.format("{}/{}.csv", pl.col("_year"), pl.col("entity_id")).alias("_file"),
    ).select("record_id", "entity_id", "vehicle_id", "date", "fuel_type", "quantity", "unit", "_file")

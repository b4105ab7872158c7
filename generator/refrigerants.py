"""Refrigerant and fire-suppressant events (refrigerants/): what a facilities team logs.

Offices top up split and VRF systems (R-410A), older sites still run R-22 (an HCFC, being
recovered as units are replaced), new units arrive charged with R-32, head-office chillers use
HFC-134a; data centres top up HFC-227ea fire suppression and SF6 in their switchgear, and the new
data centre's suppression system is charged when it opens.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from generator.ids import rng_for
from generator.months import day_number, year_list

# (refrigerant, event, which sites, chance per site and year, kg low, kg high)
EVENTS = (
    ("R-410A", "top_up", "office", 0.30, 1.5, 8.0),
    ("R-22", "top_up", "old_office", 0.20, 3.0, 12.0),
    ("R-22", "recovered", "old_office", 0.06, 5.0, 20.0),
    ("R-32", "new_equipment_charge", "office", 0.08, 0.8, 4.5),
    ("HFC-134a", "top_up", "head_office", 0.50, 10.0, 40.0),
    ("HFC-227ea", "top_up", "data_center", 0.60, 5.0, 30.0),
    ("SF6", "top_up", "data_center", 0.50, 0.5, 3.0),
)
OLD_SITE_BEFORE = date(2010, 1, 1)


def build_refrigerants(facilities: pl.DataFrame, years: tuple[int, int], seed: int) -> pl.DataFrame:
    rng = rng_for(seed, "refrigerants")
    opened = facilities["_opened"].cast(pl.Int32).to_numpy()
    facility_type = facilities["facility_type"].to_numpy()
    groups = {
        "office": (facility_type != "data_center"),
        "old_office": (facility_type != "data_center") & (opened < day_number(OLD_SITE_BEFORE)),
        "head_office": facilities["_kind"].to_numpy() == "head_office",
        "data_center": facility_type == "data_center",
    }
    frames = []
    for year in year_list(years):
        first, last = day_number(date(year, 1, 1)), day_number(date(year, 12, 31))
        for refrigerant, event, group, chance, low, high in EVENTS:
            chosen = np.nonzero(groups[group] & (rng.random(facilities.height) < chance))[0]
            open_from = np.maximum(opened[chosen], first)
            chosen, open_from = chosen[open_from <= last], open_from[open_from <= last]
            day = open_from + (rng.random(chosen.size) * (last - open_from + 1)).astype(np.int64)
            frames.append(pl.DataFrame({
                "_site": chosen.astype(np.int64), "_day": day.astype(np.int32), "refrigerant": refrigerant,
                "kg": np.round(rng.uniform(low, high, chosen.size), 2), "event": event,
            }, schema_overrides={"refrigerant": pl.String, "event": pl.String}))
        # A data centre that opens in the year has its suppression system charged in the first week.
        new = np.nonzero(groups["data_center"] & (opened >= first) & (opened <= last))[0]
        it_kw = facilities["_it_kw"].to_numpy()[new]
        frames.append(pl.DataFrame({
            "_site": new.astype(np.int64), "_day": (opened[new] + 3).astype(np.int32), "refrigerant": "HFC-227ea",
            "kg": np.round(np.minimum(it_kw * 1.5, 2000.0), 1), "event": "new_equipment_charge",
        }, schema_overrides={"refrigerant": pl.String, "event": pl.String}))
    events = pl.concat(frames).sort("_day", "_site", "refrigerant")
    ids = facilities["facility_id"]
    return events.with_columns(
        ids.gather(events["_site"]).alias("facility_id"),
        pl.col("_day").cast(pl.Date).cast(pl.String).alias("date"),
        pl.col("_day").cast(pl.Date).dt.year().alias("_year"),
    ).with_columns(
        (pl.lit("RF-") + pl.col("_year").cast(pl.String) + "-"
         + pl.int_range(1, pl.len() + 1).over("_year").cast(pl.String).str.zfill(5)).alias("record_id"),
        (pl.col("_year").cast(pl.String) + ".csv").alias("_file"),
    ).select("record_id", "facility_id", "date", "refrigerant", "kg", "event", "_file")

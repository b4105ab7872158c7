"""The annual commuting survey (commute/): one answer per responding employee, each September.

Each company runs it on its own day; 40-70% of staff answer, differently per company and city.
Mode shares follow the city: metro dominates in the four tier-1 cities, cars and e-bikes elsewhere;
technology and asset-management staff work from home more.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from generator import geography as geo
from generator.ids import rng_for, weighted_choice
from generator.months import year_list
from generator.org import ENTITIES
from generator.workforce import active_mask

MODES = ("metro", "bus", "car", "e_bike", "bicycle", "walk", "ride_hailing", "carpool", "taxi", "motorcycle", "rail",
         "remote")
# Mode shares (same order as MODES) by kind of city.
SHARES = {
    "tier1": (0.48, 0.14, 0.10, 0.07, 0.04, 0.05, 0.04, 0.02, 0.01, 0.00, 0.03, 0.02),
    "metro": (0.22, 0.25, 0.20, 0.14, 0.04, 0.06, 0.03, 0.02, 0.01, 0.01, 0.00, 0.02),
    "other": (0.00, 0.24, 0.28, 0.26, 0.05, 0.08, 0.03, 0.02, 0.01, 0.02, 0.00, 0.01),
}
# Median one-way km per mode (lognormal spread).
MEDIAN_KM = {"metro": 11.0, "bus": 8.0, "car": 12.0, "e_bike": 5.0, "bicycle": 3.0, "walk": 1.0, "ride_hailing": 9.0,
             "carpool": 12.0, "taxi": 8.0, "motorcycle": 8.0, "rail": 30.0, "remote": 0.0}
HYBRID_ENTITIES = frozenset({"TECH", "AM"})


def build_commute(employees: pl.DataFrame, years: tuple[int, int], seed: int) -> pl.DataFrame:
    rng = rng_for(seed, "commute")
    city = employees["_city_zh"].to_numpy()
    kind = np.where(np.isin(city, list(geo.TIER1_CITIES)), "tier1",
                    np.where(np.isin(city, list(geo.METRO_CITIES)), "metro", "other"))
    frames = []
    for year in year_list(years):
        for number, entity in enumerate(ENTITIES):
            survey_day = date(year, 9, 8 + number)
            mine = employees["entity_id"].to_numpy() == entity.entity_id
            staff = np.nonzero(active_mask(employees, survey_day) & mine)[0]
            if staff.size == 0:
                continue
            # Response rate per city of this company: 40-70%.
            cities, city_of = np.unique(city[staff], return_inverse=True)
            rate = rng.uniform(0.4, 0.7, cities.size)[city_of]
            respondents = staff[rng.random(staff.size) < rate]
            frames.append(_answers(rng, respondents, kind, entity.entity_id, survey_day))
    answers = pl.concat(frames)
    people = employees.select("employee_id", "entity_id", pl.col("_city_zh").alias("city")).with_row_index("_who")
    return answers.join(people.with_columns(pl.col("_who").cast(pl.Int64)), on="_who", how="left").select(
        "employee_id", "entity_id", "city", "survey_date", "mode", "one_way_km", "days_per_week",
        "remote_days_per_week", "_file")


def _answers(rng: np.random.Generator, who: np.ndarray, kind: np.ndarray, entity_id: str, day: date) -> pl.DataFrame:
    n = who.size
    mode = np.empty(n, dtype=object)
    for city_kind, shares in SHARES.items():  # a loop over three kinds of city
        here = np.nonzero(kind[who] == city_kind)[0]
        mode[here] = np.array(MODES)[weighted_choice(rng, np.array(shares), here.size)]
    median = pl.Series(mode.astype(str)).replace_strict(MEDIAN_KM, return_dtype=pl.Float64).to_numpy()
    km = np.round(np.minimum(median * rng.lognormal(0.0, 0.5, n), 120.0), 1)
    hybrid = (0.5, 0.3, 0.2) if entity_id in HYBRID_ENTITIES else (0.8, 0.15, 0.05)
    remote_days = weighted_choice(rng, np.array(hybrid), n).astype(np.float64)
    fully_remote = mode == "remote"
    return pl.DataFrame({
        "_who": who.astype(np.int64),
        "survey_date": pl.repeat(day.isoformat(), n, eager=True, dtype=pl.String),
        "mode": mode.astype(str),
        "one_way_km": np.where(fully_remote, 0.0, km),
        "days_per_week": np.where(fully_remote, 0.0, 5.0 - remote_days),
        "remote_days_per_week": np.where(fully_remote, 5.0, remote_days),
        "_file": pl.repeat(f"survey_{day.year}.csv", n, eager=True, dtype=pl.String),
    })

"""Data centres: 15-minute telemetry (datacenter/telemetry) and PUE baselines (datacenter/baselines).

IT load follows utilisation (growing a few % a year; the new site ramps up over its first months)
with a small daily swing. PUE = the site's typical value + a summer cooling penalty (larger in hot
climates) + an afternoon bump + noise, and improves about 0.02 a year. The monthly sums of
facility energy (including intervals the telemetry lost) are what the utility invoices, so the
energy folder can carry the same electricity within 1%.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from generator import geography as geo
from generator.ids import rng_for
from generator.months import pick_year

INTERVAL_MINUTES = 15
# Summer cooling penalty on PUE by climate: free cooling works most of the year in cool regions.
SUMMER_PUE_SWING = {"hsww": 0.14, "hscw": 0.12, "cold": 0.08, "severe_cold": 0.06, "mild": 0.06}
# One site loses eight intervals of telemetry (a two-hour network outage) in March of the middle year.
OUTAGE_SITE, OUTAGE_INTERVALS = 1, 8


def _intervals(start: date, year: int) -> np.ndarray:
    """Local interval starts (numpy datetime64[m]) from `start` to the end of `year`."""
    first = np.datetime64(max(start, date(year, 1, 1)), "m")
    last = np.datetime64(date(year + 1, 1, 1), "m")
    return np.arange(first, last, np.timedelta64(INTERVAL_MINUTES, "m"))


def _site(dc_number: int) -> geo.DataCentreSite:
    return next(s for s in geo.DATA_CENTRES if s.number == dc_number)


def build_telemetry(facilities: pl.DataFrame, years: tuple[int, int], seed: int
                    ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(telemetry rows with `_file`, monthly metered facility kWh per site for the invoices)."""
    rng = rng_for(seed, "datacenter")
    data_centres = facilities.filter(pl.col("facility_type") == "data_center").sort("facility_id")
    telemetry, monthly = [], []
    outage_year = pick_year(years, 1)
    for dc in data_centres.iter_rows(named=True):  # a loop over sites, not rows
        site = _site(dc["_dc_number"])
        opened: date = dc["_opened"]
        swing = SUMMER_PUE_SWING[dc["_climate"]]
        for year in range(years[0], years[1] + 1):
            stamps = _intervals(opened, year)
            if stamps.size == 0:
                continue
            day_of_year = (stamps - np.datetime64(f"{year}-01-01", "m")).astype(np.float64) / 1440.0
            hour = (stamps.astype("datetime64[m]").astype(np.int64) % 1440) / 60.0
            months_open = (stamps - np.datetime64(opened, "m")).astype(np.float64) / (1440.0 * 30.4)
            utilisation = 0.72 * 1.03 ** (year - years[0])
            if opened.year >= years[0]:  # the new site fills up over its first nine months
                utilisation = utilisation * np.clip(0.35 + 0.65 * months_open / 9.0, 0.35, 1.0)
            daily = 1.0 + 0.04 * np.sin(2 * np.pi * (hour - 8.0) / 24.0)
            it_kwh = dc["_it_kw"] * utilisation * daily * rng.normal(1.0, 0.01, stamps.size) * INTERVAL_MINUTES / 60
            summer = 0.5 * (1 - np.cos(2 * np.pi * (day_of_year - 15.0) / 365.0))  # 0 mid-January, 1 mid-July
            afternoon = 0.5 * (1 + np.cos(2 * np.pi * (hour - 15.0) / 24.0))
            pue = (site.pue - 0.02 * (year - years[0]) + swing * (summer - 0.5) + 0.03 * (afternoon - 0.5)
                   + rng.normal(0.0, 0.008, stamps.size))
            frame = pl.DataFrame({
                "facility_id": pl.repeat(dc["facility_id"], stamps.size, eager=True, dtype=pl.String),
                "_start": stamps.astype("datetime64[us]"),
                "interval_minutes": pl.repeat(INTERVAL_MINUTES, stamps.size, eager=True, dtype=pl.Int64),
                "it_energy_kwh": np.round(it_kwh, 3),
                "facility_energy_kwh": np.round(it_kwh * pue, 3),
            }).with_columns(
                pl.col("_start").dt.strftime("%Y-%m-%d %H:%M:%S").alias("interval_start"),
                pl.col("_start").dt.strftime("%Y-%m").alias("_month"),
                pl.lit(f"{dc['facility_id']}/{year}.csv").alias("_file"),
            )
            monthly.append(frame.group_by("facility_id", "_month").agg(pl.col("facility_energy_kwh").sum()))
            if dc["_dc_number"] == OUTAGE_SITE and year == outage_year:
                lost = frame["_month"].eq(f"{year}-03").arg_true()[500: 500 + OUTAGE_INTERVALS]
                frame = frame.with_row_index("_row").filter(~pl.col("_row").is_in(lost.implode())).drop("_row")
            telemetry.append(frame.select("facility_id", "interval_start", "interval_minutes", "it_energy_kwh",
                                          "facility_energy_kwh", "_file"))
    if not telemetry:
        return pl.DataFrame(), pl.DataFrame()
    return pl.concat(telemetry), pl.concat(monthly).sort("facility_id", "_month")


def build_baselines(facilities: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for dc in facilities.filter(pl.col("facility_type") == "data_center").sort("facility_id").iter_rows(named=True):
        site = _site(dc["_dc_number"])
        rows.append({"facility_id": dc["facility_id"], "baseline_pue": site.baseline_pue,
                     "baseline_basis": site.baseline_basis, "baseline_source": site.baseline_source,
                     "electricity_price_cny_per_kwh": site.price_cny_per_kwh, "_file": "baselines.csv"})
    return pl.DataFrame(rows)

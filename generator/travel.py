"""Business travel (travel/): the travel agency's monthly export of trip segments and hotel stays.

A trip leaves from the employee's city to a mainland city (weighted to head-office hubs) or abroad;
the mode follows the distance (car or bus for short hops, high-speed rail up to about 800 km, air
beyond); it returns after its nights at a hotel, sometimes with a taxi at the destination. Flights
carry real IATA codes (checked against `airportsdata`) and mostly no distance, so the pipeline
computes the great-circle distance itself; ground segments carry their road or rail distance.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from generator import geography as geo
from generator.ids import rng_for, weighted_choice
from generator.months import day_number, year_list
from generator.workforce import NO_LEAVE

# Trips per employee and year: front-office and head-office staff travel most.
TRIPS_PER_EMPLOYEE = {"GRP": 1.0, "BANK": 0.3, "LIFE": 0.35, "PROP": 0.4, "SEC": 0.7, "AM": 0.9, "TECH": 0.5,
                      "JV": 0.3, "ASSOC": 0.35, "PENSION": 0.3}
YEARLY_CHANGE = 0.97  # a few % fewer trips each year (video conferencing)
INTERNATIONAL_SHARE = 0.06
ROAD_DETOUR, RAIL_DETOUR = 1.3, 1.2  # ground distance over great-circle distance
CNY_PER_KM = {"economy": 0.75, "premium_economy": 1.1, "business": 2.1, "first": 3.0, "high_speed_rail": 0.46,
              "rail": 0.25, "car": 1.2, "bus": 0.3, "taxi": 2.6}
HOTEL_CNY_PER_NIGHT = {"tier1": 700.0, "other": 480.0, "abroad": 1400.0}


def _airports() -> pl.DataFrame:
    """Every airport the generator may use, with its city and coordinates (from airportsdata)."""
    import airportsdata

    known = airportsdata.load("IATA")
    mainland: dict[str, tuple[str, str, float]] = {}
    for province in geo.PROVINCES:
        for city in province.cities:
            if city.airport not in mainland:
                mainland[city.airport] = (city.zh, "CN", province.weight if city is province.cities[0] else 0.0)
    for code, (city, country, weight) in {"PVG": ("上海", "CN", 0.0), "PKX": ("北京", "CN", 0.0),
                                          "CIF": ("赤峰", "CN", 0.0)}.items():
        mainland.setdefault(code, (city, country, weight))
    rows = []
    for code, (city, country, weight) in mainland.items():
        rows.append((code, city, country, weight + geo.HUB_AIRPORT_WEIGHTS.get(code, 0.0), 0.0))
    for code, weight in geo.INTERNATIONAL_AIRPORTS:
        info = known[code]
        city = "香港" if code == "HKG" else info["city"]
        rows.append((code, city, info["country"], 0.0, weight))
    missing = [r[0] for r in rows if r[0] not in known]
    if missing:
        raise ValueError(f"airportsdata does not know {missing}: fix generator/geography.py")
    frame = pl.DataFrame(rows, schema=["iata", "city", "country", "domestic_weight", "abroad_weight"], orient="row")
    return frame.with_columns(
        *[pl.col("iata").replace_strict({c: known[c][axis] for c in frame["iata"]}, return_dtype=pl.Float64).alias(axis)
          for axis in ("lat", "lon")],
    )


def _great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def build_travel(employees: pl.DataFrame, years: tuple[int, int], seed: int) -> pl.DataFrame:
    rng = rng_for(seed, "travel")
    airports = _airports()
    code_index = {c: i for i, c in enumerate(airports["iata"])}
    lat, lon = airports["lat"].to_numpy(), airports["lon"].to_numpy()
    home = employees["_airport"].replace_strict(code_index, return_dtype=pl.Int64).to_numpy()
    rate = employees["entity_id"].replace_strict(TRIPS_PER_EMPLOYEE, return_dtype=pl.Float64).to_numpy()
    hire, leave = employees["_hire_day"].to_numpy(), employees["_leave_day"].to_numpy()
    frames = []
    for offset, year in enumerate(year_list(years)):
        first, last = day_number(date(year, 1, 1)), day_number(date(year, 12, 31))
        lo, hi = np.maximum(hire, first), np.minimum(np.where(leave == NO_LEAVE, last, leave), last)
        employed = np.clip(hi - lo + 1, 0, None) / (last - first + 1)
        trips = rng.poisson(rate * employed * YEARLY_CHANGE ** offset)
        who = np.repeat(np.arange(employees.height), trips)
        frames.append(_trips(rng, year, who, lo[who], hi[who], home[who], airports, lat, lon))
    legs = pl.concat(frames)
    people = employees.select("employee_id", "entity_id").with_row_index("_who").with_columns(
        pl.col("_who").cast(pl.Int64))
    day = pl.col("start_date")
    return legs.join(people, on="_who", how="left", maintain_order="left").with_columns(
        pl.format("{}/{}.csv", day.str.slice(0, 4), day.str.slice(0, 7)).alias("_file"),
    ).sort("_file", "trip_id").select(
        "trip_id", "employee_id", "entity_id", "start_date", "mode", "origin", "destination", "cabin_class",
        "distance_km", "nights", "country", "spend_cny", "_file")


def _trips(rng, year, who, lo, hi, home, airports, lat, lon) -> pl.DataFrame:
    n = who.size
    abroad = rng.random(n) < INTERNATIONAL_SHARE
    destination = np.where(abroad, weighted_choice(rng, airports["abroad_weight"].to_numpy(), n),
                           weighted_choice(rng, airports["domestic_weight"].to_numpy(), n))
    # A trip to one's own city goes to a head-office hub instead (the next hub if that is home too).
    hubs = np.array([airports["iata"].to_list().index(c) for c in ("PEK", "SHA", "SZX")])
    k = rng.integers(0, hubs.size, n)
    destination = np.where(destination == home, hubs[k], destination)
    destination = np.where(destination == home, hubs[(k + 1) % hubs.size], destination)
    km = _great_circle_km(lat[home], lon[home], lat[destination], lon[destination])
    country = airports["country"].to_numpy()[destination]
    # Across a border people fly, unless it is a short hop (Hong Kong - Shenzhen goes by car).
    foreign = (country != airports["country"].to_numpy()[home]) & (km >= 150)

    draw = rng.random(n)
    mode = np.select(
        [foreign, km < 150, km < 800, km < 1500],
        [np.full(n, "air"),
         np.where(draw < 0.5, "car", np.where(draw < 0.8, "high_speed_rail", "bus")),
         np.where(draw < 0.65, "high_speed_rail", np.where(draw < 0.95, "air", "rail")),
         np.where(draw < 0.6, "air", "high_speed_rail")],
        default="air",
    )
    # Mostly economy; business on a fifth of long-haul flights and a few domestic ones; first only long haul.
    long_haul = km > 3000
    u = rng.random(n)
    first = np.where(long_haul, 0.01, 0.0)
    business = first + np.where(long_haul, 0.20, 0.05)
    premium = business + np.where(long_haul, 0.05, 0.02)
    cabin = np.select([u < first, u < business, u < premium], ["first", "business", "premium_economy"], "economy")
    cabin = np.where(mode == "air", cabin, "")
    nights = np.where((km < 300) & (rng.random(n) < 0.5), 0, rng.geometric(0.45, n)) + np.where(foreign, 2, 0)
    # The whole trip falls while the traveller is employed and within the year (hi is at most 31 Dec);
    # a trip that cannot fit (someone hired on 30 December) is not made.
    start = lo + (rng.random(n) * np.maximum(hi - lo - nights + 1, 0)).astype(np.int64)
    fits = np.nonzero(hi - lo >= nights)[0]
    who, home, destination, km, country, foreign, mode, cabin, nights, start = (
        a[fits] for a in (who, home, destination, km, country, foreign, mode, cabin, nights, start))
    n = who.size

    city = airports["city"].to_numpy()
    ground = mode != "air"
    ground_km = np.round(km * np.where(np.isin(mode, ["car", "bus"]), ROAD_DETOUR, RAIL_DETOUR), 1)
    # Travel agencies report the flown distance on about one ticket in ten.
    air_km = np.where(rng.random(n) < 0.1, np.round(km, 0), np.nan)
    distance = np.where(ground, ground_km, air_km)
    per_km = pl.Series(np.where(ground, mode, cabin)).replace_strict(CNY_PER_KM, return_dtype=pl.Float64).to_numpy()
    fare = np.round(per_km * km * np.where(ground, 1.2, 1.0) + np.where(ground, 0.0, 200.0), 0)

    trip = np.arange(n)
    origin_code = airports["iata"].to_numpy()[home]
    dest_code = airports["iata"].to_numpy()[destination]
    place_from = np.where(ground, city[home], origin_code)
    place_to = np.where(ground, city[destination], dest_code)
    legs = [
        _legs(trip, who, start, mode, place_from, place_to, cabin, distance, None, country, fare, "1"),
        _legs(trip, who, start + nights, mode, place_to, place_from, cabin, distance, None, country,
              np.round(fare * rng.uniform(0.9, 1.1, n), 0), "2"),
    ]
    stays = nights > 0
    tier1 = np.isin(city[destination], list(geo.TIER1_CITIES))
    tier = np.where(country != "CN", "abroad", np.where(tier1, "tier1", "other"))
    hotel_rate = pl.Series(tier).replace_strict(HOTEL_CNY_PER_NIGHT, return_dtype=pl.Float64).to_numpy()
    h = np.nonzero(stays)[0]
    legs.append(_legs(trip[h], who[h], start[h], np.full(h.size, "hotel"), np.full(h.size, ""), city[destination][h],
                      np.full(h.size, ""), np.full(h.size, np.nan), nights[h], country[h],
                      np.round(hotel_rate[h] * nights[h] * rng.uniform(0.85, 1.15, h.size), 0), "H"))
    t = np.nonzero(rng.random(n) < 0.3)[0]
    taxi_km = np.round(rng.uniform(8, 35, t.size), 1)
    taxi_fare = np.round(taxi_km * CNY_PER_KM["taxi"] + 14, 0)
    legs.append(_legs(trip[t], who[t], start[t], np.full(t.size, "taxi"), city[destination][t], city[destination][t],
                      np.full(t.size, ""), taxi_km, None, country[t], taxi_fare, "T"))
    frame = pl.concat(legs)
    # About one line in seven comes without a price (corporate card paid outside the agency).
    unpriced = pl.Series(rng.random(frame.height) < 0.15)
    trip_number = pl.col("_trip").cast(pl.String).str.zfill(7)
    return frame.with_columns(
        pl.when(unpriced).then(None).otherwise(pl.col("spend_cny")).alias("spend_cny"),
        pl.format("TR{}{}-{}", pl.lit(year), trip_number, pl.col("_leg")).alias("trip_id"),
    ).drop("_trip", "_leg")


def _legs(trip, who, day, mode, origin, destination, cabin, distance, nights, country, spend, leg) -> pl.DataFrame:
    return pl.DataFrame({
        "_trip": trip.astype(np.int64), "_who": who.astype(np.int64),
        "start_date": pl.Series(day.astype(np.int32)).cast(pl.Date).cast(pl.String),
        "mode": mode.astype(str), "origin": origin.astype(str), "destination": destination.astype(str),
        "cabin_class": pl.Series(cabin.astype(str)).replace("", None),
        "distance_km": pl.Series(distance, dtype=pl.Float64).fill_nan(None),
        "nights": (pl.Series(nights, dtype=pl.Int64) if nights is not None
                   else pl.repeat(None, trip.size, eager=True, dtype=pl.Int64)),
        "country": country.astype(str), "spend_cny": spend.astype(np.float64),
        "_leg": pl.repeat(leg, trip.size, eager=True, dtype=pl.String),
    })

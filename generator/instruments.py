"""Contractual instruments (energy_instruments/): green certificates, a green power trade with
serials, a UK supplier-specific tariff and rooftop PV, sized from the electricity generated.

China's green electricity certificates (GEC, 绿证) are issued per MWh, so a block of serials is as
long as its MWh. Certificates are cancelled for the entity that claims them.
"""

from __future__ import annotations

import polars as pl

from generator.ids import rng_for
from generator.months import year_list
from generator.scales import Scale

# Share of an entity's mainland electricity covered by certificates it buys and cancels.
CERTIFICATE_SHARE = {"BANK": 0.06, "LIFE": 0.04}
# Share of a data centre's electricity bought in a green power trade (绿电交易), with certificates.
GREEN_POWER_SHARE = {"TECH-DC02": 0.35, "TECH-DC03": 0.60}
LONDON_OFFICE = "GRP-F0003"
ROOFTOP_PV_SITE = "TECH-F0001"


def build_instruments(electricity: pl.DataFrame, scale: Scale, years: tuple[int, int], seed: int) -> pl.DataFrame:
    """`electricity`: the generated electricity rows (facility_id, _entity_id, _country, _year, _canonical kWh)."""
    rng = rng_for(seed, "instruments")
    next_serial = 100_000 + int(rng.integers(0, 900_000))
    rows = []

    def serials(mwh: int) -> tuple[str, str]:
        nonlocal next_serial
        first, last = next_serial, next_serial + mwh - 1
        next_serial = last + 1 + int(rng.integers(0, 5000))  # other buyers' certificates in between
        return f"GEC{first:012d}", f"GEC{last:012d}"

    mainland = electricity.filter(pl.col("_country") == "CN")
    by_entity = mainland.group_by(pl.col("_entity_id").alias("entity_id"), "_year").agg(
        pl.col("_canonical").sum().alias("kwh"))
    by_site = electricity.group_by("facility_id", "_year").agg(pl.col("_canonical").sum().alias("kwh"))

    def kwh_of(frame: pl.DataFrame, key: str, value: str, year: int) -> float:
        hit = frame.filter((pl.col(key) == value) & (pl.col("_year") == year))
        return float(hit["kwh"].sum()) if hit.height else 0.0

    for year in year_list(years):
        base = {"period_start": f"{year}-01-01", "period_end": f"{year}-12-31", "vintage_year": year,
                "_file": f"instruments_{year}.csv"}
        for entity, share in CERTIFICATE_SHARE.items():
            mwh = max(1, round(kwh_of(by_entity, "entity_id", entity, year) * share / 1000))
            first, last = serials(mwh)
            rows.append({**base, "instrument_id": f"GEC-{entity}-{year}", "entity_id": entity, "facility_id": "",
                         "instrument_type": "green_certificate", "mwh": float(mwh), "serial_start": first,
                         "serial_end": last, "supplier_factor_kg_per_kwh": None, "cancelled_for_entity": entity})
        for site, share in GREEN_POWER_SHARE.items():
            mwh = round(kwh_of(by_site, "facility_id", site, year) * share / 1000)
            if mwh < 1:
                continue
            first, last = serials(mwh)
            rows.append({**base, "instrument_id": f"GPT-{site}-{year}", "entity_id": "TECH", "facility_id": site,
                         "instrument_type": "green_power_trade", "mwh": float(mwh), "serial_start": first,
                         "serial_end": last, "supplier_factor_kg_per_kwh": None, "cancelled_for_entity": "TECH"})
        london_mwh = kwh_of(by_site, "facility_id", LONDON_OFFICE, year) / 1000
        if london_mwh > 0:
            # A renewable (REGO-backed) tariff: the supplier's fuel mix discloses zero emissions.
            rows.append({**base, "instrument_id": f"SUP-{LONDON_OFFICE}-{year}", "entity_id": "GRP",
                         "facility_id": LONDON_OFFICE, "instrument_type": "supplier_specific",
                         "mwh": round(london_mwh, 3), "serial_start": "", "serial_end": "",
                         "supplier_factor_kg_per_kwh": 0.0, "cancelled_for_entity": "GRP"})
        rows.append({**base, "instrument_id": f"PV-{ROOFTOP_PV_SITE}-{year}", "entity_id": "TECH",
                     "facility_id": ROOFTOP_PV_SITE, "instrument_type": "onsite_renewable",
                     "mwh": round(scale.onsite_pv_mwh * float(rng.normal(1.0, 0.04)), 1), "serial_start": "",
                     "serial_end": "", "supplier_factor_kg_per_kwh": None, "cancelled_for_entity": "TECH"})
    columns = ["instrument_id", "entity_id", "facility_id", "instrument_type", "period_start", "period_end", "mwh",
               "vintage_year", "serial_start", "serial_end", "supplier_factor_kg_per_kwh", "cancelled_for_entity",
               "_file"]
    return pl.DataFrame(rows).select(columns)

"""Carbon credit lots (credits/): bought from several registries, most retired against a year's
neutrality claim for the group, the latest lot still held.

Project ids and serials are made up in each registry's style; they name no real project.
"""

from __future__ import annotations

import polars as pl

from generator.ids import rng_for
from generator.months import year_list
from generator.scales import Scale

# (registry, standard, project id, project type, credit type, share of a year's retirement)
LOTS = (
    ("CCER", "CCER", "CCER-14-2017-0321", "afforestation (造林碳汇)", "removal", 0.30),
    ("Verra", "VCS", "VCS-1748", "grid-connected wind power", "avoidance", 0.40),
    ("Gold Standard", "GS4GG", "GS-11532", "efficient cookstoves", "avoidance", 0.20),
    ("Guangzhou Emissions Exchange", "PHCER", "PHCER-GD-2021-0047", "forest carbon sink (碳普惠)", "removal", 0.10),
)
HELD_LOT = ("Verra", "VCS", "VCS-2250", "mangrove restoration (blue carbon)", "removal")
# Tonnes retired per employee, rising year on year as the neutrality programme grows.
TONNES_PER_EMPLOYEE = 0.05


def build_credits(scale: Scale, years: tuple[int, int], seed: int) -> pl.DataFrame:
    rng = rng_for(seed, "credits")
    rows = []
    for index, year in enumerate(year_list(years)):
        total = scale.employees * TONNES_PER_EMPLOYEE * (1 + 0.5 * index)
        for lot, (registry, standard, project, project_type, credit_type, share) in enumerate(LOTS, start=1):
            tonnes = round(total * share)
            first = int(rng.integers(1_000_000, 9_000_000))
            rows.append({
                "credit_id": f"CR-{year}-{lot:02d}", "registry": registry, "standard": standard,
                "project_id": project, "project_type": project_type, "credit_type": credit_type,
                "vintage_year": year - 1, "tonnes": float(tonnes), "status": "retired",
                "retired_on": f"{year}-12-15", "retired_for_year": year, "retired_for_entity": "GRP",
                "serial_start": f"{project}-{year - 1}-{first}",
                "serial_end": f"{project}-{year - 1}-{first + tonnes - 1}",
            })
    last = years[1]
    tonnes = round(scale.employees * TONNES_PER_EMPLOYEE * 0.4)
    first = int(rng.integers(1_000_000, 9_000_000))
    registry, standard, project, project_type, credit_type = HELD_LOT
    rows.append({
        "credit_id": f"CR-{last}-99", "registry": registry, "standard": standard, "project_id": project,
        "project_type": project_type, "credit_type": credit_type, "vintage_year": last, "tonnes": float(tonnes),
        "status": "purchased", "retired_on": "", "retired_for_year": None, "retired_for_entity": "",
        "serial_start": f"{project}-{last}-{first}", "serial_end": f"{project}-{last}-{first + tonnes - 1}",
    })
    return pl.DataFrame(rows).with_columns(pl.lit("credit_lots.csv").alias("_file"))

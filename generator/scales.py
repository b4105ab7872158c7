"""The two sizes of synthetic group: `demo` (about 3,000 employees) and `group` (about 300,000).

Everything else (per-employee travel, per-m2 energy, event rates per account) is the same at both
scales, so the demo is a proportional miniature of the group.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    employees: int  # head count at the start of the first year
    # Offices and branches per entity besides its head office (and the pinned sites in org.py).
    sites_per_entity: dict[str, int]
    data_centres: int  # the first N of geography.DATA_CENTRES
    dc_load_factor: float  # multiplies each data centre's group-scale IT load
    card_accounts: int  # bank card-holders enrolled in the carbon account
    vehicles: int  # company cars and vans across the group
    onsite_pv_mwh: float  # rooftop PV at the technology head office, per year


SCALES: dict[str, Scale] = {
    "demo": Scale(
        name="demo",
        employees=3_000,
        sites_per_entity={"GRP": 1, "BANK": 14, "LIFE": 8, "PROP": 6, "SEC": 4, "AM": 1, "TECH": 1, "JV": 2,
                          "ASSOC": 1, "PENSION": 3},
        data_centres=3,
        dc_load_factor=0.018,  # about 1/100 of the group's data-centre energy, as staff are 1/100
        card_accounts=10_000,
        vehicles=18,
        onsite_pv_mwh=45.0,
    ),
    "group": Scale(
        name="group",
        employees=300_000,
        sites_per_entity={"GRP": 3, "BANK": 1_380, "LIFE": 420, "PROP": 310, "SEC": 140, "AM": 6, "TECH": 14,
                          "JV": 40, "ASSOC": 25, "PENSION": 60},
        data_centres=8,
        dc_load_factor=1.0,
        card_accounts=10_000_000,
        vehicles=1_800,
        onsite_pv_mwh=1_200.0,
    ),
}


def group_fraction(fraction: float) -> Scale:
    """A proportional slice of the group (the benchmark's scaling curve): `group@0.1` is 10% of it.

    Staff, sites, card accounts, vehicles, data-centre load and rooftop PV all scale together, so
    every source keeps the group's proportions; `group@1` is the group itself. Fractions up to 2 are
    allowed: the benchmark's largest run is `group@1.06`, so that 2023 of a 2023-2024 generation
    holds at least 100 million behaviour events (docs/benchmarks.md).
    """
    if not 0 < fraction <= 2:
        raise ValueError(f"group fraction {fraction}: give a number in (0, 2]")
    if fraction == 1:
        return SCALES["group"]
    group = SCALES["group"]
    return Scale(
        name=f"group@{fraction:g}",
        employees=max(1, round(group.employees * fraction)),
        sites_per_entity={k: max(1, round(v * fraction)) for k, v in group.sites_per_entity.items()},
        data_centres=group.data_centres,
        dc_load_factor=group.dc_load_factor * fraction,
        card_accounts=max(1, round(group.card_accounts * fraction)),
        vehicles=max(1, round(group.vehicles * fraction)),
        onsite_pv_mwh=group.onsite_pv_mwh * fraction,
    )


def scale_named(name: str) -> Scale:
    """`demo`, `group`, or `group@F` (F in (0, 2]: that multiple of the group, for benchmarks)."""
    if name.startswith("group@"):
        try:
            fraction = float(name.removeprefix("group@"))
        except ValueError:
            raise ValueError(f"unknown scale {name!r}: group@F takes a number F in (0, 2]") from None
        return group_fraction(fraction)
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}: choose one of {', '.join(SCALES)} or group@F") from None

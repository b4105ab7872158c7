"""Generate the synthetic financial group in the landing contract: `generate()` is what the CLI calls.

One function orchestrates: it owns the output folder (refusing one it did not create), asks each
module for its table, lets bad_rows inject the documented mistakes, writes the files and returns a
short summary. Output is byte-identical for a seed: nothing depends on the clock.
"""

from __future__ import annotations

import json
import shutil
import time
from datetime import date
from pathlib import Path

import polars as pl

from generator.bad_rows import UNKNOWN_BEHAVIOUR_CODE, BadRows
from generator.behaviour import write_behaviour
from generator.commute import build_commute
from generator.credits import build_credits
from generator.datacenter import build_baselines, build_telemetry
from generator.energy import build_energy
from generator.fleet import build_fleet
from generator.instruments import build_instruments
from generator.materials import build_materials
from generator.org import build_entities, build_facilities, facility_files
from generator.refrigerants import build_refrigerants
from generator.scales import scale_named
from generator.travel import build_travel
from generator.workforce import build_employees, build_headcount, employee_files
from generator.writers import WriteStats, split_by_file, write_file

MARKER = ".carbonledger-generated"
# Landing folders in the contract's order; the top-level ones are what a re-run removes.
FOLDERS = ("org/entities", "org/facilities", "org/headcount", "employees", "energy", "energy_instruments",
           "refrigerants", "fleet", "datacenter/telemetry", "datacenter/baselines", "travel", "commute", "materials",
           "behaviour", "credits")
TOP_LEVEL = tuple(dict.fromkeys(f.split("/")[0] for f in FOLDERS))


def generate(scale: str = "demo", years: tuple[int, int] = (2021, 2023), seed: int = 7,
             out_dir: Path = Path("data/landing")) -> str:
    """Write the group's landing files under `out_dir`; return a few lines saying what was written."""
    started = time.perf_counter()
    spec = scale_named(scale)
    years = _checked_years(years)
    out_dir = Path(out_dir)
    _prepare_output(out_dir)
    _write_marker(out_dir, {"scale": scale, "years": list(years), "seed": seed, "complete": False})
    stats = WriteStats()
    bad = BadRows(years, seed)

    def emit(folder: str, frame: pl.DataFrame, numbers: tuple[str, ...] = (),
             only_where_filled: tuple[str, ...] = ()) -> None:
        for output in bad.inject(folder, split_by_file(frame, folder, numbers, only_where_filled)):
            write_file(out_dir, output)
            stats.add(folder, output.frame.height)

    facilities = build_facilities(spec, years, seed)
    emit("org/entities", build_entities(years).with_columns(pl.lit("entities.csv").alias("_file")))
    emit("org/facilities", facility_files(facilities), numbers=("floor_area_m2",))
    employees = build_employees(spec, facilities, years, seed)
    # HR exports the headcount from Excel as "CSV UTF-8", which starts with a byte-order mark.
    emit("org/headcount", build_headcount(employees, years).with_columns(pl.lit("utf-8-sig").alias("_encoding")))
    emit("employees", employee_files(employees))
    telemetry, dc_monthly = build_telemetry(facilities, years, seed)
    emit("datacenter/telemetry", telemetry)
    emit("datacenter/baselines", build_baselines(facilities))
    energy = build_energy(facilities, dc_monthly, years, seed)
    emit("energy", energy, numbers=("quantity",), only_where_filled=("备注",))
    electricity = energy.filter(pl.col("energy_type") == "electricity")
    emit("energy_instruments", build_instruments(electricity, spec, years, seed))
    del energy, electricity, telemetry
    emit("refrigerants", build_refrigerants(facilities, years, seed))
    emit("fleet", build_fleet(spec, years, seed))
    emit("materials", build_materials(facilities, years, seed))
    emit("travel", build_travel(employees, years, seed))
    emit("commute", build_commute(employees, years, seed))
    emit("credits", build_credits(spec, years, seed))
    behaviour = write_behaviour(out_dir, employees, spec, years, seed, bad.inject_behaviour, (UNKNOWN_BEHAVIOUR_CODE,))
    stats.add("behaviour", behaviour.rows, behaviour.files)

    _write_marker(out_dir, {"scale": scale, "years": list(years), "seed": seed, "complete": True,
                            "files": stats.files, "rows": stats.rows, "bad_rows": bad.as_dicts()})
    return _summary(scale, years, seed, out_dir, stats, bad, behaviour.rows, behaviour.seconds,
                    time.perf_counter() - started)


def _checked_years(years: tuple[int, int]) -> tuple[int, int]:
    first, last = int(years[0]), int(years[1])
    if not 2000 <= first <= last <= 2100:
        raise ValueError(f"years {first}-{last}: give an ascending range between 2000 and 2100")
    if last >= date.today().year:
        # Rows dated after today are quarantined as future dates; only finished years make a clean group.
        raise ValueError(f"years {first}-{last}: {last} is not over yet; generate finished years only")
    return first, last


def _prepare_output(out_dir: Path) -> None:
    """Remove what an earlier run generated; refuse a non-empty folder the generator did not write."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"{out_dir} is a file, not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not (out_dir / MARKER).is_file():
            raise ValueError(f"{out_dir} is not empty and has no {MARKER} marker: it was not written by the "
                             "generator, so nothing is overwritten. Choose an empty or new folder.")
        for folder in TOP_LEVEL:  # only our folders: anything else the user put there stays
            shutil.rmtree(out_dir / folder, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)


def _write_marker(out_dir: Path, content: dict) -> None:
    body = {"generator": "carbonledger synthetic group (generator/)", "folders": list(TOP_LEVEL), **content}
    (out_dir / MARKER).write_text(json.dumps(body, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                                  encoding="utf-8")


def _summary(scale: str, years: tuple[int, int], seed: int, out_dir: Path, stats: WriteStats, bad: BadRows,
             behaviour_rows: int, behaviour_seconds: float, seconds: float) -> str:
    lines = [f"Synthetic group: scale {scale}, years {years[0]}-{years[1]}, seed {seed} -> {out_dir}",
             f"  {'folder':<24}{'files':>7}{'rows':>14}"]
    for folder in FOLDERS:
        lines.append(f"  {folder:<24}{stats.files.get(folder, 0):>7,}{stats.rows.get(folder, 0):>14,}")
    lines.append(f"  {'total':<24}{sum(stats.files.values()):>7,}{sum(stats.rows.values()):>14,}")
    injected = sum(r.rows for r in bad.records)
    caught = sum(r.rows for r in bad.records if r.caught_now)
    lines.append(f"Bad rows injected on purpose: {injected} ({caught} caught by the current suites; "
                 "see docs/demo_data.md)")
    rate = behaviour_rows / behaviour_seconds / 1e6 if behaviour_seconds else 0.0
    lines.append(f"Took {seconds:.1f} s (behaviour: {behaviour_rows:,} events in {behaviour_seconds:.1f} s, "
                 f"{rate:.1f} M rows/s)")
    return "\n".join(lines)

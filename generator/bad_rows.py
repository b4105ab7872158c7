"""The bad rows injected on purpose, so every quarantine path of the pipeline has something to catch.

Each kind is a mistake real files contain (a sign error, a typo in an id, a unit that does not fit,
a re-issued invoice, a row pasted twice...). The plan below is the single list of what is injected,
where and how many: the same at every scale and seed (only which rows are hit changes with the
seed), so docs/demo_data.md can state the counts. Most kinds modify a generated row in place (the
real value is then missing from the valid data, as it would be); duplicates are appended.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np
import polars as pl
import pyarrow as pa

from generator.ids import rng_for
from generator.months import Month, pick_year
from generator.writers import OutputFile

UNKNOWN_BEHAVIOUR_CODE = "EMP_STAIRS_CLIMB"  # a behaviour the app started sending before the registry knew it
IMPLAUSIBLE_STEPS = 250_000.0
UNKNOWN_AIRPORTS = ("BJS", "NYC")  # city codes, not airports: what people type for Beijing and New York
BEHAVIOUR_MONTH = 6


@dataclass(frozen=True)
class BadKind:
    key: str
    description: str
    folder: str
    file: str  # under the folder; {y} = the chosen year
    year_position: int  # which generated year: 0 first, 1 second, -1 last
    rows: int
    reason_code: str  # what the pipeline should quarantine the row with
    caught_now: bool  # whether the current expectations/ suites catch it


PLAN: tuple[BadKind, ...] = (
    BadKind("negative_quantity", "electricity keyed with a minus sign (a credit note typed as consumption)",
            "energy", "LIFE/{y}.csv", 1, 2, "negative_quantity", True),
    BadKind("unknown_facility", "facility id with the letter O instead of a zero", "energy", "SEC/{y}.csv", -1, 2,
            "unknown_facility", True),
    BadKind("unit_not_valid_for_type", "electricity in m3", "energy", "PROP/{y}.csv", 0, 1,
            "unit_not_valid_for_type", True),
    BadKind("duplicate_key_conflicting", "re-issued invoice: same record_id, 8% higher quantity", "energy",
            "LIFE/{y}.csv", -1, 2, "duplicate_key", True),
    BadKind("duplicate_row", "a row pasted twice (GB18030 file)", "energy", "BANK/{y}.csv", 1, 1, "duplicate_row",
            True),
    BadKind("future_date", "year typed with two digits swapped (2023 -> 2203)", "energy", "AM/{y}.csv", -1, 1,
            "future_date", True),
    BadKind("not_a_float", "quantity written as '约1234' (about 1234)", "energy", "TECH/{y}.csv", 1, 1, "not_a_float",
            True),
    BadKind("end_before_start", "period_start and period_end swapped", "energy", "GRP/{y}.csv", 0, 1,
            "end_before_start", True),
    BadKind("negative_quantity", "waste keyed with a minus sign", "materials", "{y}/BANK.csv", 1, 1,
            "negative_quantity", True),
    BadKind("not_a_float", "litres with a decimal comma ('45,6')", "fleet", "{y}/PROP.csv", -1, 1, "not_a_float",
            True),
    BadKind("unknown_facility", "top-up logged against a site id that does not exist", "refrigerants", "{y}.csv", 0, 1,
            "unknown_facility", True),
    BadKind("duplicate_row", "two intervals exported twice (overlapping exports)", "datacenter/telemetry",
            "TECH-DC02/{y}.csv", 1, 2, "duplicate_row", True),
    BadKind("implausible_pue", "facility energy below IT energy (meter glitch)", "datacenter/telemetry",
            "TECH-DC01/{y}.csv", -1, 1, "implausible_pue", True),
    BadKind("duplicate_row", "a trip segment listed twice", "travel", "{y}/{y}-05.csv", 1, 1, "duplicate_row", True),
    BadKind("unknown_airport", "city codes instead of airport codes (BJS, NYC)", "travel", "{y}/{y}-09.csv", -1, 2,
            "unknown_airport", True),
    BadKind("implausible_distance", "one-way distance of 850 km (metres typed as km?)", "commute", "survey_{y}.csv", 0,
            1, "implausible_distance", True),
    BadKind("unknown_behaviour", f"behaviour code {UNKNOWN_BEHAVIOUR_CODE} not in the seed", "behaviour",
            "{y}/{y}-06.parquet", 1, 3, "unknown_behaviour", True),
    BadKind("implausible_quantity", "250,000 steps in one day", "behaviour", "{y}/{y}-06.parquet", 1, 2,
            "implausible_quantity", True),
    BadKind("duplicate_key", "an event delivered twice", "behaviour", "{y}/{y}-06.parquet", 1, 1, "duplicate_row",
            True),
)


@dataclass(frozen=True)
class Injected:
    key: str
    description: str
    path: str  # folder/file
    rows: int
    reason_code: str
    caught_now: bool


def _typo_year(year: int) -> int:
    """The year with its tens and hundreds digits swapped (2023 -> 2203), or 200 years on if that is not later."""
    text = str(year)
    swapped = int(text[0] + text[2] + text[1] + text[3:])
    return swapped if swapped > year else year + 200


class BadRows:
    """Applies the plan to the generated files and remembers what it injected."""

    def __init__(self, years: tuple[int, int], seed: int):
        self.years = years
        self.rng = rng_for(seed, "bad-rows")
        self.records: list[Injected] = []

    def _target(self, kind: BadKind) -> str:
        return kind.file.format(y=pick_year(self.years, kind.year_position))

    def inject(self, folder: str, files: list[OutputFile]) -> list[OutputFile]:
        by_name = {f.name: f for f in files}
        for kind in PLAN:
            if kind.folder != folder or folder == "behaviour":
                continue
            # The planned file, or (for years where it does not exist, e.g. before a site opened)
            # the folder's first file.
            target = by_name.get(self._target(kind)) or (files[0] if files else None)
            if target is None:
                raise ValueError(f"bad-row plan: nothing was generated in {folder}/")
            target.frame = MODIFIERS[(folder, kind.key)](self, target.frame, kind.rows)
            self.records.append(Injected(kind.key, kind.description, target.path, kind.rows, kind.reason_code,
                                         kind.caught_now))
        return files

    # --- helpers ----------------------------------------------------------------------------------

    def _pick(self, frame: pl.DataFrame, condition: pl.Expr, k: int) -> list[int]:
        candidates = frame.with_row_index("_row").filter(condition)["_row"].to_numpy()
        if candidates.size < k:
            raise ValueError(f"bad-row plan: only {candidates.size} candidate rows, {k} needed")
        return sorted(int(i) for i in self.rng.choice(candidates, k, replace=False))

    @staticmethod
    def _set(frame: pl.DataFrame, rows: list[int], column: str, value: pl.Expr) -> pl.DataFrame:
        hit = pl.int_range(pl.len()).is_in(rows)
        return frame.with_columns(pl.when(hit).then(value).otherwise(pl.col(column).cast(pl.String)).alias(column))

    @staticmethod
    def _append_copies(frame: pl.DataFrame, rows: list[int], change: dict[str, pl.Expr] | None = None) -> pl.DataFrame:
        """The rows again at the end of the file (changed as given: a conflicting duplicate)."""
        copies = frame[rows]
        if change:
            as_text = [pl.col(c).cast(pl.String) for c in change]
            frame = frame.with_columns(as_text)
            copies = copies.with_columns(**change).with_columns(as_text)
        return pl.concat([frame, copies])

    # --- modifiers: (frame, rows) -> frame --------------------------------------------------------

    def negative(self, frame: pl.DataFrame, k: int, column: str = "quantity") -> pl.DataFrame:
        rows = self._pick(frame, _plain_electricity_or_any(frame), k)
        return self._set(frame, rows, column, pl.lit("-") + pl.col(column).cast(pl.String))

    def facility_typo(self, frame: pl.DataFrame, k: int) -> pl.DataFrame:
        site = pl.col("facility_id")
        rows = self._pick(frame, site.str.contains("-F0") & ~site.str.contains("-DC"), k)
        return self._set(frame, rows, "facility_id", pl.col("facility_id").str.replace("-F0", "-FO", literal=True))

    def unit_m3(self, frame: pl.DataFrame, k: int) -> pl.DataFrame:
        return self._set(frame, self._pick(frame, _plain_electricity_or_any(frame), k), "unit", pl.lit("m3"))

    def conflicting_duplicate(self, frame: pl.DataFrame, k: int) -> pl.DataFrame:
        rows = self._pick(frame, _plain_electricity_or_any(frame), k)
        bigger = (pl.col("quantity").str.replace_all(",", "").cast(pl.Float64) * 1.08).round(1).cast(pl.String)
        return self._append_copies(frame, rows, {"quantity": bigger})

    def duplicate(self, frame: pl.DataFrame, k: int) -> pl.DataFrame:
        condition = _plain_electricity_or_any(frame)
        return self._append_copies(frame, self._pick(frame, condition, k))

    def future(self, frame: pl.DataFrame, k: int) -> pl.DataFrame:
        rows = self._pick(frame, _plain_electricity_or_any(frame), k)
        typo = str(_typo_year(int(frame["period_start"][rows[0]][:4])))  # a file holds one year
        for column in ("period_start", "period_end"):
            frame = self._set(frame, rows, column, pl.lit(typo) + pl.col(column).str.slice(4))
        return frame

    def about(self, frame: pl.DataFrame, k: int) -> pl.DataFrame:
        rows = self._pick(frame, _plain_electricity_or_any(frame), k)
        return self._set(frame, rows, "quantity", pl.lit("约") + pl.col("quantity").cast(pl.String))

    def swap_period(self, frame: pl.DataFrame, k: int) -> pl.DataFrame:
        rows = self._pick(frame, _plain_electricity_or_any(frame), k)
        hit = pl.int_range(pl.len()).is_in(rows)
        return frame.with_columns(
            pl.when(hit).then(pl.col("period_end")).otherwise(pl.col("period_start")).alias("period_start"),
            pl.when(hit).then(pl.col("period_start")).otherwise(pl.col("period_end")).alias("period_end"),
        )

    def decimal_comma(self, frame: pl.DataFrame, k: int) -> pl.DataFrame:
        rows = self._pick(frame, pl.lit(True), k)
        comma = pl.col("quantity").round(1).cast(pl.String).str.replace(".", ",", literal=True)
        return self._set(frame, rows, "quantity", comma)

    def refrigerant_site(self, frame: pl.DataFrame, k: int) -> pl.DataFrame:
        return self._set(frame, self._pick(frame, pl.lit(True), k), "facility_id", pl.lit("BANK-F9999"))

    def telemetry_duplicate(self, frame: pl.DataFrame, k: int) -> pl.DataFrame:
        start = int(self.rng.integers(0, frame.height - k))
        return self._append_copies(frame, list(range(start, start + k)))

    def telemetry_glitch(self, frame: pl.DataFrame, k: int) -> pl.DataFrame:
        rows = self._pick(frame, pl.lit(True), k)
        hit = pl.int_range(pl.len()).is_in(rows)
        return frame.with_columns(pl.when(hit).then((pl.col("it_energy_kwh") * 0.6).round(3))
                                  .otherwise(pl.col("facility_energy_kwh")).alias("facility_energy_kwh"))

    def trip_duplicate(self, frame: pl.DataFrame, k: int) -> pl.DataFrame:
        return self._append_copies(frame, self._pick(frame, pl.lit(True), k))

    def airport_codes(self, frame: pl.DataFrame, k: int) -> pl.DataFrame:
        rows = self._pick(frame, pl.col("mode") == "air", k)
        frame = self._set(frame, rows[:1], "origin", pl.lit(UNKNOWN_AIRPORTS[0]))
        return self._set(frame, rows[1:], "destination", pl.lit(UNKNOWN_AIRPORTS[1]))

    def commute_distance(self, frame: pl.DataFrame, k: int) -> pl.DataFrame:
        rows = self._pick(frame, pl.col("mode") != "remote", k)
        hit = pl.int_range(pl.len()).is_in(rows)
        return frame.with_columns(pl.when(hit).then(850.0).otherwise(pl.col("one_way_km")).alias("one_way_km"))

    # --- behaviour (Arrow, one month at a time) ---------------------------------------------------

    def inject_behaviour(self, table: pa.Table, month: Month) -> pa.Table:
        kinds = [k for k in PLAN if k.folder == "behaviour"]
        if month.month != BEHAVIOUR_MONTH or month.year != pick_year(self.years, kinds[0].year_position):
            return table
        codes = table.column("behaviour_code").combine_chunks()
        names = codes.dictionary.to_pylist()
        index = codes.indices.to_numpy(zero_copy_only=False).copy()
        quantity = table.column("quantity").to_numpy().copy()
        steps = np.nonzero(index == names.index("EMP_WALKING_STEPS"))[0]
        office = np.nonzero(index == names.index("EMP_PAPERLESS_APPROVAL"))[0]
        by_key = {k.key: k for k in kinds}
        renamed = np.sort(self.rng.choice(office, by_key["unknown_behaviour"].rows, replace=False))
        index[renamed] = names.index(UNKNOWN_BEHAVIOUR_CODE)
        implausible = np.sort(self.rng.choice(steps, by_key["implausible_quantity"].rows, replace=False))
        quantity[implausible] = IMPLAUSIBLE_STEPS
        table = table.set_column(table.column_names.index("behaviour_code"), "behaviour_code",
                                 pa.DictionaryArray.from_arrays(pa.array(index), codes.dictionary))
        table = table.set_column(table.column_names.index("quantity"), "quantity", pa.array(quantity))
        again = int(self.rng.integers(0, table.num_rows))
        table = pa.concat_tables([table, table.slice(again, by_key["duplicate_key"].rows)])
        path = f"behaviour/{month.year}/{month.key}.parquet"
        for kind in kinds:
            self.records.append(
                Injected(kind.key, kind.description, path, kind.rows, kind.reason_code, kind.caught_now))
        return table

    def as_dicts(self) -> list[dict]:
        return [asdict(r) for r in self.records]


def _plain_electricity_or_any(frame: pl.DataFrame) -> pl.Expr:
    """Office electricity rows (not data centres) when the file has them, else any row."""
    if "energy_type" in frame.columns:
        return (pl.col("energy_type") == "electricity") & ~pl.col("facility_id").str.contains("-DC")
    return pl.lit(True)


MODIFIERS: dict[tuple[str, str], Callable[[BadRows, pl.DataFrame, int], pl.DataFrame]] = {
    ("energy", "negative_quantity"): BadRows.negative,
    ("energy", "unknown_facility"): BadRows.facility_typo,
    ("energy", "unit_not_valid_for_type"): BadRows.unit_m3,
    ("energy", "duplicate_key_conflicting"): BadRows.conflicting_duplicate,
    ("energy", "duplicate_row"): BadRows.duplicate,
    ("energy", "future_date"): BadRows.future,
    ("energy", "not_a_float"): BadRows.about,
    ("energy", "end_before_start"): BadRows.swap_period,
    ("materials", "negative_quantity"): BadRows.negative,
    ("fleet", "not_a_float"): BadRows.decimal_comma,
    ("refrigerants", "unknown_facility"): BadRows.refrigerant_site,
    ("datacenter/telemetry", "duplicate_row"): BadRows.telemetry_duplicate,
    ("datacenter/telemetry", "implausible_pue"): BadRows.telemetry_glitch,
    ("travel", "duplicate_row"): BadRows.trip_duplicate,
    ("travel", "unknown_airport"): BadRows.airport_codes,
    ("commute", "implausible_distance"): BadRows.commute_distance,
}

"""Behaviour events of the scenario accounts (behaviour/<year>/<YYYY-MM>.parquet), month by month.

Two scenarios: `employee` (enrolled staff; the account is the employee's staff number, which the
silver step pseudonymises with a keyed hash exactly as it does employees.employee_id, so the two
join) and `bank_card` (card-holders enrolled in the carbon account; 'C' + 8 scrambled digits;
enrolment grows over the years and a few accounts are very active). Each month's events are drawn
with numpy per behaviour (no loop over rows) into preallocated columns, and written as zstd
Parquet by a background thread while the next month is drawn, so memory holds two months at most.

Speed matters at group scale (about 8.5 million events a month), hence: random draws by table
lookup instead of binary search, account ids built as fixed-width bytes handed to Arrow without
copying, low-cardinality text as dictionaries, `event_id` as a 64-bit integer (YYYYMM x 10^10 +
sequence; the ingestion reads every column as text) and `occurred_at` as a local timestamp
without zone.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import polars as pl
import pyarrow as pa

from generator.behaviour_codes import BEHAVIOURS, HOUR_PROFILES, SCENARIOS, Behaviour
from generator.ids import fixed_width_text, rng_for
from generator.months import Month, day_number, epoch_seconds, months_of, working_days
from generator.scales import Scale
from generator.writers import write_parquet

ENROLMENT = 0.70  # share of employees with a carbon account
STEP_TRACKERS = 0.30  # share of enrolled employees who sync steps
DAILY_STEP_SYNC = 0.70  # chance a tracker syncs on a given day
CARD_ENROLMENT_START = 0.7  # share of the final card accounts enrolled in the first month
MAX_DAILY_STEPS = 40_000.0
ACCOUNT_WIDTH = 9  # a staff number (two letters, seven digits); 'C' + 8 digits
TABLE_SIZE = 4096  # resolution of the lookup tables that replace binary search
# Account number = (index x multiplier + offset) mod 10^8: a bijection, as the multiplier is coprime with 10.
CARD_MULTIPLIER, CARD_OFFSET = 7_919_003, 35_172_648

CODES = [b.code for b in BEHAVIOURS]
UNITS = sorted({b.unit for b in BEHAVIOURS})
CHANNELS = sorted({b.channel for b in BEHAVIOURS})
_FOUR_DIGITS = np.frombuffer("".join(f"{i:04d}" for i in range(10_000)).encode(), np.uint8).reshape(10_000, 4)
_FOUR_DIGIT_ITEMS = _FOUR_DIGITS.copy().view("V4").ravel()


@dataclass
class Population:
    employee_accounts: np.ndarray  # the staff number as one ACCOUNT_WIDTH-byte item (numpy void) per employee row
    hire_day: np.ndarray
    leave_day: np.ndarray
    enrolled: np.ndarray  # bool per employee
    activity: np.ndarray  # how many "tickets" an employee holds in the monthly draw (1-12)
    tracks_steps: np.ndarray  # bool per employee
    card_accounts: int  # card accounts enrolled by the last month


def build_population(employees: pl.DataFrame, scale: Scale, seed: int) -> Population:
    rng = rng_for(seed, "behaviour-population")
    n = employees.height
    enrolled = rng.random(n) < ENROLMENT
    staff_numbers = employees["employee_id"]
    if n and (staff_numbers.str.len_bytes() != ACCOUNT_WIDTH).any():
        raise ValueError(f"behaviour accounts need staff numbers of {ACCOUNT_WIDTH} characters")
    accounts = np.frombuffer(staff_numbers.to_numpy().astype(f"S{ACCOUNT_WIDTH}").tobytes(), dtype=f"V{ACCOUNT_WIDTH}")
    # A lognormal activity level, rounded to whole tickets so a draw is one uniform pick.
    activity = np.clip(np.round(3 * rng.lognormal(0.0, 0.8, n)), 1, 12).astype(np.int64)
    return Population(accounts, employees["_hire_day"].to_numpy(), employees["_leave_day"].to_numpy(), enrolled,
                      activity, enrolled & (rng.random(n) < STEP_TRACKERS), scale.card_accounts)


def _lookup_table(weights: np.ndarray) -> np.ndarray:
    """Index i with probability weights[i]/sum, for a uniform integer below TABLE_SIZE."""
    cumulative = np.cumsum(weights, dtype=np.float64) / np.sum(weights)
    centres = (np.arange(TABLE_SIZE) + 0.5) / TABLE_SIZE
    return np.minimum(np.searchsorted(cumulative, centres, side="right"), len(weights) - 1).astype(np.int64)


_HOUR_TABLES = {name: _lookup_table(np.asarray(profile, dtype=np.float64)) for name, profile in HOUR_PROFILES.items()}


def _day_weights(month: Month, days: str, working: np.ndarray) -> np.ndarray:
    return {"workday": working, "weekend": ~working, "any": np.ones(month.days, dtype=bool)}[days].astype(np.float64)


def _month_factor(behaviour: Behaviour, month: Month, day_weights: np.ndarray) -> float:
    """More working days, more office behaviours; tree planting peaks in March (植树节)."""
    typical_days = {"workday": 21.75, "weekend": 8.7, "any": 30.44}[behaviour.days]
    planting_season = 4.0 if behaviour.code == "EMP_TREE_PLANTING" and month.month == 3 else 1.0
    return day_weights.sum() / typical_days * planting_season


def _quantities(rng: np.random.Generator, behaviour: Behaviour, n: int) -> np.ndarray:
    if behaviour.spread == 0:
        return np.full(n, behaviour.median)
    value = behaviour.median * rng.lognormal(0.0, behaviour.spread, n)
    if behaviour.decimals == 0:
        return np.maximum(1.0, np.round(value))
    return np.maximum(10.0 ** -behaviour.decimals, np.round(value, behaviour.decimals))


def _card_account_bytes(out: np.ndarray, index: np.ndarray) -> None:
    """'C' + 8 digits of the scrambled account number, written straight into `out` (n, 9)."""
    number = (index * CARD_MULTIPLIER + CARD_OFFSET) % 10**8
    out[:, 0] = ord("C")
    out[:, 1:5].view("V4")[:, 0] = _FOUR_DIGIT_ITEMS[number // 10**4]
    out[:, 5:9].view("V4")[:, 0] = _FOUR_DIGIT_ITEMS[number % 10**4]


def month_table(population: Population, month: Month, position: float, rng: np.random.Generator,
                extra_codes: tuple[str, ...] = ()) -> pa.Table:
    """Every event of one month as an Arrow table. `position` runs from 0 (first month) to 1 (last)."""
    first, last = day_number(month.first_day), day_number(month.last_day)
    # Staff on the books all month: every event then falls on a day its account is employed.
    active = population.enrolled & (population.hire_day <= first) & (population.leave_day >= last)
    members = np.nonzero(active)[0]
    tickets = np.repeat(members, population.activity[members])  # one uniform pick = a weighted pick
    cards = max(1, int(population.card_accounts * (CARD_ENROLMENT_START + (1 - CARD_ENROLMENT_START) * position)))
    working = working_days(month)

    # Daily steps: one event per tracker per day synced (drawn first: its count is not a Poisson draw).
    trackers = members[population.tracks_steps[members]]
    step_day, step_tracker = np.nonzero(rng.random((month.days, trackers.size)) < DAILY_STEP_SYNC)
    counts = []
    for behaviour in BEHAVIOURS:
        if behaviour.code == "EMP_WALKING_STEPS":
            counts.append(step_day.size)
            continue
        base = members.size if behaviour.scenario == "employee" else cards
        factor = _month_factor(behaviour, month, _day_weights(month, behaviour.days, working))
        counts.append(int(rng.poisson(behaviour.per_account_month * base * factor)))
    total = int(sum(counts))

    account = np.empty((total, ACCOUNT_WIDTH), dtype=np.uint8)
    account_items = account.view(f"V{ACCOUNT_WIDTH}").ravel()  # the same bytes, one item per row
    seconds = np.empty(total, dtype=np.int64)
    quantity = np.empty(total, dtype=np.float64)
    code = np.repeat(np.arange(len(BEHAVIOURS), dtype=np.int16), counts)
    day_tables = {kind: _lookup_table(_day_weights(month, kind, working)) for kind in ("workday", "weekend", "any")}
    start = 0
    for behaviour, n in zip(BEHAVIOURS, counts):  # a loop over behaviours; every draw inside is vectorised
        rows = slice(start, start + n)
        start += n
        if behaviour.code == "EMP_WALKING_STEPS":
            account_items[rows] = population.employee_accounts[trackers[step_tracker]]
            seconds[rows] = step_day * 86400 + rng.integers(21 * 3600, 24 * 3600, n)
            quantity[rows] = np.minimum(_quantities(rng, behaviour, n), MAX_DAILY_STEPS)
            continue
        if behaviour.scenario == "employee":
            account_items[rows] = population.employee_accounts[tickets[rng.integers(0, tickets.size, n)]]
        else:
            u = rng.random(n)
            _card_account_bytes(account[rows], (cards * u * u).astype(np.int64))  # u*u: a few very active holders
        # One 46-bit draw gives the day (12 bits), the hour (12 bits) and the second in the hour.
        bits = rng.integers(0, 1 << 46, n)
        day = day_tables[behaviour.days][bits & (TABLE_SIZE - 1)]
        hour = _HOUR_TABLES[behaviour.hours][(bits >> 12) & (TABLE_SIZE - 1)]
        seconds[rows] = day * 86400 + hour * 3600 + (bits >> 24) % 3600
        quantity[rows] = _quantities(rng, behaviour, n)

    unit_of_code = np.array([UNITS.index(b.unit) for b in BEHAVIOURS], dtype=np.int8)
    channel_of_code = np.array([CHANNELS.index(b.channel) for b in BEHAVIOURS], dtype=np.int8)
    scenario_of_code = np.array([SCENARIOS.index(b.scenario) for b in BEHAVIOURS], dtype=np.int8)

    def dictionary(indices: np.ndarray, values: list[str]) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(pa.array(indices), pa.array(values, type=pa.string()))

    return pa.table({
        "event_id": pa.array(month.year * 10**12 + month.month * 10**10 + np.arange(1, total + 1, dtype=np.int64)),
        "account_id": fixed_width_text(account),
        "scenario": dictionary(scenario_of_code[code], list(SCENARIOS)),
        "behaviour_code": dictionary(code, CODES + list(extra_codes)),
        "occurred_at": pa.array(seconds + epoch_seconds(month.first_day), type=pa.timestamp("s")),
        "quantity": pa.array(quantity),
        "unit": dictionary(unit_of_code[code], UNITS),
        "channel": dictionary(channel_of_code[code], CHANNELS),
    })


# --- all months -----------------------------------------------------------------------------------


@dataclass
class BehaviourResult:
    files: int
    rows: int
    seconds: float


def write_behaviour(out_dir: Path, employees: pl.DataFrame, scale: Scale, years: tuple[int, int], seed: int,
                    inject: Callable[[pa.Table, Month], pa.Table], extra_codes: tuple[str, ...] = ()
                    ) -> BehaviourResult:
    """Generate and write every month; `inject` adds the documented bad rows to a month's table."""
    started = time.perf_counter()
    population = build_population(employees, scale, seed)
    months = months_of(years)
    rows = 0
    pending: Future | None = None
    with ThreadPoolExecutor(max_workers=1) as writer:
        for index, month in enumerate(months):
            rng = rng_for(seed, f"behaviour-{month.key}")
            table = inject(month_table(population, month, index / max(1, len(months) - 1), rng, extra_codes), month)
            rows += table.num_rows
            if pending is not None:
                pending.result()  # at most one month waits to be written while the next is drawn
            path = out_dir / "behaviour" / str(month.year) / f"{month.key}.parquet"
            pending = writer.submit(write_parquet, path, table)
        if pending is not None:
            pending.result()
    return BehaviourResult(files=len(months), rows=rows, seconds=time.perf_counter() - started)

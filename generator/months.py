"""The calendar of the generated years: months, their first and last days, and Chinese working days."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, self.days)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def quarter(self) -> int:
        return (self.month - 1) // 3 + 1


def months_of(years: tuple[int, int]) -> list[Month]:
    return [Month(y, m) for y in range(years[0], years[1] + 1) for m in range(1, 13)]


def year_list(years: tuple[int, int]) -> list[int]:
    return list(range(years[0], years[1] + 1))


def pick_year(years: tuple[int, int], position: int) -> int:
    """The first (0), second (1) ... or last (-1) generated year, clipped to the range."""
    span = year_list(years)
    return span[position] if -len(span) <= position < len(span) else span[-1 if position > 0 else 0]


def change_year(years: tuple[int, int]) -> int:
    """The year of the structural changes (acquisition, new data centre): the second year if there is one."""
    return years[0] + 1 if years[1] > years[0] else years[0]


def working_days(month: Month) -> np.ndarray:
    """One bool per day: a Chinese working day (adjusted weekends included) or, beyond the
    chinesecalendar package's years, Monday to Friday."""
    try:
        import chinese_calendar

        flags = [chinese_calendar.is_workday(month.first_day + timedelta(days=d)) for d in range(month.days)]
    except (ImportError, NotImplementedError):
        flags = [(month.first_day + timedelta(days=d)).weekday() < 5 for d in range(month.days)]
    return np.array(flags, dtype=bool)


def epoch_seconds(day: date) -> int:
    """Seconds since 1970-01-01 of local midnight, as naive local time (no zone attached)."""
    return (day - date(1970, 1, 1)).days * 86400


def day_number(day: date) -> int:
    """Days since 1970-01-01 (polars' Date representation)."""
    return (day - date(1970, 1, 1)).days

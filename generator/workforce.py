"""Employees (with names and phone numbers that must never leave bronze) and monthly headcount.

Each entity starts with its share of the group's employees; about 8% leave a year and slightly
more are hired, so headcount grows about 1% a year. Headcount is counted from the employee list
(on the books on the month's last day), so the two folders always agree. The acquired pension
insurer's employees appear from the acquisition on, with their original hire dates.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from generator.ids import padded, rng_for, weighted_choice
from generator.months import day_number, months_of
from generator.org import ENTITIES, entity_headcounts, entity_valid_from
from generator.scales import Scale

ANNUAL_TURNOVER = 0.08
ANNUAL_GROWTH = 0.01
NO_LEAVE = np.iinfo(np.int32).max  # day number of "still employed"

# The 100 most common Chinese surnames, most common first (weights fall off like Zipf's law).
SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆"
    "汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_NAME_CHARACTERS = tuple(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国文辉玲红鹏飞鑫宇浩然子涵欣怡梓轩雨晨思佳嘉俊博瑞婷雪琳晓海波斌宁"
    "凯峰林颖慧倩丹萍燕彬鸿志新天一诗可睿泽雅若安晴"
)
MOBILE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "158",
                   "159", "166", "176", "177", "180", "181", "186", "187", "188", "189", "198", "199")


def _names(rng: np.random.Generator, n: int) -> pl.Series:
    surname = pl.Series(SURNAMES).gather(weighted_choice(rng, 1.0 / np.arange(1, len(SURNAMES) + 1), n))
    first = pl.Series(GIVEN_NAME_CHARACTERS).gather(rng.integers(0, len(GIVEN_NAME_CHARACTERS), n))
    second = pl.Series(GIVEN_NAME_CHARACTERS).gather(rng.integers(0, len(GIVEN_NAME_CHARACTERS), n))
    two_characters = pl.Series(rng.random(n) < 0.6)
    return pl.select(
        pl.concat_str([surname, first, pl.when(two_characters).then(second).otherwise(pl.lit(""))])
    ).to_series()


def _phones(rng: np.random.Generator, n: int) -> pl.Series:
    prefix = pl.Series(MOBILE_PREFIXES).gather(rng.integers(0, len(MOBILE_PREFIXES), n))
    return pl.select(prefix + pl.Series(rng.integers(0, 100_000_000, n)).cast(pl.String).str.zfill(8)).to_series()


def build_employees(scale: Scale, facilities: pl.DataFrame, years: tuple[int, int], seed: int) -> pl.DataFrame:
    """One row per person employed at any time in the years (public columns plus `_` helpers)."""
    rng = rng_for(seed, "employees")
    headcounts = entity_headcounts(scale)
    end = day_number(date(years[1], 12, 31))
    frames = []
    for entity in ENTITIES:
        start = day_number(max(date(years[0], 1, 1), entity_valid_from(entity, years)))
        span_years = (end - start + 1) / 365.25
        initial = headcounts[entity.entity_id]
        hires = int(rng.poisson(initial * (ANNUAL_TURNOVER + ANNUAL_GROWTH) * span_years))
        # Long-serving staff are fewer than recent hires: an exponential tenure of mean 7 years.
        initial_hire = start - np.clip(rng.exponential(7 * 365.25, initial), 30, 30 * 365).astype(np.int64)
        new_hire = rng.integers(start, end + 1, hires)
        hire = np.concatenate([initial_hire, new_hire])
        employed_from = np.maximum(hire, start)
        leave = employed_from + rng.exponential(365.25 / ANNUAL_TURNOVER, hire.size).astype(np.int64)
        leave = np.where(leave <= end, leave, NO_LEAVE)
        order = np.argsort(hire, kind="stable")  # staff numbers follow hire dates, as HR systems issue them
        hire, leave = hire[order], leave[order]
        sites = facilities.filter((pl.col("entity_id") == entity.entity_id) & (pl.col("_staff_weight") > 0))
        site = weighted_choice(rng, sites["_staff_weight"].to_numpy(), hire.size)
        frames.append(pl.DataFrame({
            # Staff numbers of one width (two letters, seven digits), as HR systems issue them.
            "employee_id": padded(entity.staff_prefix, np.arange(1, hire.size + 1), 7),
            "entity_id": pl.repeat(entity.entity_id, hire.size, eager=True, dtype=pl.String),
            "facility_id": sites["facility_id"].gather(site),
            "_hire_day": hire.astype(np.int32),
            "_leave_day": leave.astype(np.int32),
        }))
    employees = pl.concat(frames)
    n = employees.height
    site_facts = facilities.select("facility_id", "_city_zh", "_airport", "_province_iso", "country")
    return employees.with_columns(
        pl.col("_hire_day").cast(pl.Date).cast(pl.String).alias("hire_date"),
        pl.when(pl.col("_leave_day") == NO_LEAVE).then(pl.lit("")).otherwise(
            pl.col("_leave_day").cast(pl.Date).cast(pl.String)).alias("leave_date"),
        _names(rng, n).alias("name"),
        _phones(rng, n).alias("phone"),
    ).join(site_facts, on="facility_id", how="left", maintain_order="left")


EMPLOYEE_COLUMNS = ("employee_id", "entity_id", "facility_id", "hire_date", "leave_date", "name", "phone")


def employee_files(employees: pl.DataFrame) -> pl.DataFrame:
    return employees.select(*EMPLOYEE_COLUMNS, (pl.col("entity_id") + ".csv").alias("_file"))


def active_mask(employees: pl.DataFrame, day: date) -> np.ndarray:
    """Employees on the books on `day` (hired on or before it, not left before it)."""
    d = day_number(day)
    return (employees["_hire_day"].to_numpy() <= d) & (employees["_leave_day"].to_numpy() >= d)


def build_headcount(employees: pl.DataFrame, years: tuple[int, int]) -> pl.DataFrame:
    """Employees on the books on each month's last day, per entity, from the month the entity joined."""
    rows = []
    for entity in ENTITIES:
        mine = employees.filter(pl.col("entity_id") == entity.entity_id)
        hires = np.sort(mine["_hire_day"].to_numpy())
        leaves = np.sort(mine["_leave_day"].to_numpy())
        joined = entity_valid_from(entity, years)
        for month in months_of(years):
            if month.last_day < joined:
                continue
            last = day_number(month.last_day)
            # hired by the last day, minus those whose leave date is before it
            on_books = np.searchsorted(hires, last, side="right") - np.searchsorted(leaves, last, side="left")
            rows.append({"entity_id": entity.entity_id, "period": month.key, "headcount": int(on_books),
                         "_file": f"headcount_{month.year}.csv"})
    return pl.DataFrame(rows)

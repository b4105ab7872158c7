"""Text → typed values, checked against values read by a person."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from assets.ingest import parsing


def _one(expr: pl.Expr, values: list[str | None]) -> list:
    return pl.DataFrame({"v": values}, schema={"v": pl.String}).select(expr.alias("out")).to_series().to_list()


def test_numbers_as_a_careful_person_reads_them():
    values = ["1,234.5", "12", "-3", "1e3", " 7.25 ", "1,5", "abc", "", None, "12,34"]
    assert _one(parsing.parse_float(pl.col("v")), values) == [1234.5, 12.0, -3.0, 1000.0, 7.25, None, None, None, None, None]


def test_whole_numbers_refuse_fractions():
    assert _one(parsing.parse_int(pl.col("v")), ["12", "1,200", "12.0", "12.5", "x"]) == [12, 1200, 12, None, None]


def test_dates_in_the_formats_offices_write():
    values = ["2022-01-05", "2022/1/5", "20220105", "2022年1月5日", "2022-01-05 00:00:00", "2022-02-30", "05/01/2022"]
    expected = [date(2022, 1, 5)] * 5 + [None, None]
    assert _one(parsing.parse_date(pl.col("v")), values) == expected


def test_months():
    values = ["2022-01", "2022/3", "202204", "2022年5月", "2022-06-15", "2022-13", "22-01"]
    expected = [date(2022, 1, 1), date(2022, 3, 1), date(2022, 4, 1), date(2022, 5, 1), date(2022, 6, 1), None, None]
    assert _one(parsing.parse_month(pl.col("v")), values) == expected


def test_timestamps_without_offset_are_local_and_stored_in_utc():
    # 2022-01-31 23:30 in Shanghai (UTC+8) is 15:30 UTC the same day; an explicit offset wins.
    values = ["2022-01-31 23:30:00", "2022-01-31T16:00:00Z", "2022-01-31T23:30:00+08:00", "2022/02/01 00:15"]
    out = _one(parsing.parse_timestamp(pl.col("v"), "Asia/Shanghai").dt.replace_time_zone(None), values)
    assert out == [datetime(2022, 1, 31, 15, 30), datetime(2022, 1, 31, 16, 0), datetime(2022, 1, 31, 15, 30),
                   datetime(2022, 1, 31, 16, 15)]


@pytest.mark.parametrize(
    ("text", "tz", "month"),
    [
        ("2022-01-31 23:30:00", "Asia/Shanghai", "2022-01"),
        ("2022-01-31T16:00:00Z", "Asia/Shanghai", "2022-02"),  # 00:00 on 1 Feb in Shanghai
        ("2022-01-31T16:00:00Z", "Europe/London", "2022-01"),
        ("not a time", "Asia/Shanghai", "unknown"),
    ],
)
def test_activity_month_is_cut_in_the_reporting_time_zone(text, tz, month):
    assert _one(parsing.activity_month(pl.col("v"), "timestamp", tz), [text]) == [month]


def test_booleans():
    assert _one(parsing.parse_bool(pl.col("v")), ["true", "FALSE", "yes", "0", "是", "maybe"]) == [True, False, True, False, True, None]

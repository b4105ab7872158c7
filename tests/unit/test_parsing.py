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


def _first_match(candidates: list[pl.Expr], values: list[str | None]) -> list:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return parsing.first_match(frame, candidates, sample=3).to_list()


def test_first_match_reads_every_format_as_the_full_parse_does():
    # Mostly one format (what a month of events looks like), then every other format the parsers know,
    # values that are not real dates or times, blanks and nulls: the per-format fast path must give the
    # values written by hand here, which are also what the all-formats coalesce gives.
    stamps = ["2022-01-31 23:30:00"] * 5 + [
        "2022-01-31T16:00:00Z", "2022-01-31T23:30:00+08:00", "2022/02/01 00:15", "2022-01-31 23:30",
        "2022-01-31T23:30:00.250", "2022-02-01", "2022年2月1日", "2022-02-30 10:00:00", "", None, "yesterday"]
    expected = [datetime(2022, 1, 31, 15, 30)] * 5 + [
        datetime(2022, 1, 31, 16, 0), datetime(2022, 1, 31, 15, 30), datetime(2022, 1, 31, 16, 15),
        datetime(2022, 1, 31, 15, 30), datetime(2022, 1, 31, 15, 30, 0, 250000), datetime(2022, 1, 31, 16, 0),
        datetime(2022, 1, 31, 16, 0), None, None, None, None]
    assert _first_match(parsing.candidates_of(pl.col("v"), "timestamp", "Asia/Shanghai"), stamps) == expected
    assert _one(parsing.parse_timestamp(pl.col("v"), "Asia/Shanghai").dt.replace_time_zone(None), stamps) == expected

    dates = ["20220105"] * 4 + ["2022-01-05", "2022/1/5", "2022年1月5日", "2022-01-05 00:00:00", "2022-02-30", None]
    assert _first_match(parsing.candidates_of(pl.col("v"), "date", "UTC"), dates) == [date(2022, 1, 5)] * 8 + [None, None]

    months = ["2022年5月"] * 3 + ["2022-01", "2022/3", "202204", "2022-06-15", "2022-13"]
    assert _first_match(parsing.candidates_of(pl.col("v"), "month", "UTC"), months) == [date(2022, 5, 1)] * 3 + [
        date(2022, 1, 1), date(2022, 3, 1), date(2022, 4, 1), date(2022, 6, 1), None]


def test_month_text_cuts_a_utc_time_in_the_reporting_zone():
    frame = pl.DataFrame({"v": [datetime(2022, 1, 31, 16, 0), None]})
    assert frame.select(parsing.month_text(pl.col("v"), "timestamp", "Asia/Shanghai")).to_series().to_list() == [
        "2022-02", "unknown"]

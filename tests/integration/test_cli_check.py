"""`carbonledger check`: names every bad row by file, row and column; exit codes 0, 1 and 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, cli_env, run_cli

BASE = FIXTURES / "spine_basic" / "landing"


def _landing(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    shutil.copytree(BASE, landing)
    return landing


def test_valid_landing_exits_0(tmp_path):
    result = run_cli(["check", "--landing", str(BASE)], cli_env(tmp_path))
    assert result.returncode == 0, result.stdout
    # 3 entities + 5 facilities + 36 headcount months + 60 energy lines
    assert "104 rows checked, 0 bad, 0 unreadable file(s)." in result.stdout
    assert "上海分行.csv: read as GB18030/GBK" in result.stdout


def test_bad_rows_are_named_and_exit_1(tmp_path):
    landing = _landing(tmp_path)
    (landing / "energy" / "bad.csv").write_text(
        "record_id,facility_id,period_start,period_end,energy_type,quantity,unit,data_source\n"
        "X1,F-BJ-01,2022-05-01,2022-05-31,electricity,-12,kWh,meter\n"
        "X2,F-NOPE,2022-05-01,2022-05-31,electricity,12,kWh,meter\n",
        encoding="utf-8",
    )
    result = run_cli(["check", "--landing", str(landing)], cli_env(tmp_path))
    assert result.returncode == 1, result.stdout
    assert "energy/bad.csv row 2 column quantity: value '-12' is negative [negative_quantity]" in result.stdout
    assert "energy/bad.csv row 3 column facility_id: value 'F-NOPE' is not a known facility (org_facilities) [unknown_facility]" in result.stdout
    assert "106 rows checked, 2 bad" in result.stdout


def test_an_unreadable_file_exits_2_even_with_bad_rows(tmp_path):
    landing = _landing(tmp_path)
    (landing / "energy" / "bad.csv").write_text(
        "record_id,facility_id,period_start,period_end,energy_type,quantity,unit,data_source\n"
        "X1,F-BJ-01,2022-05-01,2022-05-31,electricity,-12,kWh,meter\n", encoding="utf-8")
    (landing / "energy" / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    result = run_cli(["check", "--landing", str(landing)], cli_env(tmp_path))
    assert result.returncode == 2, result.stdout
    assert "energy/broken.xlsx: cannot read the workbook" in result.stdout


def test_empty_files_are_warnings_only(tmp_path):
    landing = _landing(tmp_path)
    (landing / "energy" / "empty.csv").write_text("", encoding="utf-8")
    (landing / "energy" / "header_only.csv").write_text(
        "record_id,facility_id,period_start,period_end,energy_type,quantity,unit,data_source\n", encoding="utf-8")
    result = run_cli(["check", "--landing", str(landing)], cli_env(tmp_path))
    assert result.returncode == 0, result.stdout
    assert "warning: energy/empty.csv: empty file" in result.stdout
    assert "warning: energy/header_only.csv: header only, no rows" in result.stdout

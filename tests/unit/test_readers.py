"""Reading landing files as delivered: encodings, delimiters, headers, workbooks, empty files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from assets.ingest import readers
from assets.ingest.readers import LandingFile, LandingFileError, read_landing_file


def _landing_file(root: Path, rel: str) -> LandingFile:
    return LandingFile(path=root / rel, source_file=rel)


def _write(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def _collect(result) -> pl.DataFrame:
    return result.frame.collect()


def test_gb18030_is_detected_and_transcoded(tmp_path):
    _write(tmp_path / "energy/上海.csv", "record_id,facility_id,unit\nR1,上海分行,万千瓦时\n", encoding="gb18030")
    result = read_landing_file(_landing_file(tmp_path, "energy/上海.csv"), tmp_path)
    frame = _collect(result)
    assert result.encoding == "gb18030"
    assert frame.row(0, named=True) == {"record_id": "R1", "facility_id": "上海分行", "unit": "万千瓦时",
                                        "source_file": "energy/上海.csv", "source_row": 2}


def test_transcoding_streams_in_chunks(tmp_path, monkeypatch):
    # A chunk boundary falls inside multi-byte characters; the incremental decoder must cope.
    monkeypatch.setattr(readers, "CHUNK_BYTES", 7)
    body = "a,b\n" + "".join(f"{i},度数万千瓦时\n" for i in range(200))
    _write(tmp_path / "x.csv", body, encoding="gb18030")
    frame = _collect(read_landing_file(_landing_file(tmp_path, "x.csv"), tmp_path))
    assert frame.height == 200
    assert set(frame["b"]) == {"度数万千瓦时"}
    assert frame["source_row"].to_list() == list(range(2, 202))


def test_bom_semicolons_and_header_normalisation(tmp_path):
    _write(tmp_path / "f.csv", "\ufeff Record_ID ;FACILITY_ID; Quantity \nR1;F1;1,5\n")
    result = read_landing_file(_landing_file(tmp_path, "f.csv"), tmp_path)
    assert result.columns == ["record_id", "facility_id", "quantity"]
    assert _collect(result).row(0) == ("R1", "F1", "1,5", "f.csv", 2)


def test_empty_and_header_only_files(tmp_path):
    _write(tmp_path / "empty.csv", "")
    _write(tmp_path / "header.csv", "a,b\n")
    empty = read_landing_file(_landing_file(tmp_path, "empty.csv"), tmp_path)
    header = read_landing_file(_landing_file(tmp_path, "header.csv"), tmp_path)
    assert empty.frame is None and "empty file" in empty.warnings[0]
    assert _collect(header).height == 0


def test_duplicate_header_is_a_file_error(tmp_path):
    _write(tmp_path / "dup.csv", "a,A\n1,2\n")
    with pytest.raises(LandingFileError, match="appears twice"):
        read_landing_file(_landing_file(tmp_path, "dup.csv"), tmp_path)


def test_xlsx_is_read_as_text_with_spreadsheet_rows(tmp_path):
    import xlsxwriter

    path = tmp_path / "e.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["Record_ID", "quantity"])
    ws.write_row(1, 0, ["R1", 1234.5])
    ws.write_row(2, 0, ["R2", 7])
    wb.close()
    frame = _collect(read_landing_file(_landing_file(tmp_path, "e.xlsx"), tmp_path))
    assert frame["record_id"].to_list() == ["R1", "R2"]
    assert [float(v) for v in frame["quantity"]] == [1234.5, 7.0]
    assert frame["source_row"].to_list() == [2, 3]


def test_truncated_xlsx_is_a_file_error(tmp_path):
    import xlsxwriter

    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet().write_row(0, 0, ["a", "b"])
    wb.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(LandingFileError, match="cannot read the workbook"):
        read_landing_file(_landing_file(tmp_path, "t.xlsx"), tmp_path)


def test_other_file_types_are_skipped_with_a_warning(tmp_path):
    _write(tmp_path / "energy/a.csv", "a\n1\n")
    _write(tmp_path / "energy/readme.txt", "notes")
    found, skipped = readers.find_landing_files(tmp_path, "energy")
    assert [f.source_file for f in found] == ["energy/a.csv"]
    assert skipped == ["energy/readme.txt: skipped, not .csv, .xlsx or .parquet"]

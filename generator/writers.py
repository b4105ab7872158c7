"""Writing landing files byte-for-byte reproducibly: CSV (UTF-8, UTF-8 with BOM, GB18030), XLSX, Parquet.

Nothing written depends on the clock: workbooks carry a fixed creation date and xlsxwriter's fixed
zip timestamps, and Parquet files carry no time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

# Workbooks say they were created on this (fixed) day, so the same seed gives the same bytes.
WORKBOOK_CREATED = datetime(2024, 1, 15, 9, 0, 0)


@dataclass
class OutputFile:
    folder: str  # the landing folder, e.g. "energy" or "datacenter/telemetry"
    name: str  # the path under the folder, e.g. "BANK/2022.csv"
    frame: pl.DataFrame
    encoding: str = "utf-8"  # CSV only: utf-8, utf-8-sig (Excel's "CSV UTF-8") or gb18030
    numbers: tuple[str, ...] = ()  # XLSX only: columns written as numbers, not text

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.name}"


@dataclass
class WriteStats:
    files: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, folder: str, rows: int, files: int = 1) -> None:
        self.files[folder] = self.files.get(folder, 0) + files
        self.rows[folder] = self.rows.get(folder, 0) + rows


def split_by_file(frame: pl.DataFrame, folder: str, numbers: tuple[str, ...] = (),
                  only_where_filled: tuple[str, ...] = ()) -> list[OutputFile]:
    """One OutputFile per value of `_file` (and `_encoding`, default UTF-8), in file-name order.

    Columns starting with `_` are the generator's own and are dropped; so are the
    `only_where_filled` columns in files where they are empty throughout (a column only some
    companies' files have, such as the bank's remarks). Every other column is always written.
    """
    if frame.is_empty():
        return []
    files = []
    has_encoding = "_encoding" in frame.columns
    for (name,), part in sorted(frame.group_by("_file", maintain_order=True), key=lambda item: item[0][0]):
        encoding = part["_encoding"][0] if has_encoding else "utf-8"
        public = [c for c in part.columns if not c.startswith("_")
                  and not (c in only_where_filled and part[c].null_count() == part.height)]
        files.append(OutputFile(folder, name, part.select(public), encoding, numbers))
    return files


def write_file(out_dir: Path, output: OutputFile) -> None:
    path = out_dir / output.folder / output.name
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        _write_csv(path, output.frame, output.encoding)
    elif suffix == ".xlsx":
        _write_xlsx(path, output.frame, output.numbers)
    elif suffix == ".parquet":
        write_parquet(path, output.frame.to_arrow())
    else:
        raise ValueError(f"{output.path}: no writer for {suffix!r}")


def _write_csv(path: Path, frame: pl.DataFrame, encoding: str) -> None:
    text = frame.write_csv(null_value="")
    path.write_bytes(text.encode(encoding))  # "utf-8-sig" writes the BOM Excel adds


def _write_xlsx(path: Path, frame: pl.DataFrame, numbers: tuple[str, ...]) -> None:
    """Numbers as numbers (as an office's spreadsheet has them), everything else as text."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True, "strings_to_numbers": False})
    workbook.set_properties({"created": WORKBOOK_CREATED, "author": "Carbon Ledger generator"})
    sheet = workbook.add_worksheet("data")
    sheet.write_row(0, 0, frame.columns)
    for col, name in enumerate(frame.columns):
        values = frame[name]
        if name in numbers:
            cells = values.cast(pl.Float64, strict=False)
        else:
            cells = values.cast(pl.String).replace("", None)  # an empty cell, not an empty string
        sheet.write_column(1, col, cells.to_list())
    workbook.close()


def write_parquet(path: Path, table: pa.Table) -> None:
    """zstd Parquet; low-cardinality text is dictionary-encoded, sequential numbers delta-encoded."""
    path.parent.mkdir(parents=True, exist_ok=True)
    dictionary_columns = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
    delta_columns = {f.name: "DELTA_BINARY_PACKED" for f in table.schema
                     if pa.types.is_integer(f.type) or pa.types.is_timestamp(f.type)}
    pq.write_table(table, path, compression="zstd", compression_level=1, use_dictionary=dictionary_columns or False,
                   column_encoding=delta_columns or None, row_group_size=1 << 20)

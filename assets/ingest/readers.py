"""Reading landing files as delivered: CSV (UTF-8 or GB18030/GBK), XLSX and Parquet, all as text.

Every column is read as text so a later message can quote the raw value. Headers are matched after
trimming, lower-casing and removing a BOM. `source_row` counts the header as row 1, as a spreadsheet
does. GB18030 files are transcoded to UTF-8 in streamed chunks (DuckDB's encodings extension cannot
be installed here, and a large file must never be loaded whole).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".parquet")
CHUNK_BYTES = 1 << 20
BATCH_BYTES = 2 << 20  # a CSV is parsed this many bytes at a time (whole records): ~20x that in memory
BATCH_ROWS = 100_000  # Parquet row batches
ROW_COLUMNS = ("source_file", "source_row")


class LandingFileError(Exception):
    """A file that cannot be read at all (exit code 2 of `carbonledger check`)."""

    def __init__(self, source_file: str, problem: str):
        super().__init__(f"{source_file}: {problem}")
        self.source_file = source_file
        self.problem = problem


@dataclass
class LandingFile:
    path: Path
    source_file: str  # relative to the landing folder, with forward slashes

    @property
    def part_name(self) -> str:
        """Names the file's Parquet parts in every layer: sha1 of its landing path."""
        return hashlib.sha1(self.source_file.encode("utf-8")).hexdigest()

    def fingerprint(self) -> str:
        stat = self.path.stat()
        return f"{stat.st_size}:{stat.st_mtime_ns}"


@dataclass
class ReadResult:
    frame: pl.LazyFrame | None  # None when the file holds no rows
    columns: list[str]
    encoding: str
    warnings: list[str] = field(default_factory=list)
    # The same rows as `frame`, a few MB at a time, so a large file is never held whole (bronze uses it).
    batches: Callable[[], Iterator[pl.DataFrame]] | None = None

    def iter_batches(self) -> Iterator[pl.DataFrame]:
        if self.batches is not None:
            yield from self.batches()
        elif self.frame is not None:
            yield self.frame.collect()


def find_landing_files(landing_dir: Path, folder: str) -> tuple[list[LandingFile], list[str]]:
    """Files under landing/<folder> (recursively), and warnings for files of other types."""
    root = landing_dir / folder
    found: list[LandingFile] = []
    skipped: list[str] = []
    if not root.is_dir():
        return found, skipped
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(landing_dir).as_posix()
        if path.name.startswith((".", "~$")):
            continue
        if path.suffix.lower() in SUPPORTED_SUFFIXES:
            found.append(LandingFile(path=path, source_file=rel))
        else:
            skipped.append(f"{rel}: skipped, not .csv, .xlsx or .parquet")
    return found, skipped


def normalise_header(name: str) -> str:
    return name.replace("\ufeff", "").strip().strip('"').strip().lower()


def detect_encoding(path: Path) -> str:
    """'utf-8' when the whole file decodes strictly as UTF-8, else 'gb18030' (a superset of GBK)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    decoder = codecs.getincrementaldecoder("gb18030")(errors="strict")
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise LandingFileError(path.name, f"neither UTF-8 nor GB18030/GBK text (byte {exc.start} of a chunk)") from exc
    return "gb18030"


def transcode_to_utf8(path: Path, encoding: str, out_dir: Path) -> Path:
    """Stream `path` from `encoding` to a UTF-8 file in `out_dir`, a chunk at a time."""
    target = out_dir / (hashlib.sha1(str(path).encode()).hexdigest() + ".csv")
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(CHUNK_BYTES):
            dst.write(decoder.decode(chunk))
        dst.write(decoder.decode(b"", final=True))
    return target


def _first_line(path: Path) -> str:
    with path.open("r", encoding="utf-8", newline="") as handle:
        return handle.readline()


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a header line: the most frequent of comma, semicolon, tab and pipe."""
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > 0 else ","


def _with_lineage(frame: pl.LazyFrame, landing_file: LandingFile, columns: list[str]) -> pl.LazyFrame:
    return frame.select(
        [pl.col(c).cast(pl.String) for c in columns]
        + [pl.lit(landing_file.source_file).alias("source_file"), pl.col("source_row").cast(pl.Int64)]
    )


def _check_header(landing_file: LandingFile, raw: list[str]) -> list[str]:
    names = [normalise_header(c) for c in raw]
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            raise LandingFileError(landing_file.source_file, f"row 1, column {position}: empty header")
        if name in seen:
            raise LandingFileError(landing_file.source_file, f"row 1: header {name!r} appears twice")
        seen.add(name)
    return names


def record_end(data: bytes) -> int:
    """Offset just after the last complete CSV record in `data` (0 if none): the last newline with an
    even number of double quotes before it (a newline inside a quoted field does not end a record;
    an escaped quote "" counts twice, so the parity holds)."""
    end = len(data)
    while True:
        newline = data.rfind(b"\n", 0, end)
        if newline < 0:
            return 0
        if data.count(b'"', 0, newline) % 2 == 0:
            return newline + 1
        end = newline


def first_record_end(data: bytes) -> int:
    """Offset just after the first complete CSV record in `data` (0 if none): the header line."""
    start = 0
    while True:
        newline = data.find(b"\n", start)
        if newline < 0:
            return 0
        if data.count(b'"', 0, newline) % 2 == 0:
            return newline + 1
        start = newline + 1


def iter_csv_batches(path: Path, separator: str, names: list[str], landing_file: LandingFile,
                     batch_bytes: int | None = None) -> Iterator[pl.DataFrame]:
    """The records after the header of a UTF-8 CSV, `batch_bytes` at a time, as text with lineage.

    Each batch is parsed with the file's own header line in front, so records are read exactly as
    one polars read of the whole file would read them (columns from the header, ragged rows cut or
    padded with nulls, empty strings kept); `source_row` continues from batch to batch.
    """
    batch_bytes = batch_bytes or BATCH_BYTES
    with path.open("rb") as handle:
        pending = b""
        header = b""
        row = 2
        done = False
        while not done:
            block = handle.read(batch_bytes)
            done = not block
            pending += block
            if not header:
                end = first_record_end(pending)
                if end == 0:
                    if not done:
                        continue
                    return  # a header without a line end: no records
                header, pending = pending[:end], pending[end:]
            cut = len(pending) if done else record_end(pending)
            if cut == 0:
                continue
            chunk, pending = pending[:cut], pending[cut:]
            frame = pl.read_csv(io.BytesIO(header + chunk), has_header=True, new_columns=names, infer_schema=False,
                                separator=separator, truncate_ragged_lines=True, empty_string_is_null=False)
            yield frame.with_row_index("source_row", offset=row).select(
                [pl.col(c).cast(pl.String) for c in names]
                + [pl.lit(landing_file.source_file).alias("source_file"), pl.col("source_row").cast(pl.Int64)])
            row += frame.height


def read_csv(landing_file: LandingFile, scratch_dir: Path) -> ReadResult:
    path = landing_file.path
    if path.stat().st_size == 0:
        return ReadResult(None, [], "utf-8", [f"{landing_file.source_file}: empty file (no header, no rows)"])
    encoding = detect_encoding(path)
    readable = path if encoding == "utf-8" else transcode_to_utf8(path, encoding, scratch_dir)
    header_line = _first_line(readable).lstrip("\ufeff")
    if not header_line.strip():
        return ReadResult(None, [], encoding, [f"{landing_file.source_file}: empty file (no header, no rows)"])
    separator = sniff_delimiter(header_line)
    try:
        raw_names = pl.read_csv(readable, separator=separator, n_rows=0, infer_schema=False, encoding="utf8").columns
    except pl.exceptions.PolarsError as exc:
        raise LandingFileError(landing_file.source_file, f"cannot parse the CSV header: {exc}") from exc
    names = _check_header(landing_file, raw_names)
    frame = pl.scan_csv(
        readable,
        separator=separator,
        infer_schema=False,
        new_columns=names,
        row_index_name="source_row",
        row_index_offset=2,
        truncate_ragged_lines=True,
        empty_string_is_null=False,
    )
    warnings = []
    if encoding != "utf-8":
        warnings.append(f"{landing_file.source_file}: read as GB18030/GBK and transcoded to UTF-8")
    return ReadResult(_with_lineage(frame, landing_file, names), names, encoding, warnings,
                      batches=lambda: iter_csv_batches(readable, separator, names, landing_file))


def read_xlsx(landing_file: LandingFile) -> ReadResult:
    try:
        frame = pl.read_excel(landing_file.path, engine="calamine", infer_schema_length=0, sheet_id=1)
    except Exception as exc:  # fastexcel raises its own error types for broken workbooks
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LandingFileError(landing_file.source_file, f"cannot read the workbook: {detail}") from exc
    names = _check_header(landing_file, frame.columns)
    frame = frame.rename(dict(zip(frame.columns, names))).with_row_index("source_row", offset=2)
    return ReadResult(_with_lineage(frame.lazy(), landing_file, names), names, "xlsx")


def read_parquet(landing_file: LandingFile) -> ReadResult:
    try:
        schema = pl.read_parquet_schema(landing_file.path)
    except Exception as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LandingFileError(landing_file.source_file, f"cannot read the Parquet file: {detail}") from exc
    names = _check_header(landing_file, list(schema))
    frame = (
        pl.scan_parquet(landing_file.path)
        .rename(dict(zip(schema, names)))
        .with_row_index("source_row", offset=2)
    )

    def batches() -> Iterator[pl.DataFrame]:
        import pyarrow.parquet as pq

        row = 2
        for batch in pq.ParquetFile(landing_file.path).iter_batches(batch_size=BATCH_ROWS):
            chunk = pl.from_arrow(batch)
            chunk = chunk.rename(dict(zip(chunk.columns, names))).with_row_index("source_row", offset=row)
            row += chunk.height
            yield _with_lineage(chunk.lazy(), landing_file, names).collect()

    return ReadResult(_with_lineage(frame, landing_file, names), names, "parquet", batches=batches)


def read_landing_file(landing_file: LandingFile, scratch_dir: Path) -> ReadResult:
    """Read one landing file as text columns plus `source_file` and `source_row`."""
    suffix = landing_file.path.suffix.lower()
    if suffix == ".csv":
        return read_csv(landing_file, scratch_dir)
    if suffix == ".xlsx":
        return read_xlsx(landing_file)
    if suffix == ".parquet":
        return read_parquet(landing_file)
    raise LandingFileError(landing_file.source_file, f"unsupported file type {suffix!r}")


def scratch_directory(base: Path | None = None) -> tempfile.TemporaryDirectory:
    """A temporary folder for transcoded copies, removed when the caller is done."""
    if base is not None:
        os.makedirs(base, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix="carbonledger-", dir=base)

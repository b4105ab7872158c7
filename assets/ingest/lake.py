"""Where lake tables live and how their Parquet parts are written, replaced and withdrawn.

Layout: data/lake/<layer>/<table>/activity_month=YYYY-MM/<sha1(source_file)>.parquet for activity
tables and data/lake/<layer>/<table>/<sha1(source_file)>.parquet for dimensions; a silver month
validated in slices has <sha1(source_file)>.<slice>.parquet, one per slice. A part is written to
a hidden temporary name and renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

LAYERS = ("bronze", "silver", "quarantine")
UNKNOWN_MONTH = "unknown"


@dataclass(frozen=True)
class Lake:
    root: Path  # data/lake

    def table_dir(self, layer: str, table: str) -> Path:
        return self.root / layer / table

    def month_dir(self, layer: str, table: str, month: str) -> Path:
        return self.table_dir(layer, table) / f"activity_month={month}"

    def part_path(self, layer: str, table: str, part: str, month: str | None) -> Path:
        folder = self.table_dir(layer, table) if month is None else self.month_dir(layer, table, month)
        return folder / f"{part}.parquet"

    def months(self, layer: str, table: str) -> list[str]:
        base = self.table_dir(layer, table)
        if not base.is_dir():
            return []
        return sorted(p.name.split("=", 1)[1] for p in base.glob("activity_month=*") if p.is_dir())

    def parts(self, layer: str, table: str, month: str | None) -> dict[str, Path]:
        """part name -> path, for one month (or the unpartitioned table)."""
        folder = self.table_dir(layer, table) if month is None else self.month_dir(layer, table, month)
        if not folder.is_dir():
            return {}
        return {p.stem: p for p in folder.glob("*.parquet") if not p.name.startswith(".")}

    def all_parts(self, layer: str, table: str) -> list[Path]:
        base = self.table_dir(layer, table)
        return sorted(p for p in base.rglob("*.parquet") if not p.name.startswith(".")) if base.is_dir() else []

    def manifest_path(self, table: str) -> Path:
        return self.root / "_manifest" / f"{table}.json"

    def read_manifest(self, table: str) -> dict:
        path = self.manifest_path(table)
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def write_manifest(self, table: str, manifest: dict) -> None:
        path = self.manifest_path(table)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)


def write_part(frame: pl.DataFrame, path: Path) -> None:
    """Write a Parquet part atomically (temporary name, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.write_parquet(tmp, compression="zstd", statistics=True)
    os.replace(tmp, path)


def remove_part(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    parent = path.parent
    if parent.name.startswith("activity_month=") and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()


def count_rows(paths: list[Path]) -> int:
    """Rows in Parquet parts, from their footers only (parts may have different columns)."""
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(path).num_rows for path in paths)

"""`carbonledger publish --year Y`: freeze a year's inventory as a snapshot that is never overwritten.

A snapshot (data/snapshots/<year>/v<N>/) holds the year's marts as Parquet and a manifest with the
SHA-256 of every landing file, of the policy, of every factor-library seed, and the code commit, so
the same inputs reproduce the same marts (`publish --verify`). The snapshot's emission rows are also
written to the lake (silver.published_fct_emissions), where dbt compares them with the current
figures to explain each restatement by its trigger.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from assets.ingest.lake import Lake, write_part
from pipelines.policy import LoadedPolicy

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = PROJECT_ROOT / "dbt_project" / "seeds"
SNAPSHOT_MARTS = ("rpt_ghg_inventory_annual", "rpt_intensity_annual", "fct_emissions")
# The emission rows a restatement compares (published vs current), by source row and gas.
PUBLISHED_FCT_COLUMNS = (
    "reporting_year", "activity_month", "entity_id", "facility_id", "scope", "category", "scope2_method", "gas",
    "source_file", "source_row", "record_id", "activity_quantity", "activity_unit", "factor_set", "factor_id",
    "is_estimate", "t_co2e", "consolidation_share",
)


class PublishError(RuntimeError):
    pass


@dataclass
class Snapshot:
    year: int
    version: int
    path: Path

    @property
    def snapshot_id(self) -> str:
        return f"{self.year}-v{self.version}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def landing_hashes(landing_dir: Path) -> list[dict]:
    files = sorted(p for p in landing_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [{"source_file": p.relative_to(landing_dir).as_posix(), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
            for p in files]


def seed_hashes() -> list[dict]:
    return [{"file": p.relative_to(PROJECT_ROOT).as_posix(), "sha256": sha256_file(p)}
            for p in sorted(SEEDS_DIR.rglob("*.csv"))]


def code_version() -> dict:
    def git(*args: str) -> str | None:
        try:
            return subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
                                  check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    return {"git_commit": git("rev-parse", "HEAD"), "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
            "package": "carbonledger 0.1.0"}


def _year_frames(warehouse: Path, year: int) -> dict[str, pl.DataFrame]:
    if not warehouse.exists():
        raise PublishError(f"{warehouse}: no warehouse yet; run `carbonledger run` first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frames = {mart: pl.from_arrow(con.sql(f"select * from marts.{mart} where reporting_year = {int(year)}").to_arrow_table())
                  for mart in SNAPSHOT_MARTS}
    if frames["rpt_ghg_inventory_annual"].is_empty():
        raise PublishError(f"no inventory for {year} in {warehouse}; run `carbonledger run --years {year}` first")
    return frames


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def _frame_sha256(frame: pl.DataFrame) -> str:
    """A digest of the rows, independent of their order and of Parquet encoding details.

    Floats are rounded to 6 decimals (a gram of a tonne): parallel sums may differ in the last bits
    between two runs of the same inputs, and that must not count as a different inventory.
    """
    rounded = frame.with_columns(pl.col(pl.Float32, pl.Float64).round(6))
    return hashlib.sha256(_sorted(rounded).write_csv().encode("utf-8")).hexdigest()


def existing_versions(snapshots_dir: Path, year: int) -> list[int]:
    base = snapshots_dir / str(year)
    return sorted(int(p.name[1:]) for p in base.glob("v*") if p.name[1:].isdigit()) if base.is_dir() else []


def publish(year: int, data_dir: Path, landing_dir: Path, policy: LoadedPolicy, run_id: str | None = None,
            warehouse: Path | None = None) -> Snapshot:
    """Freeze the year's marts as the next snapshot version (earlier versions are never touched).

    warehouse: what to read the marts from (default <data>/warehouse.duckdb; on Spark, the views over its tables).
    """
    frames = _year_frames(warehouse or data_dir / "warehouse.duckdb", year)
    snapshots_dir = data_dir / "snapshots"
    version = (existing_versions(snapshots_dir, year) or [0])[-1] + 1
    snapshot = Snapshot(year, version, snapshots_dir / str(year) / f"v{version}")
    staging = snapshot.path.with_name(f".v{version}.tmp")
    staging.mkdir(parents=True, exist_ok=False)
    for mart, frame in frames.items():
        frame.write_parquet(staging / f"{mart}.parquet", compression="zstd")
    (staging / "policy.yml").write_bytes(policy.path.read_bytes())
    manifest = {
        "snapshot_id": snapshot.snapshot_id,
        "reporting_year": year,
        "version": version,
        "published_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "run_id": run_id,
        "policy": {"path": str(policy.path), "sha256": policy.sha256},
        "landing_files": landing_hashes(landing_dir),
        "factor_library": {"seeds": seed_hashes(),
                           "factor_ids_used": sorted(set(frames["fct_emissions"]["factor_id"].drop_nulls().to_list()))},
        "code": code_version(),
        "marts": {mart: {"rows": frame.height, "sha256": _frame_sha256(frame)} for mart, frame in frames.items()},
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    staging.rename(snapshot.path)  # never overwrites: the target does not exist (mkdir above would have failed)
    # Each row with its entity's share in the group total as published (a later change of share is structural).
    shares = frames["rpt_ghg_inventory_annual"].filter(~pl.col("is_group_total")).select(
        "entity_id", "consolidation_share").unique("entity_id")
    published = frames["fct_emissions"].join(shares, on="entity_id", how="left").with_columns(
        pl.col("consolidation_share").fill_null(0.0)).select(PUBLISHED_FCT_COLUMNS).with_columns(
        pl.lit(snapshot.snapshot_id).alias("snapshot_id"), pl.lit(version).cast(pl.Int64).alias("snapshot_version"),
        pl.lit(manifest["published_at"]).alias("published_at"),
    )
    write_part(published, Lake(data_dir / "lake").part_path("silver", "published_fct_emissions", snapshot.snapshot_id, None))
    return snapshot


def verify(year: int, version: int, data_dir: Path, landing_dir: Path, policy: LoadedPolicy,
           warehouse: Path | None = None) -> list[str]:
    """Differences between a snapshot and what the current inputs and warehouse give (empty: reproduced)."""
    path = data_dir / "snapshots" / str(year) / f"v{version}"
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    problems = []
    if manifest["policy"]["sha256"] != policy.sha256:
        problems.append(f"policy differs: published {manifest['policy']['sha256'][:12]}, now {policy.sha256[:12]}")
    published_files = {f["source_file"]: f["sha256"] for f in manifest["landing_files"]}
    current_files = {f["source_file"]: f["sha256"] for f in landing_hashes(landing_dir)}
    for name in sorted(set(published_files) | set(current_files)):
        if published_files.get(name) != current_files.get(name):
            state = "added" if name not in published_files else "removed" if name not in current_files else "changed"
            problems.append(f"landing file {name} {state}")
    published_seeds = {s["file"]: s["sha256"] for s in manifest["factor_library"]["seeds"]}
    for seed in seed_hashes():
        if published_seeds.get(seed["file"]) != seed["sha256"]:
            problems.append(f"seed {seed['file']} differs")
    frames = _year_frames(warehouse or data_dir / "warehouse.duckdb", year)
    for mart, frame in frames.items():
        published = pl.read_parquet(path / f"{mart}.parquet")
        if _frame_sha256(frame) != manifest["marts"][mart]["sha256"]:
            problems.append(f"mart {mart}: {frame.height} rows now, {published.height} published; rows differ")
    return problems

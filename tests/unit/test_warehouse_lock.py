"""One writer: a second holder waits a bounded time, then reports who holds the warehouse."""

from __future__ import annotations

import time

import pytest

from pipelines.warehouse_lock import WarehouseBusy, warehouse_lock


def test_second_writer_is_refused_with_the_holder_run_id(tmp_path):
    lock = tmp_path / ".warehouse.lock"
    with warehouse_lock(lock, "run-A"):
        started = time.monotonic()
        with pytest.raises(WarehouseBusy, match="^warehouse busy: run run-A$"):
            with warehouse_lock(lock, "run-B", wait_seconds=0.6, poll_seconds=0.1):
                pass
        assert time.monotonic() - started >= 0.6  # it waited before giving up


def test_the_lock_is_released_when_the_holder_ends(tmp_path):
    lock = tmp_path / ".warehouse.lock"
    with warehouse_lock(lock, "run-A"):
        pass
    with warehouse_lock(lock, "run-B", wait_seconds=0):
        assert lock.read_text().strip() == "run-B"


# --- the working copy: dbt builds beside the warehouse, a successful run swaps it in ------------------

import subprocess  # noqa: E402
import sys  # noqa: E402

import duckdb  # noqa: E402

from pipelines.warehouse_lock import WorkingCopy, file_is_open_for_writing  # noqa: E402


def _warehouse(path, value: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.totals as select ? as t", [value])
        con.execute("create or replace view marts.totals_view as select * from warehouse.marts.totals")


def _read(path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select t from marts.totals_view").fetchone()[0]


def test_the_working_copy_is_a_copy_and_only_commit_publishes_it(tmp_path):
    _warehouse(tmp_path / "warehouse.duckdb", 1)
    working = WorkingCopy(tmp_path)
    report = working.prepare()
    assert working.building == tmp_path / ".building" / "warehouse.duckdb"  # same stem: same database name
    assert report.copied_bytes > 0 and report.method in ("clone", "copy")
    _warehouse(working.building, 2)  # what dbt does to the copy
    assert _read(tmp_path / "warehouse.duckdb") == 1  # readers still see the old warehouse
    (working.staged_marts_dir / "totals").mkdir(parents=True)
    (working.staged_marts_dir / "totals" / "part_0.parquet").write_bytes(b"new")
    (tmp_path / "marts" / "totals").mkdir(parents=True)
    (tmp_path / "marts" / "totals" / "part_0.parquet").write_bytes(b"old")
    committed = working.commit()
    assert committed.warehouse_replaced and committed.marts_swapped == ["totals"]
    assert _read(tmp_path / "warehouse.duckdb") == 2  # views still resolve: the database is "warehouse"
    assert (tmp_path / "marts" / "totals" / "part_0.parquet").read_bytes() == b"new"
    assert not working.building.exists() and not working.staged_marts_dir.exists()


def test_an_abandoned_copy_is_replaced_by_a_fresh_one(tmp_path):
    _warehouse(tmp_path / "warehouse.duckdb", 1)
    working = WorkingCopy(tmp_path)
    working.prepare()
    _warehouse(working.building, 99)  # a failed run's half-built copy, left behind
    working.prepare()
    assert _read(working.building) == 1


def test_a_first_run_starts_from_an_empty_warehouse(tmp_path):
    working = WorkingCopy(tmp_path)
    assert working.prepare().method == "new" and not working.building.exists()
    _warehouse(working.building, 5)
    working.commit()
    assert _read(tmp_path / "warehouse.duckdb") == 5


def test_prepare_waits_for_an_orphaned_dbt_still_writing_the_copy(tmp_path):
    """A run killed with SIGKILL leaves its dbt child running; the next run must not copy under it."""
    _warehouse(tmp_path / "warehouse.duckdb", 1)
    working = WorkingCopy(tmp_path)
    working.prepare()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); con.execute('select 1'); "
        "print('open', flush=True); time.sleep(30)"), str(working.building)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        assert file_is_open_for_writing(working.building)
        with pytest.raises(WarehouseBusy, match="^warehouse busy: run run-killed "):
            working.prepare(wait_seconds=0.6, previous_run="run-killed", poll_seconds=0.1)
    finally:
        holder.kill()
        holder.wait()
    assert not file_is_open_for_writing(working.building)
    working.prepare(wait_seconds=0)
    assert _read(working.building) == 1


# --- the copy is made in the background while the first steps run ------------------------------------------


def test_a_reader_of_the_copy_waits_until_the_background_copy_is_complete(tmp_path, monkeypatch):
    """start_copy returns at once; wait_for_copy(building) returns only after the copy thread finished
    (a copy slowed to 0.5 s here), and the copy is then whole: the warehouse's figure reads from it."""
    import pipelines.warehouse_lock as wl

    _warehouse(tmp_path / "warehouse.duckdb", 7)
    real_copy = wl._clone_or_copy

    def slow_copy(source, target):
        time.sleep(0.5)
        return real_copy(source, target)

    monkeypatch.setattr(wl, "_clone_or_copy", slow_copy)
    working = WorkingCopy(tmp_path)
    started = time.monotonic()
    pending = working.start_copy()
    assert time.monotonic() - started < 0.4  # the run's first steps go on meanwhile
    wl.wait_for_copy(working.building)
    assert time.monotonic() - started >= 0.5
    assert _read(working.building) == 7
    report = pending.wait()
    assert report.method in ("clone", "copy") and report.copied_bytes == working.live.stat().st_size
    assert pending.waited_seconds > 0.05
    wl.wait_for_copy(tmp_path / "warehouse.duckdb")  # not a copy being made: returns at once


def test_a_background_copy_that_fails_fails_its_reader_and_is_never_published(tmp_path, monkeypatch):
    import pipelines.warehouse_lock as wl

    _warehouse(tmp_path / "warehouse.duckdb", 7)

    def full_disk(source, target):
        target.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(wl, "_clone_or_copy", full_disk)
    working = WorkingCopy(tmp_path)
    pending = working.start_copy()
    with pytest.raises(RuntimeError, match="working copy .* could not be made: .*No space left on device"):
        wl.wait_for_copy(working.building)
    with pytest.raises(RuntimeError, match="could not be made"):
        wl.wait_for_copy(working.building)  # a later step never opens the half-written copy either
    with pytest.raises(RuntimeError, match="could not be made"):
        pending.wait()  # what the run's end calls before it would commit
    assert _read(tmp_path / "warehouse.duckdb") == 7

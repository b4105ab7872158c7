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

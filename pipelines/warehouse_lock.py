"""One writer: the exclusive lock a run holds on data/.warehouse.lock while dbt may write the warehouse.

A second run waits a bounded time for the lock, then stops before writing anything with
"warehouse busy: run <id>" (the id of the run holding it). The lock is an OS file lock (flock), so a
killed run releases it automatically.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse lock."""


@contextmanager
def warehouse_lock(lock_path: Path, run_id: str, wait_seconds: float = 60.0, poll_seconds: float = 0.5) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+", encoding="utf-8")
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    raise WarehouseBusy(f"warehouse busy: run {holder}") from None
                time.sleep(poll_seconds)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{run_id}\n")
        handle.flush()
        os.fsync(handle.fileno())
        yield
    finally:
        handle.close()  # closing the descriptor releases the flock

"""One writer, and restart safety: the lock a warehouse-writing run holds, and the working copy it builds in.

**The lock.** A run that may write the warehouse holds an exclusive lock on data/.warehouse.lock for
its whole duration. A second run waits a bounded time for it, then stops before writing anything with
"warehouse busy: run <id>" (the id of the run holding it). The lock is an OS file lock (flock), so a
killed run releases it automatically.

**The working copy.** dbt never writes data/warehouse.duckdb itself. At the start of the run (with the
lock held) the warehouse is copied to data/.building/warehouse.duckdb and dbt is pointed at that copy
(CARBONLEDGER_WAREHOUSE_FILE, read by dbt_project/profiles.yml); the export step reads the copy and
writes its Parquet folders under data/.building/marts/. Only when every step of the run succeeded is
the copy checkpointed and renamed over data/warehouse.duckdb (os.replace: atomic), and the staged mart
folders renamed into data/marts/. A run that fails, is cancelled or is killed leaves the previous
warehouse and exports exactly as they were; the next run starts from a fresh copy.

The copy is made in a background thread while the run's first steps (bronze, silver: they read landing
files and the lake, never the warehouse) go on: every reader of the copy waits for it first
(`wait_for_copy`, called by the resources' `warehouse_path`), and the run ends only once the thread has.
Copying a 12 GB warehouse took 34 s of a 379 s month close before the steps could start (docs/benchmarks.md).

The copy keeps the file name `warehouse.duckdb` (in another folder) on purpose: dbt-duckdb names the
database after the file's stem, and dbt's views store fully qualified names ("warehouse"."marts"...),
so a copy named differently would leave views pointing at a database that does not exist once it is
renamed into place.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

WAREHOUSE_FILE = "warehouse.duckdb"
BUILDING_DIR = ".building"
# The variable dbt_project/profiles.yml reads for the DuckDB file (unset: <data>/warehouse.duckdb).
WAREHOUSE_FILE_ENV = "CARBONLEDGER_WAREHOUSE_FILE"
_FICLONE = 0x40049409  # ioctl of a copy-on-write clone (btrfs, XFS, bcachefs); ext4 falls back to a copy


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse lock."""


@contextmanager
def warehouse_lock(lock_path: Path, run_id: str, wait_seconds: float = 60.0, poll_seconds: float = 0.5) -> Iterator[str]:
    """Hold the lock; yields the id of the run that held it last ('' the first time)."""
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
        previous = handle.read().strip()
        handle.seek(0)
        handle.truncate()
        handle.write(f"{run_id}\n")
        handle.flush()
        os.fsync(handle.fileno())
        yield previous
    finally:
        handle.close()  # closing the descriptor releases the flock


# --- the working copy ------------------------------------------------------------------------------


@dataclass
class PrepareReport:
    copied_bytes: int
    seconds: float
    method: str  # "clone", "copy" or "new" (no warehouse yet)


@dataclass
class CommitReport:
    warehouse_replaced: bool
    marts_swapped: list[str]
    seconds: float


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _clone_or_copy(source: Path, target: Path) -> str:
    """Copy-on-write clone where the file system can, else an in-kernel copy (sendfile)."""
    with source.open("rb") as src, target.open("wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
            method = "clone"
        except OSError:
            method = "copy"
    if method == "copy":
        shutil.copyfile(source, target)
    _fsync_path(target)
    return method


def file_is_open_for_writing(path: Path) -> bool:
    """True when some process holds DuckDB's write lock (a POSIX lock) on the file.

    Only call this before this process opens the file with DuckDB: closing any descriptor of a file
    drops every POSIX lock this process holds on it.
    """
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EAGAIN):
            return True
        raise
    finally:
        os.close(fd)


def swap_folder_into_place(staging: Path, target: Path) -> None:
    """Replace the folder `target` by `staging` with renames only (the old folder is removed last)."""
    old = target.with_name(f".{target.name}.{uuid.uuid4().hex}.old")
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


@dataclass(frozen=True)
class WorkingCopy:
    """The copy of data/warehouse.duckdb that one run builds in, and the exports it stages."""

    data_dir: Path

    @property
    def live(self) -> Path:
        return self.data_dir / WAREHOUSE_FILE

    @property
    def building_dir(self) -> Path:
        return self.data_dir / BUILDING_DIR

    @property
    def building(self) -> Path:
        return self.building_dir / WAREHOUSE_FILE

    @property
    def staged_marts_dir(self) -> Path:
        return self.building_dir / "marts"

    @property
    def marts_dir(self) -> Path:
        return self.data_dir / "marts"

    def prepare(self, wait_seconds: float = 60.0, previous_run: str = "", poll_seconds: float = 0.5) -> PrepareReport:
        """Start from a fresh copy of the warehouse (call with the lock held)."""
        return self.start_copy(wait_seconds, previous_run, poll_seconds).wait()

    def start_copy(self, wait_seconds: float = 60.0, previous_run: str = "", poll_seconds: float = 0.5) -> "PendingCopy":
        """prepare(), the copy itself in a background thread: readers of `building` call wait_for_copy first."""
        started = time.monotonic()
        self.building_dir.mkdir(parents=True, exist_ok=True)
        # A run killed with SIGKILL leaves its dbt process running for a while (it does not hold the
        # flock, which belongs to the killed process): wait for it rather than copy under its feet.
        deadline = started + wait_seconds
        while file_is_open_for_writing(self.building):
            if time.monotonic() >= deadline:
                raise WarehouseBusy(f"warehouse busy: run {previous_run or 'unknown'} "
                                    f"(a dbt process of that run still writes {self.building})")
            time.sleep(poll_seconds)
        for stale in (self.building, self.building.with_name(WAREHOUSE_FILE + ".wal")):
            _unlink(stale)
        shutil.rmtree(self.staged_marts_dir, ignore_errors=True)
        if not self.live.exists():
            return PendingCopy.done(self.building, PrepareReport(0, time.monotonic() - started, "new"))
        if self.live.with_name(WAREHOUSE_FILE + ".wal").exists():
            # Someone wrote the warehouse outside a run and did not close it cleanly: fold the log in
            # first, or the copy would miss it.
            import duckdb

            with duckdb.connect(str(self.live)) as con:
                con.execute("checkpoint")

        def copy() -> PrepareReport:
            method = _clone_or_copy(self.live, self.building)
            return PrepareReport(self.building.stat().st_size, time.monotonic() - started, method)

        return PendingCopy.start(self.building, copy)

    def commit(self) -> CommitReport:
        """Put the run's warehouse and exports in place: one atomic rename, then one per mart folder."""
        import duckdb

        started = time.monotonic()
        replaced = False
        if self.building.exists():
            with duckdb.connect(str(self.building)) as con:  # fold the write-ahead log into the file
                con.execute("checkpoint")
            wal = self.building.with_name(WAREHOUSE_FILE + ".wal")
            if wal.exists() and wal.stat().st_size:
                raise RuntimeError(f"{wal} is not empty after a checkpoint: the warehouse is left unchanged")
            _unlink(wal)
            _fsync_path(self.building)
            os.replace(self.building, self.live)
            _fsync_path(self.data_dir)
            replaced = True
        swapped = []
        if self.staged_marts_dir.is_dir():
            self.marts_dir.mkdir(parents=True, exist_ok=True)
            for staged in sorted(p for p in self.staged_marts_dir.iterdir() if p.is_dir()):
                if staged.name.startswith("."):
                    shutil.rmtree(staged, ignore_errors=True)  # a half-written export of this run
                    continue
                swap_folder_into_place(staged, self.marts_dir / staged.name)
                swapped.append(staged.name)
            shutil.rmtree(self.staged_marts_dir, ignore_errors=True)
        return CommitReport(replaced, swapped, time.monotonic() - started)


# --- the copy in the background ---------------------------------------------------------------------------

_PENDING: dict[Path, "PendingCopy"] = {}
_PENDING_LOCK = threading.Lock()


class PendingCopy:
    """A working copy being made by a background thread. wait() returns its PrepareReport once the copy is
    complete (or raises what the copy raised); until then the file must not be opened."""

    def __init__(self, building: Path):
        self.building = building
        self.report: PrepareReport | None = None
        self.error: BaseException | None = None
        self.waited_seconds = 0.0  # how long the steps waited for the copy (0: it was ready before)
        self._thread: threading.Thread | None = None

    @classmethod
    def done(cls, building: Path, report: PrepareReport) -> "PendingCopy":
        pending = cls(building)
        pending.report = report
        return pending

    @classmethod
    def start(cls, building: Path, copy) -> "PendingCopy":
        pending = cls(building)

        def run() -> None:
            try:
                pending.report = copy()
            except BaseException as exc:  # handed to whoever waits
                pending.error = exc

        pending._thread = threading.Thread(target=run, name=f"working copy {building}", daemon=True)
        with _PENDING_LOCK:
            _PENDING[building.resolve()] = pending
        pending._thread.start()
        return pending

    def wait(self) -> PrepareReport:
        if self._thread is not None:
            if self._thread.is_alive():
                started = time.monotonic()
                self._thread.join()
                self.waited_seconds += time.monotonic() - started
            if self.error is None:  # a failed copy stays registered: every later reader gets the error too
                with _PENDING_LOCK:
                    _PENDING.pop(self.building.resolve(), None)
        if self.error is not None:
            raise RuntimeError(f"the run's working copy {self.building} could not be made: {self.error}") from self.error
        assert self.report is not None
        return self.report


def wait_for_copy(path: Path) -> None:
    """Return once `path` is not a working copy still being made (at once for any other file)."""
    with _PENDING_LOCK:
        pending = _PENDING.get(Path(path).resolve())
    if pending is not None:
        pending.wait()

"""A 200 MB landing file, generated in the test's temporary folder, through `carbonledger check`.

The file is read a few MB at a time and validated a month at a time, so memory stays well below the
file's own size; three bad rows (first, middle, last) must be found with their exact row numbers,
which proves the row numbering carries across read batches.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest

from assets.ingest import readers
from tests.fixtures.bad_inputs import corpus

TARGET_BYTES = 200_000_000
HEADER = "facility_id,interval_start,interval_minutes,it_energy_kwh,facility_energy_kwh\n"


def write_big_telemetry(landing: Path) -> tuple[Path, int, dict[int, str]]:
    """15-minute intervals of 26 data centres over 5 years (2018-2022), about 200 MB, written a data
    centre at a time (never held whole). Returns the file, its data rows and the bad rows' numbers."""
    centres = [f"F-DC-{i:03d}" for i in range(1, 27)]
    with (landing / "org/facilities/datacentres.csv").open("w", encoding="utf-8") as handle:
        handle.write("facility_id,entity_id,facility_name,facility_type,tenure,country,province,city,floor_area_m2,"
                     "valid_from,valid_to\n")
        for centre in centres:
            handle.write(f"{centre},GRP,Data centre {centre},data_center,owned,CN,北京,北京,3000,2015-01-01,\n")
    target = landing / "datacenter/telemetry/all_2018_2022.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    starts = pl.datetime_range(pl.datetime(2018, 1, 1), pl.datetime(2022, 12, 31, 23, 45), "15m", eager=True)
    per_centre = starts.len()
    rows = 0
    with target.open("wb") as out:
        out.write(HEADER.encode())
        for centre in centres:
            pl.DataFrame({"facility_id": centre, "interval_start": starts.dt.strftime("%Y-%m-%d %H:%M:%S"),
                          "interval_minutes": 15}).with_columns(
                (100 + (pl.int_range(pl.len()) % 50) / 10).alias("it_energy_kwh")).with_columns(
                (pl.col("it_energy_kwh") * 1.4).round(2).alias("facility_energy_kwh")).write_csv(out, include_header=False)
            rows += per_centre
    # Three bad values: the first data row, one in the middle, the last; the header is row 1.
    bad = {2: "-5", 2 + rows // 2: "lots", 1 + rows: "-7"}
    _replace_it_energy(target, bad)
    return target, rows, bad


def _replace_it_energy(path: Path, bad: dict[int, str]) -> None:
    """Rewrite a few lines in place, streaming (line lengths change, so through a second file)."""
    tmp = path.with_suffix(".tmp")
    with path.open("r", encoding="utf-8") as src, tmp.open("w", encoding="utf-8") as dst:
        for number, line in enumerate(src, start=1):
            if number in bad:
                fields = line.rstrip("\n").split(",")
                fields[3] = bad[number]
                line = ",".join(fields) + "\n"
            dst.write(line)
    tmp.replace(path)


WHOLE = textwrap.dedent("""
    import json, sys, threading, time
    import polars as pl

    def anon_mb():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) / 1024

    base = anon_mb()
    frame = pl.read_csv(sys.argv[1], infer_schema=False)
    print(json.dumps({"grew_mb": anon_mb() - base, "rows": frame.height}))
""")

CHILD = textwrap.dedent("""
    import io, json, sys, threading, time
    from pathlib import Path

    def anon_mb():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) / 1024

    from pipelines.landing_check import check_landing
    base = anon_mb()
    peak = [base]
    running = [True]
    def sample():
        while running[0]:
            peak[0] = max(peak[0], anon_mb())
            time.sleep(0.01)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    out = io.StringIO()
    code = check_landing(Path(sys.argv[1]), None, out)
    running[0] = False
    sampler.join()
    print(json.dumps({"exit": code, "seconds": time.perf_counter() - started, "base_mb": base,
                      "peak_mb": peak[0], "output": out.getvalue()}))
""")


@pytest.mark.integration
def test_a_200_mb_file_is_streamed_through_check(tmp_path):
    landing = corpus.lay_out(tmp_path)
    path, rows, bad = write_big_telemetry(landing)
    size = path.stat().st_size
    assert size >= TARGET_BYTES * 0.98, size
    # Anonymous memory (the heap, not the file pages the kernel caches), sampled every 10 ms, with
    # polars' allocator (jemalloc) returning freed pages at once rather than after its 10 s decay, so
    # what is measured is data held, not pages kept for reuse.
    env = {**os.environ, "_RJEM_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0"}
    result = subprocess.run([sys.executable, "-c", CHILD, str(landing)], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2], timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    text = report["output"]
    assert report["exit"] == 1, text[-2000:]
    source = "datacenter/telemetry/all_2018_2022.csv"
    first, middle, last = sorted(bad)
    assert f"{source} row {first} column it_energy_kwh: value '-5' is negative [negative_quantity]" in text
    assert f"{source} row {middle} column it_energy_kwh: value 'lots' is not a number [not_a_float]" in text
    assert f"{source} row {last} column it_energy_kwh: value '-7' is negative [negative_quantity]" in text
    base_rows = sum(corpus.expected().silver_rows.values()) + 26  # the base org and the 26 data centres
    assert f"{rows + base_rows:,} rows checked, 3 bad, 0 unreadable file(s)." in text
    # Streamed: the check's heap grows by less than the file's bytes, and by less than half of what
    # merely holding the file whole as text takes (measured the same way, in another process).
    whole = subprocess.run([sys.executable, "-c", WHOLE, str(path)], capture_output=True, text=True, timeout=600, env=env)
    assert whole.returncode == 0, whole.stderr[-2000:]
    held = json.loads(whole.stdout.strip().splitlines()[-1])
    grew = report["peak_mb"] - report["base_mb"]
    summary = {k: v for k, v in report.items() if k != "output"} | {"file_mb": size / 1e6, "whole_mb": held["grew_mb"]}
    print(summary)
    assert grew < size / 1e6, summary
    assert grew < 0.5 * held["grew_mb"], summary


def test_batches_read_exactly_what_one_read_of_the_whole_file_reads(tmp_path, monkeypatch):
    """Record boundaries: quoted newlines and quotes, CRLF, ragged and blank lines, tiny batches."""
    body = ('a,b,c\r\n1,"two\r\nlines",3\r\n4,"say ""hi"", then\nmore",6\n7,8\n\n9,10,11,12\n\n\n'
            + "".join(f"{i},x{i},\"{i},{i}\"\n" for i in range(200)))
    for text in (body + "last,row,no newline", body + "\n\n", body):
        _same_as_one_read(tmp_path, text)


def _same_as_one_read(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    landing_file = readers.LandingFile(path=path, source_file="t.csv")
    whole = pl.read_csv(io.BytesIO(text.encode()), infer_schema=False, truncate_ragged_lines=True,
                        empty_string_is_null=False).with_row_index("source_row", offset=2)
    for batch_bytes in (1, 7, 64, 1000, 1 << 20):
        batches = list(readers.iter_csv_batches(path, ",", ["a", "b", "c"], landing_file, batch_bytes=batch_bytes))
        got = pl.concat(batches)
        assert got.select("a", "b", "c").equals(whole.select("a", "b", "c")), batch_bytes
        assert got["source_row"].to_list() == whole["source_row"].cast(pl.Int64).to_list(), batch_bytes

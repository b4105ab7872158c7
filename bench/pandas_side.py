"""The pandas side of the benchmark, in a process of its own: `python -m bench.pandas_side EVENTS EMPLOYEES OUT`.

A child process so that its peak memory is pandas' own (not DuckDB's buffer pool held by the floor beside it)
and so that the parent's DuckDB memory is given back before pandas loads 10 million events. It reads the
sample the way a pandas team would (pd.read_parquet), runs rules.pandas_totals, writes the monthly totals to
OUT and prints one JSON line with the events read and the seconds spent loading and computing.
"""

from __future__ import annotations

import json
import sys
import time

import pandas as pd

from bench import rules


def main(argv: list[str]) -> int:
    events_path, employees_path, out_path = argv
    started = time.perf_counter()
    events = pd.read_parquet(events_path)
    employees = pd.read_parquet(employees_path)
    load_seconds = time.perf_counter() - started
    registry = rules.methodologies()
    started = time.perf_counter()
    out = rules.pandas_totals(events, employees, registry)
    pandas_seconds = time.perf_counter() - started
    out.to_parquet(out_path, index=False)
    print(json.dumps({"events": len(events), "load_seconds": load_seconds, "pandas_seconds": pandas_seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

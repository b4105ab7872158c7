"""Seeded random streams and identifiers, all vectorised.

Each part of the generator draws from its own stream (seed + part name), so changing how one
folder is generated never changes the bytes of another.
"""

from __future__ import annotations

import zlib

import numpy as np
import polars as pl
import pyarrow as pa


def rng_for(seed: int, part: str) -> np.random.Generator:
    """The random stream of one part of the generator (stable across runs and Python versions)."""
    return np.random.default_rng([seed, zlib.crc32(part.encode("utf-8"))])


def padded(prefix: str, numbers: np.ndarray | pl.Series, width: int) -> pl.Series:
    """'BK' + 0000123: zero-padded numbers behind a prefix."""
    series = numbers if isinstance(numbers, pl.Series) else pl.Series(np.asarray(numbers, dtype=np.int64))
    return pl.select(pl.lit(prefix) + series.cast(pl.String).str.zfill(width)).to_series()


def fixed_width_text(matrix: np.ndarray) -> pa.Array:
    """An (n, width) ASCII byte matrix as an Arrow string array, without copying or a loop."""
    n, width = matrix.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = pa.py_buffer(np.ascontiguousarray(matrix))
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), data])


def weighted_choice(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """Indices drawn with the given (unnormalised) weights, by inverse CDF: fast for large `size`."""
    cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
    picks = np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")
    return np.minimum(picks, len(cumulative) - 1)

"""Counting duplicate rows of big tables with 64-bit row hashes.

Each column contributes a key per row (its numbers, or codes of its strings); keys are folded
into one hash per row, blockwise so the work stays in cache. Cheap bucket screens then leave
only the rows that may have a twin, and those are checked exactly.
"""

from __future__ import annotations

import math
from concurrent.futures import Executor

import numpy as np
import pandas as pd

from automl_gui.core.data._common import EXACT_ROWS, HashKey, buffer


def split_keys(
    keys: list[HashKey], n: int, small: np.ndarray | None
) -> tuple[list[HashKey], list[HashKey]]:
    """Split keys into the few most distinct ones, hashed for every row, and the rest.

    Rows can only be duplicates if they agree on the first group; when that group is
    distinct enough (about 2 x log2(rows) + 16 bits of variety, judged on a small sample),
    few rows agree on it by chance, and the rest are hashed for those rows only.
    """
    if n <= EXACT_ROWS or len(keys) <= 3:
        return keys, []
    scored = []
    for key in keys:
        picked = key.values[small] if small is not None else key.values
        distinct = len(pd.unique(picked))
        ratio = distinct / max(len(picked), 1)
        bits = math.log2(n) if ratio > 0.95 else math.log2(max(distinct, 1))
        scored.append((bits, key))
    scored.sort(key=lambda item: -item[0])
    need = 2 * math.log2(n) + 16
    total = 0.0
    for i, (bits, _) in enumerate(scored):
        total += bits
        if total >= need:
            return [k for _, k in scored[: i + 1]], [k for _, k in scored[i + 1 :]]
    return keys, []


def value_key(series: pd.Series) -> HashKey | None:
    """A duplicate-row key read straight from a number, bool or date column (else None)."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        return HashKey(np.asarray(series.array.asi8, dtype=np.int64))
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_complex_dtype(dtype):
        return None
    values = series.to_numpy()
    if np.issubdtype(values.dtype, np.integer) or np.issubdtype(values.dtype, np.bool_):
        return HashKey(values)
    if not np.issubdtype(values.dtype, np.floating):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    return HashKey(values.astype(np.float64, copy=False), floats=True, has_nan=True)


_MULT = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _hash_rows(keys: list[HashKey], h: np.ndarray, start: int, stop: int) -> None:
    """Fill ``h[start:stop]`` with row hashes (polynomial over columns, then a final mix)."""
    part = h[start:stop]
    part[:] = 0
    as_float = buffer("hash_float", stop - start, np.float64)
    as_uint = as_float.view(np.uint64)
    shifted = buffer("hash_shift", stop - start, np.uint64)
    for key in keys:
        part *= _MULT
        values = key.values[start:stop]
        if key.floats:
            np.add(values, 0.0, out=as_float)  # -0.0 + 0.0 is 0.0: equal values, equal bits
            if key.has_nan:
                nan = np.isnan(as_float, out=buffer("hash_nan", stop - start, np.bool_))
                if nan.any():
                    as_float[nan] = np.nan  # one NaN bit pattern
            part += as_uint
        elif values.dtype == np.int64 or values.dtype == np.uint64:
            part += values.view(np.uint64)
        else:
            np.copyto(as_uint, values, casting="unsafe")  # -1 (missing code) wraps: fine
            part += as_uint
    for shift, mult in ((31, _MIX1), (29, _MIX2), (32, None)):
        np.right_shift(part, np.uint64(shift), out=shifted)
        part ^= shifted
        if mult is not None:
            part *= mult


def row_hashes(keys: list[HashKey], n: int, pool: Executor | None = None) -> np.ndarray:
    """One 64-bit hash per row from per-column keys; row blocks hashed in parallel."""
    keys = [key.hashable() for key in keys]
    h = np.empty(n, dtype=np.uint64)
    block = 1 << 15  # 256 KB of hashes: stays in L2 while every column is folded in
    spans = [(i, min(i + block, n)) for i in range(0, n, block)]
    if pool is None or len(spans) < 2:
        for start, stop in spans:
            _hash_rows(keys, h, start, stop)
    else:
        list(pool.map(lambda span: _hash_rows(keys, h, *span), spans))
    return h


def _screen(hashes: np.ndarray, shift: int, bits: int) -> np.ndarray:
    """Positions whose hash bucket holds another row too (every duplicate is among them)."""
    buckets = ((hashes >> np.uint64(shift)) & np.uint64((1 << bits) - 1)).astype(np.intp)
    counts = np.bincount(buckets, minlength=1 << bits)
    return np.flatnonzero(counts[buckets] > 1)


def _maybe_duplicated(h: np.ndarray) -> np.ndarray:
    """Positions of rows that may have a twin: two cheap bucket screens on big inputs."""
    if h.size <= 100_000:
        return np.arange(h.size)
    positions = _screen(h, 40, 21)
    if positions.size > 20_000:
        positions = positions[_screen(h[positions], 8, 20)]
    return positions


def numeric_candidates(eager: list[HashKey], n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Rows whose number/bool/date values repeat in another row, with their hashes.

    None when the table has no such columns (then every row is a candidate).
    """
    if not eager:
        return None
    h = row_hashes(eager, n)
    rows = _maybe_duplicated(h)
    hashes = h[rows]
    repeated = pd.Series(hashes).duplicated(keep=False).to_numpy()
    return rows[repeated], hashes[repeated]


def count_duplicates(
    df: pd.DataFrame,
    eager: list[HashKey],
    lazy: list[HashKey],
    numeric: tuple[np.ndarray, np.ndarray] | None,
    pool: Executor | None = None,
) -> int:
    """Rows equal to an earlier row (as ``df.duplicated().sum()``), via 64-bit row hashes.

    Text columns (costlier to encode) are hashed only for the rows whose numbers repeat.
    Hash-equal rows are confirmed with pandas when there are not too many of them; hashes
    of distinct rows collide with negligible probability otherwise.
    """
    n = len(df)
    if n < 2 or not (eager or lazy):
        return 0
    if numeric is None:
        rows, hashes = np.arange(n), None
    else:
        rows, hashes = numeric
        if rows.size < 2:
            return 0
    if lazy:
        keys = eager + lazy
        if rows.size < n:
            keys = [k.take(rows) for k in keys]
        h = row_hashes(keys, rows.size, pool)
        candidates = _maybe_duplicated(h)
        rows, hashes = rows[candidates], h[candidates]
    hashed = pd.Series(hashes)
    involved = hashed.duplicated(keep=False).to_numpy()
    duplicates = int(hashed.duplicated().sum())
    if duplicates and int(involved.sum()) <= 50_000:
        try:
            duplicates = int(df.iloc[np.sort(rows[involved])].duplicated().sum())
        except TypeError:  # unhashable cell values (lists): trust the hashes
            pass
    return duplicates

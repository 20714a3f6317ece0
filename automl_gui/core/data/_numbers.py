"""Statistics of number, boolean and date columns (blockwise, cache-friendly numpy)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from automl_gui.core.data._common import (
    EXACT_ROWS,
    HIST_BINS,
    HIST_SAMPLE,
    ColumnResult,
    HashKey,
    buffer,
    looks_like_id_name,
    top_from_counts,
)
from automl_gui.core.data.schema import ColumnKind, ColumnProfile


def profile_numeric(
    name: str, series: pd.Series, sample: np.ndarray | None, force_bool: bool = False
) -> ColumnResult:
    a = series.to_numpy()
    if not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        a = series.to_numpy(dtype=np.float64, na_value=np.nan)
    n = len(a)
    scan: _FloatScan | None = None
    if np.issubdtype(a.dtype, np.integer):
        missing = infinite = 0
        finite = a
        int_like = True
    elif n > EXACT_ROWS:
        # Big float column: one blockwise pass (cache-sized blocks) gives counts and moments.
        scan = _scan_floats(a)
        missing, infinite, int_like = scan.missing, scan.infinite, scan.int_like
        finite = None  # compressed only if needed below
    else:
        finite_mask = np.isfinite(a)
        n_finite = int(np.count_nonzero(finite_mask))
        if n_finite == n:
            missing = infinite = 0
            finite = a
        else:
            missing = int(np.count_nonzero(np.isnan(a)))
            infinite = n - missing - n_finite
            finite = a[finite_mask]
        del finite_mask
        int_like = finite.size > 0 and _is_integer_like(finite)
    count = n - missing
    n_finite = count - infinite

    minimum = maximum = mean = std = None
    unique, approx, top, hist, values = 0, False, (), None, None
    if n_finite:
        if scan is not None:
            lo, hi = scan.lo, scan.hi
        else:
            lo, hi = finite.min(), finite.max()
        minimum, maximum = float(lo), float(hi)
        span = float(hi) - float(lo)
        if int_like and span < max(2 * n_finite, 1024) and span < 2**31:
            # Small integer range: one bincount gives exact counts, and from them every stat.
            if finite is None:
                finite = a[np.isfinite(a)] if infinite or missing else a
            counts = _integer_counts(finite, lo, int(span))
            present = np.flatnonzero(counts)
            freq = counts[present]
            values = present.astype(np.float64) + float(lo)
            unique = int(present.size)
            top = top_from_counts(values, freq)
            mean = float(np.dot(values, freq) / n_finite)
            if n_finite > 1:
                std = float(math.sqrt(np.dot((values - mean) ** 2, freq) / (n_finite - 1)))
            if span < HIST_BINS:
                edges = np.arange(int(span) + 2, dtype=np.float64) + float(lo) - 0.5
                hist = (tuple(int(c) for c in counts), tuple(float(e) for e in edges))
            else:
                hist = _histogram(values, float(lo), float(hi), weights=freq)
        elif scan is not None:
            mean, std = scan.mean, scan.std
            unique, approx, top = _distinct_numbers(a, sample, int_like, n_finite)
            hist = _sampled_histogram(a, n_finite, float(lo), float(hi))
        else:
            mean = float(finite.mean(dtype=np.float64))
            if n_finite > 1:
                centered = finite - mean
                np.square(centered, out=centered)
                std = float(math.sqrt(centered.sum() / (n_finite - 1)))
                del centered
            counted = pd.Series(finite).value_counts(sort=False)
            unique = int(counted.size)
            top = top_from_counts(counted.index.to_numpy(), counted.to_numpy())
            hist = _histogram(finite, float(lo), float(hi))
    if infinite:
        unique += int(np.isposinf(a).any()) + int(np.isneginf(a).any())

    if force_bool:
        kind = ColumnKind.BOOLEAN if unique == 2 else ColumnKind.CONSTANT
    elif unique <= 1:
        kind = ColumnKind.CONSTANT
    elif int_like and unique == 2 and values is not None and set(values.tolist()) == {0, 1}:
        kind = ColumnKind.BOOLEAN
    elif int_like and not approx and _identifier(name, unique, count, minimum, maximum):
        kind = ColumnKind.IDENTIFIER
    else:
        kind = ColumnKind.NUMERIC

    profile = ColumnProfile(
        name=name,
        kind=kind,
        dtype=str(series.dtype),
        count=count,
        missing=missing,
        unique=unique,
        minimum=minimum,
        maximum=maximum,
        mean=mean,
        std=std,
        infinite=infinite,
        top_values=top,
        histogram=hist,
        unique_approx=approx,
    )
    if np.issubdtype(a.dtype, np.floating):
        return ColumnResult(profile, HashKey(a, floats=True, has_nan=missing > 0))
    return ColumnResult(profile, HashKey(a))


def _integer_counts(values: np.ndarray, lo: float | int, span: int) -> np.ndarray:
    """How often each integer ``lo .. lo + span`` occurs (blockwise; no big temporaries)."""
    if span > _BLOCK:  # wide range: one pass (adding a huge count array per block costs more)
        return np.bincount((values - lo).astype(np.intp, copy=False), minlength=span + 1)
    counts = np.zeros(span + 1, dtype=np.int64)
    offsets = buffer("offsets", min(values.size, _BLOCK), np.intp)
    for start in range(0, values.size, _BLOCK):
        block = values[start : start + _BLOCK]
        out = offsets[: block.size]
        np.subtract(block, lo, out=out, casting="unsafe")
        counts += np.bincount(out, minlength=span + 1)
    return counts


def _is_integer_like(finite: np.ndarray) -> bool:
    head = finite[:2048]
    if not np.array_equal(head, np.trunc(head)):
        return False
    return bool(np.array_equal(finite, np.trunc(finite)))


def _identifier(name: str, unique: int, count: int, lo: float | None, hi: float | None) -> bool:
    """Unique per row (>= 95 %) and either named like an id or a dense run of integers.

    A dense run (range about the number of values: 1..n, 1000..1999) is how row numbers and
    keys look; unique integers spread over a wide range (prices, incomes) stay numeric.
    """
    if count < 2 or unique < 0.95 * count:
        return False
    if looks_like_id_name(name):
        return True
    if count < 20 or lo is None or hi is None:
        return False
    return (hi - lo + 1) <= 2 * unique


def _runs(a: np.ndarray, total: int, run: int, name: str) -> np.ndarray:
    """About ``total`` values in evenly spaced contiguous runs (cache-friendly sampling).

    Random positions would cost a memory miss each; runs read whole cache lines.
    """
    if a.size <= total:
        return a
    starts = np.linspace(0, a.size - run, max(total // run, 1)).astype(np.intp)
    out = buffer(name, starts.size * run, a.dtype)
    return np.concatenate([a[i : i + run] for i in starts], out=out)


@dataclass
class _FloatScan:
    missing: int
    infinite: int
    lo: float
    hi: float
    mean: float
    std: float | None
    int_like: bool


_BLOCK = 1 << 16  # 512 KB of float64: the temporaries of one block stay in cache


def _scan_floats(a: np.ndarray) -> _FloatScan:
    """Missing/infinite counts, min, max, mean, std and integer-ness in one blockwise pass.

    The variance is accumulated around a pivot (the mean of a sample), which keeps the
    sum-of-squares formula accurate even when the mean is large compared to the spread.
    """
    picked = _runs(a, 4096, 64, "pivot")
    picked = picked[np.isfinite(picked)]
    pivot = float(picked.mean()) if picked.size else 0.0
    missing = n_finite = 0
    lo, hi = math.inf, -math.inf
    s1 = s2 = 0.0
    int_like = True
    mask_buf = buffer("mask", _BLOCK, np.bool_)
    finite_buf = buffer("finite", _BLOCK, np.float64)
    work_buf = buffer("work", _BLOCK, np.float64)
    for start in range(0, a.size, _BLOCK):
        x = a[start : start + _BLOCK]
        mask = np.isfinite(x, out=mask_buf[: x.size])
        k = int(np.count_nonzero(mask))
        if k != x.size:
            missing += int(np.count_nonzero(np.isnan(x, out=mask_buf[: x.size])))
            np.isfinite(x, out=mask)
            x = np.compress(mask, x, out=finite_buf[:k])
        if not k:
            continue
        n_finite += k
        lo = min(lo, float(x.min()))
        hi = max(hi, float(x.max()))
        d = np.subtract(x, pivot, out=work_buf[:k])
        s1 += float(d.sum())
        np.square(d, out=d)  # (not np.dot: BLAS threads cost more than they save here)
        s2 += float(d.sum())
        if int_like:
            np.trunc(x, out=d)
            int_like = bool(np.array_equal(x, d))
    infinite = a.size - missing - n_finite
    if not n_finite:
        return _FloatScan(missing, infinite, math.nan, math.nan, math.nan, None, False)
    mean = pivot + s1 / n_finite
    std = None
    if n_finite > 1:
        std = math.sqrt(max(s2 - s1 * s1 / n_finite, 0.0) / (n_finite - 1))
    return _FloatScan(missing, infinite, lo, hi, mean, std, int_like)


def _distinct_numbers(
    a: np.ndarray, sample: np.ndarray | None, int_like: bool, n_finite: int
) -> tuple[int, bool, tuple[tuple[str, int], ...]]:
    """Distinct count and top values; estimated for big high-cardinality float columns."""
    if sample is not None and not int_like:
        picked = _runs(a, sample.size, 64, "distinct")
        picked = picked[np.isfinite(picked)]
        if picked.size:
            counts = pd.Series(picked).value_counts(sort=False).to_numpy()
            if counts.size > 0.2 * picked.size:  # many distinct values: estimate (Chao1)
                f1 = int((counts == 1).sum())
                f2 = int((counts == 2).sum())
                estimate = counts.size + f1 * (f1 - 1) / (2 * (f2 + 1))
                return int(min(max(estimate, counts.size), n_finite)), True, ()
    finite = a[np.isfinite(a)] if n_finite != a.size else a
    counted = pd.Series(finite).value_counts(sort=False)
    return (
        int(counted.size),
        False,
        top_from_counts(counted.index.to_numpy(), counted.to_numpy()),
    )


def _sampled_histogram(
    a: np.ndarray, n_finite: int, lo: float, hi: float
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """The histogram of an evenly spaced sample of a big column, scaled to the full count."""
    picked = _runs(a, HIST_SAMPLE, 4096, "hist_in")
    mask = np.isfinite(picked, out=buffer("hist_mask", picked.size, np.bool_))
    k = int(np.count_nonzero(mask))
    if k != picked.size:
        picked = np.compress(mask, picked, out=buffer("hist_finite", k, np.float64))
    if not picked.size:
        return (n_finite,), (lo, hi)
    counts, edges = _histogram(picked, lo, hi)
    scaled = np.round(np.asarray(counts, dtype=np.float64) * (n_finite / picked.size))
    scaled = scaled.astype(np.int64)
    scaled[int(np.argmax(scaled))] += n_finite - int(scaled.sum())  # keep the exact total
    return tuple(int(c) for c in scaled), edges


def _histogram(
    x: np.ndarray, lo: float, hi: float, weights: np.ndarray | None = None
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Counts in ``HIST_BINS`` equal bins over [lo, hi] (exact; one pass and a bincount)."""
    total = int(weights.sum()) if weights is not None else int(x.size)
    if hi == lo:
        return (total,), (lo, hi)
    width = hi - lo
    if not math.isfinite(width):  # the range overflows float64: let numpy handle a scaled copy
        counts, edges = np.histogram(x / 4.0, bins=HIST_BINS, weights=weights)
        return tuple(int(c) for c in counts), tuple(float(e) * 4.0 for e in edges)
    scale = HIST_BINS / width
    scaled = np.multiply(x, scale, out=buffer("hist_scaled", x.size, np.float64))
    scaled -= lo * scale
    bins = buffer("hist_bins", x.size, np.intp)
    np.copyto(bins, scaled, casting="unsafe")  # truncates like astype
    counts = np.bincount(bins, weights=weights, minlength=HIST_BINS + 1)
    counts[HIST_BINS - 1] += counts[HIST_BINS:].sum()  # the maximum lands on the last edge
    edges = np.linspace(lo, hi, HIST_BINS + 1)
    return tuple(int(c) for c in counts[:HIST_BINS]), tuple(float(e) for e in edges)


def profile_bool(name: str, series: pd.Series) -> ColumnResult:
    a = series.to_numpy()
    trues = int(a.sum())
    falses = len(a) - trues
    top = tuple(
        (label, c)
        for label, c in sorted((("True", trues), ("False", falses)), key=lambda t: -t[1])
        if c
    )
    unique = len(top)
    profile = ColumnProfile(
        name=name,
        kind=ColumnKind.BOOLEAN if unique == 2 else ColumnKind.CONSTANT,
        dtype=str(series.dtype),
        count=len(a),
        missing=0,
        unique=unique,
        mean=float(trues / len(a)) if len(a) else None,
        top_values=top,
    )
    return ColumnResult(profile, HashKey(a))


# -- dates -------------------------------------------------------------------------------


def profile_datetime(name: str, series: pd.Series, sample: np.ndarray | None) -> ColumnResult:
    ints = np.asarray(series.array.asi8, dtype=np.int64)
    nat = ints == np.iinfo(np.int64).min
    missing = int(nat.sum())
    valid = ints[~nat] if missing else ints
    approx = False
    top: tuple[tuple[str, int], ...] = ()
    if sample is not None:
        picked = ints[sample]
        picked = picked[picked != np.iinfo(np.int64).min]
        counts = pd.Series(picked).value_counts(sort=False).to_numpy()
        if picked.size and counts.size > 0.2 * picked.size:
            f1, f2 = int((counts == 1).sum()), int((counts == 2).sum())
            estimate = counts.size + f1 * (f1 - 1) / (2 * (f2 + 1))
            unique, approx = int(min(max(estimate, counts.size), valid.size)), True
    if not approx:
        vc = pd.Series(valid).value_counts(sort=False)
        unique = int(vc.size)
        if unique:
            stamps = pd.to_datetime(vc.index.to_numpy(), unit=_unit(series))
            top = top_from_counts(stamps.astype(str).to_numpy(), vc.to_numpy())
    profile = ColumnProfile(
        name=name,
        kind=ColumnKind.CONSTANT if unique <= 1 else ColumnKind.DATETIME,
        dtype=str(series.dtype),
        count=len(ints) - missing,
        missing=missing,
        unique=unique,
        top_values=top,
        unique_approx=approx,
    )
    return ColumnResult(profile, HashKey(ints))


def _unit(series: pd.Series) -> str:
    unit = getattr(series.dtype, "unit", None)
    if unit is None:
        unit = np.datetime_data(series.dtype)[0]
    return unit

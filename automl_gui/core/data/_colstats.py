"""Profile every column of a table and count its duplicate rows, fast on millions of rows.

Everything is vectorized (numpy, pyarrow.compute) and big tables are profiled in parallel
threads (both release the GIL in their loops). Missing and infinite counts, min/max/mean/
std and the duplicate-row count are always exact. On tables of more than ``EXACT_ROWS``
rows, where exactness buys nothing, some figures come from samples: the distinct count of a
high-cardinality float column, the distinct values and counts of a low-cardinality text
column (constant and two-valued columns are still counted exactly), and float histograms;
such columns say ``unique_approx=True``.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa

from automl_gui.core.data._common import (
    EXACT_ROWS,
    SAMPLE_ROWS,
    SMALL_SAMPLE,
    ColumnResult,
    HashKey,
    sample_positions,
)
from automl_gui.core.data._duplicates import (
    count_duplicates,
    numeric_candidates,
    split_keys,
    value_key,
)
from automl_gui.core.data._numbers import profile_bool, profile_datetime, profile_numeric
from automl_gui.core.data._text import profile_strings
from automl_gui.core.data.schema import ColumnKind, ColumnProfile, TableProfile


def profile_all(df: pd.DataFrame, check_cancel: Callable[[], None]) -> TableProfile:
    """Profile every column and count duplicate rows, in parallel threads on big tables.

    numpy and pyarrow release the GIL in the heavy loops, so threads use every core. The
    numeric part of the duplicate-row search needs no profiling, so on big tables it runs
    alongside the (slower) text columns. ``check_cancel`` is called before each column.
    """
    n, width = df.shape
    sample = sample_positions(n, SAMPLE_ROWS) if n > EXACT_ROWS else None
    small = sample_positions(n, SMALL_SAMPLE, seed=1)
    columns = [(str(df.columns[i]), df.iloc[:, i]) for i in range(width)]
    value_keys = [value_key(series) for _, series in columns]
    eager, deferred = split_keys([k for k in value_keys if k is not None], n, small)

    def lazy_keys(results: list[ColumnResult]) -> list[HashKey]:
        """Keys of the columns without a value key (text...), from their profiling."""
        return deferred + [
            r.key
            for r, k in zip(results, value_keys, strict=True)
            if k is None and r.key is not None
        ]

    def one(item: tuple[str, pd.Series]) -> ColumnResult:
        check_cancel()
        name, series = item
        try:
            return profile_column(name, series, sample, small)
        except (TypeError, ValueError, OverflowError, ArithmeticError, pa.ArrowException):
            pass
        # An exotic dtype (intervals, nested lists...): describe it by its text form.
        try:
            text = series.astype(str).where(series.notna())
            return profile_column(name, text, sample, small)
        except (TypeError, ValueError, OverflowError, ArithmeticError, pa.ArrowException):
            return _bare_profile(name, series)

    workers = min(os.cpu_count() or 1, 8, max(width, 1))
    if n * width < 2_000_000 or workers < 2:
        results = [one(item) for item in columns]
        candidates = numeric_candidates(eager, n)
        duplicates = count_duplicates(df, eager, lazy_keys(results), candidates)
    else:
        # Text columns cost the most: start them first so they do not finish last.
        order = sorted(range(width), key=lambda i: not _is_text_like(columns[i][1]))
        with ThreadPoolExecutor(workers, thread_name_prefix="profile") as pool:
            numeric = pool.submit(numeric_candidates, eager, n)
            futures = {i: pool.submit(one, columns[i]) for i in order}
            results = [futures[i].result() for i in range(width)]
            check_cancel()
            duplicates = count_duplicates(df, eager, lazy_keys(results), numeric.result(), pool)
    return TableProfile(
        n_rows=n,
        n_columns=width,
        columns=tuple(r.profile for r in results),
        duplicate_rows=duplicates,
    )


def _bare_profile(name: str, series: pd.Series) -> ColumnResult:
    """Counts only, for values nothing else can describe (kept as categories)."""
    missing = int(series.isna().sum())
    profile = ColumnProfile(
        name=name,
        kind=ColumnKind.CATEGORICAL,
        dtype=str(series.dtype),
        count=len(series) - missing,
        missing=missing,
        unique=0,
        unique_approx=True,
    )
    return ColumnResult(profile, None)


def _is_text_like(series: pd.Series) -> bool:
    dtype = series.dtype
    return not (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_datetime64_any_dtype(dtype)
    )


# -- dispatch ----------------------------------------------------------------------------


def profile_column(
    name: str, series: pd.Series, sample: np.ndarray | None, small: np.ndarray | None
) -> ColumnResult:
    """Profile one column. ``sample``/``small`` are row positions (None: use every row)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        if isinstance(dtype, np.dtype):
            return profile_bool(name, series)
        return profile_numeric(name, series, sample, force_bool=True)
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return profile_numeric(name, series, sample)
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        return profile_datetime(name, series, sample)
    if pd.api.types.is_timedelta64_dtype(dtype):  # durations: described in seconds
        return profile_numeric(name, series.dt.total_seconds(), sample)
    if dtype == object:  # noqa: E721 - numpy object dtype
        converted = _convert_object(series, small)
        if converted is not None:
            return profile_column(name, converted, sample, small)
    return profile_strings(name, series, sample, small)


#: what ``pandas.api.types.infer_dtype`` says of object columns that convert
_DATES = frozenset({"date", "datetime", "datetime64"})
_NUMBERS = frozenset({"decimal", "integer", "floating", "mixed-integer-float"})


def _convert_object(series: pd.Series, small: np.ndarray | None) -> pd.Series | None:
    """Object columns holding dates, decimals or bools: convert to a typed column."""
    probe = series.iloc[small] if small is not None else series
    inferred = pd.api.types.infer_dtype(probe, skipna=True)
    if inferred in _DATES:
        try:
            return pd.to_datetime(series, utc=_has_tz(probe))
        except (ValueError, TypeError, OverflowError):
            return None
    if inferred in _NUMBERS:
        try:
            return pd.to_numeric(series)
        except (ValueError, TypeError):
            return None
    return None


def _has_tz(probe: pd.Series) -> bool:
    for value in probe:
        if isinstance(value, _dt.datetime):
            return value.tzinfo is not None
    return False

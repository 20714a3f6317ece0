"""Which numeric columns are skewed (the automatic settings fill those with the median).

Vectorized over blocks of columns: asked one column at a time through pandas, a table of
20,000 columns took 17 s before its settings appeared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SKEW_LIMIT = 1.0  # |skewness| above this: skewed
BLOCK_CELLS = 4_000_000  # values converted at once (memory stays flat on tall tables)


def is_skewed(series: pd.Series) -> bool:
    """|skewness| > 1 over the finite values, with at least 3 distinct values."""
    values = pd.to_numeric(series, errors="coerce").replace([np.inf, -np.inf], np.nan).dropna()
    if len(values) < 3 or values.nunique() < 3:
        return False
    skew = values.astype("float64").skew()
    return bool(np.isfinite(skew) and abs(skew) > SKEW_LIMIT)


def skewed_positions(df: pd.DataFrame, positions: list[int]) -> set[int]:
    """The positions (of ``positions``, columns of ``df``) whose column :func:`is_skewed`.

    Number columns are judged in blocks (one sort and one pandas ``skew`` per block, the
    same figures as :func:`is_skewed`); others (numbers held as text) one by one.
    """
    out: set[int] = set()
    numbers: list[int] = []
    dtypes = df.dtypes.to_list()  # (``df.dtypes`` is rebuilt on every access)
    for i in positions:
        dtype = dtypes[i]
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            numbers.append(i)
        elif is_skewed(df.iloc[:, i]):
            out.add(i)
    step = max(1, BLOCK_CELLS // max(1, len(df)))
    for start in range(0, len(numbers), step):
        chunk = numbers[start : start + step]
        x = np.array(df.iloc[:, chunk].to_numpy(dtype=np.float64, na_value=np.nan))
        x[~np.isfinite(x)] = np.nan
        count = np.isfinite(x).sum(axis=0)
        s = np.sort(x, axis=0)  # NaN last
        steps = (np.diff(s, axis=0) != 0) & np.isfinite(s[1:])
        distinct = steps.sum(axis=0) + (count > 0)
        skew = pd.DataFrame(x).skew().to_numpy(dtype=np.float64)
        chosen = (count >= 3) & (distinct >= 3) & np.isfinite(skew) & (np.abs(skew) > SKEW_LIMIT)
        out.update(chunk[j] for j in np.flatnonzero(chosen))
    return out

"""Columns that give the target away: copies, recodings and near-perfect correlations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from automl_gui.core.data._common import HIGH_CARDINALITY, sample_positions
from automl_gui.core.data.schema import ColumnKind, ColumnProfile, DataWarning, TableProfile

LEAK_CORRELATION = 0.99
_LEAK_SAMPLE_ROWS = 100_000


def leak_warnings(df: pd.DataFrame, profile: TableProfile, target: str) -> list[DataWarning]:
    """Columns that give the target away: copies, recodings, near-perfect correlation."""
    y_full = df[target]
    rows = sample_positions(len(df), _LEAK_SAMPLE_ROWS, seed=2)
    y = y_full.iloc[rows] if rows is not None else y_full
    y_codes, y_uniques = pd.factorize(y)
    n_classes = len(y_uniques)
    if n_classes < 2:
        return []
    y_num = _as_float(y) if is_numeric(y) else None
    out: list[DataWarning] = []
    for col in profile.columns:
        if col.name == target or col.kind in (ColumnKind.CONSTANT, ColumnKind.TEXT):
            continue
        x = df[col.name] if isinstance(df[col.name], pd.Series) else None
        if x is None:
            continue
        xs = x.iloc[rows] if rows is not None else x
        message = None
        if y_num is not None and is_numeric(xs) and col.kind != ColumnKind.IDENTIFIER:
            r = _correlation(_as_float(xs), y_num)
            if r is not None and abs(r) >= LEAK_CORRELATION:
                r_full = _correlation(_as_float(x), _as_float(y_full)) if rows is not None else r
                if r_full is not None and abs(r_full) >= LEAK_CORRELATION:
                    message = (
                        f"Column '{col.name}' moves in lockstep with the target '{target}' "
                        f"(correlation {r_full:+.3f}); it probably leaks the answer."
                    )
        if message is None and col.kind != ColumnKind.IDENTIFIER:
            message = _determination(x, xs, y_full, y_codes, n_classes, col, target, rows)
        if message is not None:
            out.append(
                DataWarning(
                    "leak",
                    message + " Remove it unless it will also be known for new rows.",
                    column=col.name,
                )
            )
    return out


def _determination(
    x_full: pd.Series,
    x: pd.Series,
    y_full: pd.Series,
    y_codes: np.ndarray,
    n_classes: int,
    col: ColumnProfile,
    target: str,
    rows: np.ndarray | None,
) -> str | None:
    """A message when each value of ``x`` occurs with exactly one target value."""
    if col.unique > max(HIGH_CARDINALITY, n_classes) and col.unique != n_classes:
        return None
    x_codes, x_uniques = pd.factorize(x)
    both = (x_codes >= 0) & (y_codes >= 0)
    n_valid = int(both.sum())
    n_x = len(x_uniques)
    if n_valid < 10 or n_x < 2 or n_x * 2 > n_valid:
        return None
    pairs = len(pd.unique(x_codes[both].astype(np.int64) * n_classes + y_codes[both]))
    n_x_valid = len(pd.unique(x_codes[both]))
    if pairs != n_x_valid:
        return None
    if rows is not None:  # confirm on every row
        codes, uniques = pd.factorize(y_full)
        return _determination(x_full, x_full, y_full, codes, len(uniques), col, target, None)
    n_y_valid = len(pd.unique(y_codes[both]))
    if pairs == n_y_valid:
        return (
            f"Column '{col.name}' is the target '{target}' under other names: each of its "
            f"{n_x_valid} values goes with exactly one target value and back."
        )
    return (
        f"Column '{col.name}' predicts the target '{target}' perfectly: each of its "
        f"{n_x_valid} values occurs with only one target value."
    )


def is_numeric(series: pd.Series) -> bool:
    dtype = series.dtype
    return bool(
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not pd.api.types.is_complex_dtype(dtype)
    )


def _as_float(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _correlation(a: np.ndarray, b: np.ndarray) -> float | None:
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 10:
        return None
    a, b = a[ok], b[ok]
    a = a - a.mean()
    b = b - b.mean()
    denom = float(np.sqrt((a * a).sum() * (b * b).sum()))
    if denom == 0.0:
        return None
    return float((a * b).sum() / denom)

"""The numeric features of a wide table as one vector: fitted, imputed and scaled together.

One ``(n, k)`` float32 input, filled by one ``where`` over the vector (each column's fill
value, missing indicators for the columns that ask for one; ``_impute.fill_numbers``) and one
built-in ``Normalization`` over the vector. Every scaling is a mean and a variance:
standardize ``(mean, var)``, minmax ``(min, span²)``, none ``(0, 1)``. The statistics are
computed column-wise with numpy in one pass, not per column in Python.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from automl_gui.core.preprocess._impute import fill_numbers
from automl_gui.core.preprocess.config import ColumnConfig


def fill_values(cols: list[ColumnConfig], x: np.ndarray, finite: np.ndarray) -> np.ndarray:
    """Each column's fill value (the rules of ``_build._numeric_fill``), vectorized."""
    present = finite.sum(axis=0)
    masked = np.where(finite, x, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(present > 0, np.nansum(masked, axis=0) / np.maximum(present, 1), 0.0)
    fills = means.copy()
    strategies = np.array([c.missing for c in cols])
    median = np.flatnonzero(strategies == "median")
    if median.size:
        with warnings.catch_warnings():  # "All-NaN slice": a column missing in every row
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(masked[:, median], axis=0)
        fills[median] = np.where(np.isfinite(med), med, 0.0)
    for j in np.flatnonzero(strategies == "most_frequent"):
        column = x[finite[:, j], j]
        if column.size:
            values, counts = np.unique(column, return_counts=True)
            fills[j] = values[np.argmax(counts)]
        else:
            fills[j] = 0.0
    for j in np.flatnonzero(strategies == "constant"):
        value = cols[j].fill_value
        fills[j] = float(value if value is not None else 0.0)
    return fills


def numeric_group(
    keras: Any, cols: list[ColumnConfig], inp: Any, block: np.ndarray
) -> tuple[list[Any], dict[str, dict[str, Any]], np.ndarray]:
    """Layers for the grouped numeric input ``inp`` fitted on ``block`` (n, k) float32.

    Returns the encoded parts (scaled values, then the missing indicators if any), each
    column's fitted facts (as ``_build._numeric_branch`` records them, plus its ``index``)
    and the scaled training values (n, k) as the model computes them.
    """
    x = block.astype(np.float64)
    finite = np.isfinite(x)
    fills = fill_values(cols, x, finite)
    filled = np.where(finite, x, fills)
    n = filled.shape[0]
    if n:
        lo, hi = filled.min(axis=0), filled.max(axis=0)
        mean, var = filled.mean(axis=0), filled.var(axis=0)
    else:
        lo = hi = mean = np.zeros(len(cols))
        var = np.ones(len(cols))
    scalings = np.array([c.scaling for c in cols])
    shift = np.zeros(len(cols))
    spread = np.ones(len(cols))  # a variance: Normalization divides by its square root
    std = scalings == "standardize"
    shift[std] = mean[std]
    spread[std] = np.where(var[std] > 0, var[std], 1.0)
    mm = scalings == "minmax"
    span = hi[mm] - lo[mm]
    shift[mm] = lo[mm]
    spread[mm] = np.where(span > 0, span, 1.0) ** 2
    indicators = [j for j, c in enumerate(cols) if c.missing_indicator]
    name = inp.name
    values, indicator = fill_numbers(keras, inp, fills, indicators)
    scaled = keras.layers.Normalization(
        axis=-1, mean=shift, variance=spread, dtype="float32", name=f"scale_{name}"
    )(values)
    parts = [scaled] + ([indicator] if indicator is not None else [])

    missing = (~finite).sum(axis=0)
    facts: dict[str, dict[str, Any]] = {}
    for j, col in enumerate(cols):
        entry: dict[str, Any] = {
            "type": "numeric",
            "fill_value": float(fills[j]),
            "scaling": col.scaling,
        }
        if n:
            entry.update(min=float(lo[j]), max=float(hi[j]))
        if col.scaling == "standardize":
            entry.update(mean=float(mean[j]), std=float(np.sqrt(var[j])))
        entry.update(
            missing_indicator=bool(col.missing_indicator),
            missing_in_train=int(missing[j]),
            input_name=name,
            index=j,
            width=1 + int(col.missing_indicator),
        )
        facts[col.name] = entry
    return parts, facts, (filled - shift) / np.sqrt(spread)

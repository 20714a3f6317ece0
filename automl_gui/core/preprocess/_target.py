"""What a target's values mean: the class-label rule, and the range a regression target needs.

Regression: the network computes in 32-bit floats (largest about 3.4e38) and learns the
target standardized by its mean and spread; a target beyond ±:data:`MAX_REGRESSION_ABS`
turned into infinities when cast, so the loss was NaN from the first batch and a broken
model was saved. :func:`check_regression_values` refuses such a target up front.

Class labels: the one rule that decides which target values are the same class.

The profile's warnings (``dataset_warnings``), ``check_target``, ``detect_task`` and
``prepare_data`` all count classes through :func:`canonical_labels`, so a warning, a refusal
and the trained model never disagree about how many classes there are or how big they are.

The rule, the same for every file format:

- A missing value (empty cell, NaN, None, or text that is only spaces) is no class: its row
  is left out.
- A value stored as a **number** (a numeric column, or a number in a column of mixed Python
  values) is named by its shortest form: 1, 1.0 and 1e0 are class ``'1'``, 2.50 is ``'2.5'``.
  A CSV column whose every value reads as a number is read as numbers, so its ``1``,
  ``1.0`` and `` 1 `` are one class ``'1'``.
- A boolean is ``'true'`` or ``'false'``.
- A value stored as **text** (a text column in any format: Parquet strings, a CSV column
  that is not all numbers) is its text without surrounding spaces and nothing else:
  ``' yes '`` and ``'yes'`` are one class, but ``'01'``, ``'1'``, ``'1.0'`` and ``'1e0'``
  are four classes, and ``'Yes'`` and ``'yes'`` are two. The file's author chose text, and
  distinct texts are distinct labels.

When the rule makes one class of several distinct stored values, :meth:`Labels.notice` says
so ("'1', '1.0' and ' 1 ' were treated as one class '1'").

Category *features* are normalized harder (``canonical_string``: "1.0" and "1" are one
category) because a prediction file must match the training vocabulary whatever types its
reader inferred; labels are only named, never looked up at prediction time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from automl_gui.core.base.errors import DataError
from automl_gui.core.preprocess._inputs import canonical_string

MAX_SHOWN_VALUE = 40  # characters of a raw value quoted in a notice
MAX_REGRESSION_ABS = 1e30  # float32 holds 3.4e38: room for predictions a few spreads out


def check_regression_values(values: np.ndarray, target: str) -> None:
    """Refuse a regression target the model cannot represent (finite ``values`` expected).

    Raises:
        DataError: some value is beyond ±:data:`MAX_REGRESSION_ABS`, or the values' spread
            overflows (both make the training loss NaN from its first step).
    """
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    if not finite.size:
        return
    biggest = float(np.max(np.abs(finite)))
    with np.errstate(over="ignore", invalid="ignore"):
        spread = float(np.std(finite))
    if biggest > MAX_REGRESSION_ABS or not np.isfinite(spread):
        raise DataError(
            f"The target '{target}' has values as large as {biggest:.3g}; the model computes "
            f"in 32-bit floats, so a regression target must stay within "
            f"±{MAX_REGRESSION_ABS:.0e} (training would only produce NaN).",
            "Rescale the target (divide it by a power of ten, or take its logarithm) "
            "and train again.",
        )


def label_of(value: Any) -> str | None:
    """The class a single target value belongs to (None: missing), by the module's rule:
    text is its stripped self; anything else (a number, a boolean) is named as the model's
    category inputs name it (:func:`~._inputs.canonical_string`)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        return value.strip() or None
    return canonical_string(value) or None


@dataclass
class Labels:
    """A target column's class per row and the stored values each merged class came from."""

    values: np.ndarray  # object array: the class of each row, None where missing
    merged: dict[str, list[Any]] = field(default_factory=dict)  # class -> its distinct values

    @property
    def present(self) -> np.ndarray:
        """Boolean mask of the rows that have a class."""
        return ~pd.isna(self.values)

    def counts(self) -> pd.Series:
        """Rows per class, largest first (as ``Series.value_counts``)."""
        return pd.Series(self.values, dtype=object).dropna().value_counts()

    def describe(self, limit: int = 3) -> str | None:
        """The merges as a clause ("'1' and ' 1 ' were treated as one class '1'"), or None."""
        if not self.merged:
            return None
        parts = [
            f"{_join([_show(v) for v in raw])} were treated as one class '{label}'"
            for label, raw in list(self.merged.items())[:limit]
        ]
        more = len(self.merged) - limit
        tail = f" (and {more} more such merge{'s' if more > 1 else ''})" if more > 0 else ""
        return "; ".join(parts) + tail

    def notice(self, target: str) -> str | None:
        """One sentence naming the merges (None when the rule merged nothing)."""
        text = self.describe()
        return f"Target '{target}': {text}." if text else None


def canonical_labels(series: pd.Series) -> Labels:
    """Each row's class by the module's rule, and which distinct stored values merged."""
    if series.dtype == object:  # mixed Python values: 1 == 1.0 == True, so no factorize
        cache: dict[Any, str | None] = {}
        raw_of: dict[Any, Any] = {}
        out = np.empty(len(series), dtype=object)
        for i, v in enumerate(series.tolist()):
            try:
                key = (type(v), v)
                if key not in cache:
                    cache[key] = label_of(v)
                    raw_of[key] = v
                out[i] = cache[key]
            except TypeError:  # unhashable
                out[i] = label_of(v)
        pairs = [(raw_of[k], lab) for k, lab in cache.items()]
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        mapped = [label_of(u) for u in uniques]
        out = np.array(mapped + [None], dtype=object)[codes]  # code -1 picks the None
        pairs = list(zip(list(uniques), mapped, strict=True))
    groups: dict[str, list[Any]] = {}
    for raw, label in pairs:
        if label is not None:
            groups.setdefault(label, []).append(raw)
    merged = {label: raw for label, raw in groups.items() if len(raw) > 1}
    return Labels(out, merged)


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = value if len(value) <= MAX_SHOWN_VALUE else value[: MAX_SHOWN_VALUE - 1] + "…"
        return f"'{text}'"
    return str(value)


def _join(items: list[str], limit: int = 5) -> str:
    if len(items) > limit:
        items = [*items[:limit], f"{len(items) - limit} more"]
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]

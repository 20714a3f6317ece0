"""What a table model will do quietly with odd values at prediction time, counted per column.

The model never refuses a row: a non-number in a numeric column becomes missing and is
filled, an infinity is filled too, a category it never saw (or a number in a category column)
becomes "unknown", and a value far outside anything seen in training is extrapolated. Each is
a fair default, but a user must know how many of their rows got one, and in which column.
:func:`input_problems` counts them; :func:`problem_notices` says so in a line per column.

"Far outside" is more than :data:`FAR` training ranges beyond the training minimum or maximum
(a range of zero counts as 1), or beyond float32 (the model's input type).

TensorFlow-free: vocabularies are read from the model's ``lookup_<input>`` layers when a model
is given (no model, or an older bundle without that layer: unseen categories are not counted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from automl_gui.core.preprocess._inputs import InputSchema, canonical_strings

#: how many training ranges beyond the training minimum/maximum a value is "far outside"
FAR = 10.0
_FLOAT32_MAX = float(np.finfo(np.float32).max)


@dataclass
class ColumnProblems:
    """Counts of one column's odd values (each row counted once per kind)."""

    column: str
    not_numbers: int = 0
    infinite: int = 0
    far_outside: int = 0
    unseen: int = 0
    examples: list[str] = field(default_factory=list)  # a few offending values, shown
    low: float | None = None  # the training range, for numeric columns
    high: float | None = None

    def total(self) -> int:
        return self.not_numbers + self.infinite + self.far_outside + self.unseen

    def describe(self) -> str:
        """One line: "Column 'age': 3 values are not numbers (treated as missing); …"."""
        parts = []
        if self.not_numbers:
            parts.append(_values(self.not_numbers, "not a number", "not numbers"))
            parts[-1] += " (treated as missing)"
        if self.infinite:
            parts.append(_values(self.infinite, "infinite", "infinite") + " (treated as missing)")
        if self.far_outside:
            span = f" {_num(self.low)} to {_num(self.high)}" if self.low is not None else ""
            far = f"far outside the training range{span}"
            parts.append(_values(self.far_outside, far, far))
        if self.unseen:
            parts.append(
                _values(self.unseen, "a category", "categories") + " the model never saw (unknown)"
            )
        shown = ", ".join(repr(e) for e in self.examples[:3])
        example = f" (e.g. {shown})" if shown else ""
        return f"Column '{self.column}': " + "; ".join(parts) + example + "."

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "not_numbers": self.not_numbers,
            "infinite": self.infinite,
            "far_outside": self.far_outside,
            "unseen": self.unseen,
            "examples": list(self.examples[:3]),
        }


def _values(n: int, one: str, many: str) -> str:
    return f"1 value is {one}" if n == 1 else f"{n:,} values are {many}"


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:.4g}"


def input_problems(
    df: pd.DataFrame, metadata: dict[str, Any], model: Any = None
) -> list[ColumnProblems]:
    """Per input column of ``df``, the values the model will fill, call unknown or
    extrapolate (columns without any are left out), in the schema's order."""
    if len(df) == 0 or "input_schema" not in metadata:
        return []
    schema = InputSchema.from_dict(metadata["input_schema"])
    fitted = metadata.get("preprocessing_fitted") or {}
    present = {str(c) for c in df.columns}
    found: list[ColumnProblems] = []
    for col in schema.columns:
        if col.name not in present:
            continue  # frame_to_inputs refuses the frame with a clear message
        series = df[col.name]
        if isinstance(series, pd.DataFrame):  # a duplicated column name: the first one
            series = series.iloc[:, 0]
        facts = fitted.get(col.name) or {}
        if col.parse is not None:  # free text and dates: no range or vocabulary to check
            continue
        if col.dtype == "float32":
            problems = _numeric(col.name, series, facts)
        else:
            problems = _categorical(col.name, series, _vocabulary(model, col.input_name))
        if problems.total():
            found.append(problems)
    return found


def _numeric(name: str, series: pd.Series, facts: dict[str, Any]) -> ColumnProblems:
    out = ColumnProblems(name)
    if pd.api.types.is_bool_dtype(series):
        return out
    if pd.api.types.is_numeric_dtype(series):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
    else:
        converted = pd.to_numeric(series, errors="coerce")
        text = series.notna() & converted.isna()
        text &= series.astype(str).str.strip() != ""
        out.not_numbers = int(text.sum())
        out.examples += [str(v)[:40] for v in series[text].unique()[:3]]
        values = converted.to_numpy(dtype="float64", na_value=np.nan)
    inf = np.isinf(values) | (np.isfinite(values) & (np.abs(values) > _FLOAT32_MAX))
    out.infinite = int(inf.sum())
    low, high = facts.get("min"), facts.get("max")
    if isinstance(low, (int, float)) and isinstance(high, (int, float)):
        span = float(high) - float(low) or 1.0
        lo, hi = float(low) - FAR * abs(span), float(high) + FAR * abs(span)
        with np.errstate(invalid="ignore"):
            far = np.isfinite(values) & ~inf & ((values < lo) | (values > hi))
        out.far_outside = int(far.sum())
        out.low, out.high = float(low), float(high)
        if out.far_outside and len(out.examples) < 3:
            out.examples += [f"{v:.4g}" for v in np.unique(values[far])[:2]]
    return out


def _categorical(name: str, series: pd.Series, vocabulary: set[str] | None) -> ColumnProblems:
    out = ColumnProblems(name)
    if not vocabulary:
        return out
    strings = pd.Series(canonical_strings(series), dtype=object)
    unseen = (strings != "") & ~strings.isin(vocabulary)
    out.unseen = int(unseen.sum())
    out.examples += [str(v)[:40] for v in strings[unseen].unique()[:3]]
    return out


def _vocabulary(model: Any, input_name: str) -> set[str] | None:
    """The categories a table model knows for one input (its ``lookup_<input>`` layer)."""
    model = getattr(model, "serving_model", model)
    if model is None or not hasattr(model, "get_layer"):
        return None
    from automl_gui.core.preprocess._impute import known_categories

    try:
        return set(known_categories(model.get_layer(f"lookup_{input_name}")))
    except (ValueError, AttributeError):
        return None


def problem_notices(problems: list[ColumnProblems], limit: int = 10) -> list[str]:
    """One line per column with odd values (at most ``limit``, then how many more)."""
    lines = [p.describe() for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"…and {len(problems) - limit} more columns with odd values.")
    return lines

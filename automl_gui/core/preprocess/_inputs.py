"""The model's input contract: column names, Keras input names and dtypes, and the one
conversion from any raw frame (training split, prediction file, sample rows) to model inputs.

No TensorFlow at import time; :func:`to_tensors` imports it when called.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from automl_gui.core.errors import DataError

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
INPUT_DTYPES = ("float32", "string")


# -- canonical values (one conversion for training and serving) -------------------------------
def canonical_string(value: Any) -> str:
    """The string a categorical value becomes, identically at training and prediction time.

    Missing values become "" (the model fills them); booleans "true"/"false"; numbers their
    shortest form (1.0 and "1" both become "1"); other text is stripped of outer spaces.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    text = str(value).strip()
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered
    if _NUMBER.match(text):
        return canonical_string(float(text))
    return text


def canonical_strings(series: pd.Series) -> np.ndarray:
    """Vectorized :func:`canonical_string`: each distinct value is converted once."""
    if series.dtype == object:  # mixed Python values: 1.0 == True, so no factorize here
        cache: dict[Any, str] = {}
        out = np.empty(len(series), dtype=object)
        for i, v in enumerate(series.tolist()):
            try:
                key = (type(v), v)
                text = cache.get(key)
                if text is None:
                    text = cache[key] = canonical_string(v)
            except TypeError:  # unhashable
                text = canonical_string(v)
            out[i] = text
        return out
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.array([canonical_string(u) for u in uniques] + [""], dtype=object)
    return mapped[codes]  # code -1 (missing) picks the trailing ""


def numeric_values(series: pd.Series, column: str) -> np.ndarray:
    """Float64 values of a numeric feature; non-numbers become NaN (missing).

    Raises:
        DataError: when most present values are not numbers (wrong column or file).
    """
    if pd.api.types.is_bool_dtype(series):
        return series.astype("float64").to_numpy(dtype="float64", na_value=np.nan)
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    converted = pd.to_numeric(series, errors="coerce")
    present = int(series.notna().sum())
    bad = present - int(converted.notna().sum())
    if present and bad > present / 2:
        raise DataError(
            f"Column '{column}' should hold numbers but {bad} of {present} values are not numeric.",
            "Check that the file matches the data the model was trained on.",
        )
    return converted.to_numpy(dtype="float64", na_value=np.nan)


# -- the input schema -------------------------------------------------------------------------
@dataclass(frozen=True)
class InputColumn:
    """One model input: the raw column ``name``, its Keras ``input_name`` and ``dtype``."""

    name: str
    input_name: str
    dtype: str  # "float32" | "string"


def sanitize_input_name(name: str, taken: set[str]) -> str:
    """A Keras/TF-safe input name ([A-Za-z0-9_], not starting with a digit), unique in ``taken``."""
    base = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", str(name))).strip("_") or "col"
    if base[0].isdigit():
        base = f"c_{base}"
    candidate, i = base, 2
    while candidate.lower() in taken:
        candidate, i = f"{base}_{i}", i + 1
    taken.add(candidate.lower())
    return candidate


@dataclass
class InputSchema:
    """The columns a model needs, in input order; stored in the export's metadata."""

    columns: list[InputColumn] = field(default_factory=list)

    @classmethod
    def from_columns(cls, columns: list[tuple[str, str]]) -> InputSchema:
        """Build from ``(column name, dtype)`` pairs, sanitizing input names."""
        taken: set[str] = set()
        return cls([InputColumn(n, sanitize_input_name(n, taken), d) for n, d in columns])

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def to_dict(self) -> dict[str, Any]:
        return {"columns": [asdict(c) for c in self.columns]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InputSchema:
        return cls([InputColumn(**c) for c in data.get("columns", [])])


def frame_to_inputs(df: pd.DataFrame, schema: InputSchema) -> dict[str, np.ndarray]:
    """Convert raw rows to model inputs: ``{input_name: array of shape (n, 1)}``.

    Numeric columns become float32 (non-numbers and missing values NaN, infinities kept: the
    model treats both as missing); string columns become object arrays of canonical strings
    ("" for missing). Extra columns are ignored.

    Raises:
        DataError: columns the model needs are missing, or a numeric column holds mostly text.
    """
    present = {str(c) for c in df.columns}
    missing = [c.name for c in schema.columns if c.name not in present]
    if missing:
        raise DataError(
            f"The file lacks columns the model needs: {', '.join(missing)}.",
            "Add them (empty values are allowed) or use a file with the training columns.",
        )
    out: dict[str, np.ndarray] = {}
    for col in schema.columns:
        series = df[col.name]
        if isinstance(series, pd.DataFrame):  # duplicate column names: take the first
            series = series.iloc[:, 0]
        if col.dtype == "float32":
            values = numeric_values(series, col.name).astype(np.float32)
        else:
            values = canonical_strings(series)
        out[col.input_name] = values.reshape(-1, 1)
    return out


def to_tensors(inputs: dict[str, np.ndarray]) -> dict[str, Any]:
    """Turn :func:`frame_to_inputs` arrays into tensors Keras ``fit``/``predict`` accept
    (Keras rejects object arrays; strings must be ``tf.string`` tensors)."""
    from automl_gui.core import lazy

    tf = lazy.tf()
    tensors: dict[str, Any] = {}
    for name, arr in inputs.items():
        if arr.dtype == object:
            tensors[name] = tf.constant(arr.astype(str), dtype=tf.string)
        else:
            tensors[name] = tf.constant(arr)
    return tensors

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

from automl_gui.core.base.errors import DataError
from automl_gui.core.preprocess._dates import date_seconds, day_and_second
from automl_gui.core.preprocess._text_column import TEXT, text_values

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
NUMERIC_GROUP = "numeric_columns"  # the Keras input of grouped numeric columns (wide tables)


@dataclass(frozen=True)
class InputColumn:
    """One raw column of the model's input: its ``name``, the Keras ``input_name`` it feeds
    and the ``dtype``; ``index`` is its position in a grouped input (None: an input of its own).

    A table model has one ``(n, 1)`` input per column, except that the numeric columns of a
    wide table share one ``(n, k)`` float32 input (:data:`NUMERIC_GROUP`), column ``index``
    of it; one Keras input per column does not scale to thousands of columns.

    ``parse`` is set for the columns whose raw values are converted before the model:
    ``"text"`` (free text, kept as written; ``_text_column``) or a date parse (``_dates``:
    read with the format detected on the training split, then a float32 (n, 2) input of
    whole days since 1970 and seconds into the day).
    """

    name: str
    input_name: str
    dtype: str  # "float32" | "string"
    index: int | None = None
    parse: str | None = None


@dataclass(frozen=True)
class InputSpec:
    """One Keras input of the model: its name, dtype and width (columns it holds)."""

    name: str
    dtype: str
    width: int


# Layers the table model names after an input (``_build``, ``_group``) and the model's own
# layers (``models.mlp``): an input may not take one of these names, or Keras refuses the
# model ("The name 'scale_x' is used 2 times") for columns named "x" and "scale_x".
LAYER_PREFIXES = (
    "impute_",
    "scale_",
    "lookup_",
    "embed_",
    "flat_",
    "onehot_",
    "fill_",
    "index_",
    "missing_",
)
# Layers only text and date columns have: reserved for those columns alone, so that the input
# names of a table without them stay what they always were.
TEXT_PREFIXES = ("text_", "textflat_", "textnorm_")
DATE_PREFIXES = ("datefeat_",)
_MODEL_LAYERS = re.compile(
    r"^(features|standardized|prediction|probabilities"
    r"|(dense|batch_norm|dropout|relu|gelu|silu|tanh|elu|selu)_\d+)$"
)


def sanitize_input_name(name: str, taken: set[str], extra: tuple[str, ...] = ()) -> str:
    """A Keras/TF-safe input name ([A-Za-z0-9_], not starting with a digit), unique in ``taken``.

    Neither it nor the layers named after it (:data:`LAYER_PREFIXES`, and the column's own
    ``extra`` prefixes) clash with a name in ``taken`` or with the model's own layers; all of
    them are added to ``taken``.
    """
    base = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", str(name))).strip("_") or "col"
    if base[0].isdigit():
        base = f"c_{base}"
    prefixes = LAYER_PREFIXES + tuple(extra)
    candidate, i = base, 2
    while _clashes(candidate.lower(), taken, prefixes):
        candidate, i = f"{base}_{i}", i + 1
    taken.add(candidate.lower())
    taken.update(p + candidate.lower() for p in prefixes)
    return candidate


def _clashes(candidate: str, taken: set[str], prefixes: tuple[str, ...]) -> bool:
    return (
        candidate in taken
        or _MODEL_LAYERS.match(candidate) is not None
        or any(p + candidate in taken for p in prefixes)
    )


@dataclass
class InputSchema:
    """The columns a model needs, in input order; stored in the export's metadata."""

    columns: list[InputColumn] = field(default_factory=list)

    @classmethod
    def from_columns(
        cls,
        columns: list[tuple[str, str] | tuple[str, str, str | None]],
        *,
        group_numeric: bool = False,
    ) -> InputSchema:
        """Build from ``(column name, dtype[, parse])`` tuples, sanitizing input names.

        With ``group_numeric`` every float32 column feeds the one :data:`NUMERIC_GROUP`
        input (``index`` in column order); string columns keep an input each.
        """
        taken: set[str] = set()
        if group_numeric:
            taken |= {NUMERIC_GROUP, *(p + NUMERIC_GROUP for p in LAYER_PREFIXES)}
        out: list[InputColumn] = []
        position = 0
        for name, dtype, *rest in columns:
            parse = rest[0] if rest else None
            if group_numeric and dtype == "float32" and parse is None:
                out.append(InputColumn(name, NUMERIC_GROUP, dtype, position))
                position += 1
            else:
                extra = () if parse is None else TEXT_PREFIXES if parse == TEXT else DATE_PREFIXES
                input_name = sanitize_input_name(name, taken, extra)
                out.append(InputColumn(name, input_name, dtype, None, parse))
        return cls(out)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def grouped(self) -> bool:
        """True when some columns share an input (the wide-table form)."""
        return any(c.index is not None for c in self.columns)

    def inputs(self) -> list[InputSpec]:
        """The model's Keras inputs in order of first use: name, dtype and width."""
        specs: dict[str, list[Any]] = {}
        for c in self.columns:
            spec = specs.setdefault(c.input_name, [c.dtype, 0])
            spec[1] += column_width(c)
        return [InputSpec(name, dtype, width) for name, (dtype, width) in specs.items()]

    def to_dict(self) -> dict[str, Any]:
        # ``index`` and ``parse`` only where set: a table of numbers and categories reads
        # exactly as before
        return {
            "columns": [
                {k: v for k, v in asdict(c).items() if k not in ("index", "parse") or v is not None}
                for c in self.columns
            ]
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InputSchema:
        return cls([InputColumn(**c) for c in data.get("columns", [])])


def column_width(col: InputColumn) -> int:
    """How many values of its input one column fills: 2 for a date (day, second), else 1."""
    return 2 if col.parse is not None and col.parse != TEXT else 1


def frame_to_inputs(df: pd.DataFrame, schema: InputSchema) -> dict[str, np.ndarray]:
    """Convert raw rows to model inputs: ``{input_name: array of shape (n, width)}``.

    Numeric columns become float32 (non-numbers and missing values NaN, infinities kept: the
    model treats both as missing); category columns become object arrays of canonical strings
    ("" for missing); free-text columns object arrays of the text as written ("" for missing);
    date columns (n, 2) float32 whole days since 1970-01-01 and seconds into the day (NaN
    where missing or not a date). A column of its own is an ``(n, 1)`` array; grouped numeric columns
    (wide tables) fill the columns of one ``(n, k)`` array in ``index`` order. Extra columns
    are ignored.

    Raises:
        DataError: columns the model needs are missing, or a numeric column holds mostly text.
    """
    present = {str(c) for c in df.columns}
    missing = [c.name for c in schema.columns if c.name not in present]
    if missing:
        shown = ", ".join(missing[:20]) + (
            f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        )
        raise DataError(
            f"The file lacks columns the model needs: {shown}.",
            "Add them (empty values are allowed) or use a file with the training columns.",
        )
    out: dict[str, np.ndarray] = {}
    groups: dict[str, list[InputColumn]] = {}
    for col in schema.columns:
        if col.index is not None:
            groups.setdefault(col.input_name, []).append(col)
            continue
        series = _column(df, col.name)
        if col.parse == TEXT:
            values = text_values(series)
        elif col.parse is not None:
            values = day_and_second(date_seconds(series, col.parse, col.name))
        elif col.dtype == "float32":
            values = numeric_values(series, col.name).astype(np.float32)
        else:
            values = canonical_strings(series)
        out[col.input_name] = values.reshape(len(df), column_width(col))
    for name, cols in groups.items():
        out[name] = _numeric_block(df, sorted(cols, key=lambda c: c.index or 0))
    return {spec.name: out[spec.name] for spec in schema.inputs()}


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    series = df[name]
    if isinstance(series, pd.DataFrame):  # duplicate column names: take the first
        series = series.iloc[:, 0]
    return series


def _numeric_block(df: pd.DataFrame, cols: list[InputColumn]) -> np.ndarray:
    """Grouped numeric columns as one (n, k) float32 array (one copy when they are numbers)."""
    names = [c.name for c in cols]
    if df.columns.is_unique:
        part = df[names]
        if all(
            pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
            for t in part.dtypes
        ):
            return part.to_numpy(dtype=np.float32, na_value=np.nan)
    block = np.empty((len(df), len(cols)), dtype=np.float32)
    for j, name in enumerate(names):
        block[:, j] = numeric_values(_column(df, name), name)
    return block


def to_tensors(inputs: dict[str, np.ndarray]) -> dict[str, Any]:
    """Turn :func:`frame_to_inputs` arrays into tensors Keras ``fit``/``predict`` accept
    (Keras rejects object arrays; strings must be ``tf.string`` tensors)."""
    from automl_gui.core.base import lazy

    tf = lazy.tf()
    tensors: dict[str, Any] = {}
    for name, arr in inputs.items():
        if arr.dtype == object:
            tensors[name] = tf.constant(arr.astype(str), dtype=tf.string)
        else:
            tensors[name] = tf.constant(arr)
    return tensors

"""The graph a converted format holds: the whole serving model, or (tables) its numeric part.

TFLite and ONNX take a ``tf.function`` with a fixed input signature. Image and audio models
convert whole (their resizing, scaling and spectrogram layers are plain ops). The table
model's category lookups are string ops (strip, select, hash table) that neither the LiteRT
interpreter (no Flex delegate) nor onnxruntime can run, so when the whole model fails the
exporter falls back to :func:`encoded_graph`: the same model from filled numbers and category
*indices* on, with ``preprocessing.json`` saying how to turn a raw row into those indices
(:func:`encode_rows` is that recipe in numpy, and the check compares it with the app's own
Keras layers). A wide table's numeric columns share one ``(n, k)`` input (``InputColumn.index``
gives each column's position); its encoded form is the output of the input's ``fill_<input>``
layer (each column's fill value applied), plus ``<input>__missing`` for the columns with a
missing-value indicator. A free-text column's encoded form is its TF-IDF vector (the output of
the model's ``TextVectorization``, written out by ``_text_encode.vectorizer_spec`` and made by
``_text_encode.encode_texts``), a date column's its unscaled calendar features (the
``datefeat_<input>`` layer, made by ``preprocess._dates.features_of`` on numpy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from automl_gui.core.base.errors import ModelError
from automl_gui.core.export import _fills
from automl_gui.core.kinds import kind_named
from automl_gui.core.preprocess import _impute

FULL = "full"
ENCODED = "encoded"
PREPROCESSING_FILE = "preprocessing.json"
MISSING_SUFFIX = "__missing"
GROUP_FILL_PREFIX = _impute.GROUP_PREFIX  # the filled values of a grouped input
TABLE_NOTE = (
    "This format cannot hold the table's preprocessing (category lookups, text vectorizers): "
    "encode rows as preprocessing.json describes, or use the .keras/SavedModel export which "
    "takes raw rows."
)


@dataclass
class ServingGraph:
    """A Keras model to convert, its input signature, and how to feed it the check's samples."""

    model: Any  # keras.Model
    input_specs: Any  # its one argument's TensorSpec (or dict of them, by input name)
    part: str  # FULL or ENCODED
    feed: Callable[[Any], dict[str, np.ndarray]]  # sample inputs -> {input name: array}
    preprocessing: dict[str, Any] | None = None  # ENCODED: what preprocessing.json holds
    note: str = TABLE_NOTE  # ENCODED: what the caller must do instead (the export's note)
    #: ENCODED: the app's own encoding of sample inputs, which ``feed`` must reproduce
    app_encoding: Callable[[Any], dict[str, Any]] | None = None

    @property
    def input_names(self) -> list[str]:
        if isinstance(self.input_specs, dict):
            return [spec.name for spec in self.input_specs.values()]
        return [self.input_specs.name]


def full_graph(model: Any, metadata: dict[str, Any]) -> ServingGraph:
    """The whole serving model: raw rows (a dict of (n, width) tensors, width 1 but for a
    wide table's grouped numeric input), images or waveforms."""
    tf = _tf()
    kind = kind_named(str(metadata.get("kind", "tabular")))
    if kind.serving_input is not None:
        shape, name = kind.serving_input
        spec = tf.TensorSpec(shape, tf.float32, name=name)
    else:
        spec = {
            s.name: tf.TensorSpec((None, s.width), getattr(tf, s.dtype), s.name)
            for s in _schema(metadata).inputs()
        }
    if isinstance(spec, dict):

        def feed(rows: Any) -> dict[str, np.ndarray]:
            return _raw_inputs(metadata, rows)
    else:

        def feed(rows: Any) -> dict[str, np.ndarray]:
            return {spec.name: np.asarray(rows, dtype=np.float32)}

    return ServingGraph(model, spec, FULL, feed)


def encoded_graph(model: Any, metadata: dict[str, Any]) -> ServingGraph:
    """The table model from category indices on (numbers still raw: it fills and scales them).

    Inputs: each numeric column as float32 (n, 1) with missing values already replaced by the
    fitted fill value (the model still scales it), each category column as int64 (n, 1)
    indices into its vocabulary (0 = unseen), and for a column with a missing-value indicator
    a float32 ``<input>__missing`` (1 = the value was missing). A wide table's grouped numeric
    input is float32 (n, k), filled column by column, and its ``<input>__missing`` (n, m)
    holds the indicators of the m columns that have one. Missing values are filled outside
    because tf2onnx turns the fill's select into arithmetic, where NaN * 0 is NaN.
    """
    tf = _tf()
    keras = _keras()
    inputs: dict[str, Any] = {}
    specs: dict[str, Any] = {}
    for name, tensor, dtype, width in _encoded_parts(model, _schema(metadata)):
        inputs[name] = tensor
        specs[name] = tf.TensorSpec((None, width), getattr(tf, dtype), name=name)
    try:
        part = keras.Model(inputs, model.outputs[0], name="encoded_part")
    except Exception as exc:  # noqa: BLE001 - Keras raises several kinds for bad graphs
        raise ModelError(
            f"Could not separate the table model from its category lookups: {exc}",
            "Use the .keras or SavedModel export, which takes raw rows.",
        ) from None
    spec = preprocessing_spec(model, metadata)

    def feed(rows: Any) -> dict[str, np.ndarray]:
        return encode_rows(spec, rows)

    def encoding(rows: Any) -> dict[str, Any]:
        return keras_encoding(model, metadata, rows)

    return ServingGraph(part, specs, ENCODED, feed, spec, app_encoding=encoding)


def keras_encoding(model: Any, metadata: dict[str, Any], rows: pd.DataFrame) -> dict[str, Any]:
    """The app's own encoding of ``rows`` (its Keras impute and lookup layers), as arrays:
    what :func:`encode_rows` must reproduce from ``preprocessing.json``."""
    keras = _keras()
    outputs = {name: t for name, t, _, _ in _encoded_parts(model, _schema(metadata))}
    if not outputs:
        return {}
    encoder = keras.Model(model.inputs, outputs)
    return {k: np.asarray(v) for k, v in encoder(_tensors(metadata, rows)).items()}


def _encoded_parts(model: Any, schema: Any) -> list[tuple[str, Any, str, int]]:
    """``(input name, Keras tensor, dtype, width)`` of each input of the encoded model, in
    the order of the model's inputs (each followed by its indicator input, if any)."""
    parts: list[tuple[str, Any, str, int]] = []
    for name, fill in _fills_of(model, schema).items():
        width = int(fill.encoded.shape[-1])
        dtype = "int64" if fill.vocabulary is not None else "float32"
        parts.append((name, fill.encoded, dtype, width))
        if fill.indicator is not None:
            chosen = len(fill.indicator_columns) if width > 1 else 1
            parts.append((name + MISSING_SUFFIX, fill.indicator, "float32", chosen))
    return parts


def _fills_of(model: Any, schema: Any) -> dict[str, _fills.InputFill]:
    """Each raw input's :class:`~._fills.InputFill`, in the order of the model's inputs."""
    groups = _groups(schema)
    single = {c.input_name: c for c in schema.columns if c.index is None}
    out: dict[str, _fills.InputFill] = {}
    for spec in schema.inputs():
        name = spec.name
        if name in groups:
            out[name] = _fills.group_fill(model, name, spec.width)
        elif single[name].parse is not None:
            out[name] = _converted_fill(model, single[name])
        elif single[name].dtype == "float32":
            out[name] = _fills.numeric_fill(model, name)
        else:
            out[name] = _fills.category_fill(model, name)
    return out


def _converted_fill(model: Any, col: Any) -> _fills.InputFill:
    """A text or date input's encoded form: the TF-IDF vector after the model's
    ``TextVectorization``, or the date's unscaled calendar features (and its indicator)."""
    from automl_gui.core.preprocess import _dates, _text_column

    name = col.input_name
    if col.parse == _text_column.TEXT:
        layer = _fills.layer_of(model, f"{_text_column.FLAT_PREFIX}{name}")
        return _fills.InputFill(layer.output, None, "", [])
    layer = _fills.layer_of(model, f"{_dates.FEATURES_PREFIX}{name}")
    try:
        flags = model.get_layer(f"{_impute.MISSING_PREFIX}{name}").output
    except ValueError:  # no missing-value indicator
        flags = None
    return _fills.InputFill(layer.output, flags, None, [0] if flags is not None else [])


def _text_item(model: Any, col: Any) -> dict[str, Any]:
    from automl_gui.core.export._text_encode import vectorizer_spec
    from automl_gui.core.preprocess._text_column import VECTORIZER_PREFIX

    layer = _fills.layer_of(model, f"{VECTORIZER_PREFIX}{col.input_name}")
    vectorizer = vectorizer_spec(layer)
    return {
        "input": col.input_name,
        "column": col.name,
        "dtype": "float32",
        "shape": [None, vectorizer["depth"]],
        "encoding": "text_vector",
        "how": "the column's text as written ('' when missing), turned into a vector as "
        "'vectorizer' describes (TF-IDF of words and word pairs). The model scales it to "
        "length 1 itself.",
        "vectorizer": vectorizer,
    }


def _date_item(col: Any, facts: dict[str, Any]) -> dict[str, Any]:
    from automl_gui.core.preprocess._dates import feature_names

    needed = ("fill_value", "origin", "hours")
    if any(k not in facts for k in needed):
        raise ModelError(
            f"The model's metadata lacks the fitted facts of the date column '{col.name}', so "
            "its preprocessing cannot be written out.",
            "Use the .keras or SavedModel export, which takes raw rows.",
        )
    return {
        "input": col.input_name,
        "column": col.name,
        "dtype": "float32",
        "shape": [None, len(feature_names(bool(facts["hours"])))],
        "encoding": "date_features",
        "how": "the date as Unix seconds (UTC), read as 'parse' says ('format:F': text parsed "
        "with pandas.to_datetime(format=F, utc=True); 'unix_s'/'unix_ms': seconds or "
        "milliseconds since 1970; 'datetime': a datetime column); missing or unreadable: "
        "fill_value. Then, with days = floor(seconds / 86400), second = seconds - days*86400 "
        "and (year, month) from civil_from_days(days) (Howard Hinnant's algorithm, "
        "howardhinnant.github.io/date_algorithms.html), the features in 'features' order, "
        "as float32: year, month (1-12), day_of_week ((days + 3) mod 7, Monday 0), hour "
        "(floor(second / 3600), when listed) and elapsed_days = (days - origin_day) + "
        "(second - origin_second) / 86400 with origin split the same way. The model adds "
        "their sine/cosine cycles and standardizes them itself.",
        "parse": col.parse,
        "fill_value": float(facts["fill_value"]),
        "origin": float(facts["origin"]),
        "hours": bool(facts["hours"]),
        "features": feature_names(bool(facts["hours"])),
    }


def preprocessing_spec(model: Any, metadata: dict[str, Any]) -> dict[str, Any]:
    """``preprocessing.json``: each input of the encoded model, in order, and how to make it."""
    fitted = metadata.get("preprocessing_fitted") or {}
    schema = _schema(metadata)
    groups = _groups(schema)
    fills = _fills_of(model, schema)
    inputs: list[dict[str, Any]] = []
    for col in schema.columns:
        name, column = col.input_name, col.name
        fill = fills[name]
        if col.index is not None:
            if name in groups:  # the group's entries, once, where its first column stands
                inputs += _group_items(fill, name, [c.name for c in groups.pop(name)])
            continue
        facts = fitted.get(column, {})
        if col.parse is not None:
            text = col.dtype == "string"
            inputs.append(_text_item(model, col) if text else _date_item(col, facts))
            _indicator(inputs, fill, name, column)
            continue
        if col.dtype == "float32":
            inputs.append(
                {
                    "input": name,
                    "column": column,
                    "dtype": "float32",
                    "shape": [None, 1],
                    "encoding": "number",
                    "how": "the number; when it is missing (empty, NaN or +-inf) use fill_value "
                    "instead. The model scales the column itself (fitted values below).",
                    "fill_value": fill.fill,
                    "fitted": {k: v for k, v in facts.items() if k != "input_name"},
                }
            )
            _indicator(inputs, fill, name, column)
            continue
        inputs.append(
            {
                "input": name,
                "column": column,
                "dtype": "int64",
                "shape": [None, 1],
                "encoding": "category_index",
                "how": "canonical text of the value (see 'canonical_text'), stripped of outer "
                "spaces; empty (missing) becomes fill_value; then its position in vocabulary "
                "(0 = any value not in it).",
                "fill_value": fill.fill,
                "unseen_index": 0,
                "vocabulary": fill.vocabulary,
            }
        )
        _indicator(inputs, fill, name, column)
    return {
        "about": "How to turn a raw row into the inputs of this model file (the numeric part "
        "of the table model; the .keras and SavedModel exports take raw rows instead).",
        "inputs": inputs,
        "canonical_text": "Category values are compared as text: missing -> '' ; booleans "
        "'true'/'false'; numbers in their shortest form ('1.0' and 1 -> '1', 2.5 -> '2.5'); "
        "other text stripped of outer spaces.",
        "outputs": _outputs_text(metadata),
    }


def _group_items(fill: _fills.InputFill, name: str, columns: list[str]) -> list[dict[str, Any]]:
    """preprocessing.json's entries for a grouped numeric input (``columns`` in index order):
    the filled numbers, then (when some columns have one) the missing indicators."""
    fills = list(fill.fill)
    if len(fills) != len(columns):
        raise ModelError(
            f"The model's layer '{GROUP_FILL_PREFIX}{name}' holds {len(fills)} fill values for "
            f"{len(columns)} columns, so its preprocessing cannot be written out.",
            "Use the .keras or SavedModel export, which takes raw rows.",
        )
    items: list[dict[str, Any]] = [
        {
            "input": name,
            "columns": columns,
            "dtype": "float32",
            "shape": [None, len(columns)],
            "encoding": "numbers",
            "how": "one row of numbers: position j holds the number in columns[j]; when it is "
            "missing (empty, NaN or +-inf) use fill_values[j] instead. The model scales the "
            "columns itself.",
            "fill_values": fills,
        }
    ]
    chosen = list(fill.indicator_columns)
    if chosen:
        items.append(
            {
                "input": name + MISSING_SUFFIX,
                "columns": [columns[i] for i in chosen],
                "of_input": name,
                "positions": chosen,
                "dtype": "float32",
                "shape": [None, len(chosen)],
                "encoding": "missing_indicators",
                "how": "position i is 1.0 when the number in columns[i] is missing (empty, NaN "
                "or +-inf), else 0.0 (positions: where those columns stand in of_input).",
            }
        )
    return items


def _indicator(
    inputs: list[dict[str, Any]], fill: _fills.InputFill, name: str, column: str
) -> None:
    if fill.indicator is not None:
        inputs.append(
            {
                "input": name + MISSING_SUFFIX,
                "column": column,
                "dtype": "float32",
                "shape": [None, 1],
                "encoding": "missing_indicator",
                "how": "1.0 when the value is missing (numbers: empty, NaN or +-inf; "
                "categories: empty after stripping), else 0.0.",
            }
        )


def encode_rows(spec: dict[str, Any], rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """Raw rows -> the encoded model's inputs, following ``preprocessing.json`` (``spec``).

    Raises:
        DataError: a column the model needs is missing, or a numeric column holds text.
    """
    from automl_gui.core.export._text_encode import encode_texts
    from automl_gui.core.preprocess import _dates
    from automl_gui.core.preprocess._text_column import TEXT
    from automl_gui.core.preprocess.tabular import InputColumn, InputSchema, frame_to_inputs

    columns: list[Any] = []
    for item in spec["inputs"]:
        encoding = item["encoding"]
        if encoding == "text_vector":
            columns.append(InputColumn(item["column"], item["input"], "string", None, TEXT))
        elif encoding == "date_features":
            columns.append(
                InputColumn(item["column"], item["input"], "float32", None, item["parse"])
            )
        elif encoding == "numbers":
            columns += [
                InputColumn(c, item["input"], "float32", j) for j, c in enumerate(item["columns"])
            ]
        elif encoding in ("number", "category_index"):
            dtype = "float32" if encoding == "number" else "string"
            columns.append(InputColumn(item["column"], item["input"], dtype))
    schema = InputSchema(columns)
    arrays = frame_to_inputs(rows, schema)
    by_column = {c.name: arrays[c.input_name] for c in schema.columns if c.index is None}
    out: dict[str, np.ndarray] = {}
    for item in spec["inputs"]:
        if item["encoding"] == "numbers":
            block = arrays[item["input"]]
            fills = np.asarray(item["fill_values"], dtype=np.float32)
            out[item["input"]] = np.where(np.isfinite(block), block, fills).astype(np.float32)
            continue
        if item["encoding"] == "missing_indicators":
            block = arrays[item["of_input"]][:, item["positions"]]
            out[item["input"]] = (~np.isfinite(block)).astype(np.float32)
            continue
        if item["encoding"] == "text_vector":
            texts = arrays[item["input"]].reshape(-1)
            out[item["input"]] = encode_texts(texts, item["vectorizer"]).astype(np.float32)
            continue
        if item["encoding"] == "date_features":
            out[item["input"]], _ = _dates.features_of(
                _dates.NUMPY_OPS,
                arrays[item["input"]],
                float(item["fill_value"]),
                hours=bool(item["hours"]),
                origin=float(item["origin"]),
            )
            continue
        values = by_column[item["column"]]
        if values.dtype != object:  # a number column, or a date's (day, second)
            missing = ~np.isfinite(values.astype(np.float64)).all(axis=1, keepdims=True)
            if item["encoding"] == "missing_indicator":
                out[item["input"]] = missing.astype(np.float32)
            else:
                filled = np.where(missing, float(item["fill_value"]), values)
                out[item["input"]] = filled.astype(np.float32)
            continue
        text = np.array([str(v).strip() for v in values[:, 0]], dtype=object)
        missing = text == ""
        if item["encoding"] == "missing_indicator":
            out[item["input"]] = missing.astype(np.float32).reshape(-1, 1)
            continue
        text[missing] = item["fill_value"]
        unseen = int(item["unseen_index"])
        index = {v: i for i, v in enumerate(item["vocabulary"]) if i != unseen}
        ids = [index.get(v, item["unseen_index"]) for v in text]
        out[item["input"]] = np.asarray(ids, dtype=np.int64).reshape(-1, 1)
    return out


def missing_rows(metadata: dict[str, Any]) -> pd.DataFrame:
    """Two raw rows of a table model's columns with every value missing: numbers NaN, then
    +inf (the model treats both as missing); categories, texts and dates None."""
    columns = _schema(metadata).columns
    numbers = list(
        dict.fromkeys(c.name for c in columns if c.dtype == "float32" and c.parse is None)
    )
    block = np.tile(np.array([[np.nan], [np.inf]]), (1, len(numbers)))
    other = {c.name: [None, None] for c in columns if c.name not in numbers}
    return pd.concat(
        [pd.DataFrame(block, columns=numbers), pd.DataFrame(other, dtype=object)], axis=1
    )


# -- helpers ----------------------------------------------------------------------------------
def _outputs_text(metadata: dict[str, Any]) -> str:
    if metadata.get("task") == "regression":
        return f"one value per row: the predicted '{metadata.get('target', 'target')}'."
    names = metadata.get("class_names") or []
    return f"class probabilities per row, in this order: {', '.join(map(str, names))}."


def _schema(metadata: dict[str, Any]) -> Any:
    from automl_gui.core.preprocess.tabular import InputSchema

    return InputSchema.from_dict(metadata["input_schema"])


def _groups(schema: Any) -> dict[str, list[Any]]:
    """Grouped inputs (wide tables): input name -> its columns in ``index`` order."""
    groups: dict[str, list[Any]] = {}
    for c in schema.columns:
        if c.index is not None:
            groups.setdefault(c.input_name, []).append(c)
    return {k: sorted(v, key=lambda c: c.index) for k, v in groups.items()}


def _raw_inputs(metadata: dict[str, Any], rows: pd.DataFrame) -> dict[str, np.ndarray]:
    from automl_gui.core.preprocess.tabular import frame_to_inputs

    return frame_to_inputs(rows, _schema(metadata))


def _tensors(metadata: dict[str, Any], rows: pd.DataFrame) -> Any:
    from automl_gui.core.preprocess.tabular import InputSchema, frame_to_inputs, to_tensors

    return to_tensors(frame_to_inputs(rows, InputSchema.from_dict(metadata["input_schema"])))


def _tf() -> Any:
    from automl_gui.core.base import lazy

    return lazy.tf()


def _keras() -> Any:
    from automl_gui.core.base import lazy

    return lazy.keras()

"""What a table model's card says about its inputs (the table kind's model-card text).

Kept apart from ``model_card`` because it is the table kind's: ``kinds.tabular`` asks it,
and ``model_card`` asks the kind.
"""

from __future__ import annotations

import json
import re
from typing import Any

from automl_gui.core.export._card_trust import DECIDE_CODE

#: input columns named one by one on the card (a wide table lists the rest as a count)
MAX_LISTED = 50


def grouped_inputs(metadata: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """A wide table's grouped numeric inputs: (input name, its columns in index order)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for c in (metadata.get("input_schema") or {}).get("columns", []):
        if c.get("index") is not None:
            groups.setdefault(str(c["input_name"]), []).append((int(c["index"]), str(c["name"])))
    return [(name, [n for _, n in sorted(cols)]) for name, cols in groups.items()]


def _has_single(metadata: dict[str, Any]) -> bool:
    columns = (metadata.get("input_schema") or {}).get("columns", [])
    return any(c.get("index") is None for c in columns)


def listed(names: list[str]) -> str:
    """The first :data:`MAX_LISTED` names, then how many more."""
    more = f" and {len(names) - MAX_LISTED:,} more" if len(names) > MAX_LISTED else ""
    return ", ".join(names[:MAX_LISTED]) + more


def flags_text(metadata: dict[str, Any], name: str, columns: list[str]) -> str:
    """The grouped input's missing indicators, as the stored settings say (the model and
    preprocessing.json hold them too)."""
    config = (metadata.get("preprocess") or {}).get("columns")
    if not isinstance(config, list):
        return f"; {name}__missing: float32 (n, m), 0/1 for the columns listed there, if any"
    flagged = {str(c.get("name")) for c in config if c.get("missing_indicator")}
    chosen = [c for c in columns if c in flagged]
    if not chosen:
        return ""
    return f"; {name}__missing: float32 (n, {len(chosen)}), 0/1 = missing, for {listed(chosen)}"


def group_text(name: str, columns: list[str]) -> str:
    return f"{name}: float32 (n, {len(columns)}), the columns in this order: {listed(columns)}"


def converted_columns(metadata: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(free-text columns, date columns) of a table model's input schema."""
    texts: list[str] = []
    dates: list[str] = []
    for c in (metadata.get("input_schema") or {}).get("columns", []):
        parse = c.get("parse")
        if parse:
            (texts if parse == "text" else dates).append(str(c["name"]))
    return texts, dates


def converted_text(metadata: dict[str, Any]) -> str:
    """How free-text and date columns are given to the model ("" when it has none)."""
    texts, dates = converted_columns(metadata)
    parts: list[str] = []
    if texts:
        parts.append(
            f"free text ({listed(texts)}): an (n, 1) string tensor of the text as written "
            "('' = missing)"
        )
    if dates:
        parts.append(
            f"dates ({listed(dates)}): an (n, 2) float32 tensor of whole days since "
            "1970-01-01 and seconds into that day, UTC (NaN = missing), from the column read "
            "as input_schema's 'parse' says (format:F = pandas.to_datetime(format=F, utc=True); "
            "unix_s / unix_ms = seconds / milliseconds since 1970)"
        )
    return "; ".join(parts)


def input_text(metadata: dict[str, Any]) -> str:
    """What a table model takes (one tensor per input, or grouped numeric columns)."""
    groups = grouped_inputs(metadata)
    converted = converted_text(metadata)
    extra = f"; {converted}" if converted else ""
    if groups:
        parts = [f"{group_text(n, c)} (NaN = missing)" for n, c in groups]
        if _has_single(metadata):
            parts.append(
                "each category column its own (n, 1) string tensor, stripped of outer spaces "
                "('' = missing)"
            )
        return "; ".join(parts) + extra
    return (
        "one (n, 1) tensor per input of input_schema: numbers as float32 (NaN = missing), "
        "categories as strings stripped of outer spaces ('' = missing)" + extra
    )


def serving_text(metadata: dict[str, Any]) -> str:
    """How to call a table model's SavedModel ``serve`` signature."""
    groups = grouped_inputs(metadata)
    if groups:
        return (
            "Call loaded.serve({input_name: tensor}) with "
            + "; ".join(f"{group_text(n, c)} (NaN = missing)" for n, c in groups)
            + (
                "; each category column its own (n, 1) string tensor ('' = missing) in the "
                "canonical form of input_schema."
                if _has_single(metadata)
                else "."
            )
        )
    converted = converted_text(metadata)
    return (
        "Call loaded.serve({input_name: tensor (n, 1)}); numbers as float32 (NaN = missing), "
        "categories as strings ('' = missing) in the canonical form of input_schema"
        + (f"; {converted}." if converted else ".")
    )


def data_lines(metadata: dict[str, Any]) -> list[str]:
    """The input columns and the target, for the card's "Data" section."""
    lines: list[str] = []
    columns = [c["name"] for c in (metadata.get("input_schema") or {}).get("columns", [])]
    if columns:
        lines.append(f"- Input columns ({len(columns):,}): {listed(columns)}.")
    texts, dates = converted_columns(metadata)
    if texts:
        lines.append(f"- Free text, read as TF-IDF of words and word pairs: {listed(texts)}.")
    if dates:
        lines.append(
            f"- Dates, read as year, month, day of week, hour, their cycles and days since the "
            f"first training date: {listed(dates)}."
        )
    if metadata.get("target"):
        lines.append(f"- Target column: {metadata['target']}.")
    return lines


def architecture_lines(metadata: dict[str, Any]) -> list[str]:
    """The hidden layers as built, then the numeric embedding and ensemble members
    (:func:`~automl_gui.core.project._records.network_words`; nothing for metadata written
    before they existed, or scaled numbers and one network). The metadata records what was
    built, with ``auto_chose`` naming what Auto decided; metadata written before that (no
    ``auto_chose``) kept Auto's placeholder sizes, so an Auto model of then says only that
    Auto chose them."""
    model = metadata.get("model") or {}
    if not model:
        return []
    network = _network_line(model, metadata.get("auto_chose") or [])
    activation = model.get("activation", "relu")
    auto = bool(model.get("auto"))
    if auto and "auto_chose" not in metadata:
        return [
            "- Hidden layers: sized by Auto to the data (the sizes were not recorded).",
            *network,
        ]
    units = [int(u) for u in model.get("hidden_units") or []]
    sizes = ", ".join(str(u) for u in units)
    layers = f"{sizes} units ({activation})" if units else "none (a linear model)"
    return [f"- Hidden layers: {layers}" + (", chosen by Auto." if auto else "."), *network]


def _network_line(model: dict[str, Any], chose: list[str]) -> list[str]:
    """ "- Numeric inputs and members: piecewise-linear 26 bins, 8 members, chosen by Auto." as
    the metadata's ``model`` records them built; [] when there is nothing to add."""
    from automl_gui.core.project._records import network_words

    words = network_words(model)
    if not words:
        return []
    by_auto = any(f in chose for f in ("numeric_embedding", "n_bins", "ensemble_size"))
    return [f"- Numeric inputs and members: {words}" + (", chosen by Auto." if by_auto else ".")]


def with_built_layers(metadata: dict[str, Any], model: Any) -> dict[str, Any]:
    """``metadata`` of an Auto table model saved before the metadata recorded what Auto chose
    (no ``auto_chose``), with the hidden layers read from its ``model`` (the builder names
    them ``dense_0``, ``dense_1``, ...); other metadata as is."""
    settings = metadata.get("model") or {}
    if "auto_chose" in metadata or not settings.get("auto") or model is None:
        return metadata
    units = [
        int(layer.units)
        for layer in getattr(model, "layers", [])
        if type(layer).__name__ == "Dense" and re.fullmatch(r"dense_\d+", layer.name)
    ]
    if not units:
        return metadata
    return {
        **metadata,
        "model": {**settings, "hidden_units": units},
        "auto_chose": ["hidden_units"],
    }


#: the card's Python for a table model: raw DataFrame rows → the model's input tensors.
#: ``as_text`` is :func:`automl_gui.core.preprocess._inputs.canonical_string` (the form the
#: model learned its categories in); tests/core/test_card_code.py runs it on an export.
_INPUT_CODE = '''\
import json
import math
import re

{keras}import numpy as np
import pandas as pd
import tensorflow as tf

with open({metadata}, encoding="utf-8") as f:
    meta = json.load(f)
NUMBER = re.compile(r"[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")


def as_text(value):
    """A category as the model learned it: '' = missing, true/false, 1.0 and "1" alike."""
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
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    text = str(value).strip()
    if text.lower() in ("true", "false"):
        return text.lower()
    return as_text(float(text)) if NUMBER.fullmatch(text) else text


def numbers(series):
    """A numeric column as float32; text that is no number becomes NaN (missing)."""
    return pd.to_numeric(series, errors="coerce").to_numpy("float32", na_value=np.nan)
{converters}

def model_input(df):
    """{{input name: tensor}} for the raw rows of ``df`` (one column per input column)."""
    x, groups = {{}}, {{}}
    for c in meta["input_schema"]["columns"]:
        if c.get("index") is not None:  # a wide table's numbers: one (n, k) input
            groups.setdefault(c["input_name"], []).append(c)
{converted_branches}        elif c["dtype"] == "float32":  # a number: (n, 1) float32, NaN = missing
            x[c["input_name"]] = tf.constant(numbers(df[c["name"]]).reshape(-1, 1))
        else:  # a category: (n, 1) strings (numpy object arrays are refused: use tf)
            texts = [as_text(v) for v in df[c["name"]]]
            x[c["input_name"]] = tf.constant(np.array(texts, dtype=object).reshape(-1, 1))
    for name, cols in groups.items():
        cols.sort(key=lambda c: c["index"])
        x[name] = tf.constant(np.stack([numbers(df[c["name"]]) for c in cols], axis=1))
    return x


df = pd.read_csv("new_rows.csv")  # raw rows with the input columns (others are ignored)
'''

_CALL = {
    "keras": (
        "model = keras.saving.load_model({model})\n"
        "answers = model.predict(model_input(df), verbose=0)\n"
    ),
    "savedmodel": (
        "loaded = tf.saved_model.load({model})\nanswers = loaded.serve(model_input(df)).numpy()\n"
    ),
}


#: the card's Python for free-text and date columns (only on cards of models that have them)
_CONVERTERS = '''

def day_and_second(series, parse):
    """A date column as (n, 2) float32: days since 1970-01-01 and seconds into the day (UTC)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = series
    elif parse in ("unix_s", "unix_ms"):
        stamps = pd.to_datetime(
            pd.to_numeric(series, errors="coerce"), unit=parse[5:], errors="coerce"
        )
    else:  # "format:F" (a model trained on a datetime column: "datetime", any format)
        fmt = parse[7:] if parse.startswith("format:") else "mixed"
        text = [None if pd.isna(v) else str(v).strip() for v in series]
        stamps = pd.to_datetime(pd.Series(text, dtype=object), format=fmt, errors="coerce", utc=True)
    stamps = pd.Series(stamps)
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    raw = stamps.to_numpy("datetime64[ms]")
    seconds = raw.astype("int64") / 1000.0
    seconds[np.isnat(raw)] = np.nan
    days = np.floor(seconds / 86400)
    return np.stack([days, seconds - days * 86400], axis=1).astype("float32")
'''
_CONVERTED_BRANCHES = """\
        elif c.get("parse") == "text":  # free text: (n, 1) strings as written, "" = missing
            texts = ["" if pd.isna(v) else str(v) for v in df[c["name"]]]
            x[c["input_name"]] = tf.constant(np.array(texts, dtype=object).reshape(-1, 1))
        elif c.get("parse"):  # a date: (n, 2) float32 (days, seconds into the day)
            x[c["input_name"]] = tf.constant(day_and_second(df[c["name"]], c["parse"]))
"""


def call_code(metadata: dict[str, Any], fmt: str, model: str, metadata_file: str) -> str:
    """Python that feeds a pandas DataFrame of raw rows to the exported table model
    (``fmt`` "keras" or "savedmodel"; paths as seen from the card's folder); "" for other
    formats or models without an input schema."""
    if fmt not in _CALL or not (metadata.get("input_schema") or {}).get("columns"):
        return ""
    keras = "import keras\n" if fmt == "keras" else ""
    texts, dates = converted_columns(metadata)
    code = _INPUT_CODE.format(
        metadata=json.dumps(metadata_file),
        keras=keras,
        converters=_CONVERTERS if dates else "",
        converted_branches=_CONVERTED_BRANCHES if texts or dates else "",
    )
    code += _CALL[fmt].format(model=json.dumps(model))
    if metadata.get("task") == "regression":
        return code + "values = answers.reshape(-1)  # the predicted target values\n"
    return code + DECIDE_CODE

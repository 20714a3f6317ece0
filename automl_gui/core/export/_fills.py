"""What a table model's input stage fitted, read from the model itself, for either layout.

Models saved from now on fill missing values with Keras's own layers and op nodes (see
``core.preprocess._impute``: ``impute_<input>``, ``fill_<input>``, ``index_<input>`` and
``missing_<input>`` are named ``Identity`` layers); their fill values are read by running
that small part of the graph on a missing value. Older models have the app's registered
layers (``ImputeNumeric``/``ImputeString`` as ``impute_<input>``, ``ImputeColumns`` as
``fill_<input>``), whose fill values are attributes. :mod:`._serving` asks only this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ModelError
from automl_gui.core.preprocess._impute import (
    FILLED_PREFIX,
    GROUP_PREFIX,
    INDEX_PREFIX,
    MISSING_PREFIX,
    MISSING_TEXT,
    known_categories,
)


@dataclass
class InputFill:
    """One raw input's encoded form: the tensors the encoded model starts from, and how a
    raw value becomes them."""

    encoded: Any  # Keras tensor: filled numbers (float32) or category indices (int64)
    indicator: Any  # Keras tensor of 0/1 missing indicators, or None
    fill: Any  # fill value (number or category text), or a list of them (a group)
    indicator_columns: list[int]  # a group: positions of the columns with an indicator
    vocabulary: list[str] | None = None  # categories: index order, [0] the unseen token


def numeric_fill(model: Any, name: str) -> InputFill:
    """A single numeric input ``name``: filled values, indicator and fill value."""
    layer = layer_of(model, f"{FILLED_PREFIX}{name}")
    if hasattr(layer, "fill_value"):  # ImputeNumeric, saved before plain-Keras exports
        filled, flags = _split(layer)
        return InputFill(filled, flags, float(layer.fill_value), [0] if flags is not None else [])
    flags = _optional(model, f"{MISSING_PREFIX}{name}")
    nan = np.full((1, 1), np.nan, dtype=np.float32)
    fill = float(_run(model, name, layer.output, nan).reshape(-1)[0])
    return InputFill(layer.output, flags, fill, [0] if flags is not None else [])


def category_fill(model: Any, name: str) -> InputFill:
    """A category input ``name``: its indices, indicator, fill category and vocabulary."""
    lookup = layer_of(model, f"lookup_{name}")
    vocabulary = [str(lookup.oov_token), *known_categories(lookup)]
    old = _optional_layer(model, f"{FILLED_PREFIX}{name}")
    if old is not None and hasattr(old, "fill_value"):  # ImputeString
        _, flags = _split(old)
        return InputFill(lookup.output, flags, str(old.fill_value), [], vocabulary)
    index = layer_of(model, f"{INDEX_PREFIX}{name}")
    flags = _optional(model, f"{MISSING_PREFIX}{name}")
    tf = _lazy().tf()
    at = int(_run(model, name, index.output, tf.constant([[MISSING_TEXT]])).reshape(-1)[0])
    return InputFill(index.output, flags, vocabulary[at], [], vocabulary)


def group_fill(model: Any, name: str, width: int) -> InputFill:
    """A grouped numeric input ``name`` of ``width`` columns: filled values, indicators,
    each column's fill value and the positions of the columns with an indicator."""
    layer = layer_of(model, f"{GROUP_PREFIX}{name}")
    if hasattr(layer, "fill_values"):  # ImputeColumns
        filled, flags = _split(layer)
        fills = [float(v) for v in np.asarray(layer.fill_values.numpy(), dtype=np.float32)]
        return InputFill(filled, flags, fills, [int(i) for i in layer.indicator_columns])
    flags = _optional(model, f"{MISSING_PREFIX}{name}")
    nan = np.full((1, width), np.nan, dtype=np.float32)
    fills = [float(v) for v in _run(model, name, layer.output, nan).reshape(-1)]
    return InputFill(layer.output, flags, fills, _positions(model, name, flags, width))


def _positions(model: Any, name: str, flags: Any, width: int) -> list[int]:
    """Which of the ``width`` columns the indicator tensor ``flags`` reports, in its order:
    row b of the probe leaves column j missing when bit b of j is set, so indicator i's
    column over the rows spells its column's position in binary (14 rows for 10,000)."""
    if flags is None:
        return []
    bits = max(1, int(width - 1).bit_length())
    columns = np.arange(width)
    probe = np.where((columns[None, :] >> np.arange(bits)[:, None]) & 1, np.nan, 0.0)
    seen = _run(model, name, flags, probe.astype(np.float32)) > 0.5  # (bits, m)
    return [int(v) for v in (seen * (1 << np.arange(bits))[:, None]).sum(axis=0)]


def _run(model: Any, name: str, output: Any, value: Any) -> np.ndarray:
    keras = _lazy().keras()
    source = next((t for t in model.inputs if t.name == name), None)
    if source is None:
        raise ModelError(
            f"The table model has no input '{name}', so its preprocessing cannot be separated.",
            "Use the .keras or SavedModel export, which takes raw rows.",
        )
    return np.asarray(keras.Model(source, output)(value))


def _split(layer: Any) -> tuple[Any, Any]:
    """An older impute layer's (filled, indicator or None) outputs."""
    out = layer.output
    return (out[0], out[1]) if isinstance(out, (list, tuple)) else (out, None)


def _optional_layer(model: Any, name: str) -> Any:
    try:
        return model.get_layer(name)
    except ValueError:
        return None


def _optional(model: Any, name: str) -> Any:
    layer = _optional_layer(model, name)
    return None if layer is None else layer.output


def layer_of(model: Any, name: str) -> Any:
    layer = _optional_layer(model, name)
    if layer is None:
        raise ModelError(
            f"The table model has no layer '{name}', so its preprocessing cannot be separated.",
            "Use the .keras or SavedModel export, which takes raw rows.",
        )
    return layer


def _lazy() -> Any:
    from automl_gui.core.base import lazy

    return lazy

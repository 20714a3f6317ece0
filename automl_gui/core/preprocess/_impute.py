"""Missing values filled inside the model with Keras's own layers and ``keras.ops`` nodes.

A saved table model must load with plain Keras (``keras.saving.load_model``, safe mode) in a
Python without this app, so the fill is not a custom layer: it is ``isfinite``/``where``/
``take`` op nodes, which Keras serializes itself, and for categories the built-in
``StringLookup`` with ``""`` (a missing value) as its mask token. Each result passes through a
named built-in ``Identity`` layer, so the export can find it (``core.export._serving``):

- ``impute_<input>``: a numeric input's filled values (float32 (n, 1));
- ``fill_<input>``: a grouped numeric input's filled values (float32 (n, k));
- ``index_<input>``: a category input's index into its vocabulary (int64 (n, 1), 0 = unseen);
- ``missing_<input>``: the 0/1 missing-value indicator(s), when asked for.

Models saved before this (``layers.ImputeNumeric``/``ImputeString``/``ImputeColumns``) still
load in the app: those classes stay registered in :mod:`.layers`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

FILLED_PREFIX = "impute_"
GROUP_PREFIX = "fill_"
INDEX_PREFIX = "index_"
MISSING_PREFIX = "missing_"
#: the StringLookup's mask token: a missing category arrives as "" (``canonical_string``)
MISSING_TEXT = ""


def fill_numbers(keras: Any, inp: Any, fills: Any, indicator_columns: Any = ()) -> tuple[Any, Any]:
    """``inp`` (float (n, k)) with NaN and +-inf replaced by ``fills`` (a number, or one per
    column), and the float32 (n, m) 0/1 indicators of ``indicator_columns`` (None if none).

    A single column (k = 1) is named ``impute_<input>``, a group ``fill_<input>``.
    """
    ops = keras.ops
    name = inp.name
    x = ops.cast(inp, "float32")
    missing = ops.logical_not(ops.isfinite(x))
    values = np.asarray(fills, dtype=np.float32)
    fill = float(values) if values.ndim == 0 else values
    filled = ops.where(missing, fill, x)
    prefix = FILLED_PREFIX if values.ndim == 0 else GROUP_PREFIX
    filled = keras.layers.Identity(dtype="float32", name=f"{prefix}{name}")(filled)
    chosen = [int(i) for i in indicator_columns]
    if not chosen:
        return filled, None
    flags = ops.cast(missing, "float32")
    if values.ndim != 0:
        flags = ops.take(flags, chosen, axis=-1)
    return filled, keras.layers.Identity(dtype="float32", name=f"{MISSING_PREFIX}{name}")(flags)


def category_index(
    keras: Any, inp: Any, vocabulary: list[str], fill: str, indicator: bool
) -> tuple[Any, Any]:
    """``inp`` (string (n, 1)) as its int64 index: 0 for a value not in ``vocabulary``,
    ``i + 1`` for ``vocabulary[i]``; a missing value ("") counts as ``fill`` (which must be
    in ``vocabulary``). Also the float32 0/1 missing indicator when ``indicator``, else None.

    The ``StringLookup`` (``lookup_<input>``) maps "" to 0 (its mask), unseen values to 1
    and ``vocabulary[i]`` to ``i + 2``; a ``where`` puts the fill's index in place of 0 and
    the result is shifted down by one: the indices a lookup without mask gives.
    """
    ops = keras.ops
    name = inp.name
    lookup = keras.layers.StringLookup(
        vocabulary=list(vocabulary),
        mask_token=MISSING_TEXT,
        num_oov_indices=1,
        output_mode="int",
        name=f"lookup_{name}",
    )
    raw = lookup(inp)
    missing = ops.equal(raw, 0)
    fill_raw = list(vocabulary).index(fill) + 2
    index = ops.subtract(ops.where(missing, fill_raw, raw), 1)
    index = keras.layers.Identity(name=f"{INDEX_PREFIX}{name}")(index)
    if not indicator:
        return index, None
    flags = ops.cast(missing, "float32")
    return index, keras.layers.Identity(dtype="float32", name=f"{MISSING_PREFIX}{name}")(flags)


def known_categories(layer: Any) -> list[str]:
    """A category input's vocabulary in index order from 1 (index 0: unseen), read from its
    ``StringLookup``: with a mask token (models from now on) or without (older models)."""
    vocabulary = [v.decode() if isinstance(v, bytes) else str(v) for v in layer.get_vocabulary()]
    skip = int(getattr(layer, "num_oov_indices", 1)) + (layer.mask_token is not None)
    return vocabulary[skip:]

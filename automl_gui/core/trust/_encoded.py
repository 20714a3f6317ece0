"""A table model's inputs for some rows, addressed by the user's columns, and the model's
answers on many mixed rows in few calls.

Explanations mix rows column by column (a column taken from another row: permutation
importance; columns taken from the explained row or a background row: Shapley values).
The raw rows are converted to the model's inputs once (``frame_to_inputs``: dates parsed,
categories made canonical) and mixed as arrays: a column is one ``(n, w)`` input of its own
or one position of the grouped ``numeric_columns`` input of a wide table (``InputColumn``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from automl_gui.core.base.events import CancelToken
    from automl_gui.core.export.bundle import Bundle

#: model inputs mixed and predicted at once: at most this many values (rows × columns) ...
CHUNK_VALUES = 4_000_000
#: ... and never fewer than this many rows, nor more (cancel is checked between calls)
MIN_CHUNK_ROWS = 1024
MAX_CHUNK_ROWS = 32_768
#: Keras' own batch inside one call
PREDICT_BATCH = 8192

Predict = Callable[[dict[str, np.ndarray]], np.ndarray]


@dataclass(frozen=True)
class Slot:
    """Where one of the user's columns lives in the model's inputs: ``input_name``'s array,
    all of it (``index`` None) or its column ``index`` (a wide table's grouped input)."""

    name: str
    input_name: str
    index: int | None = None


@dataclass
class Encoded:
    """Model inputs of ``n`` rows (``{input name: (n, width) array}``) and the user's
    columns in them (``slots``, in the schema's order)."""

    arrays: dict[str, np.ndarray]
    slots: list[Slot]

    @property
    def n(self) -> int:
        first = next(iter(self.arrays.values()), None)
        return 0 if first is None else len(first)

    @property
    def columns(self) -> list[str]:
        return [s.name for s in self.slots]

    def take(self, index: Any) -> Encoded:
        """The rows at positions ``index`` (an int array; repeats allowed)."""
        return Encoded({k: v[index] for k, v in self.arrays.items()}, self.slots)


def encode(bundle: Bundle, frame: pd.DataFrame) -> Encoded:
    """``frame``'s rows as ``bundle``'s model takes them (``DataError`` naming the columns
    it lacks)."""
    from automl_gui.core.preprocess.tabular import InputSchema, frame_to_inputs

    schema = InputSchema.from_dict(bundle.metadata["input_schema"])
    arrays = frame_to_inputs(frame, schema)
    slots = [Slot(c.name, c.input_name, c.index) for c in schema.columns]
    return Encoded(arrays, slots)


def mix(
    own: dict[str, np.ndarray],
    other: dict[str, np.ndarray],
    take_other: np.ndarray,
    slots: list[Slot],
) -> dict[str, np.ndarray]:
    """Rows made of ``own`` except the columns where ``take_other`` (``(n, columns)`` bool,
    in ``slots`` order) is True, which come from ``other`` (both ``(n, width)`` per input)."""
    out = {name: array.copy() for name, array in own.items()}
    grouped: dict[str, tuple[list[int], list[int]]] = {}
    for j, slot in enumerate(slots):
        if slot.index is None:
            pick = take_other[:, j]
            if pick.any():
                out[slot.input_name][pick] = other[slot.input_name][pick]
        else:
            cols, positions = grouped.setdefault(slot.input_name, ([], []))
            cols.append(j)
            positions.append(slot.index)
    for name, (cols, positions) in grouped.items():
        pick = take_other[:, cols]
        if pick.any():
            block = out[name][:, positions]
            out[name][:, positions] = np.where(pick, other[name][:, positions], block)
    return out


def chunk_rows(arrays: dict[str, np.ndarray]) -> int:
    """How many mixed rows of these inputs one model call takes (:data:`CHUNK_VALUES`)."""
    width = sum(int(np.prod(a.shape[1:])) for a in arrays.values()) or 1
    return min(MAX_CHUNK_ROWS, max(MIN_CHUNK_ROWS, CHUNK_VALUES // width))


#: model → its forward pass as one traced TensorFlow function (traced once per model)
_FORWARD: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _forward(model: Any) -> Any:
    """``model``'s inference call traced once (``reduce_retracing``: any row count after
    the second); a third faster than ``model.predict``'s per-call dataset on 20,000 rows."""
    fn = _FORWARD.get(model)
    if fn is None:
        from automl_gui.core.base import lazy

        tf = lazy.tf()
        ref = weakref.ref(model)  # the function must not keep its model (the cache's key) alive
        fn = tf.function(lambda inputs: ref()(inputs, training=False), reduce_retracing=True)
        _FORWARD[model] = fn
    return fn


def model_predict(bundle: Bundle) -> Predict:
    """``bundle``'s model as a function of input arrays: ``(n, classes)`` probabilities or
    ``(n, 1)`` values, float64, in batches of :data:`PREDICT_BATCH` rows."""
    from automl_gui.core.preprocess.tabular import to_tensors

    n_out = len(bundle.metadata.get("class_names") or []) or 1
    forward = _forward(bundle.model)

    def predict(arrays: dict[str, np.ndarray]) -> np.ndarray:
        n = len(next(iter(arrays.values())))
        parts = [np.zeros((0, n_out))]
        for start in range(0, n, PREDICT_BATCH):
            batch = {k: v[start : start + PREDICT_BATCH] for k, v in arrays.items()}
            out = np.asarray(forward(to_tensors(batch)), dtype=np.float64)
            parts.append(out.reshape(len(out), -1))
        return np.concatenate(parts)

    return predict


def predict_batches(
    predict: Predict,
    batches: Iterable[dict[str, np.ndarray]],
    *,
    cancel: CancelToken | None = None,
) -> list[np.ndarray]:
    """``predict`` over batches of inputs (made lazily by the caller, each at most
    :func:`chunk_rows` rows), concatenated into as few calls as :func:`chunk_rows` allows;
    one output array per batch, in order. Cancel is checked before each call."""
    per_call = 0
    results: list[np.ndarray] = []
    pending: list[dict[str, np.ndarray]] = []
    sizes: list[int] = []

    def flush() -> None:
        if not pending:
            return
        if cancel is not None:
            cancel.raise_if_cancelled()
        joined = {k: np.concatenate([b[k] for b in pending]) for k in pending[0]}
        out = predict(joined)
        start = 0
        for size in sizes:
            results.append(out[start : start + size])
            start += size
        pending.clear()
        sizes.clear()

    for batch in batches:
        size = len(next(iter(batch.values())))
        per_call = per_call or chunk_rows(batch)
        if sizes and sum(sizes) + size > per_call:
            flush()
        pending.append(batch)
        sizes.append(size)
    flush()
    return results

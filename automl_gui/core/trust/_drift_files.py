"""Drift of images, clips and texts on the model's own embedding (``core.trust.drift``).

The embedding is the input of the model's last Dense softmax layer: what the classifier
sees (the pooled CNN or backbone features, a text network's last hidden layer). It is found
in the graph by walking back from the model's output, through nested models (backbones,
an audio model's windowed network) and the operations after the softmax (an audio model's
window average, a temperature), so every file kind's network gets one without being named.

An item's distance is its embedding's Mahalanobis distance from the training items (Lee et
al. 2018, "A simple unified framework for detecting out-of-distribution samples": Gaussian
features of the penultimate layer), under a probabilistic-PCA covariance (Tipping & Bishop
1999: the leading principal axes, one variance for the rest) so that a 2,048-wide
embedding's reference stays small. The threshold is the split-conformal quantile of the
validation items' distances (Vovk, Gammerman & Shafer 2005, *Algorithmic Learning in a
Random World*): a new item of the training distribution lies beyond it with probability at
most 5 %. New items are read through the kind's own prediction (``DataKind.predict``) with
a model that also hands over their embeddings, so what is compared is exactly what the
model answered.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from automl_gui.core.base.events import CancelToken, EventCallback, Progress, emit
from automl_gui.core.trust._drift_pack import pack, unpack

REFERENCE_VERSION = 1
#: items of each split read for the reference at most, whatever is passed (callers pick
#: ``drift.REFERENCE_ITEMS`` at random)
MAX_ITEMS = 500
#: the share of validation items the threshold leaves beyond it
ALPHA = 0.05
#: fewer validation items than this: the training items' distances set the threshold
MIN_VALIDATION = 5
#: drift needs at least this many times the expected share beyond the threshold
EFFECT = 2.0
#: principal axes kept (at most; and at most COMPONENT_BUDGET numbers of them in all: 11 of
#: a 2,048-wide backbone embedding, 90 kB packed)
MAX_COMPONENTS = 16
COMPONENT_BUDGET = 24_000
#: variances floored at this share of the largest (a direction training never moved in)
FLOOR = 1e-6
PERCENTILES = (50, 75, 90, 95, 99, 100)


# -- finding the embedding --------------------------------------------------------------------
def _is_dense(op: Any) -> bool:
    return type(op).__name__ == "Dense"


def _is_softmax(op: Any) -> bool:
    activation = getattr(op, "activation", None)
    return getattr(activation, "__name__", "") == "softmax"


def _is_model(op: Any) -> bool:
    return hasattr(op, "operations") and hasattr(op, "inputs") and hasattr(op, "outputs")


def _contains_dense(model: Any) -> bool:
    return any(_is_dense(op) or (_is_model(op) and _contains_dense(op)) for op in model.operations)


def _inputs_of(model: Any) -> Any:
    """A model's inputs as it was built (one tensor, not a list of one: Keras warns)."""
    return model.inputs[0] if len(model.inputs) == 1 else model.inputs


def embedding_tensor(model: Any) -> tuple[Any, str] | None:
    """(the symbolic tensor feeding ``model``'s last Dense layer, in ``model``'s own graph;
    that layer's name), or None when the model has no Dense layer.

    Walks back from the outputs (breadth first, so the Dense nearest the answer wins; a
    softmax Dense before any other): a nested model on the way is searched the same way, and
    its embedding is re-expressed on this graph by applying a model from the nested model's
    inputs to that tensor on the nested model's own inputs here.
    """
    from automl_gui.core.base import lazy

    keras = lazy.keras()
    queue = list(model.outputs)
    seen: set[int] = set()
    fallback: tuple[Any, str] | None = None
    while queue:
        tensor = queue.pop(0)
        history = getattr(tensor, "_keras_history", None)
        if history is None:
            continue
        op, node_index = history[0], history[1]
        node = op._inbound_nodes[node_index]
        if id(node) in seen:
            continue
        seen.add(id(node))
        if _is_dense(op):
            found = (node.input_tensors[0], str(op.name))
            if _is_softmax(op):
                return found
            fallback = fallback or found
        elif _is_model(op) and _contains_dense(op):
            inner = embedding_tensor(op)
            if inner is not None:
                part = keras.Model(_inputs_of(op), inner[0])
                args = node.input_tensors
                return part(args[0] if len(args) == 1 else list(args)), inner[1]
        queue.extend(node.input_tensors)
    return fallback


def embedding_model(model: Any) -> tuple[Any, str] | None:
    """(a model with ``model``'s inputs answering ``[its output, the embedding]``, the
    embedding layer's name), or None. Shares ``model``'s layers and weights."""
    from automl_gui.core.base import lazy

    found = embedding_tensor(model)
    if found is None:
        return None
    both = lazy.keras().Model(_inputs_of(model), [model.outputs[0], found[0]])
    return both, found[1]


def answers_and_embeddings(both: Any, inputs: Any) -> tuple[np.ndarray, np.ndarray]:
    """(answers, embeddings) for a batch, one embedding row per answer: a model that answers
    from several windows of one input (audio: a clip's windows, contiguous) gives several
    embedding rows per answer, averaged here as the model averages their answers."""
    out, embedded = both(inputs, training=False)
    out = _numpy(out)
    embedded = _numpy(embedded)
    embedded = embedded.reshape(len(embedded), -1)
    n = len(out)
    if n and len(embedded) != n and len(embedded) % n == 0:
        embedded = embedded.reshape(n, len(embedded) // n, -1).mean(axis=1)
    return out, embedded


def _numpy(tensor: Any) -> np.ndarray:
    """A model output as float32 NumPy (a TF tensor through its own ``numpy()``)."""
    value = tensor.numpy() if hasattr(tensor, "numpy") else tensor
    return np.asarray(value, dtype="float32")


class RecordingModel:
    """Stands in for a bundle's model in the kind's own prediction: answers as the model
    does (``predict_dataset`` calls ``model(x, training=False)``) and keeps each batch's
    embeddings; anything else (``layers``, ``outputs``, a text model's tokenizer lookup) is
    the model's."""

    def __init__(self, model: Any, both: Any) -> None:
        self._model = model
        self._both = both
        self.embeddings: list[np.ndarray] = []

    def __call__(self, inputs: Any, training: bool = False) -> np.ndarray:
        out, embedded = answers_and_embeddings(self._both, inputs)
        self.embeddings.append(embedded)
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def collected(self) -> np.ndarray:
        return np.concatenate(self.embeddings) if self.embeddings else np.zeros((0, 0), "float32")


# -- the reference ----------------------------------------------------------------------------
def _batch_inputs(batch: Any) -> Any:
    """A batch's model inputs: the batch itself, or the first of an (inputs, labels) pair."""
    if isinstance(batch, tuple) and len(batch) == 2:
        return batch[0]
    return batch


def _embed(both: Any, batches: Iterable[Any], limit: int) -> np.ndarray:
    parts: list[np.ndarray] = []
    n = 0
    for batch in batches:
        if n >= limit:
            break
        _out, embedded = answers_and_embeddings(both, _batch_inputs(batch))
        parts.append(embedded[: limit - n])
        n += len(parts[-1])
    return np.concatenate(parts) if parts else np.zeros((0, 0), "float32")


def _round(value: float, digits: int = 6) -> float:
    return float(f"{float(value):.{digits}g}")


def fit_gaussian(train: np.ndarray, components: int = MAX_COMPONENTS) -> dict[str, Any]:
    """The training embeddings' mean and a probabilistic-PCA covariance (Tipping & Bishop
    1999): the ``components`` leading principal axes with their variances, and one variance
    for every other direction (the rest's mean). JSON-ready, packed small."""
    train = np.asarray(train, dtype="float64")
    n, d = train.shape
    mean = train.mean(axis=0)
    _, singular, axes = np.linalg.svd(train - mean, full_matrices=False)
    variances = singular**2 / max(1, n - 1)
    k = int(min(components, d - 1, n - 1, max(1, COMPONENT_BUDGET // max(1, d))))
    k = max(k, 0)
    top = float(variances[0]) if len(variances) and variances[0] > 0 else 1.0
    rest = float(variances[k:].sum()) / max(1, d - k)
    return {
        "mean": pack(mean, "<f4"),
        "axes": pack(axes[:k], "<f2"),
        "variances": [_round(max(v, FLOOR * top)) for v in variances[:k]],
        "residual_variance": _round(max(rest, FLOOR * top)),
    }


def distances(embedded: np.ndarray, gaussian: dict[str, Any]) -> np.ndarray:
    """Each row's Mahalanobis distance under :func:`fit_gaussian`'s covariance, as a root
    mean square over the dimensions (about 1 for a typical training item)."""
    mean = unpack(gaussian["mean"])
    if len(embedded) == 0:
        return np.zeros(0)
    axes = unpack(gaussian["axes"]).reshape(-1, len(mean))
    variances = np.asarray(gaussian["variances"], dtype="float64")
    centred = np.asarray(embedded, dtype="float64") - mean
    along = centred @ axes.T
    residual = np.maximum((centred * centred).sum(axis=1) - (along * along).sum(axis=1), 0.0)
    squared = (along * along / variances).sum(axis=1) + residual / gaussian["residual_variance"]
    return np.sqrt(squared / len(mean))


def conformal_threshold(scores: np.ndarray, alpha: float = ALPHA) -> tuple[float, float]:
    """(threshold, expected share beyond it): the ⌈(1 − α)(n + 1)⌉-th smallest of ``n``
    held-out scores, beyond which a new score of the same distribution lies with probability
    at most ``(n + 1 − k) / (n + 1)`` (split conformal; the largest score when n is small)."""
    ordered = np.sort(np.asarray(scores, dtype="float64"))
    n = len(ordered)
    k = min(n, math.ceil((1 - alpha) * (n + 1)))
    return float(ordered[k - 1]), (n + 1 - k) / (n + 1)


def _percentiles(scores: np.ndarray) -> dict[str, float]:
    return {
        str(p): _round(v)
        for p, v in zip(PERCENTILES, np.percentile(scores, PERCENTILES), strict=True)
    }


def files_reference(model: Any, train_batches: Any, val_batches: Any) -> dict[str, Any] | None:
    """See :func:`automl_gui.core.trust.drift.files_reference`."""
    found = embedding_model(model)
    if found is None:
        return None
    both, layer = found
    train = _embed(both, train_batches, MAX_ITEMS)
    if len(train) < 2:
        return None
    validation = _embed(both, val_batches, MAX_ITEMS)
    gaussian = fit_gaussian(train)
    source = "validation" if len(validation) >= MIN_VALIDATION else "training"
    held = distances(validation if source == "validation" else train, gaussian)
    threshold, expected = conformal_threshold(held)
    return {
        "type": "embeddings",
        "version": REFERENCE_VERSION,
        "layer": layer,
        "dim": int(train.shape[1]),
        "train_items": len(train),
        "validation_items": len(validation),
        "threshold_from": source,
        **gaussian,
        "threshold": _round(threshold),
        "expected_share": round(expected, 6),
        "distances": {
            source: _percentiles(held),
            **(
                {}
                if source == "training"
                else {"training": _percentiles(distances(train, gaussian))}
            ),
        },
    }


# -- comparing --------------------------------------------------------------------------------
def recording_bundle(bundle: Any) -> tuple[Any, RecordingModel] | None:
    """(``bundle`` with its model replaced by a :class:`RecordingModel`, the recorder), or
    None when the model has no embedding to record."""
    found = embedding_model(bundle.model)
    if found is None:
        return None
    recorder = RecordingModel(bundle.model, found[0])
    return dataclasses.replace(bundle, model=recorder), recorder


def report_from_embeddings(bundle: Any, reference: dict[str, Any], embedded: np.ndarray) -> Any:
    """The :class:`~automl_gui.core.trust.drift.DriftReport` of new items' embeddings."""
    import pandas as pd
    from scipy import stats

    from automl_gui.core.trust._drift_report import P_DRIFT, DriftReport

    items = bundle.kind.items
    notes: list[str] = []
    dim = int(reference.get("dim", 0))
    if embedded.size and embedded.shape[1] != dim:
        notes.append("The model's embedding does not match its reference: not compared.")
        embedded = np.zeros((0, dim))
    scores = distances(embedded, reference)
    n = len(scores)
    threshold = float(reference["threshold"])
    expected = max(ALPHA, float(reference.get("expected_share", ALPHA)))
    far = int((scores > threshold).sum())
    share = far / n if n else 0.0
    p = float(stats.binomtest(far, n, expected, alternative="greater").pvalue) if n else 1.0
    drifted = bool(n and p < P_DRIFT and share >= EFFECT * expected)
    if n and n < 20:
        notes.append(f"Only {n} {items}: too few to tell drift from chance.")
    table = pd.DataFrame(
        [
            {
                "feature": "embeddings",
                "statistic": "share beyond the 95 % distance",
                "score": share,
                "drifted": drifted,
                "test": "binomial",
                "test_statistic": far,
                "p_value": p,
                "psi": math.nan,
                "far": far,
                "items": n,
                "threshold": threshold,
                "expected_share": expected,
                "median_distance": float(np.median(scores)) if n else math.nan,
                # the embedding is the INPUT of this layer (the last hidden layer when it
                # is the softmax classifier), not its output probabilities
                "layer": f"input of '{reference.get('layer', '')}' ({dim} values)",
            }
        ]
    )
    source = str(reference.get("threshold_from", "validation"))
    method = (
        f"The model's inner representation (the {dim} values its '{reference.get('layer')}' "
        f"layer reads: the last hidden layer, not the answers) of each of "
        f"the {n:,} {items}: its Mahalanobis distance from the training {items} (probabilistic "
        f"PCA covariance, Tipping & Bishop 1999; Lee et al. 2018); beyond {threshold:.3g} (the "
        f"split-conformal 95 % of the {source} {items}, Vovk et al. 2005) is far. The share of far {items} is tested against "
        f"{expected:.0%} (binomial test); drift when p < {P_DRIFT:g} and the share is at "
        f"least {EFFECT:g}× that."
    )
    return DriftReport(
        table=table, subject="embeddings", items=items, compared=n, method=method, notes=notes
    )


def compare_files(
    bundle: Any,
    reference: dict[str, Any],
    data: Any,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """See :func:`automl_gui.core.trust.drift.files_drift`."""
    recording = recording_bundle(bundle)
    if recording is None:
        return None
    proxy, recorder = recording
    emit(on_event, Progress("drift", 0.0, "Comparing with the training data…"))
    bundle.kind.predict(proxy, data, on_event=on_event, cancel=cancel)
    emit(on_event, Progress("drift", 1.0, "Compared with the training data."))
    return report_from_embeddings(bundle, reference, recorder.collected())

"""Loss and metrics for a model answering per ensemble member (a TabM-style ensemble,
``core/models/_tabm.py``).

Such a model outputs (b, k, C) probabilities or (b, k) standardized values. It is trained on
the mean of the members' losses (Gorishniy et al. 2024, "TabM", §3): each member learns the
labels on its own, which keeps them diverse. Its metrics judge what the serving model answers,
the members' mean, so ``accuracy``/``mae`` mean what they mean for a single network. Sample
and class weights apply per row, to every member alike.
"""

from __future__ import annotations

from typing import Any


def members_of(model: Any, classification: bool) -> int:
    """Members ``model`` answers for: (b, k, C) probabilities or (b, k > 1) regression
    values; 1 for every other model."""
    shape = tuple(model.outputs[0].shape) if getattr(model, "outputs", None) else ()
    if classification:
        return int(shape[1]) if len(shape) == 3 else 1
    return int(shape[1]) if len(shape) == 2 and shape[1] and shape[1] > 1 else 1


def _member_functions(keras: Any, members: int, classification: bool) -> tuple[Any, Any]:
    """An ensemble's per-row loss and metric functions of ``(y_true, y_pred)``."""
    ops = keras.ops
    loss_fn = keras.losses.get("sparse_categorical_crossentropy" if classification else "mse")

    def members_loss(y_true: Any, y_pred: Any) -> Any:
        """Each row's mean over the members of their losses against its label: (b,), so a
        sample weight (b,) weighs rows, not members."""
        y = ops.repeat(ops.expand_dims(ops.reshape(y_true, (-1,)), 1), members, axis=1)
        if classification:
            return ops.mean(loss_fn(y, y_pred), axis=1)
        return ops.mean(ops.square(ops.subtract(ops.cast(y, y_pred.dtype), y_pred)), axis=1)

    def mean_answer(y_true: Any, y_pred: Any) -> Any:
        """The wrapped metric of the members' mean."""
        mean = ops.mean(y_pred, axis=1)
        if classification:
            return keras.metrics.sparse_categorical_accuracy(ops.reshape(y_true, (-1, 1)), mean)
        return ops.abs(ops.subtract(ops.cast(ops.reshape(y_true, (-1,)), mean.dtype), mean))

    return members_loss, mean_answer


def _single_functions(keras: Any, classification: bool) -> tuple[Any, Any]:
    """One network's per-row loss and metric (what Keras' "sparse_categorical_crossentropy"/
    "accuracy" or "mse"/"mae" compute per row)."""
    ops = keras.ops

    def loss(y_true: Any, y_pred: Any) -> Any:
        y = ops.reshape(y_true, (-1,))
        if classification:
            return keras.losses.sparse_categorical_crossentropy(y, y_pred)
        return ops.mean(ops.square(ops.subtract(ops.cast(y, y_pred.dtype)[:, None], y_pred)), -1)

    def metric(y_true: Any, y_pred: Any) -> Any:
        y = ops.reshape(y_true, (-1,))
        if classification:
            hit = ops.equal(ops.cast(y, "int32"), ops.cast(ops.argmax(y_pred, axis=-1), "int32"))
            return ops.cast(hit, y_pred.dtype)
        return ops.mean(ops.abs(ops.subtract(ops.cast(y, y_pred.dtype)[:, None], y_pred)), -1)

    return loss, metric


def row_functions(keras: Any, model: Any, classification: bool) -> tuple[Any, dict[str, Any]]:
    """The loss and the metrics of :func:`compile_args` as per-row functions of ``(y_true,
    y_pred)`` → (b,): what a training loop of its own (``_distributed.py``) weighs, sums and
    averages over the global batch."""
    members = members_of(model, classification)
    if members == 1:
        loss, metric = _single_functions(keras, classification)
    else:
        loss, metric = _member_functions(keras, members, classification)
    ops = keras.ops

    def flat_metric(y_true: Any, y_pred: Any) -> Any:
        return ops.reshape(metric(y_true, y_pred), (-1,))

    return loss, {"accuracy" if classification else "mae": flat_metric}


def compile_args(keras: Any, model: Any, classification: bool) -> dict[str, Any]:
    """``loss`` and ``metrics`` for ``model.compile``: Keras's own for a single network, the
    members' mean loss and the mean answer's metric for an ensemble."""
    loss_name = "sparse_categorical_crossentropy" if classification else "mse"
    metric_name = "accuracy" if classification else "mae"
    members = members_of(model, classification)
    if members == 1:
        return {"loss": loss_name, "metrics": [metric_name]}
    members_loss, mean_answer = _member_functions(keras, members, classification)

    class MembersLoss(keras.losses.Loss):
        def call(self, y_true: Any, y_pred: Any) -> Any:
            return members_loss(y_true, y_pred)

    loss = MembersLoss(name="members_" + loss_name)
    metric = keras.metrics.MeanMetricWrapper(mean_answer, name=metric_name)
    return {"loss": loss, "metrics": [metric]}

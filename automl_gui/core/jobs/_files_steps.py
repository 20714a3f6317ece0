"""Steps of the files job (``jobs.files``) that need none of its state: the batch for
"auto", two phases' histories merged, backbone features computed once, event offsets for a
fit that does not know its later phases. ("auto" itself is the medium's question:
``_files_media.Media.resolve_architecture``.)"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from automl_gui.core.base.events import (
    BatchEnd,
    CancelToken,
    EpochEnd,
    EventCallback,
    Progress,
    emit,
)
from automl_gui.core.train.config import TrainConfig

CPU_BACKBONE_BATCH = 32
CPU_CNN_BATCH = 64


def batch_size_for(training: TrainConfig, n_train: int, backbone: bool, plan: Any) -> int:
    """The batch for "auto": the trainer's rule, capped (activations of files are large)."""
    from automl_gui.core.train.trainer import auto_batch_size

    if training.batch_size > 0:
        return int(training.batch_size)
    size = auto_batch_size(n_train, plan)
    on_gpu = bool(getattr(plan, "uses_gpu", False))
    cap = (64 if on_gpu else CPU_BACKBONE_BATCH) if backbone else (128 if on_gpu else CPU_CNN_BATCH)
    return max(1, min(size, cap))


def merge_history(first: dict[str, list[float]], second: dict[str, list[float]]) -> dict:
    """Two phases' histories as one (keys only in the second padded with NaN before it)."""
    keys = list(dict.fromkeys([*first, *second]))
    n1 = max((len(v) for v in first.values()), default=0)
    out: dict[str, list[float]] = {}
    for k in keys:
        a = list(first.get(k, []))
        a += [float("nan")] * (n1 - len(a))
        out[k] = a + list(second.get(k, []))
    return out


def best_val(history: dict[str, list[float]]) -> float:
    values = [v for v in history.get("val_loss", history.get("loss", [])) if np.isfinite(v)]
    return min(values) if values else float("inf")


def cached_features(
    feature_model: Any,
    dataset: Any,
    total: int,
    what: str,
    on_event: EventCallback | None,
    cancel: CancelToken,
) -> tuple[np.ndarray, np.ndarray]:
    """Backbone features of every batch of ``dataset`` (``(inputs, labels)``), computed once."""
    feats: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    done = 0
    total = max(1, total)
    for x, y in dataset:
        cancel.raise_if_cancelled()
        feats.append(np.asarray(feature_model(x, training=False), dtype=np.float32))
        ys.append(np.asarray(y))
        done += len(ys[-1])
        emit(
            on_event,
            Progress(
                "features", done / total, f"Computing {what} features once… {done:,}/{total:,}"
            ),
        )
    if not feats:
        return np.zeros((0, int(feature_model.outputs[0].shape[-1])), np.float32), np.zeros(0)
    return np.concatenate(feats), np.concatenate(ys)


def offset_events(
    on_event: EventCallback | None, offset: int, epochs_after: int
) -> EventCallback | None:
    """Events of a fit that does not know later phases: add them to totals (for the ETA)."""
    if on_event is None or (offset == 0 and epochs_after == 0):
        return on_event

    def forward(event: Any) -> None:
        if isinstance(event, EpochEnd):
            per_epoch = event.elapsed / max(1, event.epoch + 1)
            event = dataclasses.replace(
                event,
                epoch=event.epoch + offset,
                epochs=event.epochs + offset + epochs_after,
                eta=(event.eta or 0.0) + epochs_after * per_epoch if event.eta else event.eta,
            )
        elif isinstance(event, BatchEnd):
            event = dataclasses.replace(event, epoch=event.epoch + offset)
        on_event(event)

    return forward

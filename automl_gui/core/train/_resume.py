"""Resuming from a checkpoint (``core.train.checkpoint``): load its weights, optimizer state
and best weights into a compiled model and give the event bridge the epochs run before."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.events import EventCallback, Log, emit
from automl_gui.core.train.checkpoint import CheckpointInfo, replay_history


def load_arrays(folder: str | os.PathLike[str], name: str) -> list[np.ndarray]:
    """The arrays of an ``.npz`` the checkpointer wrote, in their order."""
    with np.load(Path(folder) / name, allow_pickle=False) as data:
        return [data[f"arr_{i}"] for i in range(len(data.files))]


def load_into(model: Any, info: CheckpointInfo) -> bool:
    """Load ``info``'s weights into ``model`` and its optimizer's variables into the model's
    compiled optimizer (built first). Returns False when the optimizer's variables did not
    fit (the weights are loaded; the optimizer starts afresh)."""
    import warnings

    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and not optimizer.built:
        optimizer.build(model.trainable_variables)  # its variables exist before loading
    with warnings.catch_warnings():
        # Keras' weights file holds the optimizer too; ours (below) is the one relied on
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        model.load_weights(str(Path(info.folder) / info.weights))
    if optimizer is None or not info.optimizer:
        return False
    arrays = load_arrays(info.folder, info.optimizer)
    variables = list(optimizer.variables)
    if len(arrays) != len(variables) or any(
        tuple(v.shape) != a.shape for v, a in zip(variables, arrays, strict=True)
    ):
        return False
    for variable, value in zip(variables, arrays, strict=True):
        variable.assign(value)
    return True


def load_best(info: CheckpointInfo) -> list[np.ndarray] | None:
    """The best epoch's weights saved with ``info`` (None when it has none)."""
    if not info.best_weights:
        return None
    return load_arrays(info.folder, info.best_weights)


def resume_fit(
    model: Any, bridge: Any, info: CheckpointInfo, on_event: EventCallback | None
) -> bool:
    """Before a resumed ``model.fit``: load the checkpoint's weights and optimizer state, give
    the event bridge the epochs run so far (history, best epoch and weights), replay them as
    events and say so. Call it inside the model's strategy scope, after ``compile``.

    Returns False (a warning logged) when the checkpoint could not be loaded: the caller
    restores its initial weights and trains afresh.
    """
    try:
        optimizer_loaded = load_into(model, info)
        best = load_best(info)
    except Exception as exc:  # noqa: BLE001 - a damaged or mismatched file: train afresh
        emit(
            on_event,
            Log(
                f"The checkpoint in {info.folder} could not be loaded ({exc}); training starts "
                "afresh.",
                "warning",
            ),
        )
        return False
    bridge.history = {k: list(v) for k, v in info.history.items()}
    bridge.epochs_run = info.epochs_done
    bridge.best_epoch = info.best_epoch
    bridge.best_value = math.inf if info.best_value is None else float(info.best_value)
    if best is not None:
        bridge.best_weights = best
    total = bridge.epochs + bridge.epoch_offset + bridge.epochs_after
    replay_history(
        on_event, info.history, epoch_offset=bridge.epoch_offset, total=total, seconds=info.seconds
    )
    emit(on_event, Log(f"Resuming from epoch {info.epoch_shown + 1} of {total}."))
    if not optimizer_loaded:
        emit(
            on_event,
            Log("The optimizer's saved state did not fit this model: it starts afresh.", "warning"),
        )
    return True

"""The folder search's helpers for the models of its trials: the CNN's BatchNorm momentum,
per-layer weights saved and loaded across Hyperband rounds, and training the kept trial on.

Private to :mod:`automl_gui.core.tune.search.files`.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.errors import CancelledError
from automl_gui.core.base.events import Log, PhaseChanged, emit
from automl_gui.core.tune.search._tuner import (
    best_value,
    epochs_reached,
    wants_more,
)
from automl_gui.core.tune.search.saved import TRAIN_ON_PHASE
from automl_gui.core.tune.search.space import TrialRecord


def layer_weights(built: Any) -> dict[str, np.ndarray]:
    """The weights a trial changed, by layer position ("3-0"; "5.12-0" inside the backbone):
    every layer's, except the backbone's frozen layers (the pretrained file has them)."""
    out: dict[str, np.ndarray] = {}
    for i, layer in enumerate(built.model.layers):
        if built.backbone is not None and layer is built.backbone:
            for j, sub in enumerate(layer.layers):
                if sub.trainable and sub.weights:
                    out.update({f"{i}.{j}-{k}": w for k, w in enumerate(sub.get_weights())})
        else:
            out.update({f"{i}-{k}": w for k, w in enumerate(layer.get_weights())})
    return out


def load_layers(built: Any, path: Path) -> None:
    """Set the weights :func:`layer_weights` saved (same configuration, so same layers)."""
    groups: dict[str, dict[int, np.ndarray]] = {}
    with np.load(path) as data:
        for key in data.files:
            where, k = key.rsplit("-", 1)
            groups.setdefault(where, {})[int(k)] = data[key]
    layers = built.model.layers
    for where, weights in groups.items():
        parts = [int(p) for p in where.split(".")]
        layer = layers[parts[0]]
        if len(parts) > 1:
            layer = layer.layers[parts[1]]
        layer.set_weights([weights[k] for k in sorted(weights)])


def train_files_on(runner: Any, best: TrialRecord, tuner: Any) -> Any:
    """Continue the best trial from its weights (up to ``max_epochs`` with early
    stopping, in what is left of the budget) when its round or the trials' time limit cut
    it short; keep the longer run only if its validation figure is better."""
    from automl_gui.core.jobs._files_steps import merge_history

    kept, cfg = runner.best["run"], runner.search
    left = runner.end - time.monotonic() - runner.overhead()
    if not wants_more(best, runner.best["result"], cfg) or runner.cancel.cancelled:
        return kept
    if left < max(1.0, runner.overhead()):  # mostly overhead: not worth a run
        return kept
    more = cfg.max_epochs - epochs_reached(best)
    limit = "" if math.isinf(left) else f", at most {left:.0f} s"
    emit(
        runner.on_event,
        Log(f"Training trial {best.trial_id}'s model on: up to {more} more epochs{limit}."),
    )
    emit(runner.on_event, PhaseChanged(TRAIN_ON_PHASE, 0))
    settings = runner.space.build(tuner.oracle.get_trial(best.trial_id).hyperparameters)
    training = runner.training
    runner.training = replace(training, early_stopping=True, restore_best=True)
    try:
        run, _ = runner._train(settings, more, 0.0 if math.isinf(left) else left, best.trial_id)
    except CancelledError:
        return kept
    finally:
        runner.training = training
    value = best_value(run.history, cfg.objective, cfg.direction)
    better = (
        value is not None
        and run.result.stopped_reason != "nan"
        and runner._better(replace(best, value=value), best)
    )
    runner.trained_on = {"epochs": int(run.result.epochs_run), "value": value}
    runner.trained_on["improved"] = bool(better)
    runner.trained_on["seconds"] = round(float(run.result.seconds), 3)
    if not better:
        return kept
    offset = int(kept.result.epochs_run)
    run.history = merge_history(kept.history, run.history)
    run.result = replace(
        run.result,
        history=run.history,
        best_epoch=offset + run.result.best_epoch,
        epochs_run=offset + run.result.epochs_run,
        seconds=kept.result.seconds + run.result.seconds,
    )
    return run

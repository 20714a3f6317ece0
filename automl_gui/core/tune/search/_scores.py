"""The figure every leaderboard row shares: the baselines' headline metric ("accuracy" for
classification, "r2" for regression) measured on a trial's validation rows, so a trial (whose
objective is often val_loss) and a baseline (scored by accuracy or R²) are compared on the
same number. Private to :mod:`automl_gui.core.tune.search`.

A table trial's model predicts its validation rows once (in slices, eagerly: no predict
function traced per trial) and ``core.evaluate.metrics`` scores them, as it scores the
baselines; a files trial (images, audio: classification) reads ``val_accuracy`` at its kept
epoch from the history Keras measured on the same rows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: rows predicted per call: bounded memory on a large validation split
SLICE_ROWS = 4096


def headline(task: Any) -> str:
    """The shared metric's name for ``task`` (the baselines')."""
    from automl_gui.core.tune.search.baselines import headline_metric

    return headline_metric(task)


def table_score(data: Any, pre: Any, built: Any, task: Any) -> float | None:
    """``headline(task)`` of a trained table model on ``data.validation`` (None: no rows,
    or not finite)."""
    outputs = validation_outputs(data, pre, built.serving_model)
    return None if outputs is None else outputs_score(data, outputs, task)


def validation_outputs(data: Any, pre: Any, model: Any) -> np.ndarray | None:
    """A serving model's answers for ``data.validation`` (float64: probabilities, or
    values in the target's scale), predicted in slices; None without validation rows."""
    from automl_gui.core.preprocess.tabular import frame_to_inputs, to_tensors

    frame = data.validation
    if len(frame) == 0:
        return None
    parts = []
    for start in range(0, len(frame), SLICE_ROWS):
        inputs = to_tensors(frame_to_inputs(frame.iloc[start : start + SLICE_ROWS], pre.schema))
        parts.append(np.asarray(model(inputs, training=False), dtype="float64"))
    return np.concatenate(parts)


def outputs_score(data: Any, outputs: np.ndarray, task: Any) -> float | None:
    """``headline(task)`` of a model's ``outputs`` for ``data.validation``."""
    from automl_gui.core.evaluate.metrics import evaluate_classification, evaluate_regression

    y = np.asarray(data.y_validation)
    if data.class_names:
        report = evaluate_classification(y, outputs.reshape(len(y), -1), list(data.class_names))
    else:
        report = evaluate_regression(y, outputs.reshape(-1))
    return finite(report["metrics"].get(headline(task)))


def history_score(history: dict[str, list[float]], best_epoch: int) -> float | None:
    """``val_accuracy`` at the kept epoch (the last finite one when none is known)."""
    values = history.get("val_accuracy") or []
    if 0 <= best_epoch < len(values) and finite(values[best_epoch]) is not None:
        return finite(values[best_epoch])
    kept = [v for v in values if finite(v) is not None]
    return float(kept[-1]) if kept else None


def mean_and_spread(scores: list[float | None]) -> tuple[float | None, float | None]:
    """The folds' mean and standard deviation (None, None without a finite score)."""
    kept = [s for s in scores if s is not None and math.isfinite(s)]
    if not kept:
        return None, None
    return float(np.mean(kept)), float(np.std(kept))


def finite(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None

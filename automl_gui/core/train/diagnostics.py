"""Plain-language diagnosis of a training history: overfitting or underfitting.

Pure Python over the per-epoch history (``{"loss": [...], "val_loss": [...], ...}``), so the
Train page can run it after every epoch and the pipeline after training. Epochs in
:class:`Diagnosis` are 0-based; the numbers in its message are 1-based, like the log lines
("Epoch 3/20").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from automl_gui.core.base.errors import ModelError

RISE_TOLERANCE = 0.02  # val loss must exceed its minimum by more than 2 % to count as risen
TRAIN_FALL_MIN = 0.01  # train loss must have fallen by at least 1 % since the best epoch
PLATEAU_WINDOW = 5  # underfitting: compare the last epoch with the one 5 epochs earlier
PLATEAU_MAX_GAIN = 0.01  # ... and the train loss improved by less than 1 %
SMALL_GAP = 0.10  # val loss within 10 % of train loss: the model is not memorizing
HIGH_LOSS_RATIO = 0.9  # train loss still ≥ 90 % of where it started (or of the baseline)
REGRESSION_HIGH_MSE = 0.8  # standardized target: the mean predicts MSE 1.0 (R² 0)
OVERFITTING = "overfitting"  # a Diagnosis's kind (the other is "underfitting")


@dataclass(frozen=True)
class Diagnosis:
    """A finding about a training run.

    Args:
        kind: "overfitting" or "underfitting".
        epoch: 0-based epoch where it began (overfitting: the best validation epoch + 1).
        message: one or two sentences for a banner.
        remedies: short suggestions, most useful first.
    """

    kind: str
    epoch: int
    message: str
    remedies: list[str] = field(default_factory=list)

    @property
    def overfitting(self) -> bool:
        """The model started to overfit (a warning, marked on the plots); else it underfits."""
        return self.kind == OVERFITTING


def _clean(values: Sequence[float] | None) -> list[float]:
    return [float(v) if v is not None else math.nan for v in (values or [])]


def generalization_gap(history: Mapping[str, Sequence[float]]) -> list[float]:
    """Validation loss minus training loss per epoch (empty without validation)."""
    loss = _clean(history.get("loss"))
    val = _clean(history.get("val_loss"))
    return [v - t for t, v in zip(loss, val, strict=False)]


def _slope(values: Sequence[float]) -> float:
    """Least-squares slope of ``values`` against their index."""
    n = len(values)
    if n < 2:
        return 0.0
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    num = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den


def _noise(values: Sequence[float]) -> float:
    """Epoch-to-epoch noise level: std of first differences / sqrt(2)."""
    diffs = [b - a for a, b in zip(values, values[1:], strict=False)]
    if len(diffs) < 2:
        return 0.0
    mean = sum(diffs) / len(diffs)
    var = sum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1)
    return math.sqrt(var / 2)


def _overfitting(loss: list[float], val: list[float], patience: int) -> Diagnosis | None:
    n = len(val)
    best = min(range(n), key=lambda i: (val[i], i))
    since = n - 1 - best
    if since < patience:
        return None
    best_val = val[best]
    after = val[best + 1 :]
    recent = after[-patience:]
    band = RISE_TOLERANCE * max(abs(best_val), 1e-8)
    rise = sum(recent) / len(recent) - best_val
    # the rise must stand out of the epoch-to-epoch noise, and still hold at the end
    noise = _noise(val[: best + 1]) if best >= 3 else _noise(val)
    now = sum(after[-2:]) / len(after[-2:]) - best_val
    if rise <= max(band, noise) or now <= band:
        return None
    train_after = loss[best:]
    fell = loss[best] - min(loss[-2:])
    if fell < TRAIN_FALL_MIN * max(abs(loss[best]), 1e-8) or _slope(train_after) >= 0:
        return None
    began = best + 1
    return Diagnosis(
        kind=OVERFITTING,
        epoch=began,
        message=(
            f"Overfitting began at epoch {began + 1}: validation loss has risen for {since} "
            f"epochs while training loss keeps falling."
        ),
        remedies=[
            f"Stop early at epoch {best + 1}, the best validation loss "
            "(early stopping with restore best weights keeps it).",
            "Regularize more: raise dropout or L2.",
            "Use a smaller model (fewer layers or units).",
            "Train on more data.",
        ],
    )


def _underfitting(
    history: Mapping[str, Sequence[float]],
    loss: list[float],
    val: list[float],
    min_epochs: int,
    baseline_loss: float | None,
) -> Diagnosis | None:
    n = len(loss)
    if n < min_epochs:
        return None
    last = loss[-1]
    earlier = loss[max(0, n - 1 - PLATEAU_WINDOW)]
    plateaued = earlier <= 0 or (earlier - last) / abs(earlier) < PLATEAU_MAX_GAIN
    gap_small = not val or val[-1] - last <= SMALL_GAP * max(abs(last), 1e-8)
    if baseline_loss is not None:
        high = last >= HIGH_LOSS_RATIO * baseline_loss
    elif "mae" in history and "accuracy" not in history:
        high = last >= REGRESSION_HIGH_MSE  # standardized target
    else:
        high = last >= HIGH_LOSS_RATIO * loss[0]
    if "accuracy" in history and len(history["accuracy"]) == n:
        acc = _clean(history["accuracy"])
        high = high or (acc[-1] - acc[0] < 0.01 and acc[-1] < 0.9)
    if not (plateaued and gap_small and high):
        return None
    return Diagnosis(
        kind="underfitting",
        epoch=n - 1,
        message=(
            "The model may be underfitting: training loss has stopped improving while it is "
            "still high and close to the validation loss."
        ),
        remedies=[
            "Use a bigger model (more layers or units).",
            "Train for more epochs.",
            "Try a higher learning rate.",
            "Add or engineer more informative features.",
        ],
    )


def diagnose(
    history: Mapping[str, Sequence[float]],
    *,
    patience: int = 3,
    min_epochs: int = 5,
    baseline_loss: float | None = None,
) -> Diagnosis | None:
    """Look for overfitting, then underfitting, in a per-epoch history.

    Args:
        history: per-epoch lists keyed as Keras names them ("loss", "val_loss", ...).
        patience: epochs the validation loss must have been rising for overfitting.
        min_epochs: fewer epochs than this: no underfitting verdict yet.
        baseline_loss: the loss of a trivial model (e.g. the class prior's entropy), if
            known; makes "still high" precise for underfitting.

    Returns:
        A :class:`Diagnosis`, or None when the history looks healthy or is too short.
    """
    loss = _clean(history.get("loss"))
    val = _clean(history.get("val_loss"))
    n = min(len(loss), len(val)) if val else len(loss)
    for i in range(n):  # judge only the epochs before a NaN/inf loss
        if not math.isfinite(loss[i]) or (val and not math.isfinite(val[i])):
            n = i
            break
    loss, val = loss[:n], val[:n]
    if n < 2:
        return None
    if val:
        found = _overfitting(loss, val, max(1, patience))
        if found is not None:
            return found
    return _underfitting(history, loss, val, min_epochs, baseline_loss)


STILL_IMPROVING_WINDOW = 5
STILL_IMPROVING_MIN_GAIN = 0.01  # relative drop of the best val loss over the last epochs


#: validation accuracy at which "still improving" is not worth telling (nothing left to fix)
PERFECT_ACCURACY = 0.999


def still_improving(
    history: Mapping[str, Sequence[float]], stopped_reason: str
) -> Diagnosis | None:
    """After a run that hit its epoch limit or time budget: was it still getting better?

    Judged once at the end (during training a falling loss is just progress). True when the
    best validation loss of the last few epochs beats the best before them by more than 1 %.
    """
    if stopped_reason not in ("completed", "time_budget"):
        return None
    val = [v for v in _clean(history.get("val_loss") or history.get("loss")) if math.isfinite(v)]
    n = len(val)
    if n <= STILL_IMPROVING_WINDOW:
        return None
    before = min(val[: n - STILL_IMPROVING_WINDOW])
    recent = min(val[n - STILL_IMPROVING_WINDOW :])
    if before <= 0 or (before - recent) / before < STILL_IMPROVING_MIN_GAIN:
        return None
    accuracy = [v for v in _clean(history.get("val_accuracy") or []) if math.isfinite(v)]
    if accuracy and min(accuracy[-STILL_IMPROVING_WINDOW:]) >= PERFECT_ACCURACY:
        return None  # every validation example right: more epochs only sharpen the confidence
    limit = "the time budget" if stopped_reason == "time_budget" else "the epoch limit"
    return Diagnosis(
        kind="still_improving",
        epoch=n - 1,
        message=(
            f"Training stopped at {limit} while the validation loss was still falling "
            f"({(before - recent) / before:.1%} better over the last "
            f"{STILL_IMPROVING_WINDOW} epochs): the model has not converged yet."
        ),
        remedies=[
            "Train for more epochs (early stopping ends it when it stops improving).",
            "Or raise the learning rate a little to converge faster.",
        ],
    )


def check_diverged(result: Any, checkpoint: Any = None) -> None:
    """Refuse a training whose loss was NaN before any usable epoch (``TrainResult``).

    The trainer keeps the best weights when the loss becomes NaN later on (the run is kept,
    ``stopped_reason == "nan"``); with no finite epoch at all only the untrained initial
    weights remain, and saving those as "the model" gave empty or absurd predictions.

    Raises:
        ModelError: training diverged (``checkpoint`` is marked finished first).
    """
    if result.stopped_reason != "nan" or result.best_epoch >= 0:
        return
    if checkpoint is not None:  # nothing worth resuming either
        checkpoint.finish()
    raise ModelError(
        f"Training diverged: the loss became NaN in epoch {max(1, result.epochs_run)}, "
        "before any epoch with a usable loss, so there is no model worth keeping.",
        "Lower the learning rate, and check the target and features for extreme values "
        "(rescale a target of huge numbers).",
    )

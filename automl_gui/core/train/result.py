"""What a fit produced: :class:`TrainResult` (TensorFlow-free, so runs, projects and the window
read it without the trainer)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

STOP_REASONS = ("completed", "early_stopping", "cancelled", "time_budget", "nan")


@dataclass
class TrainResult:
    """What a fit produced (the model itself is trained in place).

    Args:
        history: per-epoch values keyed as Keras names them ("loss", "val_loss",
            "accuracy"/"val_accuracy" or "mae"/"val_mae") plus "lr".
        best_epoch: 0-based epoch with the lowest val_loss (-1 if no epoch had a finite one).
        epochs_run: epochs run, the last one possibly partial (Stop, time budget, NaN).
        stopped_reason: one of STOP_REASONS.
        seconds: wall time of the fit.
        batch_size: the batch size used (after "auto" and any out-of-memory retry).
        class_weights: each class's weight in class order, when classes were weighted
            (``balance.class_weighting``: "balanced" chosen, or "auto" on imbalanced
            classes); None when every example counted once.
        partial_last_epoch: the last epoch stopped before its last batch (time budget or
            Stop); its training figures are NaN in ``history`` (:func:`drop_partial_epoch`).
    """

    history: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int = -1
    epochs_run: int = 0
    stopped_reason: str = "completed"
    seconds: float = 0.0
    batch_size: int = 0
    class_weights: list[float] | None = None
    partial_last_epoch: bool = False

    def summary(self) -> dict[str, Any]:
        """The figures a saved model's metadata records about its training."""
        return {
            "best_epoch": self.best_epoch,
            "epochs_run": self.epochs_run,
            "stopped_reason": self.stopped_reason,
            "seconds": round(self.seconds, 3),
            "batch_size": self.batch_size,
            **({"class_weights": self.class_weights} if self.class_weights else {}),
        }


def drop_partial_epoch(history: dict[str, list[float]], keep: str) -> None:
    """A fit that the time budget or Stop ended after some batch of an epoch (Keras then
    still validates the weights): that epoch's training figures (loss, accuracy, mae) are the
    mean over the part of an epoch that ran, a spike on the curves that no whole epoch made.
    They become NaN (not measured: curves and logs skip them) in place; the validation
    figures, measured on every validation row, the learning rate and ``keep`` (the figure
    best weights and searches go by) stay."""
    for key, values in history.items():
        if values and key != keep and key != "lr" and not key.startswith("val_"):
            values[-1] = math.nan

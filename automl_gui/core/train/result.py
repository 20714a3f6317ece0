"""What a fit produced: :class:`TrainResult` (TensorFlow-free, so runs, projects and the window
read it without the trainer)."""

from __future__ import annotations

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
    """

    history: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int = -1
    epochs_run: int = 0
    stopped_reason: str = "completed"
    seconds: float = 0.0
    batch_size: int = 0
    class_weights: list[float] | None = None

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

"""How a study's rows are judged: convergence, the trivial baseline, the best row.

:func:`convergence` is the first epoch whose validation loss came within the tolerance of the
best (:mod:`.studies` defines it).

A training that never scored better on the validation split than an answer that ignores the
inputs learned nothing: it did not converge, whatever its loss curve looks like (Adadelta at
a small learning rate flattens out at epoch 1 while answering worse than the majority class).
The answer that ignores the inputs depends on what the training optimizes:

- classification without class weights: always the most common class of the training split,
  compared by validation accuracy (0.78 on a 78:22 table);
- classification with class weights (``balanced``, and ``auto`` on imbalanced classes): the
  weights make every class count the same, so a model that learned nothing answers every
  class as equally likely and its accuracy is no yardstick (a model that learned gives up
  accuracy on the common class for recall on the rare ones); compared by validation loss,
  that of the uniform answer, ln(number of classes);
- regression: always the training targets' mean, compared by validation MAE.

This module is the one place that figure is computed (:func:`trivial_baseline`) and the one
place the best row of a study is picked (:func:`best_row`): by the validation score, never
the test score, among the completed rows that beat the baseline. The window, the command line
and the CSV all use these.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

#: the validation score each task's rows are compared and ranked by
SELECTION_METRIC = {"regression": "val_mae"}
DEFAULT_SELECTION = "val_accuracy"
METRIC_WORDS = {
    "val_accuracy": "validation accuracy",
    "val_mae": "validation MAE",
    "val_loss": "validation loss",
}


#: what a study row that never beat the trivial baseline is called, everywhere (table, legend,
#: status line, CSV, command line); :func:`not_converged_text` is its long form
NOT_CONVERGED = "did not converge"


def not_converged_text(baseline: Baseline | None = None) -> str:
    """The long form: "did not converge (never beat the trivial baseline: validation loss
    0.6931)" (without the figure when the baseline is not known)."""
    figure = f": {baseline.figure()}" if baseline is not None else ""
    return f"{NOT_CONVERGED} (never beat the trivial baseline{figure})"


def selection_metric(task: str) -> str:
    """The validation score a study's best row is picked by: ``val_accuracy`` for
    classification, ``val_mae`` (in the target's units) for regression."""
    return SELECTION_METRIC.get(task, DEFAULT_SELECTION)


def lower_is_better(metric: str) -> bool:
    return metric.endswith(("mae", "loss", "rmse", "mse"))


@dataclass(frozen=True)
class Baseline:
    """What answering without learning scores on the validation split.

    Args:
        metric: the validation score (:func:`selection_metric`).
        value: the baseline's score.
        words: the rule, for people ("always answering the most common class, 'no'").
        test_value: the same rule's score on the test split (accuracy or MAE; None when not
            known), for plots of test scores.
    """

    metric: str
    value: float
    words: str
    test_value: float | None = None

    def beaten_by(self, value: float | None) -> bool:
        """Whether a validation score is better than the baseline's (strictly)."""
        if value is None or not math.isfinite(value):
            return False
        return value < self.value if lower_is_better(self.metric) else value > self.value

    def beaten_in(self, history: dict[str, list[float]], scale: float = 1.0) -> bool | None:
        """Whether any epoch of a training's ``history`` beat the baseline (``scale``: what
        its validation MAE is multiplied by to be in the target's units; trainings learn
        standardized targets). None when the history has no such validation score."""
        values = history.get(self.metric) or []
        scores = [float(v) * scale for v in values if v is not None and math.isfinite(v)]
        if not scores:
            return None
        return any(self.beaten_by(v) for v in scores)

    def figure(self) -> str:
        """ "validation accuracy 0.78"."""
        return f"{METRIC_WORDS.get(self.metric, self.metric)} {self.value:.4g}"

    def text(self) -> str:
        """ "validation accuracy 0.7800 by always answering the most common class, 'no'"."""
        return f"{self.figure()} by {self.words}"

    def rule_text(self, first: str = "trivial") -> str:
        """The rule in one sentence, without a full stop (``first``: "Trivial" to open a
        sentence): the CLI, the CSV header and the notes say it alike."""
        return f"{first} baseline: {self.text()}; a training that never beat it {NOT_CONVERGED}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Baseline | None:
        if not data:
            return None
        test = data.get("test_value")
        return cls(
            str(data["metric"]),
            float(data["value"]),
            str(data.get("words", "")),
            None if test is None else float(test),
        )


def trivial_baseline(
    task: str,
    y_train: Any,
    y_validation: Any,
    class_names: Sequence[str] | None = None,
    y_test: Any = None,
    weighted: bool = False,
) -> Baseline | None:
    """The baseline of a study on this split (the module docstring says which): for
    classification the most common training class scored on the validation targets, or with
    ``weighted`` (class weights) the uniform answer's validation loss; for regression the
    validation MAE of predicting the training mean. ``test_value``: the same rule's test
    accuracy or MAE (not for the weighted case, whose yardstick is no test score). None
    without validation targets."""
    y_train = np.asarray(y_train)
    y_val = np.asarray(y_validation)
    y_test = None if y_test is None else np.asarray(y_test)
    if y_train.size == 0 or y_val.size == 0:
        return None
    has_test = y_test is not None and y_test.size > 0
    if task == "regression":
        mean = float(np.mean(y_train.astype(np.float64)))

        def mae(y: np.ndarray) -> float:
            return float(np.mean(np.abs(y.astype(np.float64) - mean)))

        words = f"always predicting the training mean ({mean:.4g})"
        return Baseline("val_mae", mae(y_val), words, mae(y_test) if has_test else None)
    values, counts = np.unique(y_train, return_counts=True)
    if weighted:
        n_classes = max(len(class_names or []), len(values), 2)
        which = "both" if n_classes == 2 else f"all {n_classes}"
        words = f"answering {which} classes as equally likely (class weights balance them)"
        return Baseline("val_loss", math.log(n_classes), words)
    majority = values[int(np.argmax(counts))]
    name = majority
    if class_names is not None and np.issubdtype(values.dtype, np.integer):
        index = int(majority)
        name = class_names[index] if 0 <= index < len(class_names) else majority
    return Baseline(
        "val_accuracy",
        float(np.mean(y_val == majority)),
        f"always answering the most common class, '{name}'",
        float(np.mean(y_test == majority)) if has_test else None,
    )


def convergence(
    history: dict[str, list[float]], tolerance: float, steps_per_epoch: int
) -> tuple[int | None, int | None]:
    """``(epochs_to_converge, steps_to_converge)``: the first epoch (1-based) whose val_loss
    (else loss) is ``<= best + tolerance * |best|``, and that many epochs times
    ``steps_per_epoch``. ``(None, None)`` when no epoch has a finite loss."""
    losses = history.get("val_loss") or history.get("loss") or []
    finite = [float(v) for v in losses if v is not None and math.isfinite(v)]
    if not finite:
        return None, None
    best = min(finite)
    limit = best + tolerance * abs(best)
    for i, value in enumerate(losses):
        if value is not None and math.isfinite(value) and value <= limit:
            return i + 1, (i + 1) * max(1, int(steps_per_epoch))
    return None, None  # unreachable: the best itself is within the limit


def validation_score(row: Any, metric: str) -> float | None:
    """A row's validation score (None when it has none)."""
    value = (getattr(row, "metrics", None) or {}).get(metric)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def best_row(rows: Sequence[Any], task: str, baseline: Baseline | None = None) -> int | None:
    """The index of the best completed row by its validation score (ties: the lower
    validation loss, then the earlier row), among the rows that beat ``baseline``; None when
    no row qualifies."""
    metric = selection_metric(task)
    sign = 1.0 if lower_is_better(metric) else -1.0
    best: tuple[float, float, int] | None = None
    for i, row in enumerate(rows):
        if getattr(row, "status", "") != "completed" or getattr(row, "below_baseline", False):
            continue
        score = validation_score(row, metric)
        if score is None:
            continue
        if baseline is not None:  # judged by the baseline's own yardstick (loss, accuracy, MAE)
            own = validation_score(row, baseline.metric)
            if own is not None and not baseline.beaten_by(own):
                continue
        loss = validation_score(row, "val_loss")
        key = (sign * score, loss if loss is not None else math.inf, i)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


__all__ = [
    "Baseline",
    "best_row",
    "convergence",
    "selection_metric",
    "trivial_baseline",
    "validation_score",
]

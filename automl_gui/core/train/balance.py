"""Imbalanced classes: the one rule that says when classes are imbalanced, and the class
weights training uses because of it.

The Data page's warning (``core.data.profile``), the model card's known limits and the
training default ("auto" class weights) all ask :func:`is_imbalanced`, so a table the Data
page warns about is the table training weights. No pandas, no TensorFlow here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from automl_gui.core.base.events import EventCallback, Log, emit

#: the largest class over the smallest at or above this: imbalanced
IMBALANCE_RATIO = 3.0
#: TrainConfig.class_weights: "auto" weights classes "balanced" when they are imbalanced
CLASS_WEIGHTS = ("auto", "none", "balanced")
#: where a user turns the automatic weighting off (window and command line)
CHANGE_HINT = "Class weights on the Model page; --class-weights on the command line"


def imbalance_ratio(counts: Iterable[int]) -> float:
    """The largest class's count over the smallest's, among classes present (1.0 with fewer
    than two classes present)."""
    present = [int(c) for c in counts if int(c) > 0]
    if len(present) < 2:
        return 1.0
    return max(present) / min(present)


def is_imbalanced(counts: Iterable[int]) -> bool:
    """Whether classes with these counts are imbalanced (ratio ≥ :data:`IMBALANCE_RATIO`)."""
    return imbalance_ratio(counts) >= IMBALANCE_RATIO


def shares_text(counts: Iterable[int]) -> str:
    """The largest and smallest class's shares: "78:22" for two classes, "largest 48%,
    smallest 6%" for more."""
    present = [int(c) for c in counts if int(c) > 0]
    total = sum(present)
    if len(present) < 2 or total == 0:
        return "100:0"
    big = round(100 * max(present) / total)
    small = round(100 * min(present) / total)
    if len(present) == 2:
        return f"{big}:{100 - big}"
    return f"largest {big}%, smallest {small}%"


def label_counts(y: np.ndarray) -> np.ndarray:
    """Examples per class index in ``y`` (int class indices)."""
    idx = np.asarray(y).reshape(-1).astype(np.int64)
    return np.bincount(idx[idx >= 0]) if len(idx) else np.zeros(0, dtype=np.int64)


def balanced_class_weights(y: np.ndarray) -> dict[int, float]:
    """sklearn's "balanced" weights: n_samples / (n_classes * count) for each class present."""
    classes, counts = np.unique(np.asarray(y).astype(int), return_counts=True)
    n, k = counts.sum(), len(classes)
    return {int(c): float(n / (k * cnt)) for c, cnt in zip(classes, counts, strict=True)}


def weight_list(weights: dict[int, float] | None) -> list[float] | None:
    """``{class index: weight}`` as a list in class order (JSON keeps it as it is; a class
    not named weighs 1), or None for no weights."""
    if not weights:
        return None
    return [round(float(weights.get(i, 1.0)), 6) for i in range(max(weights) + 1)]


@dataclass(frozen=True)
class ClassWeighting:
    """What a class-weights setting means for some training labels.

    Attributes:
        weights: ``{class index: weight}``, or None (every example counts once).
        note: the log line saying that "auto" chose balanced weights ("" otherwise).
    """

    weights: dict[int, float] | None
    note: str = ""


def class_weighting(setting: str, y_train: np.ndarray) -> ClassWeighting:
    """The class weights ``setting`` ("auto", "none", "balanced") gives the training labels
    ``y_train`` (int class indices of a classifier).

    "auto" is "balanced" when the classes are imbalanced (:func:`is_imbalanced`), with a note
    for the log; a user's "none" or "balanced" is kept as chosen.
    """
    if setting == "none" or len(np.asarray(y_train)) == 0:
        return ClassWeighting(None)
    if setting == "balanced":
        return ClassWeighting(balanced_class_weights(y_train))
    counts = label_counts(y_train)
    if not is_imbalanced(counts):
        return ClassWeighting(None)
    note = (
        f"Classes are imbalanced {shares_text(counts)}: weighting them 'balanced' ({CHANGE_HINT})."
    )
    return ClassWeighting(balanced_class_weights(y_train), note)


def weights_classes(setting: str, task: str, y_train: np.ndarray) -> bool:
    """Whether ``setting`` weights the classes of these training labels (never for a
    regression): what :func:`class_weighting` decides, without building the weights."""
    if task == "regression" or setting == "none" or len(np.asarray(y_train)) == 0:
        return False
    return setting == "balanced" or is_imbalanced(label_counts(y_train))


def announce_class_weights(
    setting: str, task: str, y_train: np.ndarray, on_event: EventCallback | None
) -> None:
    """Log, once per training, that "auto" class weights chose "balanced" (the jobs call it;
    the trainer applies the same :func:`class_weighting` without a word, trial after
    trial)."""
    if task == "regression":
        return
    note = class_weighting(setting, y_train).note
    if note:
        emit(on_event, Log(note))

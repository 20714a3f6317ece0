"""Training settings: a JSON-serializable dataclass."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adadelta", "adamax", "nadam")
SCHEDULES = ("constant", "plateau", "cosine")


@dataclass
class TrainConfig:
    """How to fit a model.

    Args:
        optimizer: one of OPTIMIZERS ("sgd" uses momentum 0.9).
        learning_rate: initial learning rate.
        schedule: "constant", "plateau" (reduce on plateau) or "cosine" (cosine decay).
        batch_size: 0 means automatic (from the hardware plan and dataset size).
        epochs: maximum number of epochs.
        early_stopping: stop when val loss has not improved for ``patience`` epochs.
        restore_best: keep the weights of the best validation epoch (also on Stop).
        class_weights: "auto" (the default: "balanced" when the classes are imbalanced,
            ``balance.class_weighting``), "balanced" or "none" (classification only). A
            project saved before "auto" existed keeps the "none" it stored.
        seed: random seed for weights, shuffling and dropout.
        time_budget: seconds; 0 means no limit. Training stops after the batch that crosses it
            (the partial epoch is still validated) and keeps the best weights.
    """

    optimizer: str = "adam"
    learning_rate: float = 1e-3
    schedule: str = "plateau"
    batch_size: int = 0
    epochs: int = 100
    early_stopping: bool = True
    patience: int = 10
    restore_best: bool = True
    class_weights: str = "auto"
    seed: int = 42
    time_budget: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """The settings a project stored. One stored without ``class_weights`` predates the
        "auto" default and trained with "none": it keeps that."""
        return cls(**{"class_weights": "none", **data})

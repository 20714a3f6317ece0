"""Training settings: a JSON-serializable dataclass."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adadelta", "adamax", "nadam")
SCHEDULES = ("constant", "plateau", "cosine")
#: ``keras.optimizers.AdamW``'s own weight decay: what "adamw" used before ``weight_decay``
KERAS_ADAMW_DECAY = 0.004


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
        weight_decay: decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight
            Decay Regularization"): each step shrinks every weight matrix by
            ``learning_rate * weight_decay`` times itself; biases and normalization scales
            are not decayed. Keras 3 applies it the same way in every optimizer here, so it is
            passed to all of them ("adamw" is Adam with it; 0 turns it off).
        refit: "Refit on all data": after training and the test evaluation, train the same
            settings from scratch on the training and validation rows together for the epoch
            count validation chose (best epoch + 1), evaluate that model on the same test split
            and keep it (``core.jobs._refit``; the metadata's ``refit`` has both test figures).
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
    weight_decay: float = 0.0
    refit: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """The settings a project stored. One stored without ``class_weights`` predates the
        "auto" default and trained with "none": it keeps that. One stored without
        ``weight_decay`` predates the setting: "adamw" then used Keras' own default
        (:data:`KERAS_ADAMW_DECAY`), the others none, and so they still do."""
        data = dict(data)
        if "weight_decay" not in data:
            adamw = data.get("optimizer") == "adamw"
            data["weight_decay"] = KERAS_ADAMW_DECAY if adamw else 0.0
        return cls(**{"class_weights": "none", **data})

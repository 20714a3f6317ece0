"""Model settings for tabular MLPs: a JSON-serializable dataclass."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ACTIVATIONS = ("relu", "gelu", "silu", "tanh", "elu", "selu")


@dataclass
class MLPConfig:
    """A multilayer perceptron on the preprocessed features.

    With ``auto`` true, the builder sizes ``hidden_units`` from the number of rows and features
    (and ignores the list given here); otherwise ``hidden_units`` is used as is, one entry per
    hidden layer.
    """

    auto: bool = True
    hidden_units: list[int] = field(default_factory=lambda: [64, 32])
    activation: str = "relu"
    dropout: float = 0.1
    l1: float = 0.0
    l2: float = 1e-4
    batch_norm: bool = False
    embedding_dim: int | None = None  # None: auto from cardinality

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MLPConfig:
        return cls(**data)

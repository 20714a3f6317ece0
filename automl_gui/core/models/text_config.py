"""Text model settings: which network, its size, and (for the pretrained one) where its files
are and how to fine-tune it. TensorFlow-free.

The fields the shared files job reads (``jobs.files``: ``architecture``, ``weights_path``,
``weights_folder``, ``allow_download``, ``fine_tune_layers``, ``fine_tune_epochs``,
``fine_tune_lr_factor``, ``dropout``) mean what they mean in ``ImageModelConfig``; text adds
the networks' sizes. A separate class rather than ``ImageModelConfig``: its architectures
and sizes are text's, and a project stores each kind's settings apart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from automl_gui.core.base.errors import ConfigError

ARCHITECTURES = ("auto", "ngram_mlp", "sepcnn", "transformer", "pretrained")
#: the networks trained from scratch on the vectorized text (``core.models.text``)
FAMILIES = ("ngram_mlp", "sepcnn", "transformer")

UNITS_RANGE = (4, 4096)
EMBEDDING_RANGE = (8, 1024)
DROPOUT_RANGE = (0.0, 0.9)


@dataclass
class TextModelConfig:
    """Which text model to build and how to train it.

    Args:
        architecture: "auto" (the n-gram MLP or the sepCNN by the samples / words-per-sample
            ratio, ``core.preprocess.text.auto_text_architecture``), "ngram_mlp" (TF-IDF of
            words and word pairs → MLP), "sepcnn" (word embeddings → separable 1-D
            convolutions), "transformer" (a small Transformer encoder) or "pretrained" (a
            KerasHub model from a local folder).
        units: width of the n-gram MLP's hidden layers and of the Transformer's classifier
            layer.
        embedding_dim: word embedding size of the sepCNN and the Transformer.
        dropout: dropout rate inside the network (the guide's 0.2).
        weights_path, weights_folder, allow_download: where the pretrained model's files are
            (as for the image backbones); unused by the other networks.
        fine_tune_layers, fine_tune_epochs, fine_tune_lr_factor: phase 2 of the pretrained
            model (as for the image backbones); the other networks train whole in one phase.
    """

    architecture: str = "auto"
    units: int = 64
    embedding_dim: int = 64
    dropout: float = 0.2
    weights_path: str = ""
    weights_folder: str = ""
    allow_download: bool = False
    fine_tune_layers: int = -1
    fine_tune_epochs: int = 3
    fine_tune_lr_factor: float = 0.1

    def validate(self) -> TextModelConfig:
        """Raise ConfigError naming the allowed values for a setting out of range."""
        if self.architecture not in ARCHITECTURES:
            raise ConfigError(
                f"Unknown text model '{self.architecture}'.",
                f"Use one of: {', '.join(ARCHITECTURES)}.",
            )
        for what, value, (low, high) in (
            ("Hidden units", self.units, UNITS_RANGE),
            ("Embedding size", self.embedding_dim, EMBEDDING_RANGE),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(
                    f"{what} {value!r} is out of range.",
                    f"Use a whole number from {low:,} to {high:,}.",
                )
        low, high = DROPOUT_RANGE
        if not low <= float(self.dropout) <= high:
            raise ConfigError(
                f"Dropout {self.dropout:g} is out of range.",
                f"Use a value from {low:g} to {high:g}.",
            )
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TextModelConfig:
        """Settings stored by ``to_dict``, validated.

        Raises:
            ConfigError: an unknown setting, or a value out of range.
        """
        from automl_gui.core.preprocess.text_config import known_settings

        return known_settings(cls, data, "text model").validate()


__all__ = ["ARCHITECTURES", "FAMILIES", "TextModelConfig"]

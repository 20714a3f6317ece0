"""Model families the Model page offers, and resolving "auto" to a family per data kind."""

from __future__ import annotations

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.kinds import kind_named

MODEL_FAMILIES: dict[str, dict[str, str]] = {
    "mlp": {
        "name": "MLP",
        "description": "A multilayer perceptron on the preprocessed columns; sized to the data.",
    },
    "cnn": {
        "name": "Compact CNN",
        "description": "A small convolutional network trained from scratch, sized to the "
        "images and their number.",
    },
    "resnet50": {
        "name": "ResNet50",
        "description": "ImageNet-pretrained ResNet50: a new head, then the top layers "
        "fine-tuned (224×224 by default).",
    },
    "inceptionv3": {
        "name": "InceptionV3",
        "description": "ImageNet-pretrained InceptionV3: a new head, then the top layers "
        "fine-tuned (299×299 by default).",
    },
    "ngram_mlp": {
        "name": "N-gram MLP",
        "description": "A bag of words and word pairs (multi-hot by default), then two dense "
        "layers (Google's text classification guide): best with few or long texts.",
    },
    "sepcnn": {
        "name": "sepCNN",
        "description": "Word embeddings and separable 1-D convolutions that read word order: "
        "best with many short texts.",
    },
    "transformer": {
        "name": "Transformer",
        "description": "A small Transformer encoder (self-attention over the words), trained "
        "from scratch.",
    },
    "pretrained": {
        "name": "Pretrained text model",
        "description": "A KerasHub text model from a local folder: a new head, then its top "
        "layers fine-tuned.",
    },
}


def families_for(kind: str) -> list[str]:
    """Family names usable for the data kind named ``kind`` (its ``model_families``)."""
    return list(kind_named(kind).model_families)


def resolve(name: str, kind: str = "tabular") -> str:
    """Map a user's model choice to a family: "auto" picks the default for the data kind.

    Raises:
        ConfigError: unknown family, or one that does not fit the data kind.
    """
    choice = (name or "auto").strip().lower()
    try:
        data_kind = kind_named(kind)
    except ConfigError:
        raise ConfigError(
            f"No model is available yet for {kind} data.", "Use a table (CSV, TSV, Parquet)."
        ) from None
    if choice == "auto":
        return data_kind.auto_model
    if choice not in MODEL_FAMILIES:
        known = ", ".join(["auto", *MODEL_FAMILIES])
        raise ConfigError(f"Unknown model '{name}'.", f"Choose one of: {known}.")
    if choice not in families_for(kind):
        raise ConfigError(
            f"Model '{choice}' does not work on {kind} data.",
            f"Choose one of: auto, {', '.join(families_for(kind)) or 'none'}.",
        )
    return choice

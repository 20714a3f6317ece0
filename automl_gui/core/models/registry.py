"""Model families the Model page offers, and resolving "auto" to a family per data kind."""

from __future__ import annotations

from automl_gui.core.base.errors import ConfigError

MODEL_FAMILIES: dict[str, dict[str, str]] = {
    "mlp": {
        "name": "MLP",
        "description": "A multilayer perceptron on the preprocessed columns; sized to the data.",
        "kind": "tabular",
    },
    "cnn": {
        "name": "Compact CNN",
        "description": "A small convolutional network trained from scratch, sized to the "
        "images and their number.",
        "kind": "images",
    },
    "resnet50": {
        "name": "ResNet50",
        "description": "ImageNet-pretrained ResNet50: a new head, then the top layers "
        "fine-tuned (224×224 by default).",
        "kind": "images",
    },
    "inceptionv3": {
        "name": "InceptionV3",
        "description": "ImageNet-pretrained InceptionV3: a new head, then the top layers "
        "fine-tuned (299×299 by default).",
        "kind": "images",
    },
}

# images, audio: "auto" stays "auto" (the pipeline picks a backbone whose weights are here,
# else the CNN); audio uses the image families on its spectrograms
_AUTO = {"tabular": "mlp", "images": "auto", "audio": "auto"}
_FAMILIES_OF = {"audio": "images"}


def families_for(kind: str) -> list[str]:
    """Family names usable for a data kind ("tabular", "images", "audio")."""
    kind = _FAMILIES_OF.get(kind, kind)
    return [name for name, info in MODEL_FAMILIES.items() if info["kind"] == kind]


def resolve(name: str, kind: str = "tabular") -> str:
    """Map a user's model choice to a family: "auto" picks the default for the data kind.

    Raises:
        ConfigError: unknown family, or one that does not fit the data kind.
    """
    choice = (name or "auto").strip().lower()
    if choice == "auto":
        if kind not in _AUTO:
            raise ConfigError(
                f"No model is available yet for {kind} data.", "Use a table (CSV, TSV, Parquet)."
            )
        return _AUTO[kind]
    if choice not in MODEL_FAMILIES:
        known = ", ".join(["auto", *MODEL_FAMILIES])
        raise ConfigError(f"Unknown model '{name}'.", f"Choose one of: {known}.")
    if choice not in families_for(kind):
        raise ConfigError(
            f"Model '{choice}' does not work on {kind} data.",
            f"Choose one of: auto, {', '.join(families_for(kind)) or 'none'}.",
        )
    return choice

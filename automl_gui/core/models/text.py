"""Text models: raw strings in, class probabilities out.

Input contract: a 1-D ``tf.string`` tensor ``(n,)`` of raw, unstandardized texts, the
model input ``keras.Input(shape=(), dtype="string", name="text")``; callers pass
``tf.constant([...])`` or a NumPy array of ``dtype=object`` holding ``str`` (``predict``
refuses a NumPy unicode ``'<U…'`` array and a plain list). Inside:
``TextVectorization`` (adapted on the training texts, ``core.preprocess.text``) → the
network → float32 softmax (also under mixed precision). Keras' own layers and ``keras.ops``
nodes only: a saved ``.keras`` loads with plain Keras in safe mode. Word dropout
(augmentation) is wrapped in ``TrainingOnly`` and left out of saved models.

Networks (``_text_nets``): "ngram_mlp" (a bag of n-grams, multi-hot by default,
L2-normalized → 2 Dense layers of 64 units with dropout 0.2, after Google's *Text
classification* guide), "sepcnn"
(Embedding → 2 blocks of ``SeparableConv1D`` + pooling, the guide's sequence model),
"transformer" (token + position embeddings → one encoder block → mean pooling), and
"pretrained" (a KerasHub model from a local folder, built by ``_text_pretrained``).

Settings: :class:`~automl_gui.core.models.text_config.TextModelConfig`, not
``ImageModelConfig``: it has the fields the shared files job reads (architecture, weights
lookup, fine-tuning, dropout) with the same meaning, plus the networks' sizes.

The shared files job (``jobs.files``) trains a :class:`TextModel` like the image CNN: the
networks trained from scratch have no ``backbone``, so phase 1 trains the whole ``model`` and
there is no phase 2 (``unfreeze_top`` returns 0); the pretrained model has a backbone and
fine-tunes it in phase 2 as the image backbones do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.models._fine_tune import FineTuning
from automl_gui.core.models.images import check_architecture
from automl_gui.core.models.text_config import FAMILIES, TextModelConfig

#: every text model's input name
INPUT_NAME = "text"
#: the networks' sizes used by ``build_text_model`` (keys of the model config)
ARCHITECTURES = (*FAMILIES, "pretrained")

__all__ = ["ARCHITECTURES", "INPUT_NAME", "TextModel", "build_text_model", "text_input"]


@dataclass
class TextModel(FineTuning):
    """A built text model and the parts the shared files job needs (as ``ImageModel``).

    Args:
        model: strings ``(n,)`` → float32 probabilities; trained, saved and exported.
        architecture: "ngram_mlp", "sepcnn", "transformer" or "pretrained".
        vectorizer: the model's ``TextVectorization`` layer (None for "pretrained").
        backbone: the pretrained network (None for the networks trained from scratch).
        feature_model, head: strings → pooled features and features → probabilities,
            sharing layers with ``model`` (None without a backbone).
    """

    model: Any
    architecture: str
    vectorizer: Any = None
    backbone: Any = None
    feature_model: Any = None
    head: Any = None


def text_input() -> Any:
    """The text models' input: a batch of raw strings, shape ``(n,)``."""
    from automl_gui.core.base import lazy

    return lazy.keras().Input(shape=(), dtype="string", name=INPUT_NAME)


def _name(architecture: str) -> str:
    """The network's name as the Model page shows it (``models.registry``)."""
    from automl_gui.core.models.registry import MODEL_FAMILIES

    return MODEL_FAMILIES[architecture]["name"]


def _vectorizer_settings(architecture: str, vectorizer: Any) -> dict[str, Any]:
    """The vectorizer's config, checked against what ``architecture`` takes."""
    from automl_gui.core.preprocess.text import ARCHITECTURE_MODES, build_vectorizer

    if vectorizer is None:
        raise ConfigError(
            f"{_name(architecture)} needs an adapted text vectorizer.",
            f"Build one with {build_vectorizer.__module__}.build_vectorizer first.",
        )
    settings = dict(vectorizer.get_config())
    mode = settings.get("output_mode")
    if mode not in ARCHITECTURE_MODES[architecture]:
        allowed = " or ".join(ARCHITECTURE_MODES[architecture])
        raise ConfigError(
            f"{_name(architecture)} cannot take the vectorizer's output mode '{mode}'.",
            f"Use output mode {allowed} (or 'auto').",
        )
    if mode == "int" and not settings.get("output_sequence_length"):
        raise ConfigError(
            f"{_name(architecture)} needs a fixed sequence length.",
            "Set the sequence length (or 0 for automatic) in the text preprocessing.",
        )
    return settings


def _from_scratch(
    architecture: str,
    n_classes: int,
    vectorizer: Any,
    config: TextModelConfig,
    seed: int,
    word_dropout: float,
) -> TextModel:
    from automl_gui.core.base import lazy
    from automl_gui.core.models import _text_nets

    keras = lazy.keras()
    settings = _vectorizer_settings(architecture, vectorizer)
    inputs = text_input()
    x = vectorizer(inputs)
    common = {"dropout": float(config.dropout), "augment": float(word_dropout), "seed": seed}
    vocabulary = int(vectorizer.vocabulary_size())
    if architecture == "ngram_mlp":
        outputs = _text_nets.ngram_mlp(keras, x, n_classes, units=config.units, **common)
    elif architecture == "sepcnn":
        outputs = _text_nets.sepcnn(
            keras,
            x,
            n_classes,
            vocabulary=vocabulary,
            embedding_dim=config.embedding_dim,
            **common,
        )
    else:
        outputs = _text_nets.transformer(
            keras,
            x,
            n_classes,
            vocabulary=vocabulary,
            sequence_length=int(settings["output_sequence_length"]),
            embedding_dim=config.embedding_dim,
            units=config.units,
            **common,
        )
    model = keras.Model(inputs, outputs, name=f"{architecture}_text")
    return TextModel(model=model, architecture=architecture, vectorizer=vectorizer)


def _pretrained(
    n_classes: int, config: TextModelConfig, seed: int, options: dict[str, Any]
) -> TextModel:
    """The pretrained KerasHub model (helper module ``_text_pretrained``)."""
    module = "automl_gui.core.models._text_pretrained"
    try:
        from automl_gui.core.models._text_pretrained import build_pretrained_text_model
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        raise ConfigError(
            "The pretrained text model is not available in this version.",
            "Choose the n-gram MLP, the sepCNN or the Transformer.",
        ) from None
    folder = options.get("weights_file") or config.weights_path
    if not folder:
        raise ConfigError(
            "The pretrained text model needs the folder holding its files.",
            "Choose the folder of a KerasHub preset (config.json, weights, tokenizer).",
        )
    from automl_gui.core.preprocess.text_config import AUTO_SEQUENCE_RANGE

    resolved = getattr(options.get("preprocess"), "sequence_length", 0)
    length = options.get("sequence_length") or resolved or AUTO_SEQUENCE_RANGE[1]
    parts = build_pretrained_text_model(
        str(folder),
        n_classes,
        sequence_length=int(length),
        seed=seed,
        dropout=float(config.dropout),
    )
    return TextModel(
        model=parts.model,
        architecture="pretrained",
        backbone=parts.backbone,
        feature_model=parts.feature_model,
        head=parts.head,
    )


def build_text_model(
    architecture: str,
    n_classes: int,
    vectorizer: Any,
    model_config: TextModelConfig,
    *,
    seed: int = 0,
    word_dropout: float = 0.0,
    **options: Any,
) -> TextModel:
    """Build ``architecture`` ("ngram_mlp" | "sepcnn" | "transformer" | "pretrained"; not
    "auto", which ``core.preprocess.text.auto_text_architecture`` resolves) for
    ``n_classes`` classes on ``vectorizer`` (``build_vectorizer``'s adapted layer; None for
    "pretrained").

    ``word_dropout``: augmentation (``TextPreprocessConfig.word_dropout``), training only.
    ``options``: what the files job passes (``n_train``, unused; ``weights_file``: the
    pretrained model's folder) and ``sequence_length`` for "pretrained".

    Raises:
        ConfigError: unknown architecture ("auto" unresolved), fewer than 2 classes, a
            setting out of range, a vectorizer the network cannot take, no pretrained model.
    """
    check_architecture(
        architecture,
        "text",
        ARCHITECTURES,
        "Resolve 'auto' first (core.preprocess.text.auto_text_architecture).",
    )
    if int(n_classes) < 2:
        raise ConfigError(
            f"A text classifier needs at least 2 classes, got {n_classes}.",
            "Give texts of two or more classes.",
        )
    model_config.validate()
    if not 0.0 <= float(word_dropout) < 1.0:
        raise ConfigError(
            f"Word dropout {word_dropout:g} is out of range.", "Use a fraction from 0 (off) to 0.5."
        )
    if architecture == "pretrained":
        return _pretrained(int(n_classes), model_config, int(seed), options)
    import automl_gui.core.models.image_layers  # noqa: F401  (TrainingOnly, word dropout)

    return _from_scratch(
        architecture, int(n_classes), vectorizer, model_config, int(seed), float(word_dropout)
    )

"""The pretrained text model: a KerasHub encoder (BERT and its relatives) from a preset
folder on this computer, with a new classifier head, trained in the image backbones' two
phases (the head on the frozen encoder, then its top layers fine-tuned at a lower rate).

BERT: Devlin et al. 2019, *BERT: Pre-training of Deep Bidirectional Transformers for
Language Understanding*; fine-tuning its ``[CLS]`` (pooled) output with one softmax layer is
the paper's classification recipe (section 4.1).

Input contract as every text model (``core.models.text``): raw strings ``(n,)`` named
"text" → float32 softmax. Inside: the preset's tokenizer (a KerasHub layer, truncating to
``sequence_length - 2`` pieces, padded with 0) → ``[start] pieces [end] [pad]…`` token ids,
padding mask and segment ids built with ``keras.ops`` nodes (what KerasHub's
``TextClassifierPreprocessor`` computes for one segment, checked id for id in the tests) →
the backbone → pooled output (or the first token's vector) → dropout → softmax. Not
KerasHub's preprocessor layer itself: a ``.keras`` file restores its tokenizer's vocabulary
only after rebuilding the graph, which the preprocessor cannot be traced without, and its
packer declares one output where it returns two.

A saved model holds KerasHub's classes (tokenizer, backbone): it loads in safe mode with
``keras-hub`` installed (Keras imports it from the saved class's module), not with plain
Keras alone; the metadata's ``pretrained.requires`` says so. The preset folder is found by
the weights lookup (``weights.resolve_weights("pretrained")``, ``_presets``); nothing is
downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.models._presets import LAYOUT, check_preset

#: the pip package a model built here needs wherever it is loaded
REQUIRES = "keras-hub"
#: the backbone inputs built here (KerasHub's names)
INPUTS = ("token_ids", "padding_mask", "segment_ids")
#: at least start, one piece and end
MIN_SEQUENCE = 3
#: ``auto_fine_tune_layers``: (minimum training texts, layers to unfreeze from the top)
FINE_TUNE_TIERS = ((2000, 4), (100, 2))

__all__ = [
    "PretrainedText",
    "auto_fine_tune_layers",
    "build_pretrained_text_model",
    "keras_hub_module",
]


@dataclass
class PretrainedText:
    """The parts of a built pretrained text model (``core.models.text`` wraps them in its
    ``TextModel``).

    Args:
        model: strings ``(n,)`` → float32 probabilities (the trained, saved model).
        backbone: the KerasHub backbone, frozen after building.
        feature_model: strings → the backbone's pooled features, sharing layers with
            ``model`` (the files job caches them for the head phase).
        head: features → probabilities, sharing its layers with ``model``.
        sequence_length: token ids per text, start and end tokens included.
        info: what was loaded, for the metadata (preset folder name, classes, sizes,
            ``requires``).
    """

    model: Any
    backbone: Any
    feature_model: Any
    head: Any
    sequence_length: int
    info: dict[str, Any] = field(default_factory=dict)


def keras_hub_module() -> Any:
    """``keras_hub``, imported.

    Raises:
        ConfigError: it is not installed (the app runs without it; only this model needs it).
    """
    try:
        import keras_hub
    except ImportError:
        raise ConfigError(
            "The pretrained text model needs KerasHub, which is not installed.",
            f'Install it with `pip install {REQUIRES}` (or `pip install "automl-gui[text]"`), '
            "or choose the n-gram MLP, the sepCNN or the Transformer.",
        ) from None
    return keras_hub


def auto_fine_tune_layers(n_train: int, available: int) -> int:
    """Backbone layers to fine-tune for "auto" (``FINE_TUNE_TIERS``): the head only under
    100 training texts (a few examples overfit a fine-tuned encoder), the pooler and the last
    encoder block from 100, the top 4 layers from 2,000; never more than ``available``."""
    for minimum, layers in FINE_TUNE_TIERS:
        if int(n_train) >= minimum:
            return min(layers, int(available))
    return 0


def _cannot_load(path: Path, what: str, exc: Exception) -> ModelError:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return ModelError(
        f"Cannot load the {what} of the KerasHub preset {path}: {first}",
        f"Choose {LAYOUT}, saved by a keras-hub version this one reads.",
    )


def _load(keras_hub: Any, path: Path, sequence_length: int) -> tuple[Any, Any, int]:
    """(tokenizer, backbone, sequence length) from the preset; the tokenizer truncates and
    pads to the sequence length less the start and end tokens."""
    try:
        backbone = keras_hub.models.Backbone.from_preset(str(path))
    except Exception as exc:  # noqa: BLE001 - KerasHub/Keras raise many types for a bad preset
        raise _cannot_load(path, "backbone", exc) from None
    limit = backbone.get_config().get("max_sequence_length")
    length = int(sequence_length)
    if isinstance(limit, int) and limit > 0:
        length = min(length, limit)
    if length < MIN_SEQUENCE:
        raise ConfigError(
            f"A sequence length of {length} leaves no room for text.",
            f"Use a sequence length of at least {MIN_SEQUENCE} tokens (0 = automatic).",
        )
    try:
        tokenizer = keras_hub.models.Tokenizer.from_preset(str(path), sequence_length=length - 2)
    except Exception as exc:  # noqa: BLE001
        raise _cannot_load(path, "tokenizer", exc) from None
    _check_parts(path, tokenizer, backbone)
    return tokenizer, backbone, length


def _check_parts(path: Path, tokenizer: Any, backbone: Any) -> None:
    """ModelError unless the tokenizer has start/end/pad tokens with a special token at id 0
    (its padding) and the backbone takes token ids plus some of :data:`INPUTS`."""
    ids = [getattr(tokenizer, f"{t}_token_id", None) for t in ("start", "end", "pad")]
    try:
        special = set(tokenizer.special_token_ids)
    except (AttributeError, ValueError):
        special = set()
    if None in ids or 0 not in special:
        raise ModelError(
            f"The tokenizer of {path} ({type(tokenizer).__name__}) is not one this app can "
            "use: it needs start, end and padding tokens, and a special token at id 0.",
            "Choose an encoder preset such as BERT (bert_tiny_en_uncased) or DistilBERT.",
        )
    inputs = backbone.input
    names = set(inputs) if isinstance(inputs, dict) else set()
    if "token_ids" not in names or not names <= set(INPUTS):
        takes = ", ".join(sorted(names)) or "unnamed tensors"
        raise ModelError(
            f"The backbone of {path} ({type(backbone).__name__}) takes {takes}; this app "
            f"feeds {', '.join(INPUTS)}.",
            "Choose an encoder preset such as BERT (bert_tiny_en_uncased) or DistilBERT.",
        )


def _encoded(keras: Any, tokenizer: Any, backbone: Any, text: Any) -> Any:
    """The backbone's features of the strings ``text``: pooled output, else the first
    (start) token's vector."""
    ops = keras.ops
    pieces = tokenizer(text)  # (n, length - 2), padded with 0
    real = ops.not_equal(pieces, 0)
    count = ops.sum(ops.cast(real, "int32"), axis=1, keepdims=True)
    edge = ops.ones_like(pieces[:, :1])
    body = ops.where(real, pieces, tokenizer.pad_token_id)
    ids = ops.concatenate(
        [edge * tokenizer.start_token_id, body, edge * tokenizer.pad_token_id], axis=1
    )
    position = ops.cumsum(ops.ones_like(ids), axis=1) - 1
    ids = ops.where(ops.equal(position, count + 1), tokenizer.end_token_id, ids)
    available = {
        "token_ids": ids,
        "padding_mask": ops.less_equal(position, count + 1),
        "segment_ids": ops.zeros_like(ids),
    }
    out = backbone({name: available[name] for name in backbone.input})
    if isinstance(out, dict):
        out = out["pooled_output"] if "pooled_output" in out else out["sequence_output"]
    if len(out.shape) == 3:
        out = out[:, 0, :]
    return out


def build_pretrained_text_model(
    folder: str | Path,
    n_classes: int,
    *,
    sequence_length: int,
    seed: int = 0,
    dropout: float = 0.1,
) -> PretrainedText:
    """The KerasHub preset in ``folder`` (``_presets.check_preset``) with a new
    ``n_classes`` softmax head; the backbone frozen (``TextModel.unfreeze_top`` opens its top
    layers for phase 2). ``sequence_length``: token ids per text (start and end included),
    capped at the backbone's ``max_sequence_length``.

    Raises:
        ConfigError: keras-hub is not installed, or a setting leaves no room for text.
        ModelError: the folder is not a usable KerasHub text preset (what is missing or
            which part does not fit).
    """
    from automl_gui.core.base import lazy
    from automl_gui.core.models._text_nets import classifier

    if int(n_classes) < 2:
        raise ConfigError(
            f"A text classifier needs at least 2 classes, got {n_classes}.",
            "Give texts of two or more classes.",
        )
    path = check_preset(folder)
    keras_hub = keras_hub_module()
    keras = lazy.keras()
    tokenizer, backbone, length = _load(keras_hub, path, sequence_length)
    backbone.trainable = False

    text = keras.Input(shape=(), dtype="string", name="text")  # models.text.INPUT_NAME
    features = _encoded(keras, tokenizer, backbone, text)
    feature_model = keras.Model(text, features, name="pretrained_text_features")
    feature_input = keras.Input(shape=(int(features.shape[-1]),), name="features")
    h = feature_input
    if float(dropout) > 0:
        h = keras.layers.Dropout(float(dropout), seed=int(seed) + 200, name="dropout")(h)
    head = keras.Model(feature_input, classifier(keras, h, int(n_classes), int(seed)), name="head")
    model = keras.Model(text, head(features), name="pretrained_text_classifier")
    info = {
        "preset": path.name,
        "backbone": type(backbone).__name__,
        "tokenizer": type(tokenizer).__name__,
        "sequence_length": length,
        "backbone_weights": int(backbone.count_params()),
        "keras_hub": str(getattr(keras_hub, "__version__", "")),
        "requires": REQUIRES,
    }
    return PretrainedText(model, backbone, feature_model, head, length, info)

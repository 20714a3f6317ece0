"""Image models: a compact CNN sized to the data, and ResNet50/InceptionV3 transfer learning.

Every model follows the input contract of ``core.preprocess.images``: float32 RGB images in
[0, 255] of any size in, class probabilities (softmax, float32) out; resizing, colour mode,
augmentation (training only) and normalization are layers inside the model, so a saved model
needs nothing else.

Backbones are called with ``training=False``. Keras 3 passes the outer ``training`` flag into
nested models anyway, so what really keeps their BatchNorm layers in inference mode is that
they are never trainable: a frozen ``BatchNormalization`` always normalizes with its moving
statistics, and :meth:`ImageModel.unfreeze_top` never unfreezes one.

Two-phase transfer learning: phase 1 trains ``head`` (features → probabilities), either on
features ``feature_model`` computed once (no augmentation) or inside ``model``; both share the
same layers, so the trained head is ``model``'s head. Phase 2 calls ``unfreeze_top(n)`` and
fine-tunes ``model`` at a lower learning rate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.models._fine_tune import FineTuning
from automl_gui.core.models.image_config import DEFAULT_SIZES, ImageModelConfig
from automl_gui.core.preprocess.image_config import COLOR_MODES, ImagePreprocessConfig

FAMILIES = ("cnn", "resnet50", "inceptionv3")
#: The smallest input side each backbone accepts (Keras's own limits).
MIN_SIZES = {"cnn": 16, "resnet50": 32, "inceptionv3": 75}
#: The normalization each network was trained with (see ``_image_ops.normalization``).
NORMALIZATION = {"cnn": "unit", "resnet50": "resnet50", "inceptionv3": "inceptionv3"}
DISPLAY_NAMES = {"cnn": "CNN", "resnet50": "ResNet50", "inceptionv3": "InceptionV3"}

#: ``auto_fine_tune_layers``: (minimum training images, layers to unfreeze), largest first.
#: The counts are the weighted non-BatchNorm layers (convolutions) of whole resolution stages
#: counted from the top, so fine-tuning starts at a block boundary:
#: ResNet50: 10 = the conv5 stage, 29 = conv4 + conv5;
#: InceptionV3: 18 = the 8×8 blocks mixed9 + mixed10, 64 = mixed4 … mixed10 (17×17 and 8×8).
FINE_TUNE_TIERS = {
    "resnet50": ((2000, 29), (100, 10)),
    "inceptionv3": ((2000, 64), (100, 18)),
}

#: CNN sizing: blocks halve the side until it is at most this; base filters by training images.
CNN_FINAL_SIDE = 8
CNN_MAX_FILTERS = 256
CNN_BASE_FILTERS = ((10_000, 64), (1_000, 32), (0, 16))


@dataclass
class ImageModel(FineTuning):
    """A built image model and the parts the two-phase training needs.

    Args:
        model: the full model (images → probabilities); the one trained in phase 2/for the
            CNN, saved and exported.
        architecture: "cnn", "resnet50" or "inceptionv3".
        image_size: the side the model resizes to.
        backbone: the pretrained network (None for the CNN); frozen after building.
        feature_model: images → pooled backbone features, no augmentation (None for the CNN);
            shares its layers with ``model``.
        head: features → probabilities (None for the CNN); shares its layers with ``model``,
            so training it on cached features trains ``model``'s head.
    """

    model: Any
    architecture: str
    image_size: int
    backbone: Any = None
    feature_model: Any = None
    head: Any = None

    def _stays_frozen(self, layer: Any) -> bool:
        """BatchNorm layers stay frozen: fine-tuning unfreezes the convolutions (Keras'
        transfer-learning guide: their statistics would drift on a small dataset)."""
        from automl_gui.core.base import lazy

        return isinstance(layer, lazy.keras().layers.BatchNormalization)


def check_architecture(
    architecture: str,
    kind: str = "image",
    families: Sequence[str] = FAMILIES,
    auto_hint: str = "Resolve 'auto' to a network first.",
) -> None:
    """ConfigError unless ``architecture`` is one of ``families`` (``kind`` names the data in
    the message: "image", "audio", "text"; ``auto_hint`` says where "auto" is resolved)."""
    if architecture not in families:
        hint = auto_hint if architecture == "auto" else f"Use one of {', '.join(families)}."
        raise ConfigError(f"Unknown {kind} model '{architecture}'.", hint)


def _median_side(sizes: dict[str, Any]) -> float | None:
    """The shorter median side from ``ImageDataset.size_stats()``, or None when unknown."""
    sides = []
    for key in ("width", "height"):
        stats = sizes.get(key)
        value = stats.get("median") if isinstance(stats, dict) else None
        if not isinstance(value, (int, float)) or value <= 0:
            return None
        sides.append(float(value))
    return min(sides)


def auto_image_size(architecture: str, sizes: dict[str, Any] | None = None) -> int:
    """Target size for "auto": 224 ResNet50, 299 InceptionV3; the CNN from the image sizes
    (median side rounded to a multiple of 16, within [32, 128]; 64 without statistics).

    ``sizes`` are the image size statistics (``ImageDataset.size_stats()``): the shorter of
    ``sizes["width"]["median"]`` and ``sizes["height"]["median"]`` decides.
    """
    check_architecture(architecture)
    if architecture in DEFAULT_SIZES:
        return int(DEFAULT_SIZES[architecture])
    side = _median_side(sizes) if sizes else None
    if side is None:
        return 64
    return int(min(128, max(32, 16 * int(side / 16 + 0.5))))


def auto_fine_tune_layers(architecture: str, n_train: int) -> int:
    """Layers to unfreeze for "auto": more with more data, 0 for very small datasets.

    The rule (``FINE_TUNE_TIERS``): under 100 training images only the head is trained (0);
    from 100 the last resolution stage is fine-tuned (ResNet50 conv5: 10 layers; InceptionV3
    mixed9–mixed10: 18); from 2,000 the last two stages (ResNet50 conv4+conv5: 29;
    InceptionV3 mixed4–mixed10: 64). The CNN trains all its layers: 0.
    """
    check_architecture(architecture)
    for minimum, layers in FINE_TUNE_TIERS.get(architecture, ()):
        if n_train >= minimum:
            return layers
    return 0


def _check_inputs(
    architecture: str, n_classes: int, image_size: int, preprocess: ImagePreprocessConfig
) -> None:
    check_architecture(architecture)
    if int(n_classes) < 2:
        raise ConfigError(
            f"An image classifier needs at least 2 classes, got {n_classes}.",
            "Add a folder of images for each class (two or more classes).",
        )
    minimum = MIN_SIZES[architecture]
    if int(image_size) < minimum:
        raise ConfigError(
            f"{DISPLAY_NAMES[architecture]} needs images of at least {minimum}×{minimum} "
            f"pixels; the target size is {image_size}.",
            f"Set the image size to {minimum} or more (or 0 for automatic).",
        )
    if preprocess.color_mode not in COLOR_MODES:
        raise ConfigError(
            f"Unknown colour mode '{preprocess.color_mode}'.",
            f"Use one of {', '.join(COLOR_MODES)}.",
        )


def _input_stage_layers(
    image_size: int, color_mode: str, normalization: str
) -> tuple[list[Any], Any]:
    """(layers before augmentation, normalization) of the input stage: Keras layers and
    ``keras.ops`` steps (``_image_ops``), callables on a Keras tensor. ``color_mode`` "auto"
    is resolved from the images before a training builds its model
    (``preprocess.images.resolve_color_mode``); left unresolved it keeps the RGB input."""
    from automl_gui.core.base import lazy
    from automl_gui.core.models import _image_ops

    keras = lazy.keras()
    if normalization not in _image_ops.NORMALIZATIONS:
        known = ", ".join(_image_ops.NORMALIZATIONS)
        raise ConfigError(f"Unknown normalization '{normalization}'.", f"Use one of {known}.")
    if color_mode not in COLOR_MODES:
        raise ConfigError(
            f"Unknown colour mode '{color_mode}'.", f"Use one of {', '.join(COLOR_MODES)}."
        )
    s = int(image_size)
    before: list[Any] = [
        keras.layers.Resizing(s, s, interpolation="bilinear", dtype="float32", name="resize")
    ]
    if color_mode == "grayscale":
        before.append(_image_ops.grayscale(keras, 1 if normalization == "unit" else 3))
    return before, _image_ops.normalization(keras, normalization)


def _resize_and_convert(before: list[Any], inputs: Any) -> Any:
    """Call the layers before augmentation; Resizing with an explicit ``training=False``.

    Keras's image preprocessing layers declare ``training=True`` as their default, and in
    Keras 3 the value a layer resolves is passed on to the layers called after it in the same
    model call. Without the explicit ``False``, ``model(images)`` (no ``training`` argument)
    would augment and run BatchNorm on batch statistics. ``fit`` still passes
    ``training=True`` to every layer, which overrides this.
    """
    x = before[0](inputs, training=False)
    for layer in before[1:]:
        x = layer(x)
    return x


def build_input_stage(
    inputs: Any, image_size: int, color_mode: str, normalization: str, augment: Any = None
) -> Any:
    """Apply the model's input stage to the Keras tensor ``inputs`` and return the output.

    Resizing(image_size, bilinear) → grayscale (1 channel; repeated to 3 when
    ``normalization`` is a backbone's) → ``augment`` (a Keras model/layer, optional; wrapped
    in ``TrainingOnly`` so it runs in ``fit`` only, never in ``model(x)`` or ``predict``) → normalization: "unit" (/255, for the CNN), "resnet50" (caffe: RGB→BGR,
    ImageNet mean subtracted), "inceptionv3" (tf: [-1, 1]) — equal to
    ``keras.applications.<net>.preprocess_input``, as serializable layers (no Lambda).

    Raises:
        ConfigError: unknown colour mode or normalization.
    """
    before, normalize = _input_stage_layers(image_size, color_mode, normalization)
    x = _resize_and_convert(before, inputs)
    if augment is not None:
        x = _training_only(augment)(x)
    return normalize(x)


def _training_only(augment: Any) -> Any:
    from automl_gui.core.models.image_layers import TrainingOnly

    return TrainingOnly(augment, name="augment")


def _image_input() -> Any:
    from automl_gui.core.base import lazy

    return lazy.keras().Input(shape=(None, None, 3), dtype="float32", name="image")


def _classifier(keras: Any, n_classes: int, seed: int) -> Any:
    return keras.layers.Dense(
        int(n_classes),
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 300),
        dtype="float32",
        name="probabilities",
    )


def cnn_plan(image_size: int, n_train: int) -> tuple[int, list[int]]:
    """(number of blocks, filters per block) of the compact CNN.

    Blocks halve the side until it is at most 8 (at least one block); filters double per
    block from a base that grows with the training images (16 under 1,000, 32 under 10,000,
    64 from there), capped at 256.
    """
    side, blocks = int(image_size), 0
    while side > CNN_FINAL_SIDE or blocks == 0:
        side //= 2
        blocks += 1
    base = next(f for minimum, f in CNN_BASE_FILTERS if n_train >= minimum)
    return blocks, [min(CNN_MAX_FILTERS, base * 2**i) for i in range(blocks)]


#: BatchNorm momentum of the compact CNNs (images and audio). They train from scratch, often
#: on a few steps per epoch: with Keras's 0.99 the moving statistics inference uses need ~300
#: steps to settle, and a model that fits its batches evaluates near chance for its first
#: epochs (8x8 digits: validation 0.10-0.19 for 5 epochs at 0.99, 0.89 at epoch 3 with 0.9).
CNN_BN_MOMENTUM = 0.9


def conv_blocks(
    x: Any,
    filters: list[int],
    seed: int,
    pools: list[Any] | None = None,
    bn_momentum: float = CNN_BN_MOMENTUM,
    convs: int = 2,
) -> Any:
    """The compact CNN's body: per block ``convs`` 3×3 convolutions (no bias) + BatchNorm +
    ReLU (two for images, one for audio), then max pooling by ``pools[b]`` (default 2; a
    tuple pools the two axes differently). ``bn_momentum``: BatchNorm's moving-average
    momentum (:data:`CNN_BN_MOMENTUM`).

    Shared by the image CNN and the audio CNN (``core.models.audio``); layer names
    ``block{b}_conv{c}``, ``block{b}_bn{c}``, ``block{b}_relu{c}``, ``block{b}_pool``.
    """
    from automl_gui.core.base import lazy

    keras = lazy.keras()
    k = 0
    for b, n_filters in enumerate(filters, start=1):
        for c in range(1, convs + 1):
            x = keras.layers.Conv2D(
                n_filters,
                3,
                padding="same",
                use_bias=False,
                kernel_initializer=keras.initializers.HeNormal(seed=seed + k),
                name=f"block{b}_conv{c}",
            )(x)
            x = keras.layers.BatchNormalization(momentum=bn_momentum, name=f"block{b}_bn{c}")(x)
            x = keras.layers.Activation("relu", name=f"block{b}_relu{c}")(x)
            k += 1
        pool = 2 if pools is None else pools[b - 1]
        x = keras.layers.MaxPooling2D(pool, name=f"block{b}_pool")(x)
    return x


def cnn_top(x: Any, n_classes: int, dropout: float, seed: int) -> Any:
    """Global average pooling → dropout (if > 0) → float32 softmax ``probabilities``."""
    from automl_gui.core.base import lazy

    keras = lazy.keras()
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    if dropout > 0:
        x = keras.layers.Dropout(dropout, seed=seed + 200, name="dropout")(x)
    return _classifier(keras, n_classes, seed)(x)


def _build_cnn(
    n_classes: int,
    image_size: int,
    preprocess: ImagePreprocessConfig,
    config: ImageModelConfig,
    n_train: int,
    seed: int,
) -> ImageModel:
    from automl_gui.core.base import lazy
    from automl_gui.core.preprocess.images import build_augmentation

    keras = lazy.keras()
    inputs = _image_input()
    augment = build_augmentation(preprocess.augment, seed=seed)
    x = build_input_stage(inputs, image_size, preprocess.color_mode, "unit", augment)
    _, filters = cnn_plan(image_size, n_train)
    outputs = cnn_top(conv_blocks(x, filters, seed), n_classes, config.dropout, seed)
    model = keras.Model(inputs, outputs, name="cnn")
    return ImageModel(model=model, architecture="cnn", image_size=int(image_size))


def build_backbone_model(
    architecture: str,
    n_classes: int,
    image_size: int,
    config: ImageModelConfig,
    weights_file: str | None,
    seed: int,
    input_stage: Callable[[], tuple[Any, Any, Any]],
) -> ImageModel:
    """A frozen pretrained ``architecture`` with a new head, fed by ``input_stage``.

    ``input_stage()`` builds the model's input and returns ``(inputs, plain, trained)``: the
    Keras input and two tensors of ``(image_size, image_size, 3)`` images already normalized
    for the network, ``plain`` without augmentation (for ``feature_model``) and ``trained``
    with it (``plain`` itself when there is none). Both paths share their layers, so
    ``feature_model`` and ``head`` share layers with ``model``. Used for images and for
    spectrograms (``core.models.audio``).

    Raises:
        ModelError: the weights file does not fit the network.
    """
    from automl_gui.core.base import lazy
    from automl_gui.core.models._backbone_weights import load_backbone_weights

    keras = lazy.keras()
    s = int(image_size)
    constructor = {
        "resnet50": keras.applications.ResNet50,
        "inceptionv3": keras.applications.InceptionV3,
    }[architecture]
    backbone = constructor(include_top=False, weights=None, input_shape=(s, s, 3))
    if weights_file:
        load_backbone_weights(backbone, weights_file, DISPLAY_NAMES[architecture])
    backbone.trainable = False

    n_features = int(backbone.output.shape[-1])
    pool = keras.layers.GlobalAveragePooling2D(dtype="float32", name="pool")
    feature_input = keras.Input(shape=(n_features,), dtype="float32", name="features")
    h = feature_input
    if config.dropout > 0:
        h = keras.layers.Dropout(config.dropout, seed=seed + 200, name="dropout")(h)
    head = keras.Model(feature_input, _classifier(keras, n_classes, seed)(h), name="head")

    inputs, plain, trained = input_stage()
    model = keras.Model(
        inputs, head(pool(backbone(trained, training=False))), name=f"{architecture}_classifier"
    )
    feature_model = keras.Model(
        inputs, pool(backbone(plain, training=False)), name=f"{architecture}_features"
    )
    return ImageModel(
        model=model,
        architecture=architecture,
        image_size=s,
        backbone=backbone,
        feature_model=feature_model,
        head=head,
    )


def _image_stage(
    architecture: str, image_size: int, preprocess: ImagePreprocessConfig, seed: int
) -> Callable[[], tuple[Any, Any, Any]]:
    """The image models' ``input_stage`` for :func:`build_backbone_model`."""

    def stage() -> tuple[Any, Any, Any]:
        from automl_gui.core.preprocess.images import build_augmentation

        inputs = _image_input()
        before, normalize = _input_stage_layers(image_size, preprocess.color_mode, architecture)
        x = _resize_and_convert(before, inputs)
        plain = normalize(x)
        augment = build_augmentation(preprocess.augment, seed=seed)
        trained = normalize(_training_only(augment)(x)) if augment is not None else plain
        return inputs, plain, trained

    return stage


def build_image_model(
    architecture: str,
    n_classes: int,
    image_size: int,
    preprocess: ImagePreprocessConfig,
    config: ImageModelConfig,
    *,
    n_train: int = 0,
    weights_file: str | None = None,
    seed: int = 42,
) -> ImageModel:
    """Build ``architecture`` ("cnn" | "resnet50" | "inceptionv3"; not "auto").

    The CNN's width and depth follow ``image_size`` and ``n_train`` (:func:`cnn_plan`).
    Backbones load ``weights_file`` (an ``include_top=False`` weights file, e.g. from
    :func:`weights.resolve_weights`) when given, else start random; they are frozen.
    Layers take the global Keras dtype policy (mixed precision); the input stage and the
    classifier compute in float32, so the outputs are float32 probabilities.

    Raises:
        ConfigError: unknown architecture, too small an image size for a backbone (ResNet50
            32, InceptionV3 75), fewer than 2 classes.
        ModelError: the weights file does not fit the network (the message names the file).
    """
    _check_inputs(architecture, n_classes, image_size, preprocess)
    if not 0.0 <= config.dropout < 1.0:
        raise ConfigError(f"Dropout {config.dropout} is out of range.", "Use a value in [0, 1).")
    import automl_gui.core.models.image_layers  # noqa: F401  (registers the custom layers)

    if architecture == "cnn":
        return _build_cnn(n_classes, image_size, preprocess, config, n_train, seed)
    stage = _image_stage(architecture, int(image_size), preprocess, seed)
    return build_backbone_model(
        architecture, n_classes, image_size, config, weights_file, seed, stage
    )


__all__ = [
    "FAMILIES",
    "ImageModel",
    "auto_fine_tune_layers",
    "auto_image_size",
    "build_image_model",
    "build_input_stage",
    "cnn_plan",
]

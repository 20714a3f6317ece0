"""Image models: the input stage equals Keras's preprocess_input, automatic sizes and
fine-tuning depths, the CNN's shape, two-phase mechanics, errors (mixed precision and the errors
every network refuses, as for audio: test_file_kinds_models.py)."""

from __future__ import annotations

import numpy as np
import pytest

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.models.images import (
    FINE_TUNE_TIERS,
    ImageModel,
    auto_fine_tune_layers,
    auto_image_size,
    build_image_model,
    build_input_stage,
    cnn_plan,
)
from automl_gui.core.preprocess.image_config import AugmentConfig, ImagePreprocessConfig

NO_AUGMENT = ImagePreprocessConfig(augment=AugmentConfig(enabled=False))


def pixels(n: int, h: int, w: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 255, (n, h, w, 3)).astype("float32")


def stage(size: int, color_mode: str, normalization: str, augment=None):
    import keras

    inputs = keras.Input((None, None, 3))
    return keras.Model(inputs, build_input_stage(inputs, size, color_mode, normalization, augment))


# -- input stage ------------------------------------------------------------------------------
@pytest.mark.parametrize("net", ["resnet50", "inceptionv3"])
def test_input_stage_equals_keras_preprocess_input(net: str) -> None:
    import keras

    reference = {
        "resnet50": keras.applications.resnet50.preprocess_input,
        "inceptionv3": keras.applications.inception_v3.preprocess_input,
    }[net]
    x = pixels(2, 24, 24)
    out = stage(24, "rgb", net)(x).numpy()  # same size: resizing is the identity
    np.testing.assert_allclose(out, reference(x.copy()), rtol=0, atol=1e-5)
    assert out.dtype == np.float32


def test_input_stage_unit_grayscale_and_resizing() -> None:
    import keras

    from automl_gui.core.models._image_ops import grayscale

    x = pixels(2, 50, 40)
    unit = stage(16, "rgb", "unit")(x).numpy()
    assert unit.shape == (2, 16, 16, 3) and 0 <= unit.min() and unit.max() <= 1
    gray = stage(16, "grayscale", "unit")(x).numpy()
    assert gray.shape == (2, 16, 16, 1)
    luma = (unit * [0.2989, 0.5870, 0.1140]).sum(-1, keepdims=True)
    np.testing.assert_allclose(gray, luma, atol=1e-5)
    gray3 = stage(16, "grayscale", "inceptionv3")(x).numpy()
    assert gray3.shape == (2, 16, 16, 3)
    np.testing.assert_array_equal(gray3[..., 0], gray3[..., 2])
    np.testing.assert_allclose(gray3[..., :1], luma * 2 - 1, atol=1e-5)
    one_channel = np.asarray(grayscale(keras, 3)(x[..., :1]))  # already gray: repeated
    np.testing.assert_array_equal(one_channel, np.repeat(x[..., :1], 3, axis=-1))
    with pytest.raises(ConfigError):
        stage(16, "rgb", "vgg16")
    with pytest.raises(ConfigError):
        stage(16, "sepia", "unit")


def test_augmentation_runs_in_training_only() -> None:
    from automl_gui.core.preprocess.images import build_augmentation

    aug = build_augmentation(AugmentConfig(flip="both", rotation=0.2, contrast=0.3), seed=1)
    model = stage(16, "rgb", "unit", aug)
    x = pixels(4, 16, 16)
    plain = stage(16, "rgb", "unit")(x).numpy()
    np.testing.assert_allclose(model(x).numpy(), plain, atol=1e-6)  # no training argument
    np.testing.assert_allclose(model.predict(x, verbose=0), plain, atol=1e-6)
    assert np.abs(model(x, training=True).numpy() - plain).max() > 0.05


# -- automatic choices ------------------------------------------------------------------------
def test_auto_image_size() -> None:
    assert auto_image_size("resnet50") == 224
    assert auto_image_size("inceptionv3", {"width": {"median": 40}}) == 299
    assert auto_image_size("cnn") == 64
    assert auto_image_size("cnn", {"width": {"median": 40}, "height": {"median": 70}}) == 48
    assert auto_image_size("cnn", {"width": {"median": 500}, "height": {"median": 400}}) == 128
    assert auto_image_size("cnn", {"count": 0, "width": {"median": None}}) == 64
    assert auto_image_size("cnn", {"width": {"median": 10}, "height": {"median": 12}}) == 32
    with pytest.raises(ConfigError):
        auto_image_size("auto")


def test_auto_fine_tune_layers_grows_with_data() -> None:
    for net in ("resnet50", "inceptionv3"):
        depths = [auto_fine_tune_layers(net, n) for n in (0, 99, 100, 1999, 2000, 10**6)]
        assert depths[0] == depths[1] == 0
        assert 0 < depths[2] == depths[3] < depths[4] == depths[5]
    assert auto_fine_tune_layers("cnn", 10**6) == 0


def test_cnn_plan_follows_image_and_dataset_size() -> None:
    assert cnn_plan(16, 0) == (1, [16])
    assert cnn_plan(32, 50) == (2, [16, 32])
    assert cnn_plan(64, 5000) == (3, [32, 64, 128])
    blocks, filters = cnn_plan(1024, 50_000)
    assert blocks == 7 and filters[0] == 64 and max(filters) == 256
    assert cnn_plan(20, 0)[0] == 2  # 20 → 10 → 5


def test_cnn_structure_and_dropout() -> None:
    import keras

    built = build_image_model("cnn", 4, 32, NO_AUGMENT, ImageModelConfig(dropout=0.3), n_train=50)
    assert built.backbone is built.head is built.feature_model is None
    model = built.model
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [16, 16, 32, 32]
    assert sum(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers) == 4
    assert model.get_layer("dropout").rate == pytest.approx(0.3)
    assert model.output.shape[-1] == 4
    assert built.unfreeze_top(5) == 0 and built.max_fine_tune_layers == 0


def test_errors() -> None:
    """(The errors every network refuses: test_file_kinds_models.py.)"""
    cfg = ImageModelConfig()
    with pytest.raises(ConfigError, match="32"):
        build_image_model("resnet50", 3, 31, NO_AUGMENT, cfg)
    with pytest.raises(ConfigError, match="colour"):
        build_image_model("cnn", 3, 64, ImagePreprocessConfig(color_mode="cmyk"), cfg)


# -- two-phase mechanics ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def resnet() -> ImageModel:
    return build_image_model("resnet50", 3, 32, NO_AUGMENT, ImageModelConfig(), seed=3)


def test_head_on_cached_features_equals_the_full_model(resnet: ImageModel) -> None:
    x = pixels(3, 40, 36)
    features = resnet.feature_model(x, training=False).numpy()
    assert features.shape == (3, 2048) and features.dtype == np.float32
    np.testing.assert_allclose(
        resnet.head(features, training=False).numpy(),
        resnet.model(x, training=False).numpy(),
        atol=1e-5,
    )
    assert resnet.model.get_layer("head") is resnet.head
    assert resnet.model.get_layer("resnet50") is resnet.backbone
    # phase 1: only the head trains
    assert not resnet.backbone.trainable
    head_weights = {id(w) for w in resnet.head.trainable_weights}
    assert {id(w) for w in resnet.model.trainable_weights} == head_weights


def test_unfreeze_top_keeps_batchnorm_frozen_and_in_inference_mode(resnet: ImageModel) -> None:
    import keras

    bn = keras.layers.BatchNormalization
    backbone = resnet.backbone

    def trainable_non_bn() -> list[str]:
        return [
            layer.name
            for layer in backbone.layers
            if layer.weights and layer.trainable and not isinstance(layer, bn)
        ]

    assert resnet.unfreeze_top(10) == 10
    names = trainable_non_bn()
    assert len(names) == 10 and all(n.startswith("conv5_") for n in names)
    assert not any(layer.trainable for layer in backbone.layers if isinstance(layer, bn))
    # 10 convolutions (kernel + bias) and the classifier (kernel + bias)
    assert len(resnet.model.trainable_weights) == 10 * 2 + 2

    x, y = pixels(4, 32, 32, seed=1), np.array([0, 1, 2, 0])
    bn_layer = backbone.get_layer("conv5_block3_3_bn")
    low_conv = backbone.get_layer("conv4_block6_3_conv")
    top_conv = backbone.get_layer("conv5_block3_3_conv")
    before = [w.copy() for w in (*bn_layer.get_weights(), low_conv.get_weights()[0])]
    top_before = top_conv.get_weights()[0].copy()
    resnet.model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss="sparse_categorical_crossentropy",
        run_eagerly=True,  # one step: tracing the graph would cost more than it saves
    )
    resnet.model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    after = [*bn_layer.get_weights(), low_conv.get_weights()[0]]
    for b, a in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)  # BN statistics and frozen layers untouched
    assert np.abs(top_conv.get_weights()[0] - top_before).max() > 0
    # BatchNorm normalizes with its moving statistics also when called in training mode
    np.testing.assert_allclose(
        resnet.feature_model(x, training=True).numpy(),
        resnet.feature_model(x, training=False).numpy(),
        atol=1e-5,
    )

    assert resnet.unfreeze_top(10**6) == resnet.max_fine_tune_layers == 53
    assert resnet.unfreeze_top(0) == 0
    assert not resnet.backbone.trainable and len(resnet.model.trainable_weights) == 2
    with pytest.raises(ConfigError):
        resnet.unfreeze_top(-1)


def _weighted_after(backbone, boundary: str) -> list[str]:
    """Names of the weighted non-BN layers that come after ``boundary`` in the backbone."""
    import keras

    names = [layer.name for layer in backbone.layers]
    return [
        layer.name
        for layer in backbone.layers[names.index(boundary) + 1 :]
        if layer.weights and not isinstance(layer, keras.layers.BatchNormalization)
    ]


def test_auto_depths_end_at_block_boundaries(resnet: ImageModel) -> None:
    inception = build_image_model("inceptionv3", 2, 75, NO_AUGMENT, ImageModelConfig())
    boundaries = {
        "resnet50": (resnet, ("conv3_block4_out", "conv4_block6_out")),
        "inceptionv3": (inception, ("mixed3", "mixed8")),
    }
    for net, (built, (big, small)) in boundaries.items():
        (_, many), (_, few) = FINE_TUNE_TIERS[net]
        assert len(_weighted_after(built.backbone, big)) == many
        assert len(_weighted_after(built.backbone, small)) == few
        assert built.unfreeze_top(few) == few
        trainable = [layer.name for layer in built.backbone.layers if layer.trainable]
        assert sorted(trainable) == sorted(_weighted_after(built.backbone, small))
    assert inception.max_fine_tune_layers == 94

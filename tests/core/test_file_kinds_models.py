"""Image and audio models alike: the errors every network refuses in the same words, and mixed
precision that computes in float16 and answers in float32. What only one kind's model does
stays in test_image_models.py and test_audio_models.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.models.audio import build_audio_model
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.models.images import build_image_model
from automl_gui.core.preprocess.audio_config import AudioAugmentConfig, AudioPreprocessConfig
from automl_gui.core.preprocess.image_config import AugmentConfig, ImagePreprocessConfig

RATE = 8000
N = 4000  # audio samples: 0.5 s


def pixels(n: int, h: int, w: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 255, (n, h, w, 3)).astype("float32")


def waves(n: int, length: int = N, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-0.5, 0.5, (n, length)).astype("float32")


def audio_config(**kwargs) -> AudioPreprocessConfig:
    kwargs.setdefault("augment", AudioAugmentConfig(enabled=False))
    return AudioPreprocessConfig(sample_rate=RATE, n_mels=32, **kwargs)


def all_layers(model) -> list:
    out = []
    for layer in model.layers:
        out.append(layer)
        if hasattr(layer, "layers"):
            out.extend(all_layers(layer))
    return out


def image_float16_parts(net: str, built) -> dict[str, str]:
    """Every convolution's compute dtype (float16 under mixed precision)."""
    import keras

    convs = [layer for layer in all_layers(built.model) if isinstance(layer, keras.layers.Conv2D)]
    assert convs
    return {f"conv {i}": c.compute_dtype for i, c in enumerate(convs)}


def audio_float16_parts(net: str, built) -> dict[str, str]:
    """The first convolution's compute dtype (float16), and the front end's and the
    probabilities' (kept in float32)."""
    cnn = net == "cnn"
    head, body = (built.model, built.model) if cnn else (built.head, built.backbone)
    front = built.model if cnn else built.feature_model  # a backbone's model nests it (windows)
    return {
        "stft": front.get_layer("stft").compute_dtype,
        "band_norm": front.get_layer("band_norm").compute_dtype,
        "probabilities": head.get_layer("probabilities").compute_dtype,
        "conv": body.get_layer("block1_conv1" if cnn else "conv1_conv").compute_dtype,
    }


@dataclass(frozen=True)
class Models:
    """What differs between the kinds' models: how one is built (architecture, classes,
    model settings, input size or None), its inputs, and its layers' dtypes."""

    build: Callable[..., Any]
    inputs: Callable[[], np.ndarray]  # a batch to answer (of another size than it was built for)
    train_inputs: Callable[[], np.ndarray] | None  # a batch to run in training mode
    dtypes: Callable[[str, Any], dict[str, str]]
    float32_parts: tuple[str, ...]  # the layers kept in float32 under mixed precision
    mixed_pre: Callable[[], Any]  # the preprocessing (augmentation on) of the mixed model
    too_small: int  # an input size below InceptionV3's 75 px


MODELS = {
    IMAGES: Models(
        build=lambda net, n, model, size=64, pre=None: build_image_model(
            net, n, size, pre or ImagePreprocessConfig(augment=AugmentConfig(enabled=False)), model
        ),
        inputs=lambda: pixels(2, 40, 30),
        train_inputs=None,
        dtypes=image_float16_parts,
        float32_parts=(),
        mixed_pre=ImagePreprocessConfig,
        too_small=74,
    ),
    AUDIO: Models(
        build=lambda net, n, model, size=None, pre=None: build_audio_model(
            net,
            n,
            pre or audio_config(),
            model,
            n_samples=N,
            **({} if size is None else {"image_size": size}),
        ),
        inputs=lambda: waves(2, 3500),
        train_inputs=lambda: waves(2),
        dtypes=audio_float16_parts,
        float32_parts=("stft", "band_norm", "probabilities"),
        mixed_pre=lambda: audio_config(augment=AudioAugmentConfig()),
        too_small=50,
    ),
}
KINDS = pytest.mark.parametrize("kind", list(MODELS), ids=str)


@KINDS
def test_errors_every_network_refuses(kind) -> None:
    table = MODELS[kind]
    build = table.build
    cfg = ImageModelConfig()
    with pytest.raises(ConfigError, match="vgg"):
        build("vgg", 3, cfg)
    with pytest.raises(ConfigError, match="auto"):
        build("auto", 3, cfg)
    with pytest.raises(ConfigError, match="2 classes"):
        build("cnn", 1, cfg)
    with pytest.raises(ConfigError, match="Dropout"):
        build("cnn", 3, ImageModelConfig(dropout=1.0))
    with pytest.raises(ConfigError, match="75"):
        build("inceptionv3", 3, cfg, size=table.too_small)


@KINDS
@pytest.mark.parametrize("net", ["cnn", "resnet50"])
def test_mixed_float16_builds_and_predicts_float32(kind, net: str) -> None:
    import keras

    table = MODELS[kind]
    pre = table.mixed_pre()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        built = table.build(net, 3, ImageModelConfig(), size=32, pre=pre)
        out = built.model(table.inputs(), training=False).numpy()
        trained = None
        if table.train_inputs is not None:
            trained = built.model(table.train_inputs(), training=True).numpy()
        dtypes = table.dtypes(net, built)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert out.dtype == np.float32 and built.model.output.dtype == "float32"
    assert np.all(np.isfinite(out)) and (trained is None or np.all(np.isfinite(trained)))
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-3)
    for name, dtype in dtypes.items():
        assert dtype == ("float32" if name in table.float32_parts else "float16"), name
    if getattr(built, "feature_model", None) is not None:
        assert built.feature_model.output.dtype == "float32"

"""The contract every image model family passes: build, train a step, save as .keras, reload
with ``safe_mode=True``, predict the same; any input size in, float32 probabilities out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from image_factory import CLASSES, draw

from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.models.images import build_image_model
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig

# Keras's own numpy-2 notice while saving weights; not ours, and one per variable.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

CASES = [  # (family, side, colour mode): every family, and grayscale for both normalizations
    ("cnn", 32, "rgb"),
    ("cnn", 32, "grayscale"),
    ("resnet50", 32, "rgb"),
    ("inceptionv3", 75, "grayscale"),
]


def images(size: tuple[int, int], n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` drawn images (w, h) as float32 RGB in [0, 255], and their class indices."""
    labels = np.arange(n) % len(CLASSES)
    x = np.stack([np.asarray(draw(CLASSES[k], size, seed + i)) for i, k in enumerate(labels)])
    return x.astype("float32"), labels.astype("int32")


def head_kernel(built) -> np.ndarray:
    layer = (built.head or built.model).get_layer("probabilities")
    return np.array(layer.get_weights()[0])


@pytest.mark.parametrize("family,side,color_mode", CASES, ids=lambda v: str(v))
def test_image_model_contract(family: str, side: int, color_mode: str, tmp_path: Path) -> None:
    import keras

    import automl_gui.core.models.image_layers  # noqa: F401  (registers the custom layers)

    preprocess = ImagePreprocessConfig(color_mode=color_mode)  # augmentation on (default)
    built = build_image_model(family, len(CLASSES), side, preprocess, ImageModelConfig(), n_train=4)
    model = built.model
    assert not any(isinstance(layer, keras.layers.Lambda) for layer in model.layers)

    x, y = images((side, side), 4)
    before = head_kernel(built)
    frozen = built.backbone.get_weights()[0].copy() if built.backbone is not None else None
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss="sparse_categorical_crossentropy",
        run_eagerly=family != "cnn",  # one step of a backbone: tracing would cost more
    )
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert np.abs(head_kernel(built) - before).max() > 0
    if frozen is not None:  # phase 1: the backbone stays as it was
        np.testing.assert_array_equal(built.backbone.get_weights()[0], frozen)

    path = tmp_path / f"{family}.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True, compile=False)

    odd, _ = images((50, 40), 2, seed=7)  # not the target size, not square
    for batch in (x, odd):
        expected = model(batch, training=False).numpy()
        got = reloaded(batch, training=False).numpy()
        assert got.dtype == np.float32 and got.shape == (len(batch), len(CLASSES))
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
        np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(reloaded.predict(odd, verbose=0), expected, atol=1e-5)

"""The audio CNN is sized to the data: one convolution per block, width capped at four times
the first block's, at most four blocks however long the clip, a width that still follows
the training clips (the search sets it that way), far fewer weights than the CNN before."""

from __future__ import annotations

import numpy as np

from automl_gui.core.models.audio import (
    CNN_MAX_BLOCKS,
    CNN_WIDTH_GROWTH,
    audio_cnn_plan,
    build_audio_model,
)
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.audio_config import AudioAugmentConfig, AudioPreprocessConfig


def _trainable(model) -> int:
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def test_plan_widths_follow_the_training_clips_and_stay_capped() -> None:
    for n_train, base in ((50, 16), (2_000, 32), (20_000, 64)):  # images.CNN_BASE_FILTERS
        filters, pools = audio_cnn_plan(280, 64, n_train)  # 2.8 s at a 10 ms hop, 64 mels
        assert filters[0] == base and max(filters) == base * CNN_WIDTH_GROWTH
        assert len(filters) == CNN_MAX_BLOCKS == len(pools)
    assert audio_cnn_plan(16, 8, 50) == ([16], [(2, 1)])  # a short clip: one block
    filters, pools = audio_cnn_plan(6000, 40, 50)  # 60 s: still four blocks
    assert len(filters) == 4 and [p[1] for p in pools] == [2, 2, 2, 1]


def test_one_convolution_per_block_and_a_small_network() -> None:
    pre = AudioPreprocessConfig(sample_rate=16_000, augment=AudioAugmentConfig(enabled=False))
    n = 44_800  # 2.8 s: 278 frames x 64 mels, the case that took 4.5-7.7 s a batch before
    model = build_audio_model("cnn", 10, pre, ImageModelConfig(), n_samples=n, n_train=300).model
    names = [layer.name for layer in model.layers]
    convs = [name for name in names if name.startswith("block") and "_conv" in name]
    assert convs == [f"block{b}_conv1" for b in range(1, 5)]
    assert 40_000 < _trainable(model) < 80_000  # the CNN before: 1.25 M
    out = model.predict(np.zeros((2, n + 8_000), "float32"), verbose=0)  # a longer clip too
    assert out.shape == (2, 10)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)

"""Audio models: the in-model front end equals a reference STFT/log-mel/MFCC, crop/pad and
normalization, augmentation only in training, safe-mode save/load on raw waveforms of any
length, a CNN that learns, backbones with the two-phase machinery, errors (mixed precision and
the errors every network refuses, as for images: test_file_kinds_models.py)."""

from __future__ import annotations

import numpy as np
import pytest
from audio_factory import synth

from automl_gui.core.base.errors import ConfigError, DataError, ModelError
from automl_gui.core.models.audio import (
    audio_cnn_plan,
    augment_preview,
    band_statistics,
    build_audio_model,
    build_frontend,
    feature_shape,
)
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.audio_config import AudioAugmentConfig, AudioPreprocessConfig

RATE = 8000
N = 4000  # 0.5 s
OFF = AudioAugmentConfig(enabled=False)


def config(**kwargs) -> AudioPreprocessConfig:
    kwargs.setdefault("augment", AudioAugmentConfig(enabled=False))
    return AudioPreprocessConfig(sample_rate=RATE, n_mels=32, **kwargs)


def waves(n: int, length: int = N, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-0.5, 0.5, (n, length)).astype("float32")


def tone(freq: float, length: int = N, amp: float = 0.5) -> np.ndarray:
    t = np.arange(length) / RATE
    return (amp * np.sin(2 * np.pi * freq * t)).astype("float32")


# -- front end --------------------------------------------------------------------------------
def test_feature_shape_matches_the_frontend() -> None:
    # 25 ms = 200 samples, 10 ms hop = 80 samples: 1 + (4000 - 200) // 80 = 48 frames
    assert feature_shape(config(), N) == (48, 32)
    assert feature_shape(config(features="mfcc", n_mfcc=13), N) == (48, 13)
    assert feature_shape(config(), 200) == (1, 32)
    out = build_frontend(config(), N)(waves(2, 5000)).numpy()  # cropped to N first
    assert out.shape == (2, 48, 32) and out.dtype == np.float32
    out = build_frontend(config(features="mfcc", n_mfcc=13), N)(waves(3, 1000)).numpy()
    assert out.shape == (3, 48, 13)


def test_log_mel_equals_tf_signal_and_a_tone_peaks_in_its_band() -> None:
    import tensorflow as tf

    from automl_gui.core.preprocess.audio import mel_filterbank

    x = tone(1000.0)[None] + waves(1, seed=1) * 0.01
    ours = build_frontend(config(fmin=20.0), N)(x).numpy()[0]
    bank = mel_filterbank(RATE, 256, 32, 20.0, 0.0)
    power = np.abs(tf.signal.stft(x, 200, 80, 256).numpy()[0]) ** 2
    ref = 10 * np.log10(np.maximum(power @ bank, 1e-10))
    ref = np.maximum(ref, ref.max() - 80.0)  # the per-clip 80 dB floor
    np.testing.assert_allclose(ours, ref, atol=2e-3)
    # the band whose filter weighs the 1 kHz FFT bin most is the loudest in every frame
    expected = int(np.argmax(bank[round(1000 / (RATE / 256))]))
    assert np.all(np.argmax(ours, axis=1) == expected)
    assert ours.max() - np.median(ours) > 20  # a clear peak, not a flat spectrum


def test_mfcc_is_the_orthonormal_dct_of_the_log_mel() -> None:
    import scipy.fft

    x = np.stack([synth("chirp", 0.5, RATE, seed=2), synth("noise", 0.5, RATE, seed=3)])
    log_mel = build_frontend(config(), N)(x).numpy()
    mfcc = build_frontend(config(features="mfcc", n_mfcc=13), N)(x).numpy()
    reference = scipy.fft.dct(log_mel.astype("float64"), type=2, norm="ortho", axis=-1)[..., :13]
    np.testing.assert_allclose(mfcc, reference, rtol=1e-4, atol=1e-2)


def test_crop_or_pad_is_centred_like_the_input_pipeline() -> None:
    import keras

    from automl_gui.core.models._audio_ops import crop_or_pad as crop_or_pad_ops
    from automl_gui.core.models.audio_layers import CropOrPad
    from automl_gui.core.preprocess.audio import crop_or_pad

    layer, ops_step = CropOrPad(10), crop_or_pad_ops(keras, 10)  # older models', new models'
    for length in (3, 4, 10, 15, 16):
        x = np.arange(1, length + 1, dtype="float32")[None]
        np.testing.assert_array_equal(layer(x).numpy()[0], crop_or_pad(x[0], 10))
        np.testing.assert_array_equal(np.asarray(ops_step(x))[0], crop_or_pad(x[0], 10))
    np.testing.assert_array_equal(layer(np.ones((1, 4), "float32")).numpy()[0, :3], [0, 0, 0])


def test_band_statistics_are_exact_and_normalize_the_model() -> None:
    import keras

    pre = config()
    x = waves(5)
    feats = build_frontend(pre, N)(x).numpy().reshape(-1, 32).astype("float64")
    mean, var = band_statistics(pre, N, [x])
    np.testing.assert_allclose(mean, feats.mean(0), rtol=1e-5)
    np.testing.assert_allclose(var, feats.var(0), rtol=1e-4)
    # batching does not matter; (waves, labels) batches are accepted
    mean2, var2 = band_statistics(pre, N, [(x[:2], [0, 1]), x[2:3], x[3:]])
    np.testing.assert_allclose(mean2, mean, rtol=1e-5)
    np.testing.assert_allclose(var2, var, rtol=1e-4)
    with pytest.raises(DataError):
        band_statistics(pre, N, [])

    built = build_audio_model("cnn", 2, pre, ImageModelConfig(), n_samples=N, band_mean=mean,
                              band_var=var * 4)  # fmt: skip
    norm = keras.Model(built.model.input, built.model.get_layer("band_norm").output)
    out = norm(x).numpy().reshape(-1, 32)
    np.testing.assert_allclose(out, (feats - mean) / np.sqrt(var * 4), atol=1e-3)
    with pytest.raises(ConfigError, match="band statistics"):
        build_audio_model("cnn", 2, pre, ImageModelConfig(), n_samples=N, band_mean=mean[:5])


# -- augmentation -------------------------------------------------------------------------------
def test_waveform_augment_noise_gain_shift() -> None:
    from automl_gui.core.models.audio_layers import WaveformAugment

    x = np.stack([tone(440.0), np.zeros(N, "float32")])
    noisy = WaveformAugment(snr_min_db=20, snr_max_db=20, seed=1)(x).numpy()
    snr = 10 * np.log10(np.mean(x[0] ** 2) / np.mean((noisy[0] - x[0]) ** 2))
    assert snr == pytest.approx(20, abs=0.5)
    np.testing.assert_array_equal(noisy[1], 0)  # a silent clip stays silent
    gained = WaveformAugment(noise=False, gain_db=6, seed=2)(x[:1]).numpy()
    ratio = np.abs(gained[0]).max() / np.abs(x[0]).max()
    assert 10 ** (-6 / 20) - 1e-4 <= ratio <= 10 ** (6 / 20) + 1e-4 and ratio != 1
    ramp = np.arange(N, dtype="float32")[None] / N
    shifted = WaveformAugment(noise=False, shift=0.2, seed=3)(ramp).numpy()[0]
    k = int(np.argmin(np.abs(shifted - ramp[0, 0])))  # where the first sample went
    np.testing.assert_array_equal(shifted, np.roll(ramp[0], k))
    assert 0 < min(k, N - k) <= 0.2 * N


def test_spec_augment_masks_with_the_clip_mean() -> None:
    from automl_gui.core.models.audio_layers import SpecAugment

    x = np.random.default_rng(0).normal(size=(6, 50, 20)).astype("float32")
    out = SpecAugment(time_mask=0.2, freq_mask=0.25, masks=2, seed=4)(x).numpy()
    changed = out != x
    assert changed.any()
    for clip, orig, mask in zip(out, x, changed, strict=True):
        np.testing.assert_allclose(clip[mask], orig.mean(), rtol=1e-5)
        rows = mask.all(axis=1).sum()  # frames masked in every band: time masks
        cols = mask.all(axis=0).sum()  # bands masked in every frame: frequency masks
        assert rows <= 2 * 10 and cols <= 2 * 5


def test_augmentation_runs_in_fit_only() -> None:
    import keras

    aug = AudioAugmentConfig(gain_db=6, shift=0.1, time_mask=0.2, freq_mask=0.2, masks=2)
    built = build_audio_model("cnn", 2, config(augment=aug), ImageModelConfig(), n_samples=N)
    names = [layer.name for layer in built.model.layers]
    assert "augment_waveform" in names and "augment_spectrogram" in names
    x = waves(3)
    stage = keras.Model(built.model.input, built.model.get_layer("add_channel").output)
    plain = stage(x).numpy()
    np.testing.assert_array_equal(stage(x).numpy(), plain)
    np.testing.assert_allclose(stage.predict(x, verbose=0), plain, atol=1e-4)
    assert np.abs(stage(x, training=True).numpy() - plain).max() > 0.5
    first = built.model(x).numpy()
    np.testing.assert_array_equal(built.model(x).numpy(), first)
    np.testing.assert_allclose(built.model.predict(x, verbose=0), first, atol=1e-5)


def test_augment_preview() -> None:
    pre = config(augment=AudioAugmentConfig(gain_db=6, time_mask=0.2, freq_mask=0.2))
    x = np.stack([synth("tone", 0.5, RATE, seed=1), synth("chirp", 0.5, RATE, seed=2)])
    clips, feats = augment_preview(x, pre, N, count=3, seed=5)
    assert clips.shape == (2, 3, N) and feats.shape == (2, 3, 48, 32)
    assert np.abs(clips[0, 0] - clips[0, 1]).max() > 0.01  # each version differs
    assert np.abs(clips).max() <= 1.0
    flat_frames = np.ptp(feats, axis=3).min(axis=2)  # a time mask: one value in all bands
    flat_bands = np.ptp(feats, axis=2).min(axis=2)  # a frequency mask: one value in all frames
    assert ((flat_frames == 0) | (flat_bands == 0)).sum() >= 3
    again, _ = augment_preview(x, pre, N, count=3, seed=5)
    np.testing.assert_array_equal(again, clips)  # repeatable by seed
    plain, plain_feats = augment_preview(x, config(), N, count=2)
    assert plain.shape == (2, 2, N)
    np.testing.assert_array_equal(plain[:, 1], x)  # augmentation off: copies
    np.testing.assert_array_equal(plain_feats[:, 0], build_frontend(config(), N)(x).numpy())
    short, _ = augment_preview(x[:, :3000], config(), N, count=1)
    np.testing.assert_array_equal(short[1, 0, 500:3500], x[1, :3000])  # centred padding
    empty, empty_feats = augment_preview(np.zeros((0, N), "float32"), pre, N)
    assert empty.shape == (0, 3, N) and empty_feats.shape == (0, 3, 48, 32)


# -- the CNN ------------------------------------------------------------------------------------
def test_cnn_plan_follows_the_spectrogram_and_data_size() -> None:
    assert audio_cnn_plan(48, 32, 50) == ([16, 32, 64], [(2, 2), (2, 2), (2, 1)])
    filters, pools = audio_cnn_plan(98, 64, 5000)  # widest block: 4 times the first
    assert filters == [32, 64, 128, 128] and pools[-1] == (2, 1)
    filters, pools = audio_cnn_plan(3000, 13, 50)  # 30 s of MFCCs: capped, bands pooled once
    assert filters == [16, 32, 64, 64] and [p[1] for p in pools] == [2, 1, 1, 1]


def test_save_load_safe_mode_same_predictions_on_any_length(tmp_path) -> None:
    from automl_gui.core.export.bundle import load_keras_model

    pre = config(features="mfcc", n_mfcc=13, augment=AudioAugmentConfig())
    mean, var = band_statistics(pre, N, [waves(4)])
    built = build_audio_model("cnn", 3, pre, ImageModelConfig(), n_samples=N, band_mean=mean,
                              band_var=var, n_train=30)  # fmt: skip
    assert built.image_size == 0 and built.model.output.shape[-1] == 3
    path = tmp_path / "model.keras"
    built.model.save(path)
    loaded = load_keras_model(path)  # safe_mode=True
    for length in (N, 2500, 6001):
        x = waves(2, length, seed=length)
        expected = built.model.predict(x, verbose=0)
        np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, atol=1e-6)
        np.testing.assert_allclose(expected.sum(1), 1.0, atol=1e-5)


def test_cnn_learns_tone_versus_noise() -> None:
    import keras

    keras.utils.set_random_seed(0)

    def clips(label: str, seeds: range) -> np.ndarray:
        return np.stack([synth(label, 0.5, RATE, seed=s) for s in seeds])

    x = np.concatenate([clips("tone", range(16)), clips("noise", range(16))])
    y = np.repeat([0, 1], 16)
    x_test = np.concatenate([clips("tone", range(50, 58)), clips("noise", range(50, 58))])
    y_test = np.repeat([0, 1], 8)
    aug = AudioAugmentConfig(noise=False, gain_db=3, shift=0.1, time_mask=0, freq_mask=0)
    pre = config(augment=aug)
    mean, var = band_statistics(pre, N, [x])
    model = build_audio_model("cnn", 2, pre, ImageModelConfig(), n_samples=N, band_mean=mean,
                              band_var=var, n_train=len(x)).model  # fmt: skip
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=5, batch_size=4, shuffle=True, verbose=0)
    accuracy = np.mean(np.argmax(model.predict(x_test, verbose=0), 1) == y_test)
    assert accuracy > 0.9


# -- backbones ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def resnet():
    pre = config(augment=AudioAugmentConfig())
    return build_audio_model("resnet50", 3, pre, ImageModelConfig(), n_samples=N, image_size=32)


def test_backbone_shares_layers_and_fine_tunes(resnet) -> None:
    import keras

    assert resnet.architecture == "resnet50" and resnet.image_size == 32
    x = waves(2, 3000)
    features = resnet.feature_model(x).numpy()
    assert features.shape == (2, 2048) and features.dtype == np.float32
    np.testing.assert_allclose(resnet.head(features).numpy(), resnet.model(x).numpy(), atol=1e-5)
    # the windowed model (a long clip's windows averaged) holds the backbone model
    (inner,) = [layer for layer in resnet.model.layers if isinstance(layer, keras.Model)]
    assert inner.get_layer("head") is resnet.head
    assert inner.get_layer("resnet50") is resnet.backbone
    assert {id(w) for w in resnet.model.trainable_weights} == {
        id(w) for w in resnet.head.trainable_weights
    }
    # the spectrogram image reaches the backbone at its size, normalized the caffe way
    image = keras.Model(inner.input, inner.get_layer("spectrogram_image").output)
    pixels = image(x).numpy()
    assert pixels.shape == (2, 32, 48, 3) and 0 <= pixels.min() and pixels.max() <= 255
    assert resnet.unfreeze_top(10) == 10
    assert len(resnet.model.trainable_weights) == 10 * 2 + 2
    assert resnet.unfreeze_top(0) == 0


def test_inception_builds_and_wrong_weights_are_refused(tmp_path) -> None:
    import keras
    from image_factory import save_legacy_notop_weights

    pre = config(features="mfcc", n_mfcc=13)
    inception = build_audio_model("inceptionv3", 2, pre, ImageModelConfig(), n_samples=N,
                                  image_size=75)  # fmt: skip
    assert inception.image_size == 75
    assert inception.model(waves(1)).shape == (1, 2)
    assert inception.feature_model(waves(1)).shape == (1, 2048)
    assert inception.unfreeze_top(18) == 18
    inputs = keras.Input((8, 8, 3))
    small = keras.Model(inputs, keras.layers.Conv2D(4, 3, name="conv")(inputs))
    wrong = save_legacy_notop_weights(small, tmp_path / "resnet50_notop.h5")
    with pytest.raises(ModelError, match="resnet50_notop.h5") as info:
        build_audio_model("resnet50", 2, pre, ImageModelConfig(), n_samples=N, image_size=32,
                          weights_file=str(wrong))  # fmt: skip
    assert "ResNet50" in info.value.message and "notop" in info.value.hint


# -- errors -------------------------------------------------------------------------------------
def test_errors() -> None:
    """(The errors every network refuses: test_file_kinds_models.py.)"""
    cfg = ImageModelConfig()
    cases = [
        (("cnn", 2, config(features="chroma")), "chroma"),
        (("cnn", 2, config(features="mfcc", n_mfcc=40)), "MFCC"),
        (("cnn", 2, config(fmax=5000.0)), "Mel range"),
        (("cnn", 2, config(window_ms=0.0)), "Window"),
        (("cnn", 2, config(augment=AudioAugmentConfig(snr_min_db=30, snr_max_db=5))), "SNR"),
        (("cnn", 2, config(augment=AudioAugmentConfig(masks=-1))), "masks"),
    ]
    for args, match in cases:
        with pytest.raises(ConfigError, match=match):
            build_audio_model(*args, cfg, n_samples=N)
    with pytest.raises(ConfigError, match="shorter than one"):
        build_audio_model("cnn", 2, config(), cfg, n_samples=100)
    with pytest.raises(ConfigError, match="shorter than one"):
        feature_shape(config(), 10)

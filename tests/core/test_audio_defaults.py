"""Audio defaults that follow the data (issue 17): the Auto sample rate is the recordings' own
(never upsampled, at most 16 kHz), and a clip longer than the model's window is answered
with the mean of its windows' probabilities, inside the model (so in every export)."""

from __future__ import annotations

import numpy as np
import pytest

from automl_gui.core.data.audio import AudioDataset, AudioItem
from automl_gui.core.models._audio_ops import window_count, window_starts
from automl_gui.core.preprocess.audio import crop_or_pad
from automl_gui.core.preprocess.audio_config import (
    AudioPreprocessConfig,
    auto_sample_rate,
    resolve_rate,
    sample_rate_for,
    sample_rate_words,
)


def _dataset(rates: list[int]) -> AudioDataset:
    items = [
        AudioItem(f"/d/{k % 2}/{k}.wav", str(k % 2), duration=1.0, sample_rate=r)
        for k, r in enumerate(rates)
    ]
    return AudioDataset("/d", "class_folders", items, ["0", "1"])


def test_auto_sample_rate_is_the_recordings_own_at_most_16k():
    assert auto_sample_rate([8000] * 5) == 8000  # telephone prompts stay at 8 kHz
    assert auto_sample_rate([44100] * 3 + [8000]) == 16_000  # capped, never 44.1 kHz
    assert auto_sample_rate({11025: 4, 22050: 4}) == 16_000  # a tie: the higher, capped
    assert auto_sample_rate({11025: 5, 22050: 4}) == 11025
    assert auto_sample_rate([2000, 2000]) == 4000  # the lowest rate the models take
    assert auto_sample_rate([]) == 16_000


def test_the_config_defaults_to_auto_and_resolves_from_the_dataset():
    config = AudioPreprocessConfig()
    assert config.sample_rate == 0
    phone = _dataset([8000] * 6)
    assert sample_rate_for(phone, config) == 8000
    assert resolve_rate(phone, config).sample_rate == 8000 and config.sample_rate == 0
    assert sample_rate_words(phone, config) == "Auto chose 8 kHz: the recordings' own rate"
    music = _dataset([44100] * 6)
    assert "mostly 44.1 kHz" in sample_rate_words(music, config)
    assert sample_rate_for(None, config) == 16_000
    fixed = AudioPreprocessConfig(sample_rate=22050)
    assert sample_rate_for(phone, fixed) == 22050 and resolve_rate(phone, fixed) is fixed
    # projects saved before Auto existed keep their rate
    assert AudioPreprocessConfig.from_dict({"sample_rate": 16000}).sample_rate == 16000


def test_window_starts_cover_the_clip_evenly():
    assert window_starts(3, 8).tolist() == [-2]  # padded centred, as crop_or_pad
    assert window_starts(8, 8).tolist() == [0]
    assert window_starts(9, 8).tolist() == [0, 1]
    assert window_starts(13, 8).tolist() == [0, 2, 5]
    assert window_count(30, 8) == 7 and window_starts(30, 8)[-1] == 22  # the last at the end
    starts = window_starts(10_000, 1000)
    assert np.all(np.diff(starts) <= 500)  # half-overlapping at least


@pytest.fixture(scope="module")
def model():
    from automl_gui.core.models.audio import build_audio_model
    from automl_gui.core.models.image_config import ImageModelConfig

    pre = AudioPreprocessConfig(sample_rate=8000, n_mels=16)
    return build_audio_model("cnn", 3, pre, ImageModelConfig(), n_samples=4000, n_train=50).model


def test_a_long_clip_is_answered_with_the_mean_of_its_windows(model):
    rng = np.random.default_rng(0)
    clips = (rng.normal(size=(2, 11_000)) * 0.2).astype("float32")
    got = np.asarray(model(clips))
    for clip, answer in zip(clips, got, strict=True):
        windows = np.stack([clip[s : s + 4000] for s in window_starts(11_000, 4000)])
        assert len(windows) == 5  # 1 + ceil(7000 / 2000)
        np.testing.assert_allclose(answer, np.asarray(model(windows)).mean(axis=0), atol=1e-5)
    short = clips[:, :2500]
    padded = np.stack([crop_or_pad(c, 4000) for c in short])
    np.testing.assert_allclose(np.asarray(model(short)), np.asarray(model(padded)), atol=1e-6)


def test_the_windowed_model_reloads_in_safe_mode_with_plain_keras(model, tmp_path):
    import keras

    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    clip = np.random.default_rng(1).normal(size=(1, 9_500)).astype("float32") * 0.2
    np.testing.assert_allclose(np.asarray(again(clip)), np.asarray(model(clip)), atol=1e-6)

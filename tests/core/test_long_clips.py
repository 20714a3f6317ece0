"""Long recordings are used, with memory bounded (issue 13, item 8, reviewed).

The first fix refused clips over 10 minutes at scan, training and prediction; field
recordings are often longer. Now only absurd declared lengths (over 24 hours) are bad; the
scan samples windows of a long clip, and the input pipeline and prediction decode only the
window their crop keeps: centred for evaluation and prediction, at a random place (a new one
every epoch) for training. Clips under the old limit give the same answers as before."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from automl_gui.core.data.audio import AudioInfo, check_audio, scan_audio

RATE = 8_000
MINUTES = 11


@pytest.fixture(scope="module")
def long_wav(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("long") / "field.wav"
    t = np.arange(MINUTES * 60 * RATE) / RATE
    wave = 0.4 * np.sin(2 * np.pi * 440 * t) * np.sin(2 * np.pi * t / 97)  # varies along it
    sf.write(str(path), np.stack([wave, -0.5 * wave], axis=1).astype(np.float32), RATE)
    return path


def _full(path: Path, target: int) -> np.ndarray:
    import soxr

    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    mono = data.mean(axis=1, dtype=np.float32)
    return soxr.resample(mono, rate, target, quality="HQ").astype(np.float32)


def test_an_eleven_minute_clip_is_usable(long_wav):
    info = check_audio(str(long_wav))
    assert isinstance(info, AudioInfo), info
    assert info.duration == pytest.approx(MINUTES * 60)


def test_a_scan_keeps_it(tmp_path, long_wav):
    import audio_factory

    root = audio_factory.make_class_folders(
        tmp_path / "ds", classes=("a", "b"), per_class=2, formats=("wav",)
    )
    (root / "a" / "field.wav").symlink_to(long_wav)
    ds = scan_audio(str(root))
    assert not ds.bad_files
    assert ds.class_counts() == {"a": 3, "b": 2}


@pytest.mark.parametrize("position", [None, 0.0, 0.37, 0.999999])
def test_the_window_decoded_is_the_crop_of_the_whole(long_wav, position):
    from automl_gui.core.preprocess.audio import _decode, crop_or_pad

    target, want = 16_000, 16_000
    full = _full(long_wav, target)
    extra = len(full) - want
    offset = None if position is None else min(int(np.floor(position * (extra + 1))), extra)
    expected = crop_or_pad(full, want, offset)
    got = _decode(str(long_wav), target, n_samples=want, position=position)
    assert got.shape == (want,)
    np.testing.assert_allclose(got, expected, atol=2e-3)


def test_training_and_prediction_stream_it(long_wav, tmp_path):
    from automl_gui.core.preprocess.audio import load_clips, make_audio_dataset

    paths = [str(long_wav)]
    centred = load_clips(paths, 16_000, 8_000)[0]
    waves = [w for batch in make_audio_dataset(paths, None, 16_000, 8_000, 1) for w in batch]
    assert len(waves) == 1
    np.testing.assert_allclose(np.asarray(waves[0]), centred, atol=1e-6)
    ds = make_audio_dataset(paths, np.array([0]), 16_000, 8_000, 1, training=True, seed=3)
    epochs = [np.asarray(next(iter(ds))[0][0]) for _ in range(3)]
    assert all(e.shape == (8_000,) for e in epochs)
    assert not np.allclose(epochs[0], epochs[1])  # a new random window each epoch
    again = make_audio_dataset(paths, np.array([0]), 16_000, 8_000, 1, training=True, seed=3)
    np.testing.assert_array_equal(np.asarray(next(iter(again))[0][0]), epochs[0])


def test_short_clips_give_the_same_answers_as_before(tmp_path):
    """Under the old limit a clip is still decoded whole (exactly as before); evaluation gets
    it whole (the model averages its windows), training a window of it."""
    from automl_gui.core.preprocess.audio import load_audio, make_audio_dataset

    rng = np.random.default_rng(1)
    path = tmp_path / "short.wav"
    sf.write(str(path), rng.uniform(-0.5, 0.5, (44_100 * 3, 2)).astype(np.float32), 44_100)
    whole = load_audio(str(path), 16_000)
    np.testing.assert_array_equal(whole, _full(path, 16_000).clip(-1, 1))
    (wave,) = next(iter(make_audio_dataset([str(path)], None, 16_000, 8_000, 1)))
    np.testing.assert_array_equal(np.asarray(wave), whole)

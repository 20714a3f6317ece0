"""Audio input pipeline: decode, mono mixdown, resampling, crop/pad, streaming tf.data, display
spectrogram, automatic clip length (the split, as for images: test_file_kinds_split.py)."""

from __future__ import annotations

from pathlib import Path

import audio_factory as factory
import numpy as np
import pytest

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.data.audio import AudioDataset, AudioItem
from automl_gui.core.preprocess.audio import (
    auto_clip_seconds,
    clip_seconds_for,
    crop_or_pad,
    load_audio,
    load_clips,
    log_mel_display,
    make_audio_dataset,
    mel_filterbank,
)
from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig


def _tone(freq: float, rate: int, seconds: float = 1.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(round(seconds * rate))) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _peak_hz(wave: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(wave * np.hanning(len(wave))))
    return float(np.fft.rfftfreq(len(wave), 1 / rate)[np.argmax(spectrum)])


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def _ramp_clips(folder: Path, lengths: list[int], rate: int = 8000) -> list[str]:
    """WAV (float) clips whose sample k holds k / 100_000, so every crop shows where it began."""
    paths = []
    for i, n in enumerate(lengths):
        ramp = (np.arange(n) / 100_000).astype(np.float32)
        paths.append(str(factory.write(folder / f"ramp_{i}.wav", ramp, rate, subtype="FLOAT")))
    return paths


def _batches(ds) -> tuple[np.ndarray, np.ndarray]:
    waves, labels = zip(*[(x.numpy(), y.numpy()) for x, y in ds], strict=True)
    return np.concatenate(waves), np.concatenate(labels)


# -- decode ---------------------------------------------------------------------------------------
def test_stereo_mixdown_is_the_channel_mean(tmp_path):
    clip = factory.synth("chirp", 0.5, 16000, seed=1)
    # The factory's stereo file: left = clip, right = 0.8 * clip.
    path = factory.write(tmp_path / "st.wav", clip, 16000, channels=2, subtype="FLOAT")
    wave = load_audio(str(path), 16000)
    assert wave.dtype == np.float32 and wave.shape == clip.shape
    np.testing.assert_allclose(wave, (clip + 0.8 * clip) / 2, atol=1e-6)


def test_resampling_44k1_to_16k_keeps_the_tone_and_the_length(tmp_path):
    path = factory.write(tmp_path / "t.wav", _tone(1000, 44100), 44100, subtype="FLOAT")
    wave = load_audio(str(path), 16000)
    assert abs(len(wave) - 16000) <= 1
    assert abs(_peak_hz(wave, 16000) - 1000) <= 2
    assert _rms(wave[2000:-2000]) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def test_upsampling_8k_to_16k_keeps_the_tone_and_the_length(tmp_path):
    path = factory.write(tmp_path / "t.flac", _tone(1000, 8000, 0.5), 8000)
    wave = load_audio(str(path), 16000)
    assert abs(len(wave) - 8000) <= 1
    assert abs(_peak_hz(wave, 16000) - 1000) <= 3
    # Nothing above the old Nyquist frequency appears (no imaging).
    spectrum = np.abs(np.fft.rfft(wave * np.hanning(len(wave))))
    freqs = np.fft.rfftfreq(len(wave), 1 / 16000)
    assert spectrum[freqs > 4100].max() < 1e-3 * spectrum.max()


def test_downsampling_filters_out_what_would_alias(tmp_path):
    """A 7 kHz tone cannot exist at 8 kHz: naive decimation folds it onto 1 kHz at full
    strength; a band-limited resampler removes it, while a 3 kHz tone passes untouched."""
    high = factory.write(tmp_path / "7k.wav", _tone(7000, 44100), 44100, subtype="FLOAT")
    low = factory.write(tmp_path / "3k.wav", _tone(3000, 44100), 44100, subtype="FLOAT")
    aliased = load_audio(str(high), 8000)
    kept = load_audio(str(low), 8000)
    naive = _tone(7000, 44100)[:: 44100 // 8000]  # what skipping samples would give
    assert _rms(naive) > 0.3  # the test can fail: the alias really is there without a filter
    assert _rms(aliased[400:-400]) < 1e-3 * _rms(kept[400:-400])
    assert _rms(kept[400:-400]) == pytest.approx(0.5 / np.sqrt(2), rel=0.02)


@pytest.mark.parametrize("fmt", factory.FORMATS)
@pytest.mark.parametrize("rate", [8000, 44100])
def test_every_format_and_rate_decodes_to_the_target_rate(tmp_path, fmt, rate):
    clip = factory.synth("tone", 0.6, rate, seed=2)
    path = factory.write(tmp_path / f"c.{fmt}", clip, rate, channels=2)
    wave = load_audio(str(path), 16000)
    # Lossy codecs may add a few ms of decoder delay/padding.
    assert abs(len(wave) / 16000 - 0.6) < 0.06
    assert wave.dtype == np.float32 and np.all(np.isfinite(wave))
    assert np.abs(wave).max() <= 1.0
    assert _rms(wave) == pytest.approx(_rms(clip) * 0.9, rel=0.15)  # stereo mean: 0.9 x
    assert abs(_peak_hz(wave, 16000) - _peak_hz(clip, rate)) < 10


def test_wav_bit_depths_decode_alike(tmp_path):
    clip = factory.synth("chirp", 0.3, 16000, seed=4)
    for subtype in factory.WAV_SUBTYPES:
        path = factory.write(tmp_path / f"{subtype}.wav", clip, 16000, subtype=subtype)
        np.testing.assert_allclose(load_audio(str(path), 16000), clip, atol=0.01)


def test_a_file_that_cannot_be_decoded_is_a_data_error_naming_it(tmp_path):
    bad = factory.write_text_as_audio(tmp_path / "page.mp3")
    with pytest.raises(DataError, match="page.mp3") as info:
        load_audio(str(bad), 16000)
    assert "WAV" in info.value.hint
    with pytest.raises(DataError, match="file not found"):
        load_audio(str(tmp_path / "missing.wav"), 16000)
    with pytest.raises(DataError, match="page.mp3"):
        load_clips([str(bad)], 16000, 100)
    with pytest.raises(ConfigError, match="Sample rate"):
        load_audio(str(bad), 100)


# -- crop / pad -----------------------------------------------------------------------------------
def test_crop_or_pad_centred_and_at_an_offset():
    wave = np.arange(10, dtype=np.float32)
    np.testing.assert_array_equal(crop_or_pad(wave, 4), [3, 4, 5, 6])  # (10 - 4) // 2 = 3
    np.testing.assert_array_equal(crop_or_pad(wave, 4, offset=0), [0, 1, 2, 3])
    np.testing.assert_array_equal(crop_or_pad(wave, 4, offset=6), [6, 7, 8, 9])
    np.testing.assert_array_equal(crop_or_pad(wave, 4, offset=99), [6, 7, 8, 9])  # clamped
    np.testing.assert_array_equal(crop_or_pad(wave, 10), wave)
    padded = crop_or_pad(np.ones(3, np.float32), 8)  # 5 zeros: 2 before, 3 after
    np.testing.assert_array_equal(padded, [0, 0, 1, 1, 1, 0, 0, 0])
    np.testing.assert_array_equal(crop_or_pad(np.ones(3, np.float32), 8, offset=4), padded)
    with pytest.raises(ConfigError):
        crop_or_pad(wave, 0)


def test_load_clips_gives_centred_clips(tmp_path):
    paths = _ramp_clips(tmp_path, [8000, 4000, 12000, 8000, 2000], rate=8000)
    clips = load_clips(paths, 8000, 8000)
    assert clips.shape == (5, 8000) and clips.dtype == np.float32
    np.testing.assert_allclose(clips[2], crop_or_pad(np.arange(12000) / 100_000, 8000), atol=1e-7)
    np.testing.assert_allclose(clips[4], crop_or_pad(np.arange(2000) / 100_000, 8000), atol=1e-7)
    assert load_clips([], 8000, 10).shape == (0, 10)


# -- streaming ------------------------------------------------------------------------------------
def _by_label(ds) -> dict[int, np.ndarray]:
    """Each clip of an evaluation dataset (labels = indices) by its label; every batch holds
    clips of one length."""
    out = {}
    for x, y in ds:
        assert x.dtype == np.float32 and len({w.shape for w in x.numpy()}) == 1
        out.update({int(i): w for i, w in zip(y.numpy(), x.numpy(), strict=True)})
    return out


def test_evaluation_gives_whole_clips_short_ones_padded_in_batches_of_one_length(tmp_path):
    lengths = [8000, 3000, 12000, 8001, 5000, 3000]
    paths = _ramp_clips(tmp_path, lengths)
    got = _by_label(make_audio_dataset(paths, np.arange(6, dtype=np.int32), 8000, 6000, 2))
    assert sorted(got) == list(range(6))
    for i, n in enumerate(lengths):
        whole = load_audio(paths[i], 8000)
        assert len(whole) == n
        want = whole if n >= 6000 else crop_or_pad(whole, 6000)  # what the model's window sees
        np.testing.assert_allclose(got[i], want, atol=1e-7)
    only = list(make_audio_dataset(paths[:2] + paths[4:], None, 8000, 6000, 4))
    assert sorted(b.shape[0] for b in only) == [1, 3]  # 8000 alone; three padded to 6000


def test_training_crops_move_each_epoch_and_evaluation_crops_do_not(tmp_path):
    paths = _ramp_clips(tmp_path, [16000] * 6)
    labels = np.arange(6, dtype=np.int32)

    def starts(ds) -> list[np.ndarray]:
        # The ramp's first value is where the window began; sorted by label per epoch.
        out = []
        for _ in range(3):
            waves, got = _batches(ds)
            out.append(np.rint(waves[np.argsort(got), 0] * 100_000).astype(int))
        return out

    def training(**kwargs):
        return make_audio_dataset(
            paths, labels, 8000, 4000, 4, shuffle=True, training=True, **kwargs
        )

    train = starts(training(deterministic=True))
    assert all(0 <= s.min() and s.max() <= 12000 for s in train)
    assert not np.array_equal(train[0], train[1]) and not np.array_equal(train[1], train[2])
    assert len(set(np.concatenate(train).tolist())) > 10  # spread over the clip, not two spots
    again = starts(training(deterministic=True))
    assert all(np.array_equal(a, b) for a, b in zip(train, again, strict=True))  # seeded
    fast = starts(training())  # decode order free: crops still random per epoch, in range
    assert not np.array_equal(fast[0], fast[1]) and all(s.max() <= 12000 for s in fast)
    evaluation = _by_label(make_audio_dataset(paths, labels, 8000, 4000, 4))
    assert all(len(w) == 16000 and w[0] == 0 for w in evaluation.values())  # whole clips


def test_shuffle_reorders_each_epoch_with_and_without_cache(tmp_path):
    paths = _ramp_clips(tmp_path, [800] * 12)
    labels = np.arange(12, dtype=np.int32)
    for cache in (False, True):
        ds = make_audio_dataset(paths, labels, 8000, 800, 12, shuffle=True, cache=cache)
        orders = [_batches(ds)[1] for _ in range(3)]
        assert all(sorted(o) == list(range(12)) for o in orders)
        assert len({tuple(o) for o in orders}) > 1


def test_cache_keeps_full_clips_so_random_crops_still_vary(tmp_path):
    paths = _ramp_clips(tmp_path, [16000] * 4)
    ds = make_audio_dataset(
        paths, np.arange(4), 8000, 2000, 4, shuffle=False, training=True, cache=True
    )
    firsts = [tuple(np.rint(_batches(ds)[0][:, 0] * 100_000).astype(int)) for _ in range(3)]
    assert len(set(firsts)) == 3


def test_a_broken_file_is_skipped_not_fatal(tmp_path):
    paths = _ramp_clips(tmp_path, [4000, 4000, 4000])
    paths.insert(1, str(factory.write_text_as_audio(tmp_path / "bad.wav")))
    paths.insert(3, str(factory.write_empty(tmp_path / "empty.flac")))
    paths.append(str(tmp_path / "deleted.wav"))
    labels = np.array([0, 9, 1, 9, 2, 9], dtype=np.int32)
    for training in (False, True):
        waves, got = _batches(make_audio_dataset(paths, labels, 8000, 4000, 2, training=training))
        np.testing.assert_array_equal(got, [0, 1, 2])
        assert waves.shape == (3, 4000)


def test_dataset_resamples_and_mixes_down_every_format(tmp_path):
    root = factory.make_class_folders(tmp_path, ("tone", "click"), per_class=4, seconds=(0.5, 0.7))
    paths = sorted(str(p) for p in root.rglob("*.*"))
    assert {Path(p).suffix for p in paths} == {".wav", ".flac", ".ogg", ".mp3"}
    got = _by_label(make_audio_dataset(paths, np.arange(8), 16000, 8000, 3))
    assert sorted(got) == list(range(8))
    for i, path in enumerate(paths):
        np.testing.assert_allclose(got[i], load_audio(path, 16000), atol=1e-6)
        assert np.sqrt(np.mean(got[i] ** 2)) > 0.01


def test_bad_settings_are_config_errors(tmp_path):
    paths = _ramp_clips(tmp_path, [100])
    with pytest.raises(ConfigError, match="Batch size"):
        make_audio_dataset(paths, None, 8000, 100, 0)
    with pytest.raises(ConfigError, match="Sample rate"):
        make_audio_dataset(paths, None, 1_000_000, 100, 1)
    with pytest.raises(ConfigError, match="too short"):
        make_audio_dataset(paths, None, 8000, 0, 1)


# -- split ----------------------------------------------------------------------------------------
def _dataset(counts: dict[str, int], split: str | None = None) -> AudioDataset:
    items = [
        AudioItem(f"/d/{label}/{i}.wav", label, split, duration=1.0, sample_rate=16000)
        for label, n in counts.items()
        for i in range(n)
    ]
    layout = "split_folders" if split else "class_folders"
    return AudioDataset("/d", layout, items, sorted(counts))


# -- clip length ----------------------------------------------------------------------------------
def test_auto_clip_seconds_is_the_75th_percentile_rounded_up():
    assert auto_clip_seconds([1.0] * 20) == 1.0
    assert auto_clip_seconds(np.linspace(0.5, 2.0, 101)) == 1.7  # p75 = 1.625 → 1.7
    assert auto_clip_seconds([0.31] * 5) == 0.4
    assert auto_clip_seconds([0.002, 0.004]) == 0.1
    assert auto_clip_seconds([120.0, 300.0]) == 30.0
    assert auto_clip_seconds([]) == 1.0
    durations = [1.0] * 80 + [10.0] * 20  # a long fifth does not set the length
    assert auto_clip_seconds(durations) == pytest.approx(1.0)
    # telephone prompts: median 1.3 s, a long tail up to 85 s → the bulk, not the tail
    prompts = np.concatenate([np.full(50, 1.3), np.linspace(1.3, 2.4, 30), np.linspace(3, 85, 20)])
    assert auto_clip_seconds(prompts) == pytest.approx(2.3)  # p75 2.22 s


def test_clip_seconds_for_uses_the_setting_or_the_dataset():
    ds = _dataset({"a": 3, "b": 3})
    assert clip_seconds_for(ds, AudioPreprocessConfig(clip_seconds=0)) == 1.0
    assert clip_seconds_for(ds, AudioPreprocessConfig(clip_seconds=2.5)) == 2.5
    with pytest.raises(ConfigError, match="Clip length"):
        clip_seconds_for(ds, AudioPreprocessConfig(clip_seconds=-1))


# -- display spectrogram --------------------------------------------------------------------------
def test_log_mel_display_shape_and_a_tone_in_its_band():
    rate = 16000
    spec = log_mel_display(_tone(1000, rate), rate, n_mels=40)
    # 25 ms windows (400 samples) every 10 ms (160): 1 + (16000 - 400) // 160 frames.
    assert spec.shape == (98, 40) and spec.dtype == np.float32
    weights = mel_filterbank(rate, 512, 40)
    centres = np.fft.rfftfreq(512, 1 / rate) @ weights / weights.sum(axis=0)
    band = int(np.argmax(spec.mean(axis=0)))
    assert abs(centres[band] - 1000) < 60
    assert spec[:, band].mean() - np.median(spec) > 40  # dB above the rest
    high = log_mel_display(_tone(5000, rate), rate, n_mels=40)
    assert abs(centres[int(np.argmax(high.mean(axis=0)))] - 5000) < 250
    assert log_mel_display(np.zeros(50, np.float32), rate).shape == (1, 64)  # one padded frame


def test_mel_filterbank_matches_tensorflows():
    from automl_gui.core.base import lazy

    tf = lazy.tf()
    ours = mel_filterbank(16000, 512, 64, 20.0, 7600.0)
    theirs = tf.signal.linear_to_mel_weight_matrix(64, 257, 16000, 20.0, 7600.0).numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-4)


def test_load_audio_reads_only_the_first_seconds_when_asked(tmp_path):
    from audio_factory import synth, write

    from automl_gui.core.preprocess.audio import load_audio

    path = write(tmp_path / "long.flac", synth("chirp", 3.0, 22050, seed=1), 22050)
    whole = load_audio(str(path), 16000)
    first = load_audio(str(path), 16000, max_seconds=1.0)
    assert len(whole) == 48000 and len(first) == 16000
    # the same samples away from the cut (the resampler's edge differs within a few samples)
    np.testing.assert_allclose(first[:15000], whole[:15000], atol=2e-3)

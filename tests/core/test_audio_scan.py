"""scan_audio: the three layouts, true durations/rates/channels of every format, statistics,
what is counted and ignored, errors (what both kinds share, progress and cancel included, is in
test_file_kinds_scan.py)."""

from __future__ import annotations

import os

import numpy as np
import pytest
import soundfile as sf
from audio_factory import (
    CLASSES,
    FORMATS,
    RATES,
    make_class_folders,
    make_csv_dataset,
    make_split_folders,
    synth,
    write,
    write_empty,
)

from automl_gui.core.base.errors import DataError
from automl_gui.core.data.audio import (
    AudioDataset,
    AudioItem,
    check_audio,
    duration_stats,
    looks_like_audio_csv,
    percentile,
    scan_audio,
)
from automl_gui.core.kinds import kind_for_path

FORMAT_NAMES = {"wav": "WAV", "flac": "FLAC", "ogg": "OGG", "mp3": "MP3"}


# -- one clip of every format, rate and channel count ---------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_rate_and_channel_count_gives_true_duration_rate_and_channels(tmp_path, fmt):
    for rate in RATES:
        for channels in (1, 2):
            seconds = 0.5 + 0.1 * channels
            path = write(
                tmp_path / f"c_{rate}_{channels}.{fmt}",
                synth("chirp", seconds, rate, seed=rate + channels),
                rate,
                channels=channels,
            )
            info = check_audio(str(path))
            assert not isinstance(info, str), (path.name, info)
            assert info.sample_rate == rate and info.channels == channels
            assert info.format == FORMAT_NAMES[fmt]
            frames = round(seconds * rate)
            # lossless and Vorbis: exact; MP3 (gapless through the LAME header): exact here too
            assert abs(info.duration * rate - frames) <= 1, (path.name, info.duration)
            assert 0.25 < info.peak <= 1.0


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "FLOAT", "PCM_U8"])
def test_wav_bit_depths_are_read_with_their_subtype_and_true_peak(tmp_path, subtype):
    clip = synth("tone", 0.3, 8000, seed=1)
    path = write(tmp_path / "x.wav", clip, 8000, subtype=subtype)
    info = check_audio(str(path))
    assert info.subtype == subtype and info.format == "WAV"
    assert info.peak == pytest.approx(float(np.max(np.abs(clip))), abs=0.01)


# -- layouts ----------------------------------------------------------------------------------
def test_class_folders_of_mixed_clips_match_what_libsndfile_reports(tmp_path):
    root = make_class_folders(tmp_path / "sounds", per_class=4)
    ds = scan_audio(str(root))
    assert isinstance(ds, AudioDataset) and ds.layout == "class_folders" and not ds.has_split
    assert ds.class_names == sorted(CLASSES)
    assert ds.class_counts() == dict.fromkeys(sorted(CLASSES), 4)
    assert ds.formats == {"FLAC": 4, "MP3": 4, "OGG": 4, "WAV": 4}
    assert ds.bad_files == [] and ds.notices == [] and ds.other_ignored == 0
    assert [i.path for i in ds.items] == sorted(i.path for i in ds.items)
    for item in ds.items:
        info = sf.info(item.path)
        assert os.path.isabs(item.path) and item.split is None
        assert item.label == os.path.basename(os.path.dirname(item.path))
        assert (item.sample_rate, item.channels) == (info.samplerate, info.channels)
        assert item.duration == pytest.approx(info.frames / info.samplerate, abs=1e-6)
        assert 0.6 <= item.duration <= 1.4
    assert {i.channels for i in ds.items} == {1, 2}
    assert {i.sample_rate for i in ds.items} == set(RATES)
    assert ds.paths("tone") == [i.path for i in ds.items if i.label == "tone"]


def test_split_folders_are_used_as_given(tmp_path):
    counts = {"train": 3, "val": 2, "test": 1}
    root = make_split_folders(tmp_path, classes=("tone", "noise"), counts=counts)
    ds = scan_audio(str(root))
    assert ds.layout == "split_folders" and ds.has_split
    assert ds.class_counts("train") == {"noise": 3, "tone": 3}
    assert ds.class_counts("validation") == {"noise": 2, "tone": 2}
    assert ds.class_counts("test") == {"noise": 1, "tone": 1}
    assert ds.notices[0] == "Using the folder's own split: 6 train, 4 validation, 2 test."


def test_csv_with_relative_paths_and_missing_files(tmp_path):
    csv = make_csv_dataset(tmp_path, classes=("tone", "click"), per_class=3)
    assert looks_like_audio_csv(str(csv)) and kind_for_path(csv).name == "audio"
    with csv.open("a", encoding="utf-8") as f:
        f.write("clips/gone.wav,tone\nnotes.txt,click\nclips/clip_0000.wav,click\n")
    ds = scan_audio(str(csv))
    assert ds.layout == "csv" and ds.root == str(csv)
    assert ds.class_counts() == {"click": 3, "tone": 3}
    assert all(i.path.startswith(str(tmp_path / "clips")) for i in ds.items)
    assert {os.path.basename(b.path): b.reason for b in ds.bad_files} == {
        "gone.wav": "missing file",
        "notes.txt": "not an audio file type (.txt)",
    }
    assert ds.notices[0] == "Clips from 'path', classes from 'label'."
    assert any(
        "1 row(s) name a clip listed before, 1 of them with another label" in n for n in ds.notices
    )


def test_folder_with_one_csv_naming_its_clips_is_read_through_the_csv(tmp_path):
    make_csv_dataset(tmp_path, classes=("tone", "chirp"), per_class=2, name="meta.csv")
    ds = scan_audio(str(tmp_path))
    assert ds.layout == "csv" and len(ds) == 4
    assert ds.notices[0] == "The subfolders do not name the classes, so 'meta.csv' does."


def test_csv_columns_can_be_named_and_a_wrong_name_is_explained(tmp_path):
    csv = make_csv_dataset(tmp_path, per_class=2, path_column="wav", label_column="word")
    ds = scan_audio(str(csv), path_column="WAV", label_column="word")
    assert len(ds) == 8
    with pytest.raises(DataError, match="no column 'nope' for the labels") as info:
        scan_audio(str(csv), label_column="nope")
    assert "'wav', 'word'" in info.value.hint


def test_hidden_and_other_files_are_counted_and_nested_folders_belong_to_their_class(tmp_path):
    root = make_class_folders(tmp_path, classes=("tone", "noise"), per_class=2, formats=("wav",))
    write(root / "tone" / "deep" / "more" / "x.flac", synth("tone", 0.5, 8000), 8000)
    (root / "tone" / "notes.txt").write_text("hello")
    (root / "tone" / ".hidden.wav").write_bytes(b"RIFF")
    (root / ".cache").mkdir()
    (root / ".cache" / "a.wav").write_bytes(b"x")
    ds = scan_audio(str(root))
    assert ds.class_counts() == {"noise": 2, "tone": 3}
    assert ds.hidden_ignored == 2 and ds.other_ignored == 1
    assert "Ignored 2 hidden file(s) and 1 file(s) that are not audio." in ds.notices


def test_a_flac_named_wav_is_read_by_its_content_with_a_notice(tmp_path):
    root = make_class_folders(tmp_path, classes=("tone", "noise"), per_class=2, formats=("wav",))
    flac = write(tmp_path / "x.flac", synth("tone", 0.5, 16000), 16000)
    os.replace(flac, root / "tone" / "liar.wav")
    ds = scan_audio(str(root))
    assert ds.formats == {"FLAC": 1, "WAV": 4}
    assert any("1 clip(s) have an extension that does not match" in n for n in ds.notices)


# -- errors -----------------------------------------------------------------------------------
def test_every_clip_broken_is_explained_with_the_reasons(tmp_path):
    for label in ("a", "b"):
        write_empty(tmp_path / label / "x.wav")
    with pytest.raises(DataError, match="None of the 2 clips .* \\(2 empty file\\)"):
        scan_audio(str(tmp_path))


# -- statistics -------------------------------------------------------------------------------
def test_duration_stats_are_exact_on_known_items():
    items = [
        AudioItem(f"/{i}.wav", "a", None, d, r, c)
        for i, (d, r, c) in enumerate(
            [(1.0, 16000, 1), (2.0, 16000, 2), (3.0, 8000, 1), (10.0, 16000, 1)]
        )
    ]
    stats = duration_stats(items)
    assert stats["count"] == 4 and stats["min"] == 1.0 and stats["max"] == 10.0
    assert stats["median"] == 2.5 and stats["mean"] == 4.0 and stats["total"] == 16.0
    assert stats["p95"] == pytest.approx(float(np.percentile([1, 2, 3, 10], 95)))
    assert stats["sample_rates"] == {16000: 3, 8000: 1} and stats["channels"] == {1: 3, 2: 1}
    assert list(stats["sample_rates"]) == [16000, 8000]  # most common first
    empty = AudioDataset("/x", "class_folders", [], []).duration_stats()
    assert empty["count"] == 0 and empty["p95"] is None and empty["total"] == 0.0


def test_percentile_matches_numpy():
    values = sorted(np.random.default_rng(0).uniform(0, 5, size=37).tolist())
    for q in (0, 10, 50, 95, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))

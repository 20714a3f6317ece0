"""Broken audio files: what only audio has (the reasons and scans both kinds share are in
test_bad_files.py)."""

from __future__ import annotations

import os
import struct

import numpy as np
import pytest
from audio_factory import (
    FORMATS,
    synth,
    write,
    write_truncated,
)

from automl_gui.core.data import _audio_check
from automl_gui.core.data.audio import AudioInfo, check_audio


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("keep", [0.05, 0.3, 0.6, 0.85])
def test_truncation_is_found_in_every_format_wherever_the_file_was_cut(tmp_path, fmt, keep):
    path = write_truncated(tmp_path / f"cut.{fmt}", keep=keep)
    reason = check_audio(str(path))
    assert isinstance(reason, str) and reason.startswith("truncated ("), reason


# -- not audio --------------------------------------------------------------------------------
def test_plain_text_is_not_audio(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("these are my notes about the recording\n" * 5)
    assert check_audio(str(path)) == "not audio (looks like text)"


def test_an_image_or_an_m4a_with_an_audio_extension_says_what_it_is(tmp_path):
    png = tmp_path / "x.wav"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert check_audio(str(png)) == "not an audio file (a PNG image)"
    m4a = tmp_path / "y.mp3"
    m4a.write_bytes(struct.pack(">I", 32) + b"ftypM4A " + bytes(200))
    assert check_audio(str(m4a)).startswith("unsupported format (M4A/AAC: convert it to WAV")


def test_unknown_binary_is_not_an_audio_file(tmp_path):
    path = tmp_path / "x.flac"
    path.write_bytes(bytes(range(256)) * 8)
    assert check_audio(str(path)) == "not an audio file (unknown format)"


# -- unreadable -------------------------------------------------------------------------------
def test_a_broken_link_is_unreadable(tmp_path):
    link = tmp_path / "gone.wav"
    os.symlink(tmp_path / "nowhere.wav", link)
    assert check_audio(str(link)) == "unreadable: No such file or directory (broken link)"


# -- WAV structure ----------------------------------------------------------------------------
def test_a_wav_whose_writer_never_filled_in_the_data_size_is_read_to_the_end(tmp_path):
    path = write(tmp_path / "stream.wav", synth("tone", 0.5, 8000), 8000)
    data = bytearray(path.read_bytes())
    at = data.index(b"data")
    data[at + 4 : at + 8] = b"\xff\xff\xff\xff"
    path.write_bytes(bytes(data))
    info = check_audio(str(path))
    assert isinstance(info, AudioInfo) and info.duration == pytest.approx(0.5)


def test_a_wav_cut_inside_a_chunk_before_the_audio_is_truncated(tmp_path):
    path = write(tmp_path / "x.wav", synth("tone", 0.5, 8000), 8000)
    data = path.read_bytes()
    at = data.index(b"data")
    extra = b"LIST" + struct.pack("<I", 4000) + b"INFO" + bytes(100)  # cut 3,900 bytes short
    path.write_bytes(data[:at] + extra)
    assert check_audio(str(path)) == "truncated (the file ends before its audio data)"


def test_a_float_wav_holding_nan_is_damaged(tmp_path):
    clip = synth("tone", 0.3, 8000)
    clip[100] = np.nan
    path = write(tmp_path / "x.wav", clip, 8000, subtype="FLOAT")
    assert check_audio(str(path)) == "damaged (holds NaN or infinite samples)"


# -- long files: windows instead of a full decode ----------------------------------------------
def test_a_long_file_is_sampled_in_windows(tmp_path, monkeypatch):
    monkeypatch.setattr(_audio_check, "FULL_DECODE_SECONDS", 1.0)
    monkeypatch.setattr(_audio_check, "_WINDOW_SECONDS", 0.1)
    clip = synth("chirp", 3.0, 8000)
    good = write(tmp_path / "long.flac", clip, 8000)
    info = check_audio(str(good))
    assert isinstance(info, AudioInfo) and info.duration == pytest.approx(3.0)
    assert info.peak == pytest.approx(float(np.max(np.abs(clip))), abs=0.05)
    quiet = np.zeros(3 * 8000, np.float32)
    quiet[-400:] = clip[:400]  # sound only in the last window
    assert isinstance(check_audio(str(write(tmp_path / "late.flac", quiet, 8000))), AudioInfo)
    data = good.read_bytes()
    (tmp_path / "cut.flac").write_bytes(data[: int(len(data) * 0.7)])
    assert check_audio(str(tmp_path / "cut.flac")).startswith("truncated (")


def test_a_file_the_system_refuses_to_open_is_unreadable(tmp_path, monkeypatch):
    path = write(tmp_path / "x.wav", synth("tone", 0.2, 8000), 8000)

    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_audio_check, "open", refuse, raising=False)  # as chmod 0 for a user
    assert check_audio(str(path)) == "unreadable: Permission denied"

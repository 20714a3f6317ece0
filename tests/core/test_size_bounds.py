"""Memory in proportion to the file: declared sizes are checked before anything is decoded.

A WAV whose header says 1 Hz (96 KB → 7 GB once resampled to 16 kHz), a 519 KB PNG of
13,000² pixels (3.8 GB, and Pillow's raw DecompressionBombWarning printed), a 200 MB table
cell (9.5 GB): each is refused with a reason where it is found, in the scan, the input
pipeline and prediction alike."""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from pathlib import Path

import audio_factory
import numpy as np
import pytest
import soundfile as sf
from image_factory import draw, make_class_folders
from PIL import Image

from automl_gui.core.base.errors import DataError
from automl_gui.core.data.audio import check_audio, scan_audio
from automl_gui.core.data.images import BadImageError, check_image, scan_images
from automl_gui.core.data.tabular import read_table

HUGE = "too large (13,000×13,000 pixels; at most 120 megapixels)"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_huge_png(path: Path, side: int = 13_000) -> Path:
    """A small, well-formed PNG file whose header declares ``side``² pixels."""
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit grayscale
    idat = zlib.compress(b"\x00" * 1000)
    data = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat)
    path.write_bytes(data + _chunk(b"IEND", b""))
    return path


def write_huge_jpeg(path: Path, side: int = 13_000, *, cut: bool = False) -> Path:
    """A small JPEG whose frame header (SOF0) is patched to declare ``side``² pixels;
    ``cut``: without its end marker (the check then decodes it, if not too large)."""
    buffer = io.BytesIO()
    draw("a", (16, 16)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, side, side)
    path.write_bytes(bytes(data[:-2] if cut else data))
    return path


def _no_bomb_warning(call, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call(*args)
    bombs = [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]
    assert not bombs, "Pillow's raw warning reached the user"
    return result


# -- images -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "write", [write_huge_png, write_huge_jpeg, lambda p: write_huge_jpeg(p, cut=True)]
)
def test_an_image_declaring_too_many_pixels_is_bad_before_decoding(tmp_path, write):
    path = write(tmp_path / "huge.img")
    with pytest.raises(BadImageError) as info:
        _no_bomb_warning(check_image, str(path))
    assert str(info.value) == HUGE


def test_a_scan_lists_a_huge_image_without_printing_a_warning(tmp_path):
    root = make_class_folders(tmp_path / "ds", classes=("a", "b"), per_class=2, size=(16, 16))
    huge = write_huge_png(root / "a" / "huge.png")
    ds = _no_bomb_warning(scan_images, str(root))
    assert [(b.path, b.reason) for b in ds.bad_files] == [(str(huge), HUGE)]
    assert any("1 too large" in n for n in ds.notices)


def test_an_image_just_under_the_bound_passes(tmp_path):
    path = write_huge_png(tmp_path / "big.png", side=10_900)  # 118.8 megapixels
    assert check_image(str(path)) == (10_900, 10_900, "L", "PNG")  # only the header is read
    assert "at most 120 megapixels" in str(
        pytest.raises(BadImageError, check_image, str(write_huge_png(tmp_path / "x.png", 11_000)))
    )


def write_camera_jpeg(path: Path, width: int, height: int) -> Path:
    buffer = io.BytesIO()
    draw("a", (16, 16)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    struct.pack_into(">HH", data, data.index(b"\xff\xc0") + 5, height, width)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(("width", "height"), [(9_504, 6_336), (11_648, 8_736)])
def test_camera_photos_pass_the_bound(tmp_path, width, height):
    """A 60 MP Sony A7R IV photo and a 100 MP medium-format one were refused at 50 MP."""
    path = write_camera_jpeg(tmp_path / "photo.jpg", width, height)
    assert check_image(str(path))[:2] == (width, height)
    tf = pytest.importorskip("tensorflow")
    from automl_gui.core.preprocess._image_bounds import check_declared_size, declared_pixels

    data = tf.constant(path.read_bytes())
    assert int(declared_pixels(data)) == width * height
    check_declared_size(data)  # no InvalidArgumentError


def test_the_input_pipeline_refuses_a_huge_image_before_decoding_it(tmp_path):
    """A file swapped after the scan: the pipeline checks the header's size itself."""
    from automl_gui.core.preprocess.images import decode_image, load_images, make_dataset

    png = write_huge_png(tmp_path / "huge.png")
    jpeg = write_huge_jpeg(tmp_path / "huge.jpg")
    for path in (png, jpeg):
        with pytest.raises(DataError, match="too large"):
            load_images([str(path)], 8)
    tf = pytest.importorskip("tensorflow")
    with pytest.raises(tf.errors.InvalidArgumentError, match="image too large"):
        decode_image(tf.constant(str(png)))
    small = draw("b", (10, 10))
    small.save(tmp_path / "small.png")
    batches = list(make_dataset([str(png), str(tmp_path / "small.png")], None, 8, 4))
    assert sum(len(b) for b in batches) == 1  # the huge one skipped, the small one read


# -- audio ------------------------------------------------------------------------------------
def _noise(frames: int) -> np.ndarray:
    return np.random.default_rng(0).uniform(-0.5, 0.5, frames).astype(np.float32)


def write_wav(path: Path, rate: int, seconds: float) -> Path:
    sf.write(str(path), _noise(int(rate * seconds)), rate, subtype="PCM_U8", format="WAV")
    return path


@pytest.mark.parametrize(
    ("rate", "seconds", "reason"),
    [
        (1, 96_000.0, "unsupported sample rate (1 Hz in its header; 1,000 to 384,000 Hz"),
        (400_000, 0.1, "unsupported sample rate (400,000 Hz"),
    ],
)
def test_a_clip_with_an_absurd_rate_or_length_is_bad(tmp_path, rate, seconds, reason):
    path = write_wav(tmp_path / "odd.wav", rate, seconds)
    assert check_audio(str(path)).startswith(reason)


def test_a_header_declaring_over_a_day_is_bad():
    from automl_gui.core.data._file_guard import audio_size_problem

    assert audio_size_problem(1_000, 90_000_000) == (
        "too long (25 h; at most 24 h: cut it into parts)"
    )
    assert audio_size_problem(1_000, 86_400_000) is None


def test_clips_at_the_bounds_pass(tmp_path):
    for rate, seconds in ((1_000, 1.0), (384_000, 0.05), (1_000, 601.0), (192_000, 151.0)):
        info = check_audio(str(write_wav(tmp_path / f"{rate}.wav", rate, seconds)))
        assert not isinstance(info, str), info


def test_a_scan_lists_a_one_hertz_clip(tmp_path):
    root = audio_factory.make_class_folders(
        tmp_path / "ds", classes=("a", "b"), per_class=2, formats=("wav",)
    )
    odd = write_wav(root / "a" / "one_hertz.wav", 1, 96_000.0)
    ds = scan_audio(str(root))
    assert [Path(b.path) for b in ds.bad_files] == [odd]
    assert ds.bad_files[0].reason.startswith("unsupported sample rate (1 Hz")


def test_the_input_pipeline_refuses_such_clips_before_decoding(tmp_path):
    from automl_gui.core.preprocess.audio import load_audio, make_audio_dataset

    one_hertz = write_wav(tmp_path / "one_hertz.wav", 1, 96_000.0)
    long = write_wav(tmp_path / "long.wav", 1_000, 601.0)
    with pytest.raises(DataError, match=r"one_hertz.wav: unsupported sample rate \(1 Hz"):
        load_audio(str(one_hertz), 16_000)
    with pytest.raises(DataError, match=r"long.wav: too long to load whole"):
        load_audio(str(long), 16_000)  # whole: only a window of it is ever needed
    assert len(load_audio(str(long), 16_000, max_seconds=2.0)) == 32_000  # the plot's part
    good = audio_factory.write(tmp_path / "good.wav", audio_factory.synth("a", 0.5), 16_000)
    paths = [str(one_hertz), str(good), str(long)]
    waves = list(make_audio_dataset(paths, None, 16_000, 8_000, 4))
    assert sum(len(w) for w in waves) == 2  # the long one is read in its centred window


def test_a_stereo_clip_decodes_as_before_block_by_block(tmp_path):
    """The pipeline mixes down block by block now; the result is the whole-file mean."""
    from automl_gui.core.preprocess.audio import load_audio

    rng = np.random.default_rng(3)
    data = rng.uniform(-0.9, 0.9, (200_000, 3)).astype(np.float32)
    sf.write(str(tmp_path / "three.wav"), data, 16_000, subtype="FLOAT")
    expected = data.mean(axis=1, dtype=np.float32)
    np.testing.assert_array_equal(load_audio(str(tmp_path / "three.wav"), 16_000), expected)


# -- tables -----------------------------------------------------------------------------------
def test_a_table_with_a_huge_cell_is_refused_naming_line_and_column(tmp_path):
    path = tmp_path / "t.csv"
    rows = [f"{i},x,{i * 2}" for i in range(40)]
    rows.insert(20, "7," + "y" * 1_500_000 + ",3")
    path.write_text("a,text,c\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError) as info:
        read_table(path)
    message = info.value.message
    assert message.startswith("Line 22 of 't.csv' holds a value of 1.5 MB, column 'text'")
    assert "over 1.0 MB are not read" in message and "Shorten" in info.value.hint


def test_a_huge_last_cell_without_a_line_break_is_refused(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\n1\t2\n3\t" + "z" * 2_000_000)
    with pytest.raises(DataError, match="Line 3 of 't.tsv' holds a value of 2.0 MB, column 'b'"):
        read_table(path)


def test_a_wide_row_of_small_values_is_read(tmp_path):
    path = tmp_path / "wide.csv"
    width = 120_000
    header = ",".join(f"c{i}" for i in range(width))
    row = ",".join(str(i % 10) for i in range(width))
    path.write_text(f"{header}\n{row}\n{row}\n")
    assert path.stat().st_size > 1_000_000
    assert read_table(path).df.shape == (2, width)


def test_an_image_csv_with_a_huge_value_is_a_data_error(tmp_path):
    from automl_gui.core.data.audio import scan_audio

    csv = tmp_path / "labels.csv"
    csv.write_text("path,label\na.png,x\nb.png," + "y" * 200_000 + "\n")
    with pytest.raises(DataError, match="line 3: field larger than field limit"):
        scan_images(str(csv))
    csv.write_text("path,label\na.wav,x\n" + "c" * 300_000 + ".wav,y\n")
    with pytest.raises(DataError, match="cannot be read as a list of audio files"):
        scan_audio(str(csv))

"""Broken image files: what only images have (the reasons and scans both kinds share are in
test_bad_files.py)."""

from __future__ import annotations

import os
import struct

import pytest
from image_factory import (
    draw,
    make_class_folders,
    save,
    write_not_an_image,
    write_truncated,
    write_zero_bytes,
)
from PIL import Image

from automl_gui.core.base.errors import DataError
from automl_gui.core.data.images import BadImageError, check_image, scan_images


def _reason(path) -> str:
    with pytest.raises(BadImageError) as info:
        check_image(str(path))
    return str(info.value)


def test_a_class_whose_images_are_all_broken_is_dropped(tmp_path):
    make_class_folders(tmp_path, classes=("a", "b"), per_class=2, size=(16, 16))
    write_truncated(tmp_path / "c" / "1.jpg")
    write_zero_bytes(tmp_path / "c" / "2.png")
    ds = scan_images(str(tmp_path))
    assert ds.class_names == ["a", "b"] and len(ds.bad_files) == 2
    assert "Class 'c' has no usable images and was left out." in ds.notices


def test_only_one_class_with_usable_images_is_refused(tmp_path):
    make_class_folders(tmp_path, classes=("good",), per_class=2, size=(16, 16))
    write_truncated(tmp_path / "broken" / "1.jpg")
    with pytest.raises(DataError, match="Only one class .*'good' \\(2 usable image"):
        scan_images(str(tmp_path))


def test_no_usable_image_at_all_is_refused_with_the_reasons(tmp_path):
    write_truncated(tmp_path / "a" / "1.jpg")
    write_not_an_image(tmp_path / "b" / "2.png")
    with pytest.raises(DataError, match="None of the 2 images") as info:
        scan_images(str(tmp_path))
    assert "1 truncated" in info.value.message and "1 not an image" in info.value.message


# -- what is NOT broken -----------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["png", "jpg", "bmp", "gif", "webp"])
@pytest.mark.parametrize("mode", [None, "L", "RGBA", "P"])
def test_every_format_and_mode_passes_with_its_header_values(tmp_path, fmt, mode):
    path = save(draw("circle", (23, 17)), tmp_path / f"x.{fmt}", fmt, mode)
    width, height, got_mode, got_format = check_image(str(path))
    assert (width, height) == (23, 17)
    assert got_format == {"jpg": "JPEG"}.get(fmt, fmt.upper())
    with Image.open(path) as img:  # the mode as stored (WebP keeps no "L", BMP no alpha)
        assert got_mode == img.mode
    if fmt == "png":
        assert got_mode == (mode or "RGB")


def test_trailing_bytes_after_the_end_marker_are_fine(tmp_path):
    jpg = save(draw("a", (20, 20)), tmp_path / "a.jpg", "jpg").read_bytes()
    png = save(draw("a", (20, 20)), tmp_path / "a.png", "png").read_bytes()
    (tmp_path / "padded.jpg").write_bytes(jpg + b"\x00" * 5000)
    (tmp_path / "trailer.jpg").write_bytes(jpg + b"CAMERA-TRAILER" * 400)  # decoded to be sure
    (tmp_path / "trailer.png").write_bytes(png + b"x" * 10_000)
    for name in ("padded.jpg", "trailer.jpg", "trailer.png"):
        assert check_image(str(tmp_path / name))[:2] == (20, 20)


def test_cut_jpeg_padded_with_zeros_is_still_truncated(tmp_path):
    jpg = save(draw("a", (40, 40)), tmp_path / "a.jpg", "jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(jpg[: len(jpg) // 2] + b"\x00" * 100)
    assert _reason(tmp_path / "cut.jpg") == "truncated"


def test_bmp_shorter_than_its_pixels_is_truncated_but_a_wrong_size_field_is_not(tmp_path):
    bmp = save(draw("a", (20, 20)), tmp_path / "a.bmp", "bmp").read_bytes()
    (tmp_path / "short.bmp").write_bytes(bmp[:-1])
    assert _reason(tmp_path / "short.bmp") == "truncated"
    wrong = bytearray(bmp)
    wrong[2:6] = struct.pack("<I", len(bmp) + 999)  # some writers get bfSize wrong
    (tmp_path / "wrong.bmp").write_bytes(bytes(wrong))
    assert check_image(str(tmp_path / "wrong.bmp"))[:2] == (20, 20)


def test_non_images_say_what_they_look_like(tmp_path):
    cases = {
        "page.png": b"<!DOCTYPE html><html><body>404</body></html>",
        "pointer.jpg": b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 9\n",
        "doc.jpg": b"%PDF-1.7\n" + bytes(range(256)),
        "noise.webp": bytes(range(256)) * 4,
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    assert _reason(tmp_path / "page.png") == "not an image (looks like an HTML web page)"
    assert "git lfs pull" in _reason(tmp_path / "pointer.jpg")
    assert _reason(tmp_path / "doc.jpg") == "not an image (looks like a PDF document)"
    assert _reason(tmp_path / "noise.webp") == "not an image"


def test_a_format_training_cannot_decode_is_unsupported(tmp_path):
    draw("a", (20, 20)).save(tmp_path / "scan.jpg", "TIFF")
    assert _reason(tmp_path / "scan.jpg") == "unsupported format (TIFF)"


def test_a_folder_and_a_file_that_vanished(tmp_path):
    assert _reason(tmp_path) == "unreadable: is a folder"
    assert _reason(tmp_path / "gone.png") == "missing file"


def test_csv_rows_naming_non_image_files_are_listed(tmp_path):
    for i in range(4):
        save(draw("ab"[i % 2], (12, 12), seed=i), tmp_path / f"{i}.png", "png")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    rows = [f"{i}.png,{'ab'[i % 2]}" for i in range(4)] + ["notes.txt,a", "gone.jpg,b"]
    (tmp_path / "list.csv").write_text("path,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    ds = scan_images(str(tmp_path / "list.csv"))
    reasons = {os.path.basename(b.path): b.reason for b in ds.bad_files}
    assert reasons == {"notes.txt": "not an image file type (.txt)", "gone.jpg": "missing file"}
    assert len(ds) == 4

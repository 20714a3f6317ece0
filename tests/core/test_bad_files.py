"""Broken image and audio files alike: each is found by its kind's check with its reason,
listed by a scan, and left out. What only one kind has stays in test_bad_images.py and
test_bad_audio.py."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import audio_factory
import image_factory
import pytest

from automl_gui.core.data.audio import check_audio, scan_audio
from automl_gui.core.data.images import BadImageError, check_image, scan_images
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES


def _image_reason(path) -> str:
    with pytest.raises(BadImageError) as info:
        check_image(str(path))
    return str(info.value)


def _audio_reason(path) -> str:
    reason = check_audio(str(path))
    assert isinstance(reason, str), reason
    return reason


@dataclass(frozen=True)
class Broken:
    """What differs between the kinds: how a file is checked and folders are made and scanned,
    the broken files (name -> writer, reason) and what a scan of them says."""

    reason: Callable[[Any], str]
    scan: Callable[[str], Any]
    folders: Callable[[Any], Any]  # tmp_path -> a root with classes a and b
    usable: int  # files in those folders
    broken: dict[str, tuple[Callable[[Any], Any], str]]
    notice_parts: tuple[str, ...]
    notice: str | None  # the whole notice, where the test pinned it
    good_file: Callable[[Any], Any]  # folder -> a readable file


BROKEN = {
    IMAGES: Broken(
        reason=_image_reason,
        scan=scan_images,
        folders=lambda tmp: image_factory.make_class_folders(
            tmp, classes=("a", "b"), per_class=4, size=(16, 16)
        ),
        usable=8,
        broken={
            "zero.png": (image_factory.write_zero_bytes, "empty file (0 bytes)"),
            "cut.jpg": (lambda p: image_factory.write_truncated(p, "jpg"), "truncated"),
            "cut.png": (lambda p: image_factory.write_truncated(p, "png"), "truncated"),
            "cut.gif": (lambda p: image_factory.write_truncated(p, "gif"), "truncated"),
            "cut.bmp": (lambda p: image_factory.write_truncated(p, "bmp"), "truncated"),
            "cut.webp": (lambda p: image_factory.write_truncated(p, "webp"), "truncated"),
            "header_only.jpg": (
                lambda p: image_factory.write_truncated(p, "jpg", keep=0.01),
                "truncated",
            ),
            "header_only.png": (
                lambda p: image_factory.write_truncated(p, "png", keep=0.01),
                "truncated",
            ),
            "text.jpg": (image_factory.write_not_an_image, "not an image (looks like text)"),
            "link.jpg": (
                image_factory.write_unreadable,
                "unreadable: No such file or directory (broken link)",
            ),
        },
        notice_parts=("7 truncated", "1 empty file"),
        notice=None,
        good_file=lambda folder: image_factory.save(
            image_factory.draw("a", (8, 8)), folder / "locked.png", "png"
        ),
    ),
    AUDIO: Broken(
        reason=_audio_reason,
        scan=scan_audio,
        folders=lambda tmp: audio_factory.make_class_folders(
            tmp, classes=("a", "b"), per_class=3, formats=("wav", "ogg")
        ),
        usable=6,
        broken={
            "zero.wav": (audio_factory.write_empty, "empty file (0 bytes)"),
            "page.mp3": (
                audio_factory.write_text_as_audio,
                "not audio (looks like an HTML web page)",
            ),
            "quiet.flac": (audio_factory.write_silent, "silent (no sound at all)"),
            "blip.wav": (audio_factory.write_too_short, "too short (2 ms; at least 10 ms needed)"),
            "blip.ogg": (audio_factory.write_too_short, "too short (2 ms; at least 10 ms needed)"),
            "blip.mp3": (audio_factory.write_too_short, "too short (2 ms; at least 10 ms needed)"),
            "nothing.wav": (
                audio_factory.write_header_only,
                "too short (no samples; at least 10 ms needed)",
            ),
            "cut.wav": (
                audio_factory.write_truncated,
                "truncated (holds 0.40 s of the 1.00 s its header promises)",
            ),
            "cut.flac": (
                audio_factory.write_truncated,
                "truncated (decodes 0.00 s of the 1.00 s: flac decoder lost sync)",
            ),
            "cut.ogg": (audio_factory.write_truncated, "truncated (the last OGG page is cut off)"),
            "cut.mp3": (audio_factory.write_truncated, "truncated (decodes 0.29 s of the 1.00 s)"),
        },
        notice_parts=("4 too short", "4 truncated", "1 not audio", "1 empty file", "1 silent"),
        notice=(
            "11 file(s) could not be used and were left out "
            "(4 too short, 4 truncated, 1 not audio, 1 empty file, 1 silent)."
        ),
        good_file=lambda folder: audio_factory.write(
            folder / "x.wav", audio_factory.synth("tone", 0.2, 8000), 8000
        ),
    ),
}
KINDS = pytest.mark.parametrize("kind", list(BROKEN), ids=str)


@pytest.mark.parametrize(
    "kind, name",
    [(kind, name) for kind, table in BROKEN.items() for name in sorted(table.broken)],
    ids=lambda v: str(v),
)
def test_each_broken_file_has_its_reason(tmp_path, kind, name):
    table = BROKEN[kind]
    writer, reason = table.broken[name]
    assert table.reason(writer(tmp_path / name)) == reason


@KINDS
def test_a_scan_lists_every_broken_file_with_its_reason_and_leaves_it_out(tmp_path, kind):
    table = BROKEN[kind]
    root = table.folders(tmp_path)
    expected = {}
    for i, (name, (writer, reason)) in enumerate(sorted(table.broken.items())):
        expected[str(writer(root / "ab"[i % 2] / name))] = reason
    ds = table.scan(str(root))
    assert {b.path: b.reason for b in ds.bad_files} == expected
    assert len(ds) == table.usable and not set(ds.paths()) & set(expected)
    notice = next(n for n in ds.notices if "could not be used" in n)
    assert notice.startswith(f"{len(table.broken)} file(s) could not be used and were left out (")
    assert all(part in notice for part in table.notice_parts), notice
    if table.notice is not None:
        assert notice == table.notice


@KINDS
@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission_is_unreadable(tmp_path, kind):
    table = BROKEN[kind]
    path = table.good_file(tmp_path)
    path.chmod(0)
    try:
        assert table.reason(path) == "unreadable: Permission denied"
    finally:
        path.chmod(0o644)

"""Scanning an image or an audio folder alike: the errors that refuse a folder, progress and
cancel. What only one kind has stays in test_image_scan.py and test_audio_scan.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import audio_factory
import image_factory
import pytest

from automl_gui.core.base.errors import CancelledError, DataError
from automl_gui.core.base.events import CancelToken, Progress
from automl_gui.core.data.audio import scan_audio
from automl_gui.core.data.images import scan_images
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES


@dataclass(frozen=True)
class Scan:
    """What differs between the kinds' scans: how a folder and a file are made, and the words
    of what a scan says."""

    scan: Callable[..., Any]
    folders: Callable[[Any, tuple[str, ...], int], Any]  # root, classes, per class -> root
    one_file: Callable[[Any, str, int], Any]  # folder, name, seed -> the file written
    noun: str  # "Checking <noun>… n / m"
    per_class: int  # files per class in the progress test
    other_file: str  # a file that is not of the kind
    no_files: str  # the error (regex) for a folder without any
    no_files_hint: str
    unsorted: str  # the error (regex) for files not sorted into classes
    unsorted_hint: Callable[[str], bool]
    one_class: tuple[str, int, str, str | None]  # class, files, error (regex), hint part
    single_file: str  # the error (regex) for a single file


SCANS = {
    IMAGES: Scan(
        scan=scan_images,
        folders=lambda root, classes, n: image_factory.make_class_folders(
            root, classes=classes, per_class=n, size=(12, 12)
        ),
        one_file=lambda folder, name, seed: image_factory.save(
            image_factory.draw("a", (16, 16), seed=seed), folder / f"{name}.png", "png"
        ),
        noun="images",
        per_class=15,
        other_file="notes.txt",
        no_files="holds no images",
        no_files_hint="subfolder per class",
        unsorted="not sorted into classes",
        unsorted_hint=lambda hint: (
            "put the images of each class in its own subfolder" in hint.lower()
        ),
        one_class=("only", 3, "'only'", "two classes"),
        single_file="single file",
    ),
    AUDIO: Scan(
        scan=scan_audio,
        folders=lambda root, classes, n: audio_factory.make_class_folders(
            root, classes=classes, per_class=n, formats=("wav",)
        ),
        one_file=lambda folder, name, seed: audio_factory.write(
            folder / f"{name}.wav", audio_factory.synth("tone", 0.3, 8000, seed=seed), 8000
        ),
        noun="clips",
        per_class=5,
        other_file="readme.md",
        no_files="holds no clips \\(only 1 other file\\(s\\)\\)",
        no_files_hint=".wav, .flac, .ogg or .mp3",
        unsorted="3 clip\\(s\\) in .* are not sorted into classes",
        unsorted_hint=lambda hint: "sounds/dog/*.wav" in hint,
        one_class=("tone", 2, "Only one class was found .* 'tone' \\(2 clip\\(s\\)\\)", None),
        single_file="single file, not an audio dataset",
    ),
}
KINDS = pytest.mark.parametrize("kind", list(SCANS), ids=str)


# -- dataset errors ---------------------------------------------------------------------------
@KINDS
def test_a_folder_without_files_of_the_kind_is_refused_saying_what_it_holds(tmp_path, kind):
    table = SCANS[kind]
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / table.other_file).write_text("x", encoding="utf-8")
    with pytest.raises(DataError, match=table.no_files) as info:
        table.scan(str(tmp_path))
    assert table.no_files_hint in info.value.hint


@KINDS
def test_files_only_in_the_root_ask_for_class_subfolders(tmp_path, kind):
    table = SCANS[kind]
    for i in range(3):
        table.one_file(tmp_path, str(i), i)
    with pytest.raises(DataError, match=table.unsorted) as info:
        table.scan(str(tmp_path))
    assert table.unsorted_hint(info.value.hint), info.value.hint


@KINDS
def test_one_class_is_refused_naming_it(tmp_path, kind):
    table = SCANS[kind]
    name, count, error, hint = table.one_class
    table.folders(tmp_path, (name,), count)
    with pytest.raises(DataError, match=error) as info:
        table.scan(str(tmp_path))
    if hint is not None:
        assert hint in info.value.hint


@KINDS
def test_a_missing_path_and_a_single_file_are_refused(tmp_path, kind):
    table = SCANS[kind]
    with pytest.raises(DataError, match="does not exist"):
        table.scan(str(tmp_path / "nope"))
    one = table.one_file(tmp_path, "one", 0)
    with pytest.raises(DataError, match=table.single_file):
        table.scan(str(one))


# -- progress and cancel ----------------------------------------------------------------------
@KINDS
def test_progress_reports_checked_counts_up_to_one(tmp_path, kind):
    table = SCANS[kind]
    root = table.folders(tmp_path, ("a", "b"), table.per_class)
    total = 2 * table.per_class
    events = []
    table.scan(str(root), on_event=events.append)
    checks = [e for e in events if isinstance(e, Progress) and e.fraction is not None]
    assert all(e.stage == "scan" for e in events)
    assert checks[0].message == f"Checking {table.noun}… 0 / {total}"
    assert checks[0].fraction == 0.0
    assert checks[-1].message == f"Checking {table.noun}… {total} / {total}"
    assert checks[-1].fraction == 1.0
    fractions = [e.fraction for e in checks]
    assert fractions == sorted(fractions)


@KINDS
def test_cancel_before_and_during_the_check(tmp_path, kind):
    table = SCANS[kind]
    root = table.folders(tmp_path, ("a", "b"), 3)
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        table.scan(str(root), cancel=token)

    token = CancelToken()

    def cancel_when_checking(event):
        if isinstance(event, Progress) and event.fraction is not None:
            token.cancel()

    with pytest.raises(CancelledError):
        table.scan(str(root), on_event=cancel_when_checking, cancel=token)

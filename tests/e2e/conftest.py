"""The generated folders the command-line tests train on and check options against: an image
folder and an audio folder, each split into train/ val/ test/ with three broken files."""

from __future__ import annotations

from pathlib import Path

import pytest
from audio_factory import make_split_folders as make_audio_folders
from audio_factory import write_empty, write_text_as_audio
from audio_factory import write_truncated as write_truncated_clip
from image_factory import make_split_folders as make_image_folders
from image_factory import write_not_an_image, write_truncated, write_zero_bytes

#: the classes of the ``sounds`` folder
SOUND_CLASSES = ("tone", "noise", "chirp")


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> Path:
    root = make_image_folders(
        tmp_path_factory.mktemp("shapes") / "shapes",
        counts={"train": 12, "val": 4, "test": 4},
        size=(32, 32),
    )
    # broken files are skipped, listed, and never stop training
    write_zero_bytes(root / "train" / "circle" / "empty.jpg")
    write_truncated(root / "train" / "square" / "cut.jpg", "jpg")
    write_not_an_image(root / "train" / "triangle" / "text.png")
    return root


@pytest.fixture(scope="module")
def sounds(tmp_path_factory) -> Path:
    root = make_audio_folders(
        tmp_path_factory.mktemp("sounds") / "sounds",
        classes=SOUND_CLASSES,
        counts={"train": 6, "val": 2, "test": 3},
        seconds=(0.4, 0.7),
    )
    # broken clips are skipped, listed, and never stop training
    write_empty(root / "train" / "tone" / "empty.wav")
    write_truncated_clip(root / "train" / "noise" / "cut.flac")
    write_text_as_audio(root / "train" / "chirp" / "page.mp3")
    return root

"""End-to-end: options that do not fit an image or audio folder (or the model chosen) are
one-line errors before anything is written, for every kind of folder alike."""

from __future__ import annotations

import pytest
from cli_runner import call_cli as _cli

#: kind → the generated folder of that kind (fixtures in conftest.py)
FOLDER = {"images": "shapes", "audio": "sounds"}


@pytest.mark.parametrize(
    "kind, args, expected",
    [
        ("images", ["--model", "mlp"], "does not work on images data"),
        ("images", ["--model", "cnn", "--weights", "x.h5"], "--weights needs --model resnet50"),
        ("images", ["--target", "label"], "--target is for tables"),
        ("images", ["--sample-rate", "8000"], "--sample-rate is for an audio folder"),
        ("audio", ["--model", "mlp"], "does not work on audio data"),
        ("audio", ["--image-size", "64"], "--image-size is for an image folder"),
        ("audio", ["--color-mode", "grayscale"], "--color-mode is for an image folder"),
        ("audio", ["--target", "label"], "--target is for tables; an audio folder"),
        ("audio", ["--model", "cnn", "--weights", "x.h5"], "--weights needs --model resnet50"),
    ],
)
def test_bad_options_for_a_folder_fail_in_one_line(kind, args, expected, request, tmp_path):
    folder = request.getfixturevalue(FOLDER[kind])
    proc = _cli("train", str(folder), *args, "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert proc.returncode == 1
    assert expected in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()

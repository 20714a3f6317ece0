"""End-to-end: the command line on generated audio folders (train, predict, export, bad input)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from cli_runner import call_cli as _cli

CLASSES = ("tone", "noise", "chirp")  # the ``sounds`` folder's (conftest.py)


@pytest.fixture(scope="module")
def run(sounds: Path, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("runs") / "sounds-model"
    proc = _cli(
        "train",
        str(sounds),
        "--model",
        "cnn",
        "--epochs",
        "2",
        "--sample-rate",
        "8000",
        "--clip-seconds",
        "0.5",
        "--n-mels",
        "24",
        "--features",
        "mfcc",
        "--no-augment",
        "--out",
        str(out),
        cwd=out.parent,
    )
    return out, proc


def test_train_on_an_audio_folder_writes_model_metadata_report_and_predictions(run):
    out, proc = run
    assert proc.returncode == 0, proc.stderr
    for name in ("model.keras", "metadata.json", "report.json", "test_predictions.csv"):
        assert (out / name).is_file(), name
    assert (out / "samples.npy").is_file()
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["kind"] == "audio" and meta["class_names"] == sorted(CLASSES)
    assert meta["sample_rate"] == 8000 and meta["clip_seconds"] == 0.5
    assert meta["n_samples"] == 4000 and meta["features"] == "mfcc"
    assert meta["preprocess"]["n_mels"] == 24 and meta["preprocess"]["augment"]["enabled"] is False
    assert meta["data"]["layout"] == "split_folders" and meta["data"]["test_clips"] == 9
    preds = pd.read_csv(out / "test_predictions.csv")
    assert list(preds.columns[:4]) == ["path", "actual", "prediction", "confidence"]
    assert len(preds) == 9
    assert "Data: 33 clips in 3 classes" in proc.stdout
    assert proc.stdout.count("warning: skipped") == 3  # each broken clip, with its reason
    assert "Test: accuracy" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_predict_a_folder_with_a_broken_clip(run, sounds, tmp_path):
    out, _ = run
    csv = tmp_path / "pred.csv"
    proc = _cli(
        "predict",
        str(out),
        str(sounds / "test"),
        str(sounds / "train" / "tone" / "empty.wav"),
        "--out",
        str(csv),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    df = pd.read_csv(csv, keep_default_na=False)
    names = sorted(CLASSES)
    assert list(df.columns) == [
        "path",
        "prediction",
        "confidence",
        *[f"probability_{n}" for n in names],
        "error",
    ]
    assert len(df) == 10
    good = df[df["error"] == ""]
    assert len(good) == 9 and good["prediction"].isin(names).all()
    broken = df[df["path"].str.endswith("empty.wav")]
    assert "empty file" in broken["error"].iloc[0] and broken["prediction"].iloc[0] == ""
    assert "Wrote 9 predictions" in proc.stdout and "1 clip could not be classified" in proc.stderr


def test_export_an_audio_model_as_savedmodel_reloads_and_compares(run, tmp_path):
    out, _ = run
    target = tmp_path / "saved"
    proc = _cli("export", str(out), "--format", "savedmodel", "--out", str(target), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "sample clips (raw waveforms)" in proc.stdout
    meta = json.loads((target / "metadata.json").read_text())
    assert "8000 Hz" in meta["export"]["serving"]


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--sample-rate", "100"], "must be between 4000 Hz and 96000 Hz"),
        (["--clip-seconds", "-1"], "must be between 0 s and 60 s"),
        (["--features", "chroma"], "invalid choice"),
        (["--n-mels", "lots"], "is not a whole number"),
    ],
)
def test_out_of_range_audio_options_are_usage_errors(tmp_path, args, expected):
    proc = _cli("train", str(tmp_path), *args, cwd=tmp_path)
    assert proc.returncode == 2 and expected in proc.stderr

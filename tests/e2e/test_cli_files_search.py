"""End-to-end: ``automl-gui train FOLDER --model auto --trials N`` searches an image folder."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from cli_runner import call_cli as _cli
from image_factory import make_class_folders


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("search") / "shapes"
    return make_class_folders(root, per_class=12, size=(32, 32), vary_size=False, seed=5)


def test_folder_search_prints_trials_and_leaderboard_and_saves_the_kept_model(shapes):
    folder = shapes.parent
    out = folder / "run"
    proc = _cli(
        "train",
        str(shapes),
        "--model",
        "auto",
        "--trials",
        "2",
        "--epochs",
        "1",
        "--search",
        "random",
        "--no-augment",
        "--batch-size",
        "8",
        "--search-dir",
        str(folder / "state"),
        "--out",
        str(out),
        cwd=folder,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    trials = [line for line in lines if line.startswith("Trial ")]
    assert len(trials) == 2 and all(" completed " in line for line in trials), proc.stdout
    assert "architecture=cnn" in trials[0] and "augment=none" in trials[0]
    assert not any(line.startswith("Epoch ") for line in lines)  # one line per trial
    assert "Leaderboard" in lines and any(line.startswith("* kept: trial ") for line in lines)
    assert any(line.startswith("Test: accuracy") for line in lines), proc.stdout
    for name in ("model.keras", "metadata.json", "test_predictions.csv", "leaderboard.csv"):
        assert (out / name).exists(), name
    board = pd.read_csv(out / "leaderboard.csv", dtype={"trial": str})
    assert list(board["trial"]) == ["0000", "0001"] and set(board["status"]) == {"completed"}
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["kind"] == "images"
    best = metadata["search"]["best_trial"]
    assert best["value"] == pytest.approx(board["value"].min())
    assert (folder / "state" / "leaderboard.json").exists()


def test_folder_search_options_that_cannot_apply_are_one_line_errors(shapes):
    proc = _cli("train", str(shapes), "--model", "cnn", "--trials", "2", cwd=shapes.parent)
    assert proc.returncode != 0
    assert "only for an AutoML search" in proc.stderr and "Traceback" not in proc.stderr

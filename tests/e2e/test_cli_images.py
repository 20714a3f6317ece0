"""End-to-end: the command line on generated image folders (train, predict, export, bad input)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from cli_runner import call_cli as _cli
from image_factory import make_class_folders


@pytest.fixture(scope="module")
def run(shapes: Path, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("runs") / "shapes-model"
    proc = _cli(
        "train",
        str(shapes),
        "--model",
        "cnn",
        "--epochs",
        "3",
        "--image-size",
        "32",
        "--no-augment",
        "--out",
        str(out),
        cwd=out.parent,
    )
    return out, proc


def test_train_on_a_split_folder_writes_the_same_outputs_as_for_tables(run):
    out, proc = run
    assert proc.returncode == 0, proc.stderr
    for name in ("model.keras", "metadata.json", "report.json", "test_predictions.csv"):
        assert (out / name).is_file(), name
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["kind"] == "images" and meta["class_names"] == ["circle", "square", "triangle"]
    assert meta["data"]["layout"] == "split_folders" and meta["data"]["test_images"] == 12
    assert "Using the folder's own split" in proc.stdout
    assert proc.stdout.count("skipped") >= 3  # the three broken files, each with a reason
    assert "Test: accuracy" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_predict_a_folder_writes_path_prediction_and_probabilities(run, shapes, tmp_path):
    out, _ = run
    csv = tmp_path / "pred.csv"
    proc = _cli("predict", str(out), str(shapes / "test"), "--out", str(csv), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    df = pd.read_csv(csv)
    assert list(df.columns[:2]) == ["path", "prediction"]
    assert {"probability_circle", "probability_square", "probability_triangle"} <= set(df.columns)
    assert len(df) == 12 and df["prediction"].isin(["circle", "square", "triangle"]).all()


def test_predict_single_files_and_a_broken_one(run, shapes, tmp_path):
    out, _ = run
    files = sorted(str(p) for p in (shapes / "test" / "circle").iterdir())[:2]
    proc = _cli(
        "predict",
        str(out),
        *files,
        str(shapes / "train" / "circle" / "empty.jpg"),
        "--out",
        str(tmp_path / "p.csv"),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    df = pd.read_csv(tmp_path / "p.csv", keep_default_na=False)
    assert len(df) == 3
    assert "empty file" in df.loc[df["path"].str.endswith("empty.jpg"), "error"].iloc[0]
    assert "1 image could not be classified" in proc.stderr


def test_export_an_image_model_reloads_and_compares(run, tmp_path):
    out, _ = run
    proc = _cli("export", str(out), "--format", "keras", "--out", str(tmp_path / "e"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "sample images" in proc.stdout


def test_one_class_folder_fails_with_a_clear_message(tmp_path):
    root = make_class_folders(tmp_path / "one", classes=("cat",), per_class=4)
    proc = _cli("train", str(root), cwd=tmp_path)
    assert proc.returncode == 1
    assert "class" in proc.stderr.lower() and "cat" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_fine_tune_layers_must_be_a_count_or_auto(shapes, tmp_path):
    proc = _cli("train", str(shapes), "--fine-tune-layers", "-3", cwd=tmp_path)
    assert proc.returncode == 2 and "must be 0 or more" in proc.stderr


def test_predict_images_with_a_table_model_is_refused(tmp_path, shapes):
    import numpy as np

    csv = tmp_path / "t.csv"
    rng = np.random.default_rng(0)
    pd.DataFrame({"x": rng.normal(size=60), "y": rng.integers(0, 2, 60)}).to_csv(csv, index=False)
    model = tmp_path / "table-model"
    proc = _cli(
        "train", str(csv), "--target", "y", "--epochs", "2", "--out", str(model), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    proc = _cli("predict", str(model), str(shapes / "test"), cwd=tmp_path)
    assert proc.returncode == 1 and "holds images" in proc.stderr

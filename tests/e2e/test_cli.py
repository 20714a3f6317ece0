"""End-to-end: the command line on datasets scikit-learn ships, written to CSV by the test."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import call_cli as _cli
from cli_runner import run_cli
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris


@pytest.fixture(scope="module")
def iris_csv(tmp_path_factory) -> Path:
    data = load_iris(as_frame=True)
    df = data.frame.rename(columns={"target": "species"})
    df["species"] = df["species"].map(dict(enumerate(data.target_names)))
    path = tmp_path_factory.mktemp("iris") / "iris.csv"
    df.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def iris_run(iris_csv: Path, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("runs") / "iris-model"
    proc = run_cli(  # a real process, as the README's first command: its exit status too
        "train",
        str(iris_csv),
        "--target",
        "species",
        "--out",
        str(out),
        "--epochs",
        "60",
        "--seed",
        "1",
        cwd=iris_csv.parent,
    )
    return out, proc


def test_train_writes_model_metadata_report_and_prints_epochs(iris_run):
    out, proc = iris_run
    assert proc.returncode == 0, proc.stderr
    assert {"model.keras", "metadata.json", "report.json"} <= {p.name for p in out.iterdir()}
    epoch_lines = [line for line in proc.stdout.splitlines() if line.lower().startswith("epoch")]
    assert len(epoch_lines) >= 3
    report = json.loads((out / "report.json").read_text())
    assert report["task"] == "multiclass"
    assert report["metrics"]["accuracy"] >= 0.8  # iris is easy: a broken pipeline fails this
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["class_names"] == ["setosa", "versicolor", "virginica"]


def test_predict_writes_prediction_and_probability_columns(iris_run, iris_csv, tmp_path):
    out, _ = iris_run
    data = pd.read_csv(iris_csv).drop(columns=["species"])
    data.loc[0, "petal length (cm)"] = np.nan  # raw rows with a missing value are fine
    new = tmp_path / "new.csv"
    data.to_csv(new, index=False)
    pred_path = tmp_path / "pred.csv"
    proc = _cli("predict", str(out), str(new), "--out", str(pred_path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    pred = pd.read_csv(pred_path)
    assert len(pred) == len(data)
    assert {"probability_setosa", "probability_versicolor", "probability_virginica"} <= set(pred)
    assert set(pred["prediction"]) <= {"setosa", "versicolor", "virginica"}
    probs = pred[[c for c in pred if c.startswith("probability_")]].to_numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    # Refuses to overwrite without --overwrite.
    again = _cli("predict", str(out), str(new), "--out", str(pred_path), cwd=tmp_path)
    assert again.returncode != 0 and "--overwrite" in again.stderr


def test_predict_counts_odd_values_per_column(iris_run, iris_csv, tmp_path):
    out, _ = iris_run
    data = pd.read_csv(iris_csv).drop(columns=["species"]).head(12).astype(object)
    data.loc[0, "sepal width (cm)"] = "wide"  # text in a numeric column
    data.loc[1, "sepal width (cm)"] = 1e30  # far beyond anything in training
    new = tmp_path / "odd.csv"
    data.to_csv(new, index=False)
    pred_path = tmp_path / "odd-pred.csv"
    proc = _cli("predict", str(out), str(new), "--out", str(pred_path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    notes = [line for line in proc.stdout.splitlines() if line.startswith("note: Column")]
    assert len(notes) == 1  # the training split's range: 2 to about 4.4
    assert notes[0].startswith(
        "note: Column 'sepal width (cm)': 1 value is not a number (treated as missing); "
        "1 value is far outside the training range 2 to 4."
    )
    assert notes[0].endswith("(e.g. 'wide', '1e+30').")
    assert len(pd.read_csv(pred_path)) == 12  # every row still answered


def test_export_savedmodel_is_verified(iris_run, tmp_path):
    out, _ = iris_run
    dest = tmp_path / "iris_savedmodel"
    proc = _cli("export", str(out), "--format", "savedmodel", "--out", str(dest), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (dest / "metadata.json").exists()
    assert "max" in proc.stdout.lower()  # reports the reload-and-compare difference


def test_regression_and_binary_end_to_end(tmp_path):
    diabetes = load_diabetes(as_frame=True).frame
    diabetes.to_csv(tmp_path / "diabetes.csv", index=False)
    proc = _cli(
        "train",
        "diabetes.csv",
        "--target",
        "target",
        "--out",
        "reg",
        "--epochs",
        "auto",  # the default: early stopping within the Auto cap (100 here)
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "reg" / "report.json").read_text())
    assert report["task"] == "regression"
    assert report["metrics"]["r2"] > 0.25  # a mean predictor scores 0, linear models ~0.45

    cancer = load_breast_cancer(as_frame=True).frame
    cancer.to_csv(tmp_path / "cancer.csv", index=False)
    proc = _cli(
        "train", "cancer.csv", "--out", "bin", "--epochs", "20", "--quiet", cwd=tmp_path
    )  # target guessed: the column named "target"
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "bin" / "report.json").read_text())
    assert report["task"] == "binary" and report["metrics"]["roc_auc"] > 0.9


@pytest.mark.parametrize(
    "args, words",
    [
        (["train", "missing.csv", "--target", "y"], ["does not exist", "missing.csv"]),
        (["train", "empty.csv", "--target", "y"], ["empty"]),
        (["train", "ok.csv", "--target", "nope"], ["nope"]),
        (["predict", "no-model-here", "ok.csv"], ["model"]),
        (["train", "ok.csv", "--epochs", "-3"], ["positive"]),
    ],
)
def test_bad_input_gives_one_line_and_nonzero_exit(tmp_path, args, words):
    (tmp_path / "empty.csv").write_text("")
    pd.DataFrame({"a": range(30), "y": [0, 1] * 15}).to_csv(tmp_path / "ok.csv", index=False)
    proc = _cli(*args, cwd=tmp_path)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1].lower()
    for word in words:
        assert word.lower() in last, proc.stderr


def test_info_lists_versions_and_devices(tmp_path):
    proc = _cli("info", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "tensorflow" in proc.stdout.lower() and "CPU" in proc.stdout


def test_tensorflow_log_level_hides_cuinit_only_without_a_gpu_driver(tmp_path):
    from automl_gui.cli import tf_log_level

    driver = tmp_path / "nvidiactl"
    assert tf_log_level((str(tmp_path / "none"),)) == "3"
    driver.write_text("", encoding="utf-8")
    assert tf_log_level((str(tmp_path / "none"), str(driver))) == "2"  # errors shown


def test_a_command_prints_no_tensorflow_start_up_errors(tmp_path):
    """A real process with the user's environment (no TF_CPP_MIN_LOG_LEVEL): loading a model
    printed "E0000 … failed call to cuInit" on machines without a GPU driver."""
    import os
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL",)}
    model = Path(__file__).parents[1] / "core" / "fixtures" / "bundles" / "before_issue13_binary"
    proc = subprocess.run(
        [sys.executable, "-m", "automl_gui", "predict", str(model), "--text", "hi"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 1 and "Typed text is for text models" in proc.stderr
    assert "cuInit" not in proc.stderr and "E0000" not in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_epochs_help_says_each_kinds_own_default(tmp_path):
    from automl_gui.core.kinds import all_kinds

    proc = _cli("train", "--help", cwd=tmp_path)
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    # every kind sizes its epochs from the data (tables too: jobs._tabular_parts.table_epochs)
    assert all(kind.default_training().epochs == 0 for kind in all_kinds())
    assert (
        "maximum epochs: a number, or auto (0) to size them from the data (default: auto)" in text
    )
    assert "table 60" in text and "images 30" in text  # a search trial's

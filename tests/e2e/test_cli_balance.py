"""``automl-gui train`` on imbalanced classes (issue 15, item 9): the same engine default as the
window ("auto" class weights are balanced above the imbalance rule), said in the output, a
``--class-weights`` option to choose, and balanced accuracy on the Test line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_runner import call_cli

from automl_gui.core.kinds.tabular import TABULAR

NOTE = "Classes are imbalanced 78:22: weighting them 'balanced'"


@pytest.fixture(scope="module")
def churn(tmp_path_factory) -> Path:
    """The app's sample table: 1,171 "no" and 329 "yes" (78:22)."""
    path = tmp_path_factory.mktemp("churn") / "churn.csv"
    shutil.copy(TABULAR.sample_path(), path)
    return path


@pytest.mark.parametrize("choice", [None, "none", "balanced"])
def test_train_weights_imbalanced_classes_by_default_and_says_so(churn, tmp_path, choice):
    options = ["--class-weights", choice] if choice else []
    out = tmp_path / "model"
    proc = call_cli(
        "train",
        str(churn),
        "--target",
        "churn",
        "--epochs",
        "2",
        "--out",
        str(out),
        *options,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    said = [line for line in proc.stdout.splitlines() if line.startswith(NOTE)]
    if choice is None:  # the default: weighted, and one line says so and how to change it
        assert said == [
            f"{NOTE} (Class weights on the Model page; --class-weights on the command line)."
        ]
    else:  # the user's choice: no automatic weighting to announce
        assert said == []
    test_line = next(line for line in proc.stdout.splitlines() if line.startswith("Test: "))
    assert "accuracy " in test_line and " · balanced accuracy " in test_line
    report = json.loads((out / "report.json").read_text())
    assert 0.0 <= report["metrics"]["balanced_accuracy"] <= 1.0
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["training"]["class_weights"] == (choice or "auto")


def test_an_unknown_class_weights_choice_is_refused_by_the_parser(churn, tmp_path):
    proc = call_cli("train", str(churn), "--class-weights", "balance", cwd=tmp_path)
    assert proc.returncode == 2 and "invalid choice: 'balance'" in proc.stderr

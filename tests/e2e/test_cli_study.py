"""End-to-end: ``automl-gui study KIND DATA`` prints a line per training and a table, and
writes study_KIND.csv and study_KIND.png; bad input is one line and a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import call_cli as _cli
from PIL import Image


@pytest.fixture(scope="module")
def table_csv(tmp_path_factory) -> Path:
    rng = np.random.default_rng(3)
    n = 120
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    df = pd.DataFrame({"x1": x1, "x2": x2, "label": np.where(x1 - x2 > 0, "up", "down")})
    path = tmp_path_factory.mktemp("study") / "table.csv"
    df.to_csv(path, index=False)
    return path


def test_optimizers_study_prints_rows_and_table_and_writes_csv_and_png(table_csv):
    folder = table_csv.parent
    args = ["study", "optimizers", "table.csv", "--target", "label", "--epochs", "2"]
    proc = _cli(*args, "--optimizers", "sgd,adam", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    rows = [line for line in lines if line.startswith("[")]
    assert len(rows) == 2 and rows[0].startswith("[1/2] sgd: completed, test_accuracy ")
    assert rows[1].startswith("[2/2] adam: completed") and "converge" in rows[1]
    # the trivial baseline and the best by validation score are said after the table
    assert any(line.startswith("Trivial baseline: validation accuracy ") for line in lines)
    best = [line for line in lines if line.startswith(("Best by val_accuracy", "No training"))]
    assert len(best) == 1, lines
    assert not any(line.startswith("Epoch ") for line in lines)
    header = next(line for line in lines if line.startswith("optimizer "))
    assert header.split()[:3] == ["optimizer", "status", "test_accuracy"]
    out = folder / "study_table"
    frame = pd.read_csv(out / "study_optimizers.csv", comment="#")
    assert list(frame["optimizer"]) == ["sgd", "adam"]
    assert list(frame["status"]) == ["completed", "completed"]
    # a training that never beat the baseline did not converge, and the CSV says why
    below = (
        frame["reason"]
        .fillna("")
        .str.contains("did not converge (never beat the trivial baseline", regex=False)
    )
    assert (frame["steps_to_converge"].notna() == ~below).all()
    assert "val_loss <= best + 0.05" in (out / "study_optimizers.csv").read_text()
    image = Image.open(out / "study_optimizers.png")
    assert image.size == (1200, 600)
    assert np.asarray(image.convert("L"), dtype=float).std() > 20

    # a second run refuses to overwrite, in one line, before any training
    again = _cli(*args, cwd=folder)
    assert again.returncode == 1
    assert (
        again.stderr.strip().startswith("error: ") and len(again.stderr.strip().splitlines()) == 1
    )
    assert "--overwrite" in again.stderr


def test_bad_study_options_are_one_line_errors(table_csv):
    folder = table_csv.parent
    wrong_kind = _cli("study", "optimizers", "table.csv", "--batch-sizes", "8,16", cwd=folder)
    assert wrong_kind.returncode == 1
    assert wrong_kind.stderr.strip() == (
        "error: --batch-sizes is for the batch-sizes study. Leave out --batch-sizes."
    )
    unknown = _cli("study", "optimizers", "table.csv", "--optimizers", "adam,warp", cwd=folder)
    assert unknown.returncode == 1 and "Unknown optimizer 'warp'" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1
    missing = _cli("study", "devices", "nope.csv", cwd=folder)
    assert missing.returncode == 1 and missing.stderr.startswith("error: ")
    assert len(missing.stderr.strip().splitlines()) == 1

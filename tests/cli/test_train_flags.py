"""``automl-gui train``'s table network and training flags: --numeric-embedding, --n-bins,
--ensemble-size, --weight-decay, --refit reach the saved run; bad values and flags that do
not fit the data or a search are refused with a plain message."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import call_cli


@pytest.fixture(scope="module")
def table_csv(tmp_path_factory) -> Path:
    rng = np.random.default_rng(0)
    n = 120
    x = rng.normal(size=(n, 3))
    df = pd.DataFrame(x, columns=["a", "b", "c"])
    df["colour"] = rng.choice(["red", "green", "blue"], size=n)
    df["y"] = np.where(x[:, 0] + (df["colour"] == "red") > 0.3, "yes", "no")
    path = tmp_path_factory.mktemp("flags") / "t.csv"
    df.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def flagged_run(table_csv: Path, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "flagged"
    proc = call_cli(
        "train",
        str(table_csv),
        "--target",
        "y",
        "--out",
        str(out),
        "--model",
        "mlp",
        "--epochs",
        "2",
        "--numeric-embedding",
        "periodic",
        "--ensemble-size",
        "2",
        "--weight-decay",
        "0.01",
        "--refit",
        cwd=table_csv.parent,
    )
    return out, proc


def test_flags_reach_the_saved_run(flagged_run):
    out, proc = flagged_run
    assert proc.returncode == 0, proc.stderr
    metadata = json.loads((out / "metadata.json").read_text())
    network, training = metadata["model"], metadata["training"]
    assert (network["numeric_embedding"], network["ensemble_size"]) == ("periodic", 2)
    assert training["weight_decay"] == 0.01 and training["refit"] is True
    assert metadata["refit"]["epochs"] >= 1  # refit, or why the first model was kept
    assert "Refit on all data" in proc.stdout


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (("--ensemble-size", "0.5"), "is not 'auto' or a whole number"),
        (("--ensemble-size", "99"), "must be 'auto' or from 1 to"),
        (("--n-bins", "-3"), "must be 'auto' or from 1 to"),
        (("--weight-decay", "2"), "must be between 0 and 1"),
        (("--numeric-embedding", "fourier"), "invalid choice"),
    ],
)
def test_bad_values_are_refused_by_name(table_csv, flags, said):
    proc = call_cli("train", str(table_csv), *flags, cwd=table_csv.parent)
    assert proc.returncode == 2
    assert said in proc.stderr and "Traceback" not in proc.stderr


def test_table_flags_are_refused_for_a_folder_and_a_search(table_csv, tmp_path):
    images = tmp_path / "pics" / "cat"
    images.mkdir(parents=True)
    from PIL import Image

    for i in range(2):
        Image.new("RGB", (8, 8), (i * 100, 0, 0)).save(images / f"{i}.png")
    (tmp_path / "pics" / "dog").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "pics" / "dog" / "0.png")
    proc = call_cli("train", str(tmp_path / "pics"), "--ensemble-size", "4", cwd=tmp_path)
    assert proc.returncode == 1
    assert "--ensemble-size is for a table" in proc.stderr and "Leave out" in proc.stderr

    for flags in (("--numeric-embedding", "piecewise"), ("--refit",)):
        proc = call_cli(
            "train", str(table_csv), "--time-budget", "30", *flags, cwd=table_csv.parent
        )
        assert proc.returncode == 1, proc.stdout
        assert "is for training one model" in proc.stderr and "Traceback" not in proc.stderr
    # auto is what the search does anyway: not refused by the option check
    proc = call_cli(
        "train",
        str(table_csv),
        "--time-budget",
        "30",
        "--numeric-embedding",
        "auto",
        "--resume",
        cwd=table_csv.parent,
    )
    assert "--resume needs the search folder" in proc.stderr


def test_image_options_are_refused_for_a_table(table_csv):
    proc = call_cli("train", str(table_csv), "--image-size", "64", cwd=table_csv.parent)
    assert proc.returncode == 1
    assert "--image-size is for an image folder, but" in proc.stderr and "a table" in proc.stderr

"""``automl-gui explain RUN DATA... [--out DIR] [--rows N]``: a table's importance and row
contributions (the run's own data: its test split only), a table without its answers, a text
model's words, the output rule and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_runner import call_cli


def _two_of_six(n: int, seed: int) -> pd.DataFrame:
    """The label is x1 + x4 > 0; four other numbers and a colour do not matter."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=n).round(4) for i in range(5)})
    frame["colour"] = rng.choice(["red", "green", "blue"], size=n)
    frame["label"] = np.where(frame["x1"] + frame["x4"] > 0, "yes", "no")
    return frame


@pytest.fixture(scope="module")
def table_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explain")
    data = folder / "train.csv"
    _two_of_six(600, 0).to_csv(data, index=False)
    result = call_cli(
        "train", str(data), "--target", "label", "--out", str(folder / "model"), "--model",
        "mlp", "--epochs", "10", "--ensemble-size", "1", "--numeric-embedding", "none",
        "--seed", "1", "-q", cwd=folder,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return folder, folder / "model", data


def test_the_runs_own_table_is_explained_on_its_test_split(table_model):
    folder, model, data = table_model
    out = folder / "why"
    result = call_cli(
        "explain", str(model), str(data), "--out", str(out), "--rows", "5", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Explained on the run's test split (" in text and "of 600 rows)" in text
    assert "Permutation importance (Breiman 2001)" in text and "Štrumbelj" in text
    assert "Most important (of 6):" in text
    importance = pd.read_csv(out / "importance.csv")
    assert list(importance.columns) == ["feature", "importance", "std"]
    assert sorted(importance["feature"][:2]) == ["x1", "x4"]
    contributions = pd.read_csv(out / "contributions.csv")
    assert len(contributions) == 5
    parts = contributions.filter(like="contribution_").sum(axis=1)
    np.testing.assert_allclose(parts, contributions["output"] - contributions["base"], atol=1e-6)
    record = json.loads((out / "metadata.json").read_text())
    assert record["explanation"]["files"] == ["contributions.csv", "importance.csv"]
    assert f"Wrote 2 files to {out}" in text
    # the output rule: refused without --overwrite, replaced with it
    again = call_cli("explain", str(model), str(data), "--out", str(out), cwd=folder)
    assert again.returncode == 1 and "exists" in again.stderr
    again = call_cli(
        "explain", str(model), str(data), "--out", str(out), "--overwrite", "--rows", "2",
        cwd=folder,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert len(pd.read_csv(out / "contributions.csv")) == 2


def test_rows_without_answers_get_contributions_only(table_model):
    folder, model, _data = table_model
    new = folder / "new.csv"
    _two_of_six(30, 3).drop(columns="label").to_csv(new, index=False)
    result = call_cli("explain", str(model), str(new), "--rows", "3", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "only each row's contributions" in result.stdout
    out = folder / "new_explained"  # the default output folder
    assert sorted(p.name for p in out.iterdir()) == ["contributions.csv", "metadata.json"]
    assert len(pd.read_csv(out / "contributions.csv")) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rows", "0"], "--rows must be at least 1"),
        (["--text", "hello"], "text"),
        (["missing.csv"], "missing.csv"),
        (["bad.csv"], "lacks columns the model needs: x2"),
    ],
)
def test_one_line_errors(table_model, args, message):
    folder, model, data = table_model
    _two_of_six(20, 4).drop(columns="x2").to_csv(folder / "bad.csv", index=False)
    if args[0] == "--rows":
        args = [str(data), *args]
    result = call_cli("explain", str(model), *args, "--out", str(folder / "e"), cwd=folder)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert "Traceback" not in result.stderr


def test_a_text_model_names_the_words_that_matter(tmp_path):
    root = tmp_path / "mail"
    words = {"spam": "win prize money free offer click", "ham": "meeting lunch report notes team"}
    for label, vocabulary in words.items():
        (root / label).mkdir(parents=True)
        bag = vocabulary.split()
        for i in range(12):
            text = " ".join(bag[(i + k) % len(bag)] for k in range(4))
            (root / label / f"{i:02}.txt").write_text(f"{text} number {i}", encoding="utf-8")
    model = tmp_path / "model"
    trained = call_cli(
        "train", str(root), "--model", "ngram_mlp", "--epochs", "3", "--out", str(model), "-q",
        cwd=tmp_path,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    result = call_cli("explain", str(model), str(root), "--out", str(tmp_path / "w"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Most important" in result.stdout
    assert {"importance.csv", "explanations.csv"} <= {p.name for p in (tmp_path / "w").iterdir()}
    typed = call_cli(
        "explain", str(model), "--text", "free prize money", "--out", str(tmp_path / "t"),
        cwd=tmp_path,
    )  # fmt: skip
    assert typed.returncode == 0, typed.stderr


def test_an_image_model_writes_an_overlay_per_file(tmp_path):
    from image_factory import make_class_folders

    root = tmp_path / "shapes"
    make_class_folders(
        root, per_class=10, size=(16, 16), vary_size=False, formats=("png",), modes=False,
        seed=1,
    )  # fmt: skip
    model = tmp_path / "model"
    trained = call_cli(
        "train", str(root), "--model", "cnn", "--epochs", "1", "--image-size", "16",
        "--out", str(model), "-q", cwd=tmp_path,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    out = tmp_path / "where"
    result = call_cli("explain", str(model), str(root), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Explained on the run's test split" in result.stdout
    assert "Grad-CAM" in result.stdout and "Files: " in result.stdout
    rows = pd.read_csv(out / "explanations.csv")
    assert list(rows.columns[:2]) == ["path", "prediction"]
    overlays = sorted(p.name for p in out.glob("*_gradcam.png"))
    assert len(overlays) == len(rows) > 0
    # a folder of files given without answers: every file, as predict takes them
    one = next(root.rglob("*.png"))
    again = call_cli(
        "explain", str(model), str(one), "--out", str(out), "--overwrite", cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    assert len(list(out.glob("*_gradcam.png"))) == 1

"""``automl-gui evaluate RUN DATA [--by COLUMN] [--out DIR]``: the figures with ECE, the test
split of the run's own data, slices with the gap and the four-fifths ratio, the files
written, and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_runner import call_cli
from image_factory import make_class_folders


def _gapped_table(n: int, seed: int) -> pd.DataFrame:
    """The label is x > 0, flipped for 35 % of region South's rows (5 % elsewhere); region
    West has 15 rows; age is a number (sliced in quartiles)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    region = rng.choice(["North", "South"], n)
    region[:15] = "West"
    flip = rng.random(n) < np.where(region == "South", 0.35, 0.05)
    label = np.where((x > 0) ^ flip, "yes", "no")
    return pd.DataFrame(
        {"x": x.round(4), "region": region, "age": rng.integers(18, 80, n), "label": label}
    )


@pytest.fixture(scope="module")
def table_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evaluate")
    data = folder / "train.csv"
    _gapped_table(600, 0).to_csv(data, index=False)
    result = call_cli(
        "train", str(data), "--target", "label", "--out", str(folder / "model"),
        "--epochs", "8", "--seed", "1", cwd=folder,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    new = folder / "new.csv"
    _gapped_table(2000, 1).to_csv(new, index=False)
    return folder, folder / "model", data, new


def test_new_data_by_region_reports_the_gap_and_writes_slices(table_model):
    folder, model, _data, new = table_model
    out = folder / "judged"
    result = call_cli(
        "evaluate", str(model), str(new), "--by", "region", "--out", str(out), cwd=folder
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Judged on all 2,000 labelled rows of the data." in text
    assert "accuracy" in text and "Expected calibration error" in text
    assert "the model is worst for South" in text
    assert "Four-fifths rule (29 CFR 1607.4(D))" in text
    assert "Too few examples to judge (under 30): West (15)" in text
    slices = pd.read_csv(out / "slices.csv")
    assert list(slices.columns[:3]) == ["group", "count", "accuracy"]
    table = slices.set_index("group")
    assert table.loc["North", "accuracy"] - table.loc["South", "accuracy"] > 0.15
    assert np.isnan(table.loc["West", "accuracy"])
    report = json.loads((out / "report.json").read_text())
    assert report["slices"]["region"]["worst"] == {"metric": "accuracy", "group": "South"}
    assert 0 <= report["reliability"]["ece"] <= 1
    # --overwrite replaces the folder the command wrote; without it, refused
    again = call_cli("evaluate", str(model), str(new), "--out", str(out), cwd=folder)
    assert again.returncode == 1 and "exists" in again.stderr
    again = call_cli(
        "evaluate", str(model), str(new), "--by", "age", "--out", str(out), "--overwrite",
        cwd=folder,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "18–" in pd.read_csv(out / "slices.csv")["group"].iloc[0]


def test_the_runs_own_data_is_judged_on_its_test_split(table_model):
    folder, model, data, _new = table_model
    result = call_cli("evaluate", str(model), str(data), cwd=folder)
    assert result.returncode == 0, result.stderr
    metadata = json.loads((model / "metadata.json").read_text())
    test_rows = metadata["data"]["test_rows"]
    assert f"Judged on the run's test split ({test_rows} of 600 rows)." in result.stdout
    stored = json.loads((model / "report.json").read_text())["metrics"]["accuracy"]
    assert f"accuracy {stored:.3f}" in result.stdout  # the same rows, the same figure


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "regoin"], "no column 'regoin'"),
        (["--by", "label"], "is what the model predicts"),
        (["--by", "one"], "one group of 'one'"),
    ],
)
def test_one_line_errors(table_model, args, message):
    folder, model, _data, new = table_model
    frame = pd.read_csv(new).head(100)
    frame["one"] = "same"
    path = folder / "one.csv"
    frame.to_csv(path, index=False)
    result = call_cli("evaluate", str(model), str(path), *args, cwd=folder)
    assert result.returncode == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_data_without_labels_is_refused(table_model):
    folder, model, _data, new = table_model
    path = folder / "unlabelled.csv"
    pd.read_csv(new).drop(columns="label").to_csv(path, index=False)
    result = call_cli("evaluate", str(model), str(path), cwd=folder)
    assert result.returncode == 1
    assert "no column 'label'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_images_by_subfolder_and_by_a_csv_of_attributes(tmp_path):
    root = tmp_path / "shapes"
    for sub, seed in (("day", 1), ("night", 2)):
        make_class_folders(
            tmp_path / sub, per_class=16, size=(16, 16), vary_size=False, formats=("png",),
            modes=False, seed=seed,
        )  # fmt: skip
        for folder in (tmp_path / sub).iterdir():
            target = root / folder.name / sub
            target.parent.mkdir(parents=True, exist_ok=True)
            folder.rename(target)
    model = tmp_path / "model"
    trained = call_cli(
        "train", str(root), "--model", "cnn", "--epochs", "1", "--image-size", "16",
        "--out", str(model), cwd=tmp_path,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    result = call_cli(
        "evaluate", str(model), str(root), "--by", "subfolder", "--out", str(tmp_path / "e"),
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Judged on the run's test split" in result.stdout
    groups = set(pd.read_csv(tmp_path / "e" / "slices.csv")["group"])
    assert groups <= {"day", "night"} and groups
    attrs = tmp_path / "attrs.csv"
    paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.png"))
    pd.DataFrame(
        {"file": paths, "light": ["low" if "night" in p else "high" for p in paths]}
    ).to_csv(attrs, index=False)
    result = call_cli("evaluate", str(model), str(root), "--by", f"{attrs}:light", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "By attrs.csv:light:" in result.stdout
    wrong = call_cli("evaluate", str(model), str(root), "--by", "colour", cwd=tmp_path)
    assert wrong.returncode == 1 and "'subfolder'" in wrong.stderr


def test_other_data_that_drifted_is_said(table_model):
    folder, model, _data, _new = table_model
    frame = _gapped_table(300, 3)
    frame["x"] = frame["x"] * 5 + 4  # far outside the training rows
    frame.loc[:59, "region"] = "Mars"
    path = folder / "shifted.csv"
    frame.to_csv(path, index=False)
    result = call_cli("evaluate", str(model), str(path), cwd=folder)
    assert result.returncode == 0, result.stderr
    note = next(x for x in result.stdout.splitlines() if x.startswith("note: ") and "x" in x)
    assert "differ from the training data" in note and "Mars" in note

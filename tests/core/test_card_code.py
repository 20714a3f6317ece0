"""The model card of a table model (issue 15 follow-up): it names the layers that were built
(Auto's choice, not its placeholder settings), and its Python snippet feeds a pandas
DataFrame of raw rows to the exported model in a Python that has Keras and TensorFlow but
not this app, with the app's answers.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.export._card_tables import architecture_lines, with_built_layers
from automl_gui.core.export.bundle import Bundle, predict_arrays
from automl_gui.core.export.formats import export_model
from automl_gui.core.export.model_card import model_card
from automl_gui.core.train.config import TrainConfig

#: run first in the plain Python: automl_gui cannot be imported there
HIDE_APP = textwrap.dedent(
    """
    import importlib.abc, sys

    class NoApp(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "automl_gui" or name.startswith("automl_gui."):
                raise ImportError("automl_gui is hidden from this Python")
            return None

    sys.meta_path.insert(0, NoApp())
    """
)
#: run after the card's code: its answers saved for the test
SAVE = textwrap.dedent(
    """
    np.save("answers.npy", np.asarray(answers, dtype="float32"))
    print("predicted:", predicted[:3])
    print("modules:", sorted(m for m in sys.modules if m.startswith("automl_gui")))
    """
)


def dense_units(model) -> list[int]:
    return [int(layer.units) for layer in model.layers if re.fullmatch(r"dense_\d+", layer.name)]


@pytest.fixture(scope="module")
def auto_table() -> Bundle:
    """An Auto-sized model on numbers, text, yes/no and a numeric category column, with
    missing values in each."""
    from automl_gui.core.data.schema import LoadedTable, TableSource
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular
    from automl_gui.core.models.config import MLPConfig

    rng = np.random.default_rng(3)
    n = 60
    df = pd.DataFrame(
        {
            "amount": rng.normal(size=n),
            "plan": rng.choice(["basic", "pro", "team"], size=n).astype(object),
            "partner": rng.choice([True, False], size=n).astype(object),
            "level": rng.choice([1, 2, 3], size=n),
        }
    )
    df["churn"] = np.where(df["amount"] + (df["plan"] == "pro") > 0.4, "yes", "no")
    df.loc[::5, "amount"] = np.nan
    df.loc[::4, "plan"] = None
    setup = setup_tabular(LoadedTable(df=df, source=TableSource("mem.csv", "csv")), "churn")
    level = setup.preprocess.column("level")
    level.type, level.missing = "categorical", "most_frequent"
    mlp = MLPConfig(auto=True)  # Auto: the placeholder [64, 32] is not what it builds here
    run = train_tabular(df, setup.preprocess, mlp, TrainConfig(epochs=1, batch_size=16, seed=1))
    return run.bundle


def test_the_metadata_records_the_layers_auto_built(auto_table):
    built = dense_units(auto_table.model)
    assert built and built != [64, 32]
    settings = auto_table.metadata["model"]
    assert settings["hidden_units"] == built and settings["auto"] is True
    assert auto_table.metadata["auto_chose"][0] == "hidden_units"  # then embedding, members
    card = model_card(auto_table.metadata, None)
    sizes = ", ".join(map(str, built))
    assert f"- Hidden layers: {sizes} units (relu), chosen by Auto." in card
    assert "[64, 32]" not in card


def test_set_layers_are_shown_as_set():
    meta = {"kind": "tabular", "auto_chose": [], "model": {"auto": False, "hidden_units": [8, 4]}}
    assert architecture_lines(meta) == ["- Hidden layers: 8, 4 units (relu)."]
    linear = {**meta, "model": {"auto": False, "hidden_units": []}}
    assert architecture_lines(linear) == ["- Hidden layers: none (a linear model)."]


def test_older_auto_metadata_shows_no_placeholder_sizes(auto_table):
    """Metadata written before (no ``auto_chose``) kept Auto's placeholder: the card says
    Auto sized it, and an export reads the sizes from the model."""
    old = {k: v for k, v in auto_table.metadata.items() if k != "auto_chose"}
    old["model"] = {**old["model"], "hidden_units": [64, 32]}
    lines = architecture_lines(old)
    assert lines[0] == "- Hidden layers: sized by Auto to the data (the sizes were not recorded)."
    assert all(line.startswith("- Numeric inputs and members: ") for line in lines[1:])
    filled = with_built_layers(old, auto_table.model)
    assert filled["model"]["hidden_units"] == dense_units(auto_table.model)
    assert old["model"]["hidden_units"] == [64, 32]  # not changed in place


def test_an_old_auto_export_card_reads_the_layers_from_the_model(auto_table, tmp_path):
    old = {k: v for k, v in auto_table.metadata.items() if k != "auto_chose"}
    old["model"] = {**old["model"], "hidden_units": [64, 32]}
    bundle = Bundle(model=auto_table.model, metadata=old, path=None, report=None)
    assert export_model(bundle, "keras", tmp_path / "old.keras").ok
    card = (tmp_path / "old.MODEL_CARD.md").read_text()
    sizes = ", ".join(map(str, dense_units(auto_table.model)))
    assert f"- Hidden layers: {sizes} units (relu), chosen by Auto." in card


def messy_rows() -> pd.DataFrame:
    """New rows as pandas reads them: spaces, missing cells, unseen values, 2 vs 2.0."""
    return pd.DataFrame(
        {
            "amount": [0.5, None, -1.2, 3.0, np.inf, 0.0],
            "plan": [" pro ", None, "basic", "enterprise", "team", ""],
            "partner": [True, False, None, "TRUE", " false ", "maybe"],
            "level": [1, 2.0, None, "3", "unknown", " 2 "],  # read back as text
            "extra": ["ignored"] * 6,
        }
    )


def run_card_code(card: Path, folder: Path, rows: pd.DataFrame) -> tuple[Any, np.ndarray | None]:
    """The card's Python block, run in the export's folder by a plain Python (``-I``)."""
    text = card.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1, text
    rows.to_csv(folder / "new_rows.csv", index=False)
    done = subprocess.run(
        [sys.executable, "-I", "-c", HIDE_APP + blocks[0] + SAVE],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=300,
    )
    out = folder / "answers.npy"
    return done, (np.load(out) if out.is_file() else None)


@pytest.mark.parametrize("fmt", ["keras", "savedmodel"])
def test_the_card_code_answers_as_the_app_in_plain_tensorflow(auto_table, tmp_path, fmt):
    target = tmp_path / ("churn_model.keras" if fmt == "keras" else "export")
    assert export_model(auto_table, fmt, target).ok
    card = (
        target.with_name("churn_model.MODEL_CARD.md")
        if fmt == "keras"
        else target / ("MODEL_CARD.md")
    )
    done, got = run_card_code(card, tmp_path if fmt == "keras" else target, messy_rows())
    assert done.returncode == 0, done.stderr[-3000:]
    assert "modules: []" in done.stdout
    if fmt == "keras":  # the sentence above the code names the file too
        assert "keras.saving.load_model('churn_model.keras')" in card.read_text()
    # the app on the same rows as pandas reads them back from the CSV
    rows = pd.read_csv(tmp_path / "new_rows.csv" if fmt == "keras" else target / "new_rows.csv")
    want = predict_arrays(auto_table.model, auto_table.metadata, rows)
    assert got is not None and np.allclose(got, want, atol=1e-6)
    names = auto_table.metadata["class_names"]
    assert f"predicted: {[names[i] for i in want.argmax(axis=1)][:3]}" in done.stdout


def test_the_snippet_covers_wide_tables_and_regression():
    """Grouped numeric columns (one (n, k) input) and regression answers."""
    from automl_gui.core.export._card_tables import call_code

    meta = {
        "kind": "tabular",
        "task": "regression",
        "input_schema": {
            "columns": [
                {"name": "b", "input_name": "numeric_columns", "dtype": "float32", "index": 1},
                {"name": "a", "input_name": "numeric_columns", "dtype": "float32", "index": 0},
            ]
        },
    }
    code = call_code(meta, "keras", "m.keras", "m.metadata.json")
    assert "values = answers.reshape(-1)" in code and "np.stack" in code
    assert call_code(meta, "onnx", "m.onnx", "metadata.json") == ""
    assert call_code({"kind": "images"}, "keras", "model.keras", "metadata.json") == ""
    compile(code, "card", "exec")  # valid Python
    json.dumps(meta)


def test_the_run_record_names_the_layers_auto_built(auto_table):
    from types import SimpleNamespace

    from automl_gui.core.project._records import mlp_words, record_for_run

    run = SimpleNamespace(metadata=auto_table.metadata, report={}, result=None, history={})
    record = record_for_run(run, "run-004")
    built = dense_units(auto_table.model)
    words = (
        f"MLP {len(built)}×{built[0]}"
        if len(set(built)) == 1
        else "MLP " + "-".join(map(str, built))
    )
    assert record.name == f"Run 4 · {words} (auto)"
    assert record.settings["auto_chose"][0] == "hidden_units"
    assert mlp_words(record.settings) == f"{words} (auto)"
    old = {"model": {"auto": True, "hidden_units": [64, 32]}}  # before: sizes not recorded
    assert mlp_words(old) == "MLP (auto-sized)"
    assert mlp_words({"model": {"auto": False, "hidden_units": [8, 8]}}) == "MLP 2×8"


def test_an_image_run_records_the_architecture_auto_chose(tmp_path_factory):
    from image_factory import make_class_folders
    from kind_jobs import train_kind

    from automl_gui.core.data.images import scan_images
    from automl_gui.core.kinds.images import IMAGES
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig

    root = make_class_folders(tmp_path_factory.mktemp("shapes"), per_class=6, size=(24, 24))
    run = train_kind(
        IMAGES,
        scan_images(str(root)),
        ImagePreprocessConfig(image_size=24),
        ImageModelConfig(weights_folder=str(tmp_path_factory.mktemp("no_weights"))),
        TrainConfig(epochs=1, batch_size=8, seed=1),
    )
    meta = run.metadata
    assert meta["model"]["architecture"] == meta["architecture"] != "auto"
    assert meta["auto_chose"] == ["architecture", "fine_tune_layers"]
    assert meta["model"]["fine_tune_layers"] == meta["training_result"]["fine_tuned_layers"]
    assert f"- Architecture: {meta['architecture']}, chosen by Auto." in model_card(meta, None)

"""End-to-end: ``automl-gui export`` to TFLite (dynamic-range) and ONNX on a table model, and
models holding code (a Lambda layer) refused by ``export`` and ``predict`` without a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import call_cli as _cli


@pytest.fixture(scope="module")
def table_model(tmp_path_factory) -> Path:
    """A 60-row table model (a number and a category column) saved as a bundle."""
    from automl_gui.core.data.schema import LoadedTable, TableSource
    from automl_gui.core.jobs.run import save_run
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.train.config import TrainConfig

    rng = np.random.default_rng(3)
    x = rng.normal(size=60)
    kind = rng.choice(["a", "b", "c"], size=60)
    df = pd.DataFrame({"x": x, "kind": kind, "label": np.where(x > 0, "up", "down")})
    table = LoadedTable(df=df, source=TableSource(path="t.csv", format="csv"))
    setup = setup_tabular(table, "label")
    run = train_tabular(
        df,
        setup.preprocess,
        MLPConfig(auto=False, hidden_units=[8]),
        TrainConfig(epochs=2, batch_size=16, seed=1),
    )
    return save_run(run, tmp_path_factory.mktemp("runs") / "model")


@pytest.mark.parametrize(
    "fmt, model_file, whole",
    [("tflite-dynamic", "model.tflite", True), ("onnx", "model.onnx", False)],
)
def test_export_prints_files_runtime_figures_and_notes(
    table_model, tmp_path, fmt, model_file, whole
):
    """TFLite holds a table model whole (its lookups are LiteRT hash tables); ONNX runtimes
    have no string lookup, so that export holds the encoded part plus preprocessing.json."""
    dest = tmp_path / fmt
    proc = _cli("export", str(table_model), "--format", fmt, "--out", str(dest), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"Wrote {fmt} export to {dest}" in out
    for name in (model_file, "metadata.json", "MODEL_CARD.md"):
        assert f"  {name}\n" in out and (dest / name).is_file()
    assert ((dest / "preprocessing.json").is_file()) is not whole
    runtime = "onnxruntime" if fmt == "onnx" else "LiteRT interpreter"
    assert f"Loaded in {runtime}" in out
    assert "max difference" in out and "agreement 100%" in out
    assert ("note: This format cannot hold the table's preprocessing" in out) is not whole
    meta = json.loads((dest / "metadata.json").read_text())
    assert meta["export"]["verification"]["ok"] is True
    assert "Traceback" not in proc.stderr

    again = _cli("export", str(table_model), "--format", fmt, "--out", str(dest), cwd=tmp_path)
    assert again.returncode == 1 and "--overwrite" in again.stderr
    if whole:  # replacing goes through the same folder commit for every format: once is enough
        return
    args = ("export", str(table_model), "--format", fmt, "--out", str(dest), "--overwrite")
    assert _cli(*args, cwd=tmp_path).returncode == 0


def test_unknown_format_lists_the_choices(table_model, tmp_path):
    proc = _cli("export", str(table_model), "--format", "pickle", "--out", "x", cwd=tmp_path)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "keras, savedmodel, tflite, tflite-dynamic, tflite-float16, onnx" in proc.stderr


@pytest.fixture(scope="module")
def lambda_model(tmp_path_factory) -> Path:
    """A bundle folder whose model.keras holds a Lambda layer (code run on loading)."""
    import keras

    folder = tmp_path_factory.mktemp("unsafe") / "model"
    folder.mkdir()
    inp = keras.Input(shape=(1,), name="x")
    model = keras.Model(inp, keras.layers.Lambda(lambda t: t * 2)(inp))
    model.save(folder / "model.keras")
    meta = {
        "format_version": 1,
        "kind": "tabular",
        "task": "regression",
        "input_schema": {"columns": [{"name": "x", "input_name": "x", "dtype": "float32"}]},
    }
    (folder / "metadata.json").write_text(json.dumps(meta))
    return folder


def test_export_and_predict_refuse_a_model_with_code(lambda_model, tmp_path):
    csv = tmp_path / "rows.csv"
    csv.write_text("x\n1\n2\n")
    for args in (
        ("export", str(lambda_model), "--format", "onnx", "--out", str(tmp_path / "out")),
        ("predict", str(lambda_model), str(csv), "--out", str(tmp_path / "p.csv")),
    ):
        proc = _cli(*args, cwd=tmp_path)
        assert proc.returncode == 1, proc.stdout
        assert "This model contains code the app will not run." in proc.stderr
        assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert not (tmp_path / "out").exists() and not (tmp_path / "p.csv").exists()

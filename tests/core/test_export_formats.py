"""Every export format round-trips a table, an image and an audio model: written as a folder
with metadata.json and MODEL_CARD.md, loaded in the format's own runtime (Keras, TensorFlow,
the LiteRT interpreter, onnxruntime) and compared with the in-app model on held-out samples.

Run with ``-s`` to see the table of (kind, format, max difference, agreement, seconds, size).
"""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import CancelledError
from automl_gui.core.base.events import CancelToken, Progress
from automl_gui.core.export import _convert, encode_rows
from automl_gui.core.export.bundle import Bundle
from automl_gui.core.export.formats import (
    FORMATS,
    MIN_AGREEMENT,
    QUANTIZED_RELATIVE,
    QUANTIZED_TOLERANCE,
    TOLERANCE,
    export_model,
    tolerance,
)
from automl_gui.core.export.model_card import model_card
from automl_gui.core.train.config import TrainConfig

MODEL_FILES = {
    "keras": "model.keras",
    "savedmodel": "saved_model.pb",
    "tflite": "model.tflite",
    "tflite-dynamic": "model.tflite",
    "tflite-float16": "model.tflite",
    "onnx": "model.onnx",
}
RESULTS: list[tuple[str, str, float, float | None, float, int]] = []


@pytest.fixture(scope="module", autouse=True)
def _print_results():
    yield
    if RESULTS:
        print("\n\nkind    format          max diff   agreement  seconds  size")
        for kind, fmt, diff, agreement, seconds, size in RESULTS:
            agree = "-" if agreement is None else f"{agreement:.0%}"
            print(f"{kind:<7} {fmt:<15} {diff:<10.2g} {agree:<10} {seconds:<8.1f} {size:,}")


@pytest.fixture(scope="module")
def table() -> Bundle:
    """60 rows: a number and a category column, both with missing values; 3 epochs. The
    sample rows also hold an unseen category and missing values."""
    from automl_gui.core.data.schema import LoadedTable, TableSource
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular
    from automl_gui.core.models.config import MLPConfig

    rng = np.random.default_rng(0)
    n = 60
    x1 = rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n).astype(object)
    y = np.where(x1 + (color == "red") > 0.3, "yes", "no")
    df = pd.DataFrame({"x1": x1, "color": color, "outcome": y})
    df.loc[::7, "x1"] = np.nan
    df.loc[::6, "color"] = None
    table = LoadedTable(df=df, source=TableSource(path="mem.csv", format="csv"))
    setup = setup_tabular(table, "outcome")
    mlp = MLPConfig(auto=False, hidden_units=[8], dropout=0.0)
    run = train_tabular(df, setup.preprocess, mlp, TrainConfig(epochs=3, batch_size=16, seed=1))
    bundle = run.bundle
    meta = dict(bundle.metadata, sample_predictions=None)
    rows = [dict(r) for r in meta["sample_rows"]]
    rows[0]["color"], rows[1]["color"], rows[2]["x1"] = "purple", None, None
    meta["sample_rows"] = rows
    return Bundle(model=bundle.model, metadata=meta, report=run.report)


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> Bundle:
    """3 classes x 8 images of 32 px, a compact CNN trained 2 epochs."""
    from image_factory import make_class_folders
    from kind_jobs import train_kind

    from automl_gui.core.data.images import scan_images
    from automl_gui.core.kinds.images import IMAGES
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig

    root = make_class_folders(tmp_path_factory.mktemp("shapes"), per_class=8, size=(32, 32))
    pre = ImagePreprocessConfig(image_size=32)
    pre.augment.enabled = False
    run = train_kind(
        IMAGES,
        scan_images(str(root)),
        pre,
        ImageModelConfig(architecture="cnn"),
        TrainConfig(epochs=2, batch_size=8, seed=1),
    )
    return run.bundle


@pytest.fixture(scope="module")
def audio(tmp_path_factory) -> Bundle:
    """2 classes x 6 clips of 0.3-0.5 s at 8 kHz, the spectrogram CNN trained 6 epochs (at 2
    the small CNN answers near 0.5, and int8 rounding of the spectrogram flips a class)."""
    import audio_factory
    from kind_jobs import train_kind

    from automl_gui.core.data.audio import scan_audio
    from automl_gui.core.kinds.audio import AUDIO
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig

    root = audio_factory.make_class_folders(
        tmp_path_factory.mktemp("sounds"), ("tone", "noise"), 6, seconds=(0.3, 0.5), seed=2
    )
    pre = AudioPreprocessConfig(sample_rate=8000, n_mels=16, window_ms=32, hop_ms=16)
    pre.augment.enabled = False
    run = train_kind(
        AUDIO,
        scan_audio(str(root)),
        pre,
        ImageModelConfig(architecture="cnn"),
        TrainConfig(epochs=6, batch_size=8, seed=1),
    )
    return run.bundle


def test_the_formats_are_the_six_the_dialog_lists_each_with_a_tooltip():
    assert list(FORMATS) == list(MODEL_FILES)
    assert all(text.endswith(".") and len(text) > 30 for text in FORMATS.values())


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("kind", ["table", "images", "audio"])
def test_export_is_verified_in_its_own_runtime(request, tmp_path, kind, fmt):
    bundle = request.getfixturevalue(kind)
    out = tmp_path / f"{kind}-{fmt}"
    started = time.perf_counter()
    result = export_model(bundle, fmt, out)
    RESULTS.append(
        (
            kind,
            fmt,
            result.max_abs_diff,
            result.agreement,
            time.perf_counter() - started,
            result.size_bytes,
        )
    )
    assert result.ok, result.message
    assert result.rows_compared > 0 and math.isfinite(result.max_abs_diff)
    assert result.agreement is not None and result.agreement >= MIN_AGREEMENT
    assert "max difference" in result.message and result.runtime in result.message
    for name in (MODEL_FILES[fmt], "metadata.json", "MODEL_CARD.md"):
        assert (out / name).is_file(), name
        assert name in result.files
    assert result.size_bytes == sum((out / f).stat().st_size for f in result.files)
    meta = json.loads((out / "metadata.json").read_text())
    export = meta["export"]
    assert export["format"] == fmt and export["runtime"] == result.runtime
    check = export["verification"]
    assert check["ok"] and check["samples"] == result.rows_compared
    assert check["max_abs_diff"] == pytest.approx(result.max_abs_diff)
    assert export["quantization"] == {
        "tflite-dynamic": "dynamic-range",
        "tflite-float16": "float16",
    }.get(fmt, "none")
    runtime = {"keras": "Keras", "savedmodel": "TensorFlow", "onnx": "onnxruntime"}
    assert result.runtime.startswith(runtime.get(fmt, "LiteRT interpreter"))
    card = (out / "MODEL_CARD.md").read_text()
    assert "## How to call it" in card and "## Export check" in card
    # TFLite holds a table's category lookups (LiteRT's hash tables); ONNX has none
    encoded = kind == "table" and fmt == "onnx"
    assert (out / "preprocessing.json").is_file() == encoded
    assert export["part"] == ("encoded" if encoded else "full")
    if encoded:
        assert any("preprocessing.json" in note for note in result.notes)
        assert export["encoding_matches_app"] is True
        assert "LookupTableFindV2" in export["whole_model_error"]
        # the file's name, not its temporary path: a long path (xdist's popen-gwN folders)
        # once pushed the failing node out of the message's 300 characters
        assert str(tmp_path) not in export["whole_model_error"]
        assert "preprocessing.json" in card
    else:
        assert not any("preprocessing.json" in note for note in result.notes)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no staging leftovers


def test_encoded_table_model_answers_like_the_app_from_preprocessing_json_alone(table, tmp_path):
    """What a caller does with an ONNX or TFLite table export: read preprocessing.json,
    encode raw rows with it, run the file; the answers are the app's."""
    import onnxruntime

    from automl_gui.core.export.bundle import predict_frame

    out = tmp_path / "onnx"
    export_model(table, "onnx", out)
    spec = json.loads((out / "preprocessing.json").read_text())
    by_input = {item["input"]: item for item in spec["inputs"]}
    assert by_input["color"]["vocabulary"][0] == "[UNK]" and by_input["color"]["dtype"] == "int64"
    assert by_input["color__missing"]["encoding"] == "missing_indicator"
    assert by_input["x1"]["fitted"]["scaling"] == "standardize"
    rows = pd.DataFrame.from_records(table.metadata["sample_rows"])
    feed = encode_rows(spec, rows)
    assert feed["color"][0, 0] == 0  # "purple" was never seen
    assert feed["color__missing"][1, 0] == 1.0
    session = onnxruntime.InferenceSession(str(out / "model.onnx"))
    got = session.run(None, feed)[0]
    want = predict_frame(table, rows)[[f"probability_{c}" for c in table.class_names]]
    assert np.allclose(got, want.to_numpy(), atol=1e-5)


def test_a_check_that_fails_is_reported_not_hidden(table, tmp_path, monkeypatch):
    real = _convert._onnx.run
    monkeypatch.setattr(_convert._onnx, "run", lambda path, feed: real(path, feed)[:, ::-1])
    result = export_model(table, "onnx", tmp_path / "bad")
    assert not result.ok and "above the" in result.message
    meta = json.loads((tmp_path / "bad" / "metadata.json").read_text())
    assert meta["export"]["verification"]["ok"] is False
    assert "passed: NO" in (tmp_path / "bad" / "MODEL_CARD.md").read_text()


def test_a_cancelled_export_leaves_nothing_and_progress_is_reported(table, tmp_path):
    events: list = []
    cancel = CancelToken()

    def on_event(event):
        events.append(event)
        if isinstance(event, Progress) and event.fraction and event.fraction >= 0.2:
            cancel.cancel()

    with pytest.raises(CancelledError):
        export_model(table, "tflite", tmp_path / "x", on_event=on_event, cancel=cancel)
    assert list(tmp_path.iterdir()) == []
    assert [e.stage for e in events][:2] == [
        "Predicting on the sample inputs",
        "Writing the tflite model",
    ]


def test_tolerances_are_per_format_and_relative_for_regression():
    probs = np.array([[0.2, 0.8]])
    assert tolerance("onnx", "binary", probs) == TOLERANCE
    assert tolerance("tflite-dynamic", "binary", probs) == QUANTIZED_TOLERANCE["tflite-dynamic"]
    assert tolerance("tflite-float16", "binary", probs) == QUANTIZED_TOLERANCE["tflite-float16"]
    values = np.array([1500.0, -20.0])
    assert tolerance("tflite", "regression", values) == pytest.approx(TOLERANCE * 1500)
    assert tolerance("tflite-dynamic", "regression", values) == pytest.approx(
        QUANTIZED_RELATIVE * 1500
    )
    assert tolerance("keras", "regression", np.array([0.5])) == TOLERANCE


def _card_inputs(counts: dict[str, int]) -> tuple[dict, dict]:
    per_class = [
        {"class": k, "precision": 0.9, "recall": 0.5 + i / 10, "f1": 0.7, "support": v}
        for i, (k, v) in enumerate(counts.items())
    ]
    report = {
        "task": "multiclass",
        "n_samples": sum(counts.values()),
        "metrics": {"accuracy": 0.875, "f1_macro": 0.7},
        "per_class": per_class,
    }
    meta = {
        "kind": "images",
        "task": "multiclass",
        "class_names": list(counts),
        "architecture": "cnn",
        "image_size": 32,
        "data": {"images_used": 300, "train_images": 200, "validation_images": 40},
        "training": {"optimizer": "adam", "learning_rate": 0.001, "batch_size": 8},
        "training_result": {"epochs_run": 7, "stopped_reason": "early_stopping", "seconds": 12.5},
        "diagnosis": {"message": "Overfitting: validation loss rose for 4 epochs."},
        "versions": {"app": "0.1.0", "tensorflow": "2.21.0"},
        "export": {
            "format": "tflite-dynamic",
            "quantization": "dynamic-range",
            "runtime": "LiteRT interpreter 2.3.0",
            "verification": {"samples": 20, "max_abs_diff": 0.012, "agreement": 0.95, "ok": True},
        },
    }
    return meta, report


def test_model_card_has_per_class_metrics_and_warns_of_imbalance_and_small_tests():
    meta, report = _card_inputs({"cat": 40, "dog": 8, "bird": 12})
    card = model_card(meta, report)
    for heading in ("Model details", "How to call it", "Data", "Intended use", "Metrics"):
        assert f"## {heading}" in card
    assert "| class | precision | recall | F1 | support |" in card
    assert "| dog | 0.900 | 0.600 | 0.700 | 8 |" in card
    assert "Class imbalance: the largest class has 5.0x the samples of the smallest ('dog'" in card
    assert "Small test set" not in card  # 60 test samples
    assert "Overfitting: validation loss rose" in card
    assert (
        "Quantization (dynamic-range): answers differ from the original model by up to 0.012"
        in card
    )
    assert "get_signature_runner" in card and "Out of scope" in card
    assert "- Epochs run: 7" in card and "- Stopped because: early_stopping" in card
    assert "- tensorflow: 2.21.0" in card


def test_model_card_of_a_balanced_small_test_set_has_no_imbalance_warning():
    meta, report = _card_inputs({"cat": 10, "dog": 9, "bird": 11})
    card = model_card(meta, report)
    assert "Class imbalance" not in card
    assert "Small test set: 30 samples" in card
    assert model_card({}, None).startswith("# Model card")  # nothing recorded: still a card


def test_model_card_says_what_was_left_out_and_lists_a_wide_tables_columns_briefly():
    meta = {
        "kind": "images",
        "data": {"train_images": 80, "left_out": {"train": 3, "validation": 0, "test": 2}},
    }
    card = model_card(meta, None)
    assert "- Images that could not be read after the scan: 3 train, 2 test." in card
    columns = [{"name": f"g{i}", "input_name": "numeric", "dtype": "float32"} for i in range(900)]
    card = model_card({"kind": "tabular", "input_schema": {"columns": columns}}, None)
    line = next(x for x in card.splitlines() if x.startswith("- Input columns"))
    assert line.startswith("- Input columns (900): g0, g1,") and line.endswith(" and 850 more.")


@pytest.mark.parametrize("fmt", ["onnx", "tflite-dynamic"])
def test_a_regression_table_model_exports_with_a_relative_bound(tmp_path, fmt):
    """Values on the target's scale (hundreds): the bound follows their size; no agreement."""
    from automl_gui.core.data.schema import LoadedTable, TableSource
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular
    from automl_gui.core.models.config import MLPConfig

    rng = np.random.default_rng(5)
    x = rng.normal(size=40)
    df = pd.DataFrame({"x": x, "site": rng.choice(["n", "s"], 40), "price": 300 + 50 * x})
    setup = setup_tabular(LoadedTable(df=df, source=TableSource("p.csv", "csv")), "price")
    run = train_tabular(
        df, setup.preprocess, MLPConfig(auto=False, hidden_units=[4]), TrainConfig(epochs=1)
    )
    result = export_model(run.bundle, fmt, tmp_path / "reg")
    assert result.ok and result.agreement is None, result.message
    check = json.loads((tmp_path / "reg" / "metadata.json").read_text())["export"]["verification"]
    assert check["tolerance"] > (TOLERANCE if fmt == "onnx" else QUANTIZED_RELATIVE)
    assert "same class" not in result.message

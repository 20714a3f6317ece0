"""The training jobs' calibration step and a stored threshold, end to end: the run keeps the
temperature-scaled model, its test answers, sample answers and exports are that model's, the
data's identity is recorded, and predictions of tables and images honour a threshold."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from image_factory import make_class_folders
from kind_jobs import train_kind

from automl_gui.core.base.events import Log
from automl_gui.core.export.bundle import Bundle, load_bundle, predict_arrays, save_bundle
from automl_gui.core.export.formats import export_model
from automl_gui.core.trust import calibration
from automl_gui.core.trust.calibration import temperature_of, without_temperature
from automl_gui.core.trust.thresholds import set_threshold


@pytest.fixture(scope="module")
def forced():
    """Calibration always kept (a few validation rows suffice, any change counts): the
    scaled-model path is what these tests follow, on data small enough to train fast."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(calibration, "MIN_VALIDATION", 3)
        patch.setattr(calibration, "MIN_GAIN", -1.0)
        yield


def _table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n).astype(object)
    logit = 2 * x1 - x2 + (color == "red")
    y = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return pd.DataFrame({"x1": x1, "x2": x2, "color": color, "outcome": y})


@pytest.fixture(scope="module")
def table_run(forced):
    from automl_gui.core.data.schema import LoadedTable, TableSource
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.train.config import TrainConfig

    df = _table()
    setup = setup_tabular(LoadedTable(df=df, source=TableSource("t.csv", "csv")), "outcome")
    events: list = []
    run = train_tabular(
        df,
        setup.preprocess,
        MLPConfig(auto=False, hidden_units=[8], dropout=0.0),
        TrainConfig(epochs=4, batch_size=16, seed=1),
        on_event=events.append,
    )
    return run, df, events


def test_table_run_keeps_the_scaled_model(table_run) -> None:
    from automl_gui.core.kinds.tabular import TABULAR

    run, df, events = table_run
    cal = run.report["calibration"]
    assert cal["applied"] and cal["temperature"] == pytest.approx(temperature_of(run.model))
    # two classes: Platt scaling (slope and bias) measured on P(yes)
    assert cal["method"].startswith("Platt scaling") and cal["bins"] == 15
    assert cal["on"] == "positive" and cal["positive"] == "yes"
    assert cal["bias"] == pytest.approx(calibration.bias_of(run.model), abs=1e-6)
    assert run.metadata["calibration"]["temperature"] == cal["temperature"]
    assert any(
        isinstance(e, Log) and e.message.startswith("Calibration of P(yes): Platt scaling")
        for e in events
    )
    # the validation answers a threshold can be chosen on
    answers = run.report["validation_answers"]
    assert answers["positive"] == "yes"
    assert len(answers["actual"]) == len(answers["p_positive"]) == len(run.prepared.validation)
    # the test answers are the kept model's (and differ from the network's own)
    test = run.prepared.test
    kept = predict_arrays(run.model, run.metadata, test)
    own = predict_arrays(without_temperature(run.model), run.metadata, test)
    shown = run.test_predictions[["probability_no", "probability_yes"]].to_numpy()
    assert shown == pytest.approx(kept, abs=1e-5)
    # the decisions are the network's own: the threshold calibration stored keeps them
    chosen = run.metadata["threshold"]
    assert chosen["source"] == "calibration" and chosen["value"] == pytest.approx(cal["boundary"])
    shown_pred = run.test_predictions["prediction"].to_numpy()
    assert (shown_pred == np.where(own[:, 1] > own[:, 0], "yes", "no")).all()
    samples = predict_arrays(run.model, run.metadata, pd.DataFrame(run.metadata["sample_rows"]))
    assert np.asarray(run.metadata["sample_predictions"]) == pytest.approx(samples, abs=1e-6)
    assert run.metadata["data"]["identity"] == TABULAR.identity(df)
    assert run.metadata["drift_reference"]["type"] == "table"  # core.trust.drift's summary


@pytest.mark.parametrize("fmt", ["keras", "tflite", "onnx"])
def test_a_scaled_table_model_exports(table_run, tmp_path, fmt) -> None:
    run, _, _ = table_run
    bundle = run.bundle
    meta = set_threshold(dict(bundle.metadata), 0.3, "F1", precision=0.7, recall=0.8)
    result = export_model(Bundle(bundle.model, meta, report=run.report), fmt, tmp_path / "out")
    assert result.ok, result.message
    out = Path(result.path)
    folder = out if out.is_dir() else out.parent
    written = next(folder.glob("*metadata.json"))
    saved = json.loads(written.read_text())
    assert saved["threshold"]["value"] == 0.3 and saved["calibration"]["applied"]
    card = next(folder.glob("*MODEL_CARD.md")).read_text()
    assert "## Calibration" in card and "is built into this model" in card
    assert "Predicts 'yes' when its probability is at least 0.30" in card


def test_table_predictions_honour_a_stored_threshold(table_run, tmp_path) -> None:
    from automl_gui.core.kinds.tabular import TABULAR

    run, df, _ = table_run
    rows = df.drop(columns="outcome").iloc[:80]
    path = save_bundle(run.model, run.metadata, run.report, tmp_path / "plain")
    plain = TABULAR.predict(load_bundle(path), rows)  # the calibration's boundary
    boundary = run.metadata["threshold"]["value"]
    expect = np.where(plain["probability_yes"] >= boundary, "yes", "no")
    assert (plain["prediction"] == expect).all()
    meta = set_threshold(dict(run.metadata), 0.8, "by hand")
    path = save_bundle(run.model, meta, run.report, tmp_path / "chosen")
    loaded = load_bundle(path)
    assert loaded.metadata["threshold"]["value"] == 0.8
    out = TABULAR.predict(loaded, rows)
    assert (out["prediction"] == np.where(out["probability_yes"] >= 0.8, "yes", "no")).all()
    assert (out["prediction"] != plain["prediction"]).any()


@pytest.fixture(scope="module")
def image_run(forced, tmp_path_factory):
    from automl_gui.core.data.images import scan_images
    from automl_gui.core.kinds.images import IMAGES
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
    from automl_gui.core.train.config import TrainConfig

    root = make_class_folders(
        tmp_path_factory.mktemp("two"), ("circle", "square"), per_class=16, size=(24, 24)
    )
    dataset = scan_images(str(root))
    pre = ImagePreprocessConfig(image_size=24)
    pre.augment.enabled = False
    run = train_kind(
        IMAGES,
        dataset,
        pre,
        ImageModelConfig(architecture="cnn"),
        TrainConfig(epochs=2, batch_size=8, seed=1),
    )
    return run, dataset, root


def test_image_run_keeps_the_scaled_model_and_honours_a_threshold(image_run, tmp_path) -> None:
    from automl_gui.core.kinds.images import IMAGES

    run, dataset, root = image_run
    cal = run.report["calibration"]
    assert cal["applied"] and temperature_of(run.model) == pytest.approx(cal["temperature"])
    assert run.metadata["data"]["identity"] == IMAGES.identity(dataset)
    assert run.metadata["drift_reference"]["type"] == "embeddings"
    # the sample answers the export check compares are the kept model's
    from automl_gui.core.export.bundle import predict_array

    assert np.asarray(run.metadata["sample_predictions"]) == pytest.approx(
        predict_array(run.model, run.samples), abs=1e-5
    )
    path = save_bundle(run.model, run.metadata, run.report, tmp_path / "m", samples=run.samples)
    bundle = load_bundle(path)
    assert temperature_of(bundle.model) == pytest.approx(cal["temperature"])
    files = sorted(str(p) for p in root.rglob("*.png"))[:12]
    plain = IMAGES.predict(bundle, files)
    set_threshold(bundle.metadata, 0.95, "by hand")
    out = IMAGES.predict(bundle, files)
    expect = np.where(out["probability_square"] >= 0.95, "square", "circle")
    assert (out["prediction"] == expect).all()
    picked = np.where(expect == "square", out["probability_square"], out["probability_circle"])
    assert out["confidence"].to_numpy() == pytest.approx(picked)
    assert len(plain) == len(out)
    result = export_model(bundle, "tflite", tmp_path / "lite")
    assert result.ok, result.message

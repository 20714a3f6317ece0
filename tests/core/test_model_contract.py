"""The shared model contract: build from raw rows, fit, save, reload, predict identically.

The saved model must take RAW rows (NaN, infinities, unseen and missing categories) and answer
exactly as the in-memory model does, for every task.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base import lazy
from automl_gui.core.export.bundle import load_bundle, make_metadata, predict_frame, save_bundle
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.models.mlp import build_tabular_model, target_scale_for
from automl_gui.core.preprocess.tabular import (
    auto_config,
    build_preprocessor,
    frame_to_inputs,
    prepare_data,
    to_tensors,
)
from automl_gui.core.train._members import compile_args

N = 200


def mixed_frame(task: str, n: int = N, seed: int = 0) -> pd.DataFrame:
    """Numeric with NaN, categorical with missing, boolean, high-cardinality categorical."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "num": rng.normal(10, 3, n),
            "color": rng.choice(["red", "green", "blue"], n).astype(object),
            "flag": rng.random(n) > 0.5,
            "city": [f"city{int(i)}" for i in rng.integers(0, 60, n)],
        }
    )
    df.loc[::9, "num"] = np.nan
    df.loc[::11, "color"] = None
    signal = df["num"].fillna(10) - 10 + 2 * (df["color"] == "red") + df["flag"]
    if task == "binary":
        df["target"] = np.where(signal > 0.5, "yes", "no")
    elif task == "multiclass":
        df["target"] = pd.cut(
            signal, [-np.inf, -1, 1.5, np.inf], labels=["lo", "mid", "hi"]
        ).astype(str)
    else:
        df["target"] = 1000.0 + 50.0 * signal + rng.normal(0, 1, n)
    return df


def raw_rows() -> pd.DataFrame:
    """Rows a user might send: NaN, inf, an unseen category, a missing one, numbers as text."""
    return pd.DataFrame(
        {
            "num": [np.nan, np.inf, -np.inf, 9.5, 12.0],
            "color": ["purple", None, "red", "", "green"],
            "flag": [True, False, None, True, False],
            "city": ["nowhere", "city1", None, "city2", "city3"],
            "unused": ["x"] * 5,
        }
    )


def fit_model(task: str):
    df = mixed_frame(task)
    config = auto_config(df, None, "target", task)
    assert config.column("city").encoding == "embedding"
    prepared = prepare_data(df, config)
    pre = build_preprocessor(config, prepared.train)
    n_classes = len(prepared.class_names or [])
    scale = target_scale_for(prepared.y_train) if task == "regression" else None
    model = build_tabular_model(
        pre,
        task,
        n_classes,
        len(prepared.train),
        MLPConfig(auto=False, hidden_units=[8]),
        target_scale=scale,
        class_names=prepared.class_names,
    )
    keras = lazy.keras()  # the trainer's loss: the members' mean for an ensemble
    args = compile_args(keras, model.train_model, task != "regression")
    model.train_model.compile(optimizer="adam", loss=args["loss"])
    x = to_tensors(frame_to_inputs(prepared.train, pre.schema))
    model.train_model.fit(
        x, model.standardize_target(prepared.y_train), epochs=2, batch_size=32, verbose=0
    )
    return df, config, prepared, pre, model


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_saved_model_answers_raw_rows_exactly_as_in_memory(task, tmp_path):
    df, config, prepared, pre, model = fit_model(task)
    meta = make_metadata(
        schema=pre.schema,
        task=task,
        class_names=prepared.class_names,
        preprocess=config,
        mlp=MLPConfig(),
        training={"epochs": 2},
        metrics={"loss": 0.5},
        sample_rows=prepared.test,
        target="target",
        extra={"preprocess_summary": pre.summary},
    )
    path = save_bundle(model, meta, {"task": task}, tmp_path / "bundle")
    saved = json.loads((path / "metadata.json").read_text())
    assert len(saved["sample_rows"]) == len(saved["sample_predictions"]) == 20
    assert saved["input_schema"]["columns"][0]["name"] == "num"

    bundle = load_bundle(path)
    assert bundle.report == {"task": task}
    rows = raw_rows()
    got = predict_frame(bundle, rows)
    expected = np.asarray(
        model.serving_model.predict(to_tensors(frame_to_inputs(rows, pre.schema)), verbose=0)
    )
    assert list(got.columns[:5]) == list(rows.columns)  # input rows kept, untouched
    assert np.isfinite(expected).all()  # NaN/inf/unseen categories are handled inside the model
    if task == "regression":
        np.testing.assert_allclose(got["prediction"], expected[:, 0], rtol=1e-6, atol=1e-4)
        # de-standardized: answers are on the target's scale (around 1000), not around 0
        assert abs(float(got["prediction"].mean()) - 1000.0) < 300.0
        assert np.isfinite(saved["sample_predictions"]).all()
    else:
        names = prepared.class_names
        probs = got[[f"probability_{c}" for c in names]].to_numpy()
        np.testing.assert_allclose(probs, expected, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
        assert list(got["prediction"]) == [names[i] for i in expected.argmax(axis=1)]

    # the sample predictions stored at save time are reproduced by the reloaded model
    again = predict_frame(bundle, pd.DataFrame.from_records(saved["sample_rows"]))
    if task == "regression":
        np.testing.assert_allclose(again["prediction"], saved["sample_predictions"], atol=1e-4)
    else:
        cols = [f"probability_{c}" for c in prepared.class_names]
        np.testing.assert_allclose(again[cols].to_numpy(), saved["sample_predictions"], atol=1e-6)


def test_regression_train_model_outputs_standardized_values():
    _, _, prepared, pre, model = fit_model("regression")
    x = to_tensors(frame_to_inputs(prepared.validation, pre.schema))
    standardized = np.asarray(model.train_model.predict(x, verbose=0)).mean(axis=1)  # members
    served = np.asarray(model.serving_model.predict(x, verbose=0))[:, 0]
    mean, std = model.target_scale
    assert std > 10  # the synthetic target spreads widely around 1000
    np.testing.assert_allclose(served, standardized * std + mean, rtol=1e-5)
    assert model.train_model.layers[-1].dtype == "float32"

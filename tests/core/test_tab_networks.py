"""Issue 17's table networks: numeric embeddings (piecewise-linear, periodic) and the TabM-style
efficient ensemble. Encodings against hand-computed values; each family builds, trains, saves,
reloads in plain Keras's safe mode with the same answers, and exports to TFLite and ONNX."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base import lazy
from automl_gui.core.base.errors import ConfigError
from automl_gui.core.models._tab_embed import (
    OUTER_BOUND,
    piecewise_linear,
    piecewise_numpy,
    piecewise_tables,
)
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig

FAMILIES = [(e, k) for e in ("none", "piecewise", "periodic") for k in (1, 3)]


def test_piecewise_encoding_matches_hand_computed_values():
    """Gorishniy et al. 2022, §3.2: inner bins clipped to [0, 1], the first bin open below,
    the last open above; a column with fewer bins is padded with bins that give 0."""
    edges = [np.array([0.0, 1.0, 3.0, 4.0]), np.array([-1.0, 1.0])]
    x = np.array([[-1.0, -3.0], [0.5, 0.0], [2.0, 1.0], [3.5, 5.0], [6.0, 1.0]])
    want = np.array(
        [  # column 0 (bins [0,1], [1,3], [3,4]) then column 1 (bin [-1,1], two pads)
            [-1.0, 0.0, 0.0, -1.0, 0.0, 0.0],
            [0.5, 0.0, 0.0, 0.5, 0.0, 0.0],
            [1.0, 0.5, 0.0, 1.0, 0.0, 0.0],
            [1.0, 1.0, 0.5, 3.0, 0.0, 0.0],
            [1.0, 1.0, 3.0, 1.0, 0.0, 0.0],
        ]
    )
    np.testing.assert_allclose(piecewise_numpy(x, edges), want)
    left, width, low, high = piecewise_tables(edges)
    assert low[0, 0] == -OUTER_BOUND and high[0, 2] == OUTER_BOUND and high[1, 1:].max() == 0

    keras = lazy.keras()
    inp = keras.Input((2,), name="x")
    model = keras.Model(inp, piecewise_linear(keras, inp, edges))
    got = np.asarray(model.predict(x.astype("float32"), verbose=0))
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_bin_edges_come_from_the_training_quantiles_without_repeats():
    from automl_gui.core.preprocess.config import ColumnConfig, PreprocessConfig
    from automl_gui.core.preprocess.tabular import build_preprocessor

    rng = np.random.default_rng(0)
    train = pd.DataFrame(
        {"u": rng.uniform(0, 1, 1000), "b": rng.integers(0, 2, 1000).astype(float), "c": 3.0}
    )
    config = PreprocessConfig(
        columns=[ColumnConfig(name=c, type="numeric", scaling="none") for c in "ubc"]
        + [ColumnConfig(name="y", type="numeric")],
        target="y",
        task="regression",
    )
    pre = build_preprocessor(config, train.assign(y=0.0))
    assert pre.n_numeric == 3 and pre.rest is None
    u, b, c = pre.numeric_edges(4)
    np.testing.assert_allclose(u, np.quantile(train["u"], [0, 0.25, 0.5, 0.75, 1]), atol=3e-3)
    np.testing.assert_array_equal(b, [0.0, 1.0])  # two distinct values: one bin
    np.testing.assert_array_equal(c, [3.0])  # constant: no bin


def test_periodic_embedding_is_sin_cos_of_trainable_frequencies_then_linear_relu():
    from automl_gui.core.models._tab_embed import PERIODIC_DIM, PERIODIC_FREQUENCIES, periodic

    keras = lazy.keras()
    inp = keras.Input((2,), name="x")
    model = keras.Model(inp, periodic(keras, inp, seed=1))
    x = np.array([[0.3, -1.2], [2.0, 0.0]], dtype="float32")
    freq = model.get_layer("plr_frequencies").get_weights()[0]  # (k, 1, m): 2 pi c
    kernel, bias = model.get_layer("plr_linear").get_weights()  # (k, 2m, d), (k, d)
    angles = x[:, :, None] * freq[None, :, 0, :]
    v = np.concatenate([np.sin(angles), np.cos(angles)], axis=-1)
    want = np.maximum(np.einsum("bkm,kmd->bkd", v, kernel) + bias, 0).reshape(2, -1)
    assert want.shape == (2, 2 * PERIODIC_DIM) and freq.shape[-1] == PERIODIC_FREQUENCIES
    np.testing.assert_allclose(model.predict(x, verbose=0), want, atol=1e-5)


def test_members_learn_on_the_mean_of_their_losses_and_are_judged_on_their_mean():
    from automl_gui.core.train._members import compile_args, members_of

    keras = lazy.keras()
    inp = keras.Input((3,))
    model = keras.Model(inp, keras.layers.Reshape((2, 3))(keras.layers.Dense(6)(inp)))
    args = compile_args(keras, model, classification=True)
    assert members_of(model, True) == 2
    y = np.array([0, 2])
    p = np.array([[[0.7, 0.2, 0.1], [0.2, 0.2, 0.6]], [[0.1, 0.1, 0.8], [0.5, 0.4, 0.1]]])
    want = -np.mean(np.log([[0.7, 0.2], [0.8, 0.1]]))
    assert float(args["loss"](y, p)) == pytest.approx(want, rel=1e-5)
    weighted = float(args["loss"](y, p, sample_weight=np.array([1.0, 0.0])))
    assert weighted == pytest.approx(-np.mean(np.log([0.7, 0.2])) / 2, rel=1e-5)
    metric = args["metrics"][0]
    metric.update_state(y, p)  # means: [0.45, 0.2, 0.35] -> 0 (right), [0.3, .25, .45] -> 2
    assert metric.name == "accuracy" and float(metric.result()) == 1.0

    single = keras.Model(inp, keras.layers.Dense(3, activation="softmax")(inp))
    assert compile_args(keras, single, True) == {
        "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy"],
    }
    regression = compile_args(keras, keras.Model(inp, keras.layers.Dense(4)(inp)), False)
    values = np.array([[1.0, 3.0, 0.0, 2.0]])
    assert float(regression["loss"](np.array([1.0]), values)) == pytest.approx(1.5)


def test_settings_resolve_auto_and_refuse_bad_values():
    old = MLPConfig.from_dict({"auto": True, "hidden_units": [8], "dropout": 0.1})
    assert old.numeric_embedding == "auto" and old.ensemble_size == 0 and old.n_bins == 0
    done = old.resolved(n_rows=20_000, n_numeric=5)
    assert done.numeric_embedding in ("none", "piecewise", "periodic")
    assert done.ensemble_size >= 1 and old.ensemble_size == 0
    assert done.n_bins >= 2 or done.numeric_embedding != "piecewise"
    assert old.resolved(100, 0).numeric_embedding == "none"  # no numeric column
    assert MLPConfig(numeric_embedding="periodic", ensemble_size=1).resolved(10, 3) == MLPConfig(
        numeric_embedding="periodic", ensemble_size=1
    )
    from automl_gui.core.models.mlp import check_settings

    for bad in (
        MLPConfig(numeric_embedding="fourier"),
        MLPConfig(n_bins=1),
        MLPConfig(ensemble_size=-2),
    ):
        with pytest.raises(ConfigError):
            check_settings(bad)


def small_table(task: str, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.exponential(size=n),
            "color": rng.choice(["red", "green", "blue"], n).astype(object),
        }
    )
    signal = df["x1"] + (df["color"] == "red") - df["x2"]
    df["y"] = 50 + 10 * signal if task == "regression" else np.where(signal > 0, "a", "b")
    df.loc[::7, "x1"] = np.nan
    df.loc[::5, "color"] = None
    return df


def messy_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x1": [np.nan, 50.0, -np.inf, 0.2],
            "x2": [0.1, np.inf, 3.0, -40.0],
            "color": ["purple", None, "red", "blue"],
        }
    )


@pytest.fixture(scope="module")
def runs():
    """One trained run per (numeric embedding, members), binary and regression in turn."""
    from automl_gui.core.data.schema import LoadedTable, TableSource
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular

    done = {}
    for i, (embedding, members) in enumerate(FAMILIES):
        task = "regression" if i % 2 else "binary"
        df = small_table(task)
        setup = setup_tabular(LoadedTable(df=df, source=TableSource("t.csv", "csv")), "y")
        mlp = MLPConfig(
            auto=False,
            hidden_units=[8],
            numeric_embedding=embedding,
            ensemble_size=members,
            n_bins=4,
        )
        training = TrainConfig(epochs=1, batch_size=32, seed=1)
        done[embedding, members] = train_tabular(df, setup.preprocess, mlp, training)
    return done


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_trains_saves_and_answers_the_same_in_plain_keras_safe_mode(
    runs, family, tmp_path
):
    from automl_gui.core.preprocess.tabular import frame_to_inputs, to_tensors

    run = runs[family]
    keras = lazy.keras()
    assert run.metadata["task"] in ("binary", "regression")
    assert np.isfinite(run.history["loss"]).all()
    path = tmp_path / "m.keras"
    run.model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True, compile=False)
    from automl_gui.core.preprocess._inputs import InputSchema

    schema = InputSchema.from_dict(run.metadata["input_schema"])
    x = to_tensors(frame_to_inputs(messy_rows(), schema))
    want = np.asarray(run.model.predict(x, verbose=0))
    got = np.asarray(loaded.predict(x, verbose=0))
    assert np.isfinite(want).all() and want.shape == (4, 2 if family[1] == 1 else want.shape[1])
    np.testing.assert_allclose(got, want, atol=1e-5)
    names = {type(layer).__name__ for layer in loaded.layers}
    assert not names & {"Lambda", "TFOpLambda"}
    assert ("EinsumDense" in names) == (family[1] > 1 or family[0] == "periodic")


@pytest.mark.parametrize("fmt", ["tflite", "onnx"])
@pytest.mark.parametrize("family", [("piecewise", 3), ("periodic", 3)])
def test_embedded_ensembles_export_verified_to_tflite_and_onnx(runs, family, fmt, tmp_path):
    from automl_gui.core.export.formats import export_model

    result = export_model(runs[family].bundle, fmt, tmp_path / fmt)
    assert result.ok, result.message
    assert result.rows_compared > 0

"""Binary calibration (review P1-b): Platt scaling on the logit corrects the prior that
'balanced' class weights shift (which temperature scaling cannot), the reliability is
measured on P(positive), and the model's decisions do not change (the calibrated boundary
becomes the stored threshold)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.trust._platt import fit_platt, platt_probabilities, reliability_positive
from automl_gui.core.trust.calibration import calibrate, with_temperature
from automl_gui.core.trust.thresholds import (
    BOUNDARY,
    boundary_value,
    is_boundary,
    threshold_words,
    validation_answers,
)


def _shifted(n: int, seed: int, rate: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Labels drawn with a true P(yes) = sigmoid(z) (prior ``rate``), and a model that
    answers sigmoid(z + log(odds shift)) as 'balanced' weights make it: the minority class
    overstated."""
    rng = np.random.default_rng(seed)
    z = rng.normal(np.log(rate / (1 - rate)), 1.5, n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(int)
    shifted = 1 / (1 + np.exp(-(z + np.log(4.0))))
    return y, np.stack([1 - shifted, shifted], axis=1)


def test_platt_corrects_a_shifted_prior_and_keeps_decisions() -> None:
    y_val, p_val = _shifted(3000, 1)
    y_test, p_test = _shifted(3000, 2)
    slope, bias = fit_platt(y_val, p_val)
    assert slope == pytest.approx(1.0, abs=0.1) and bias == pytest.approx(-np.log(4.0), abs=0.2)
    assert p_test[:, 1].mean() > y_test.mean() + 0.1  # overstated before
    cal = calibrate(y_val, p_val, y_test, p_test, class_names=["no", "yes"], weighted=True)
    rep = cal.report
    assert cal.applied and rep["on"] == "positive" and rep["positive"] == "yes"
    assert rep["class_weighted"] is True and "weighted in training" in cal.message
    assert rep["ece"] < 0.03 < rep["ece_before"]
    assert cal.test_proba[:, 1].mean() == pytest.approx(y_test.mean(), abs=0.02)
    # the decisions at the boundary are the network's own argmax
    assert rep["boundary"] == pytest.approx(1 / (1 + np.exp(-cal.bias)))
    assert (cal.decisions(cal.test_proba) == p_test.argmax(1)).all()
    # reliability on P(yes): a bin's "accuracy" is the share of yes
    rel = reliability_positive(y_test, p_test, 10)
    assert rel["accuracy"] == pytest.approx(y_test.mean())


def test_multiclass_keeps_temperature_and_top_label() -> None:
    rng = np.random.default_rng(0)
    p = rng.dirichlet([1, 1, 1], 200)
    y = rng.integers(0, 3, 200)
    rep = calibrate(y, p, y, p).report
    assert rep["on"] == "top" and rep["bias"] is None and "positive" not in rep
    assert rep["method"].startswith("Temperature scaling")


def test_scaled_keras_model_matches_numpy_platt() -> None:
    import keras

    inp = keras.Input((3,))
    model = keras.Model(inp, keras.layers.Dense(2, activation="softmax")(inp))
    x = np.random.default_rng(0).normal(size=(20, 3)).astype("float32")
    own = np.asarray(model(x))
    scaled = with_temperature(model, 1 / 0.8, -1.3)
    got = np.asarray(scaled(x))
    assert got == pytest.approx(platt_probabilities(own, 0.8, -1.3), abs=1e-5)
    t = 1 / (1 + np.exp(1.3))
    assert ((got[:, 1] >= t) == (own[:, 1] > own[:, 0])).all()


def test_boundary_threshold_words_and_validation_answers() -> None:
    from automl_gui.core.trust.thresholds import set_threshold

    meta = {"task": "binary", "class_names": ["no", "yes"], "calibration": {"boundary": 0.21}}
    assert boundary_value(meta) == 0.21 and boundary_value({}) == 0.5
    set_threshold(meta, 0.21, BOUNDARY, source="calibration")
    assert is_boundary(meta["threshold"])
    assert "the trained model's own boundary" in threshold_words(meta)
    set_threshold(meta, 0.4, "F1", split="validation", precision=0.7, recall=0.8)
    assert "chosen for F1 on the validation split" in threshold_words(meta)
    answers = validation_answers(np.array([0, 1, 1]), np.array([[0.9, 0.1]] * 3), ["no", "yes"])
    assert answers == {"actual": [0, 1, 1], "p_positive": [0.1, 0.1, 0.1], "positive": "yes"}
    assert validation_answers([0], np.ones((1, 3)) / 3, ["a", "b", "c"]) is None


@pytest.fixture(scope="module")
def weighted_run():
    from automl_gui.core.data.schema import LoadedTable, TableSource
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.train.config import TrainConfig

    rng = np.random.default_rng(0)
    n = 2000
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    z = -2.0 + 1.5 * x1 - x2
    y = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-z)), "yes", "no")
    df = pd.DataFrame({"x1": x1, "x2": x2, "outcome": y})
    setup = setup_tabular(LoadedTable(df=df, source=TableSource("t.csv", "csv")), "outcome")
    run = train_tabular(
        df,
        setup.preprocess,
        MLPConfig(auto=False, hidden_units=[8], dropout=0.0),
        TrainConfig(epochs=8, batch_size=32, seed=1, class_weights="balanced"),
    )
    return run


def test_weighted_table_run_says_the_real_rate_and_answers_as_trained(weighted_run) -> None:
    from automl_gui.core.export.bundle import predict_arrays
    from automl_gui.core.trust.calibration import without_temperature

    run = weighted_run
    cal = run.report["calibration"]
    assert cal["class_weighted"] is True and cal["on"] == "positive"
    assert cal["applied"], cal["reason"]
    test = run.prepared.test
    own = predict_arrays(without_temperature(run.model), run.metadata, test)
    kept = predict_arrays(run.model, run.metadata, test)
    actual_rate = float((np.asarray(run.prepared.y_test) == 1).mean())
    assert own[:, 1].mean() > actual_rate + 0.1  # the weights overstate 'yes'
    assert kept[:, 1].mean() == pytest.approx(actual_rate, abs=0.05)
    # the same decisions before and after calibration
    assert is_boundary(run.metadata["threshold"])
    before = np.where(own[:, 1] > own[:, 0], "yes", "no")
    assert (run.test_predictions["prediction"].to_numpy() == before).all()
    assert run.report["metrics"]["accuracy"] == pytest.approx(
        (before == np.asarray(["no", "yes"], dtype=object)[run.prepared.y_test]).mean()
    )

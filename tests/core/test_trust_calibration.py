"""Reliability, ECE and temperature scaling (Guo et al. 2017) against known answers, and the
scaled Keras model: the same answers as the NumPy scaling, reloaded in plain Keras safe mode."""

from __future__ import annotations

import numpy as np
import pytest

from automl_gui.core.trust.calibration import (
    BINS,
    MIN_VALIDATION,
    calibrate,
    fit_temperature,
    not_refitted,
    reliability,
    scale_probabilities,
    temperature_of,
    with_temperature,
    without_temperature,
)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _drawn(n: int, sharpen: float, seed: int = 0, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Labels drawn from softmax(logits) (the true probabilities), and the model's
    probabilities softmax(logits × sharpen): overconfident for sharpen > 1."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 1.5, (n, k))
    true = _softmax(logits)
    y = np.array([rng.choice(k, p=row) for row in true])
    return y, _softmax(logits * sharpen)


def test_ece_of_a_hand_made_case() -> None:
    # confidences 0.9 (x2, 1 right), 0.6 (x1, right), 0.3 → binned by ((m-1)/15, m/15]
    proba = np.array(
        [[0.9, 0.1, 0.0], [0.9, 0.05, 0.05], [0.6, 0.4, 0.0], [0.3, 0.3, 0.4]],
    )
    y = np.array([0, 1, 0, 2])
    out = reliability(y, proba)
    # bin of 0.9 (13/15 < 0.9 <= 14/15): acc 0.5, conf 0.9 → 2/4 * 0.4
    # bin of 0.6 (8/15 < 0.6 <= 9/15): acc 1, conf 0.6 → 1/4 * 0.4
    # bin of 0.4 (5/15 < 0.4 <= 6/15): acc 1, conf 0.4 → 1/4 * 0.6
    assert out["ece"] == pytest.approx(0.2 + 0.1 + 0.15)
    assert len(out["bins"]) == BINS
    assert sum(b["count"] for b in out["bins"]) == 4
    full = [b for b in out["bins"] if b["count"]]
    assert [b["count"] for b in full] == [1, 1, 2]
    assert full[-1]["accuracy"] == 0.5 and full[-1]["confidence"] == pytest.approx(0.9)
    assert out["bins"][0]["confidence"] is None
    assert reliability(np.zeros(0, int), np.zeros((0, 3)))["ece"] == 0.0


def test_temperature_lowers_ece_of_an_overconfident_model() -> None:
    y_val, p_val = _drawn(3000, 3.0, seed=1)
    y_test, p_test = _drawn(3000, 3.0, seed=2)
    t = fit_temperature(y_val, p_val)
    assert t == pytest.approx(3.0, rel=0.15)  # undoes the × 3
    before = reliability(y_test, p_test)["ece"]
    after = reliability(y_test, scale_probabilities(p_test, t))["ece"]
    assert before > 0.1 and after < 0.03 and after < before / 3
    # the argmax (accuracy) is unchanged
    assert (scale_probabilities(p_test, t).argmax(1) == p_test.argmax(1)).all()
    cal = calibrate(y_val, p_val, y_test, p_test)
    assert cal.applied and cal.temperature == pytest.approx(t)
    rep = cal.report
    assert rep["applied"] and rep["ece"] == pytest.approx(after)
    assert rep["ece_before"] == pytest.approx(before)
    assert rep["validation_ece_after"] < rep["validation_ece_before"]
    assert cal.test_proba == pytest.approx(scale_probabilities(p_test, t))
    assert cal.message.startswith(f"Calibration: temperature {t:.2f} lowered validation ECE")
    assert len(rep["reliability"]) == BINS and len(rep["reliability_before"]) == BINS


def test_calibrated_model_keeps_its_probabilities() -> None:
    y_val, p_val = _drawn(4000, 1.0, seed=3)
    y_test, p_test = _drawn(500, 1.0, seed=4)
    assert fit_temperature(y_val, p_val) == pytest.approx(1.0, abs=0.1)
    cal = calibrate(y_val, p_val, y_test, p_test)
    assert not cal.applied and not cal.report["applied"]
    assert "did not lower the validation ECE" in cal.report["reason"]
    assert cal.report["ece"] == cal.report["ece_before"]
    assert cal.test_proba is not None and (cal.test_proba == p_test).all()


def test_too_few_validation_rows_and_a_refit() -> None:
    y, p = _drawn(MIN_VALIDATION - 1, 3.0)
    cal = calibrate(y, p, y, p)
    assert not cal.applied and "too few validation examples" in cal.report["reason"]
    cal = calibrate(y[:0], p[:0], y, p)
    assert "no validation examples" in cal.report["reason"]
    entry = not_refitted(cal.report, 1.8)
    assert not entry["applied"] and "1.80" in entry["reason"] and "refit" in entry["reason"]


@pytest.fixture(scope="module")
def small_model():
    import keras

    keras.utils.set_random_seed(0)
    inputs = {"a": keras.Input((1,), name="a"), "b": keras.Input((1,), name="b")}
    x = keras.layers.Concatenate()([inputs["a"], inputs["b"]])
    x = keras.layers.Dense(8, activation="relu")(x)
    out = keras.layers.Dense(3, activation="softmax")(x)
    return keras.Model(inputs, out)


def test_scaled_model_answers_as_numpy_and_reloads_in_safe_mode(small_model, tmp_path) -> None:
    import keras

    rng = np.random.default_rng(0)
    data = {"a": rng.normal(size=(64, 1)) * 4, "b": rng.normal(size=(64, 1)) * 4}
    data = {k: v.astype("float32") for k, v in data.items()}
    plain = small_model.predict(data, verbose=0)
    scaled = with_temperature(small_model, 2.5)
    assert temperature_of(scaled) == pytest.approx(2.5) and temperature_of(small_model) is None
    got = scaled.predict(data, verbose=0)
    assert got == pytest.approx(scale_probabilities(plain, 2.5), abs=1e-5)
    assert (got.argmax(1) == plain.argmax(1)).all()
    # scaled again: from the network's own output, not on top of the first scaling
    again = with_temperature(scaled, 0.5)
    assert again.predict(data, verbose=0) == pytest.approx(
        scale_probabilities(plain, 0.5), abs=1e-5
    )
    assert without_temperature(scaled).predict(data, verbose=0) == pytest.approx(plain, abs=1e-6)
    path = tmp_path / "m.keras"
    scaled.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert loaded.predict(data, verbose=0) == pytest.approx(got, abs=1e-6)
    assert temperature_of(loaded) == pytest.approx(2.5)
    assert without_temperature(loaded).predict(data, verbose=0) == pytest.approx(plain, abs=1e-6)


def test_a_kept_refit_says_no_temperature_was_fitted() -> None:
    """A refit trains on the validation rows: its run's calibration entry says why none was
    fitted and that the first model's temperature does not carry over."""
    from automl_gui.core.jobs._refit import RefitPlan, keep_refit
    from automl_gui.core.jobs.run import Run
    from automl_gui.core.train.config import TrainConfig
    from automl_gui.core.train.result import TrainResult

    y, p = _drawn(200, 3.0)
    first_cal = calibrate(y, p, y, p)
    refit_cal = calibrate(y[:0], p[:0], y, p)
    meta = {"kind": "tabular", "task": "multiclass", "metrics": {"accuracy": 0.5}}
    done = TrainResult(history={"loss": [1.0]}, best_epoch=0, epochs_run=2)

    def run(cal):
        report = {"metrics": {"accuracy": 0.5}, "calibration": cal.report}
        return Run(None, dict(meta), report, {"loss": [1.0]}, done, None)

    plan = RefitPlan(TrainConfig(epochs=2), 2, 2, [])
    kept = keep_refit(run(first_cal), run(refit_cal), done, plan, 180, None)
    entry = kept.report["calibration"]
    assert not entry["applied"] and entry["temperature"] is None
    assert f"{first_cal.temperature:.2f}" in entry["reason"] and "refit" in entry["reason"]
    assert kept.metadata["calibration"]["reason"] == entry["reason"]


def test_scaling_a_loaded_graph_never_reuses_an_op_name() -> None:
    """A model loaded in a fresh process holds ops named "cast", "clip", "log" (Keras
    numbers them per process): the temperature's own ops get names of their own."""
    import keras
    from keras import ops

    inputs = keras.Input((3,))
    x = ops.log(ops.clip(ops.cast(inputs, "float32"), 1e-3, 1.0))
    x = ops.add(x, 0.0)
    out = keras.layers.Dense(2, activation="softmax")(x)
    model = keras.Model(inputs, out)
    names = ["cast", "clip", "log", "temperature_cast"]
    for op, name in zip(model.operations[1:5], names, strict=True):
        op.name = name
    scaled = with_temperature(model, 2.0)
    names = [op.name for op in scaled.operations]
    assert len(names) == len(set(names)) and "temperature_cast_2" in names
    assert temperature_of(with_temperature(scaled, 3.0)) == pytest.approx(3.0)

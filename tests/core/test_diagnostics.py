"""Overfitting and underfitting verdicts on synthetic histories."""

from __future__ import annotations

import numpy as np

from automl_gui.core.train.diagnostics import Diagnosis, diagnose, generalization_gap


def _overfit_history(best: int = 11, after: int = 6) -> dict[str, list[float]]:
    epochs = best + 1 + after
    loss = [1.0 * 0.9**e for e in range(epochs)]
    val = [1.0 * 0.92**e + 0.05 for e in range(best + 1)]
    val += [val[best] + 0.03 * (i + 1) for i in range(after)]
    return {"loss": loss, "val_loss": val}


def test_clear_overfit_reports_the_epoch_after_the_best():
    found = diagnose(_overfit_history(best=11, after=6))
    assert isinstance(found, Diagnosis)
    assert found.kind == "overfitting"
    assert found.epoch == 12  # 0-based: best val epoch 11, + 1
    assert found.message == (
        "Overfitting began at epoch 13: validation loss has risen for 6 epochs "
        "while training loss keeps falling."
    )
    assert "epoch 12" in found.remedies[0]  # the best epoch, 1-based like the log
    text = " ".join(found.remedies).lower()
    for word in ("early", "dropout", "smaller", "more data"):
        assert word in text


def test_overfit_needs_patience_epochs_of_rise():
    assert diagnose(_overfit_history(best=11, after=2), patience=3) is None
    assert diagnose(_overfit_history(best=11, after=3), patience=3).kind == "overfitting"


def test_rising_val_with_rising_train_loss_is_not_overfitting():
    h = _overfit_history(best=8, after=5)
    h["loss"] = h["loss"][:9] + [h["loss"][8] * (1 + 0.05 * i) for i in range(1, 6)]
    found = diagnose(h)
    assert found is None or found.kind != "overfitting"


def test_noisy_but_improving_history_is_fine():
    rng = np.random.default_rng(3)
    for seed in range(20):
        rng = np.random.default_rng(seed)
        e = np.arange(30)
        loss = 0.2 + 0.8 * np.exp(-e / 6) + rng.normal(0, 0.005, 30)
        val = 0.25 + 0.8 * np.exp(-e / 6) + rng.normal(0, 0.01, 30)
        assert diagnose({"loss": loss.tolist(), "val_loss": val.tolist()}) is None, seed


def test_small_wiggle_within_tolerance_is_not_overfitting():
    loss = [1.0, 0.8, 0.7, 0.6, 0.55, 0.5, 0.47, 0.45, 0.43, 0.42]
    val = [1.0, 0.85, 0.75, 0.70, 0.69, 0.695, 0.692, 0.694, 0.693, 0.695]
    assert diagnose({"loss": loss, "val_loss": val}) is None


def test_underfitting_is_a_plain_note():
    loss = [0.69, 0.68, 0.678, 0.677, 0.677, 0.676, 0.676, 0.676, 0.675, 0.675]
    val = [0.69, 0.685, 0.683, 0.682, 0.681, 0.681, 0.680, 0.680, 0.680, 0.680]
    acc = [0.55, 0.56, 0.56, 0.56, 0.56, 0.56, 0.56, 0.56, 0.56, 0.56]
    found = diagnose({"loss": loss, "val_loss": val, "accuracy": acc})
    assert found is not None and found.kind == "underfitting"
    assert found.epoch == 9
    text = " ".join(found.remedies).lower()
    for word in ("bigger", "epochs", "learning rate", "features"):
        assert word in text


def test_regression_underfit_on_standardized_target():
    loss = [0.98, 0.95, 0.94, 0.94, 0.939, 0.939, 0.938, 0.938]
    val = [0.99, 0.97, 0.96, 0.96, 0.96, 0.959, 0.959, 0.959]
    mae = [0.8] * 8
    found = diagnose({"loss": loss, "val_loss": val, "mae": mae})
    assert found is not None and found.kind == "underfitting"


def test_converged_good_model_is_not_underfitting():
    loss = [0.5, 0.2, 0.1, 0.06, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05]
    val = [0.45, 0.2, 0.11, 0.07, 0.055, 0.055, 0.055, 0.055, 0.055, 0.055]
    acc = [0.8, 0.93, 0.97, 0.98, 0.985, 0.985, 0.985, 0.985, 0.985, 0.985]
    assert diagnose({"loss": loss, "val_loss": val, "accuracy": acc}) is None


def test_baseline_loss_makes_still_high_precise():
    loss = [0.40, 0.36, 0.35, 0.35, 0.35, 0.35, 0.35, 0.35]
    val = [0.41, 0.37, 0.36, 0.36, 0.36, 0.36, 0.36, 0.36]
    assert diagnose({"loss": loss, "val_loss": val}, baseline_loss=0.37).kind == "underfitting"
    assert diagnose({"loss": loss, "val_loss": val}, baseline_loss=1.0) is None


def test_too_short_histories_give_no_verdict():
    assert diagnose({}) is None
    assert diagnose({"loss": [0.7], "val_loss": [0.7]}) is None
    flat = {"loss": [0.69, 0.69, 0.69], "val_loss": [0.69, 0.69, 0.69]}
    assert diagnose(flat, min_epochs=5) is None


def test_nan_epochs_are_ignored():
    h = _overfit_history(best=11, after=6)
    h["loss"].append(float("nan"))
    h["val_loss"].append(float("nan"))
    assert diagnose(h).kind == "overfitting"


def test_generalization_gap():
    assert generalization_gap({"loss": [1.0, 0.5], "val_loss": [1.5, 0.75]}) == [0.5, 0.25]
    assert generalization_gap({"loss": [1.0]}) == []


def test_still_improving_only_when_the_limit_cut_a_falling_loss_short():
    from automl_gui.core.train.diagnostics import still_improving

    falling = {
        "loss": [1.0 / (i + 1) for i in range(20)],
        "val_loss": [1.1 / (i + 1) for i in range(20)],
    }
    note = still_improving(falling, "completed")
    assert note is not None and note.kind == "still_improving" and "epoch limit" in note.message
    assert still_improving(falling, "time_budget") is not None
    assert still_improving(falling, "early_stopping") is None  # it ended on its own
    assert still_improving(falling, "cancelled") is None
    flat = {"loss": [0.5] * 20, "val_loss": [0.6] * 14 + [0.599] * 6}
    assert still_improving(flat, "completed") is None  # converged: < 1 % better
    assert still_improving({"val_loss": [1.0, 0.9, 0.8]}, "completed") is None  # too short


def test_still_improving_is_not_said_when_every_validation_example_is_already_right():
    from automl_gui.core.train.diagnostics import still_improving

    falling = {"val_loss": [0.5 / (i + 1) for i in range(20)]}
    perfect = {**falling, "val_accuracy": [0.9] * 10 + [1.0] * 10}
    assert still_improving(perfect, "completed") is None
    almost = {**falling, "val_accuracy": [0.9] * 10 + [1.0] * 9 + [0.95]}
    assert still_improving(almost, "completed") is not None  # one wrong in the last epochs

"""The trainer: compiles, fits on dict inputs (string ones too), reports events, stops cleanly."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from automl_gui.core.base import lazy
from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.base.events import BatchEnd, CancelToken, EpochEnd, Log
from automl_gui.core.train.config import OPTIMIZERS, TrainConfig
from automl_gui.core.train.result import TrainResult
from automl_gui.core.train.trainer import Trainer, auto_batch_size

COLORS = np.array(["red", "green", "blue"], dtype=object)


@pytest.fixture(scope="module")
def keras():
    return lazy.keras()


def _data(n: int, seed: int = 0, *, task: str = "binary", noise_labels: bool = False):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, 1)).astype("float32")
    b = rng.normal(size=(n, 1)).astype("float32")
    c = COLORS[rng.integers(0, 3, n)].reshape(n, 1)
    x = {"a": a, "b": b, "color": c}
    if task == "regression":
        y = (2 * a[:, 0] - b[:, 0] + (c[:, 0] == "red")).astype("float32")
        y = (y - y.mean()) / y.std()
    elif noise_labels:
        y = rng.integers(0, 2, n).astype("int32")
    else:
        y = ((a[:, 0] + b[:, 0] > 0) ^ (c[:, 0] == "red")).astype("int32")
    return x, y


def _split(x, y, n_val):
    return (
        {k: v[n_val:] for k, v in x.items()},
        y[n_val:],
        {k: v[:n_val] for k, v in x.items()},
        y[:n_val],
    )


def _model(keras, task: str = "binary", n_classes: int = 2, units: int = 16, seed: int = 0):
    keras.utils.set_random_seed(seed)
    a = keras.Input((1,), name="a")
    b = keras.Input((1,), name="b")
    color = keras.Input((1,), name="color", dtype="string")
    onehot = keras.layers.StringLookup(vocabulary=["red", "green", "blue"], output_mode="one_hot")
    h = keras.layers.Concatenate()([a, b, keras.layers.Reshape((4,))(onehot(color))])
    h = keras.layers.Dense(units, activation="relu")(h)
    if task == "regression":
        out = keras.layers.Dense(1)(h)
    else:
        out = keras.layers.Dense(n_classes, activation="softmax")(h)
    return keras.Model({"a": a, "b": b, "color": color}, out)


def _val_loss(keras, model, task, x_val, y_val) -> float:
    loss = "mse" if task == "regression" else "sparse_categorical_crossentropy"
    fn = keras.losses.get(loss)
    tf = lazy.tf()
    proba = model({k: tf.constant(v) for k, v in x_val.items()}, training=False)
    return float(np.mean(fn(y_val, proba)))


def test_binary_fit_with_string_input_reports_events_and_history(keras):
    x, y = _data(500)
    xt, yt, xv, yv = _split(x, y, 100)
    model = _model(keras)
    events = []
    cfg = TrainConfig(epochs=6, learning_rate=0.01, schedule="constant", early_stopping=False)
    result = Trainer(cfg).fit(model, "binary", xt, yt, xv, yv, on_event=events.append)

    assert isinstance(result, TrainResult)
    assert result.stopped_reason == "completed"
    assert result.epochs_run == 6
    assert result.batch_size == 16  # auto: 400 rows / 50 -> 8 -> clipped to 16
    assert set(result.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert all(len(v) == 6 for v in result.history.values())
    assert result.history["lr"] == pytest.approx([0.01] * 6)
    assert result.history["val_accuracy"][-1] > 0.8  # it learned, string input included
    assert result.best_epoch == int(np.argmin(result.history["val_loss"]))
    assert result.seconds > 0

    epoch_events = [e for e in events if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epoch_events] == list(range(6))
    assert all(e.epochs == 6 and "lr" in e.logs and "val_loss" in e.logs for e in epoch_events)
    assert epoch_events[-1].eta == 0.0
    assert epoch_events[0].eta is not None and epoch_events[0].eta > 0
    assert epoch_events[-1].elapsed >= epoch_events[0].elapsed
    lines = [e.message for e in events if isinstance(e, Log)]
    assert re.fullmatch(
        r"Epoch 1/6 - loss [\d.]+ - accuracy \d\.\d{4} - val_loss [\d.]+ - val_accuracy \d\.\d{4}"
        r" - lr 0\.01 - [\d.]+ s",
        lines[0],
    )
    batches = [e for e in events if isinstance(e, BatchEnd)]
    assert batches and all(e.steps == 25 and "loss" in e.logs for e in batches)
    # throttled to ~10/s: at most one per 0.1 s (plus the first)
    assert len(batches) <= result.seconds / 0.1 + 2
    assert all(isinstance(v, float) for e in batches for v in e.logs.values())


def test_regression_fit_uses_mae_and_learns(keras):
    x, y = _data(400, task="regression")
    xt, yt, xv, yv = _split(x, y, 80)
    model = _model(keras, "regression")
    cfg = TrainConfig(epochs=8, learning_rate=0.02, batch_size=32, schedule="cosine")
    result = Trainer(cfg).fit(model, "regression", xt, yt, xv, yv)
    assert {"loss", "mae", "val_loss", "val_mae", "lr"} <= set(result.history)
    assert result.history["val_loss"][-1] < 0.5 * result.history["val_loss"][0]
    lr = result.history["lr"]
    assert lr[0] < 0.02 and all(b < a for a, b in zip(lr, lr[1:], strict=False))  # cosine
    assert result.batch_size == 32


def test_stop_mid_epoch_keeps_best_weights_and_returns_normally(keras):
    x, y = _data(600, seed=1)
    xt, yt, xv, yv = _split(x, y, 100)
    model = _model(keras)
    token = CancelToken()

    def on_event(event):
        # Stop pressed between epochs 2 and 3: it takes effect after the third epoch's first
        # batch. (Waiting for a throttled BatchEnd in epoch 3 was timing-dependent: a fast
        # epoch may report none.)
        if isinstance(event, EpochEnd) and event.epoch == 1:
            token.cancel()

    cfg = TrainConfig(epochs=50, learning_rate=0.01, schedule="constant", batch_size=16)
    result = Trainer(cfg).fit(model, "binary", xt, yt, xv, yv, on_event=on_event, cancel=token)
    assert result.stopped_reason == "cancelled"
    assert result.epochs_run == 3  # the partial third epoch is validated and recorded
    best = result.best_epoch
    assert best == int(np.argmin(result.history["val_loss"]))
    assert _val_loss(keras, model, "binary", xv, yv) == pytest.approx(
        result.history["val_loss"][best], rel=1e-3
    )
    # Stop takes effect after the current batch: the third epoch ran only a few of 32 steps
    assert int(model.optimizer.iterations) < 2 * 32 + 5
    # that partial epoch's training figures average a few batches (the spike on a curve):
    # not kept; its validation, measured on every row, is
    assert result.partial_last_epoch
    assert math.isnan(result.history["loss"][2]) and math.isnan(result.history["accuracy"][2])
    assert all(math.isfinite(v) for v in result.history["loss"][:2])
    assert math.isfinite(result.history["val_loss"][2])


def test_whole_epochs_keep_their_training_figures(keras):
    """An epoch the budget or early stopping ends after its last batch is whole: nothing
    dropped (the search used to judge by the stop reason and dropped a whole epoch)."""
    x, y = _data(300, seed=5)
    xt, yt, xv, yv = _split(x, y, 60)
    cfg = TrainConfig(epochs=3, batch_size=16)
    result = Trainer(cfg).fit(_model(keras), "binary", xt, yt, xv, yv)
    assert not result.partial_last_epoch
    assert all(math.isfinite(v) for v in result.history["loss"])


def test_stop_in_the_first_epoch(keras):
    x, y = _data(300, seed=2)
    xt, yt, xv, yv = _split(x, y, 60)
    model = _model(keras)
    token = CancelToken()
    token.cancel()  # Stop pressed before the first batch
    cfg = TrainConfig(epochs=10, batch_size=16)
    result = Trainer(cfg).fit(model, "binary", xt, yt, xv, yv, cancel=token)
    assert result.stopped_reason == "cancelled"
    assert result.epochs_run == 1 and result.best_epoch == 0
    assert int(model.optimizer.iterations) == 1
    assert _val_loss(keras, model, "binary", xv, yv) == pytest.approx(
        result.history["val_loss"][0], rel=1e-3
    )


def test_many_small_batches_run_several_per_call_and_still_stop_promptly(keras):
    x, y = _data(1200, seed=12)
    xt, yt, xv, yv = _split(x, y, 100)  # 1100 rows / 16 = 69 batches: 8 per step call
    model = _model(keras)
    token = CancelToken()
    seen = []

    def on_event(event):
        if isinstance(event, BatchEnd):
            seen.append(event.step)
            token.cancel()

    cfg = TrainConfig(epochs=5, batch_size=16)
    result = Trainer(cfg).fit(model, "binary", xt, yt, xv, yv, on_event=on_event, cancel=token)
    assert model.steps_per_execution == 8
    assert seen[0] == 7  # the first call ran batches 0-7
    assert result.stopped_reason == "cancelled"
    assert int(model.optimizer.iterations) == 16  # Stop seen at the next call's end


class _TokenAfter(CancelToken):
    """Reports "cancelled" from its ``after``-th poll on: a Stop at an exact point."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after
        self.polls = 0

    @property
    def cancelled(self) -> bool:
        self.polls += 1
        return self.polls >= self.after


def test_stop_during_validation_cuts_it_short_and_ignores_that_epoch(keras):
    x, y = _data(140, seed=11)
    xt, yt, xv, yv = _split(x, y, 60)  # 80 train rows: 5 batches; 60 val rows: 4 batches
    model = _model(keras)
    # polls: epoch 0 = 1 (begin) + 5 (train) + 4 (val) = 10; epoch 1 val batches are 17-20
    token = _TokenAfter(18)
    cfg = TrainConfig(epochs=10, batch_size=16, learning_rate=0.01, schedule="constant")
    result = Trainer(cfg).fit(model, "binary", xt, yt, xv, yv, cancel=token)
    assert result.stopped_reason == "cancelled"
    assert result.epochs_run == 2
    assert result.best_epoch == 0  # the cut validation of epoch 1 is not trusted
    assert token.polls == 18  # validation stopped at once
    assert _val_loss(keras, model, "binary", xv, yv) == pytest.approx(
        result.history["val_loss"][0], rel=1e-3
    )


def test_early_stopping_restores_best_and_plateau_lowers_lr(keras):
    x, y = _data(240, seed=3, noise_labels=True)  # nothing to learn: val loss soon rises
    xt, yt, xv, yv = _split(x, y, 60)
    model = _model(keras, units=64)
    cfg = TrainConfig(epochs=60, learning_rate=0.03, batch_size=16, patience=4)
    events = []
    result = Trainer(cfg).fit(model, "binary", xt, yt, xv, yv, on_event=events.append)
    assert result.stopped_reason == "early_stopping"
    assert result.epochs_run < 60
    assert result.best_epoch == result.epochs_run - 1 - 4
    assert _val_loss(keras, model, "binary", xv, yv) == pytest.approx(
        result.history["val_loss"][result.best_epoch], rel=1e-3
    )
    lr = result.history["lr"]
    assert min(lr) == pytest.approx(0.015)  # halved after 2 epochs without improvement
    assert any("Early stopping" in e.message for e in events if isinstance(e, Log))


def test_time_budget_stops_training(keras):
    x, y = _data(2000, seed=4)
    xt, yt, xv, yv = _split(x, y, 200)
    model = _model(keras)
    cfg = TrainConfig(epochs=500, batch_size=16, time_budget=1.5, early_stopping=False)
    result = Trainer(cfg).fit(model, "binary", xt, yt, xv, yv)
    assert result.stopped_reason == "time_budget"
    assert result.epochs_run < 500
    assert result.seconds < 1.5 + 30.0  # 500 epochs would take minutes; slack for a busy CI
    assert _val_loss(keras, model, "binary", xv, yv) == pytest.approx(
        min(result.history["val_loss"]), rel=1e-3
    )


def test_nan_loss_stops_restores_and_warns(keras):
    x, y = _data(300, seed=5, task="regression")
    xt, yt, xv, yv = _split(x, y, 60)
    yt = yt * 1e18  # explodes at once with plain SGD and a huge learning rate
    model = _model(keras, "regression")
    cfg = TrainConfig(optimizer="sgd", learning_rate=1e6, epochs=20, batch_size=16)
    events = []
    result = Trainer(cfg).fit(model, "regression", xt, yt, xv, yv, on_event=events.append)
    assert result.stopped_reason == "nan"
    assert result.epochs_run < 20
    assert all(np.isfinite(w).all() for w in model.get_weights())
    warnings = [e for e in events if isinstance(e, Log) and e.level == "warning"]
    assert any("NaN" in e.message for e in warnings)


def test_class_weights_become_sample_weights(keras):
    x, y = _data(200, seed=6)
    xt, yt, xv, yv = _split(x, y, 40)
    model = _model(keras)
    before = [w.copy() for w in model.get_weights()]
    cfg = TrainConfig(epochs=2, batch_size=16, early_stopping=False, schedule="constant")
    result = Trainer(cfg).fit(model, "binary", xt, yt, xv, yv, class_weight={0: 0.0, 1: 0.0})
    assert result.history["loss"] == [0.0, 0.0]  # every sample weighted 0
    assert all(np.allclose(a, b) for a, b in zip(before, model.get_weights(), strict=True))


def test_balanced_class_weights_from_config(keras):
    x, y = _data(300, seed=7)
    y = (x["a"][:, 0] > 1.0).astype("int32")  # ~16 % positives
    xt, yt, xv, yv = _split(x, y, 60)
    plain = Trainer(TrainConfig(epochs=1, batch_size=32, class_weights="none"))
    balanced = Trainer(TrainConfig(epochs=1, batch_size=32, class_weights="balanced"))
    r1 = plain.fit(_model(keras, seed=1), "binary", xt, yt, xv, yv)
    r2 = balanced.fit(_model(keras, seed=1), "binary", xt, yt, xv, yv)
    assert r1.history["loss"][0] != pytest.approx(r2.history["loss"][0], rel=1e-3)


def test_same_seed_same_history(keras):
    x, y = _data(300, seed=8)
    xt, yt, xv, yv = _split(x, y, 60)
    cfg = TrainConfig(epochs=3, batch_size=32, seed=7)
    r1 = Trainer(cfg).fit(_model(keras, seed=3), "binary", xt, yt, xv, yv)
    r2 = Trainer(cfg).fit(_model(keras, seed=3), "binary", xt, yt, xv, yv)
    assert r1.history["loss"] == pytest.approx(r2.history["loss"], rel=1e-6)


def test_every_optimizer_trains_multiclass(keras):
    rng = np.random.default_rng(9)
    x, _ = _data(120, seed=9)
    y = rng.integers(0, 3, 120).astype("int32")
    xt, yt, xv, yv = _split(x, y, 20)
    models = {}
    for name in OPTIMIZERS:
        cfg = TrainConfig(optimizer=name, epochs=1, batch_size=64)
        models[name] = _model(keras, "multiclass", 3)
        result = Trainer(cfg).fit(models[name], "multiclass", xt, yt, xv, yv)
        assert math.isfinite(result.history["loss"][0]), name
    assert models["sgd"].optimizer.momentum == 0.9 and models["sgd"].optimizer.nesterov


def test_out_of_memory_retries_once_with_half_the_batch(keras, monkeypatch):
    tf = lazy.tf()
    x, y = _data(200, seed=10)
    xt, yt, xv, yv = _split(x, y, 40)
    model = _model(keras)
    real_fit = type(model).fit
    calls = []

    def fit(self, *args, **kwargs):
        calls.append(args[0].element_spec[1].shape)
        if len(calls) == 1:
            raise tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor")
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(type(model), "fit", fit)
    events = []
    cfg = TrainConfig(epochs=1, batch_size=64)
    result = Trainer(cfg).fit(model, "binary", xt, yt, xv, yv, on_event=events.append)
    assert result.batch_size == 32 and len(calls) == 2
    assert any(
        "retrying once with batch size 32" in e.message for e in events if isinstance(e, Log)
    )

    def always_oom(self, *args, **kwargs):
        raise tf.errors.ResourceExhaustedError(None, None, "OOM")

    monkeypatch.setattr(type(model), "fit", always_oom)
    with pytest.raises(ModelError):
        Trainer(cfg).fit(model, "binary", xt, yt, xv, yv)


def test_bad_settings_raise_config_errors(keras):
    x, y = _data(50)
    xt, yt, xv, yv = _split(x, y, 10)
    model = _model(keras)
    with pytest.raises(ConfigError):
        Trainer(TrainConfig(optimizer="lion")).fit(model, "binary", xt, yt, xv, yv)
    with pytest.raises(ConfigError):
        Trainer(TrainConfig(schedule="step")).fit(model, "binary", xt, yt, xv, yv)
    with pytest.raises(ConfigError):
        Trainer(TrainConfig()).fit(model, "ranking", xt, yt, xv, yv)


def test_auto_batch_size():
    class Plan:
        batch_size = 256

    assert auto_batch_size(100) == 16
    assert auto_batch_size(12_800) == 256
    assert auto_batch_size(10_000_000) == 512
    assert auto_batch_size(100, Plan()) == 16  # small data: enough steps per epoch
    assert auto_batch_size(10_000_000, Plan()) == 256  # large data: the device's size


def test_importing_train_package_does_not_import_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import automl_gui.core.train, automl_gui.core.train.trainer\n"
        "import automl_gui.core.train.callbacks, automl_gui.core.train.diagnostics\n"
        "import automl_gui.core.hardware, automl_gui.core.evaluate.metrics\n"
        "print([m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_streamed_datasets_retry_out_of_memory_with_half_the_batch(keras, monkeypatch):
    """fit_dataset rebuilds the datasets at half the batch size, weights reset, and says so."""
    tf = lazy.tf()
    rng = np.random.default_rng(12)
    x = rng.normal(size=(96, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Dense(2, activation="softmax")(inp))
    built_with: list[int] = []

    def make(batch: int):
        built_with.append(batch)
        return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch)

    real_fit = type(model).fit
    calls = []

    def fit(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor")
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(type(model), "fit", fit)
    events = []
    result = Trainer(TrainConfig(epochs=2, batch_size=32)).fit_dataset(
        model, "binary", make, make, len(y), epoch_offset=3, on_event=events.append
    )
    assert result.batch_size == 16 and built_with == [32, 32, 16, 16]
    assert any(
        "retrying once with batch size 16" in e.message for e in events if isinstance(e, Log)
    )
    # a later phase counts on from the earlier one
    assert [e.epoch for e in events if isinstance(e, EpochEnd)] == [3, 4]

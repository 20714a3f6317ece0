"""Training settings added for issue 17: weight decay (validated, passed to every optimizer,
biases and normalization left alone, old projects' "adamw" unchanged), the table kind's
measured defaults, and the Trainer's schedule replay a refit uses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.kinds import kind_named
from automl_gui.core.train.config import KERAS_ADAMW_DECAY, OPTIMIZERS, SCHEDULES, TrainConfig


def test_old_projects_load_with_the_decay_they_trained_with():
    assert TrainConfig.from_dict({"optimizer": "adamw"}).weight_decay == KERAS_ADAMW_DECAY
    assert TrainConfig.from_dict({"optimizer": "adam"}).weight_decay == 0.0
    assert TrainConfig.from_dict({}).refit is False
    new = TrainConfig(optimizer="adamw", weight_decay=0.0, refit=True)
    assert TrainConfig.from_dict(new.to_dict()) == new


@pytest.mark.parametrize("bad", [-1e-4, math.nan, math.inf])
def test_a_bad_weight_decay_is_refused_clearly(bad):
    from automl_gui.core.train.trainer import Trainer

    with pytest.raises(ConfigError, match="weight decay"):
        Trainer(TrainConfig(weight_decay=bad))._check("binary", 10)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_takes_weight_decay_but_not_on_biases(name):
    import keras

    from automl_gui.core.train._fit_parts import _make_optimizer

    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    opt = _make_optimizer(keras, name, 1e-3, 1e-4)
    assert opt.weight_decay == pytest.approx(1e-4)
    assert opt._use_weight_decay(layer.kernel)
    assert not opt._use_weight_decay(layer.bias)
    plain = _make_optimizer(keras, name, 1e-3, 0.0)
    assert not plain.weight_decay  # none at 0, Keras' AdamW default included


def test_the_table_default_is_valid_and_other_kinds_keep_theirs():
    tabular = kind_named("tabular").default_training()
    assert tabular.optimizer in OPTIMIZERS and tabular.schedule in SCHEDULES
    assert tabular.weight_decay >= 0 and tabular.restore_best and tabular.early_stopping
    assert not tabular.refit  # off by default
    for name in ("images", "audio", "text"):
        assert kind_named(name).default_training().weight_decay == 0.0


def _tiny():
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    keras.utils.set_random_seed(0)
    inp = keras.Input(shape=(3,), name="x")
    model = keras.Model({"x": inp}, keras.layers.Dense(2, activation="softmax")(inp))
    return model, {"x": x}, y


def test_a_refit_replays_the_plateau_rates_and_spans_the_cosine_like_the_first_fit():
    from automl_gui.core.train.trainer import Trainer

    model, x, y = _tiny()
    rates = [1e-2, 1e-2, 5e-3, 2.5e-3]
    cfg = TrainConfig(epochs=4, batch_size=16, schedule="plateau", early_stopping=False)
    result = Trainer(cfg, lr_by_epoch=rates).fit(model, "binary", x, y, None, None)
    assert np.allclose(result.history["lr"], rates)

    model, x, y = _tiny()
    cfg = TrainConfig(epochs=2, batch_size=16, schedule="cosine", learning_rate=1e-2)
    short = Trainer(cfg).fit(model, "binary", x, y, None, None)
    model, x, y = _tiny()
    spanned = Trainer(cfg, schedule_epochs=8).fit(model, "binary", x, y, None, None)
    # over 2 epochs the rate is near 0 at the end; spanning 8, a quarter of the way down
    assert short.history["lr"][-1] < 1e-4
    assert spanned.history["lr"][-1] == pytest.approx(1e-2 * (1 + math.cos(math.pi / 4)) / 2)


def test_a_fit_with_weight_decay_shrinks_the_weights():
    from automl_gui.core.train.trainer import Trainer

    norms = []
    for decay in (0.0, 0.5):
        model, x, y = _tiny()
        cfg = TrainConfig(
            optimizer="adamw", weight_decay=decay, epochs=3, batch_size=16, schedule="constant"
        )
        Trainer(cfg).fit(model, "binary", x, y, None, None)
        norms.append(float(np.linalg.norm(model.layers[-1].kernel.numpy())))
    assert norms[1] < norms[0]

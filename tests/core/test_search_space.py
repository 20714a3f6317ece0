"""The table search space (issue 17): numeric embeddings, efficient-ensemble members and weight
decay beside the MLP settings; the first trial starts from the base training and Auto."""

from __future__ import annotations

import keras_tuner as kt
import pytest

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.train.trainer import auto_batch_size
from automl_gui.core.tune.search.space import WEIGHT_DECAYS, SearchConfig, TabularSpace


def test_the_space_declares_the_new_settings_and_the_first_trial_is_autos_choice():
    hp = kt.HyperParameters()
    settings = TabularSpace(rows=5_000, numeric=6).build(hp)
    names = {p.name for p in hp.space}
    assert {"numeric_embedding", "ensemble_size", "weight_decay"} <= names
    auto = MLPConfig().resolved(5_000, 6)
    assert settings.mlp.numeric_embedding == auto.numeric_embedding
    assert settings.mlp.ensemble_size in TabularSpace.ENSEMBLE_SIZES
    assert hp.get("numeric_embedding") in ("none", "piecewise", "periodic")
    assert list(hp._hps["weight_decay"][0].values) == list(WEIGHT_DECAYS)


def test_a_table_without_numbers_tries_no_numeric_embedding():
    hp = kt.HyperParameters()
    settings = TabularSpace(rows=500, numeric=0).build(hp)
    assert "numeric_embedding" not in {p.name for p in hp.space}
    assert settings.mlp.numeric_embedding == "none"


def test_the_first_trial_starts_from_the_base_training():
    base = TrainConfig(optimizer="rmsprop", learning_rate=0.05, batch_size=0, weight_decay=3e-4)
    settings = TabularSpace(rows=20_000, numeric=3, base=base).build(kt.HyperParameters())
    assert settings.optimizer == "rmsprop"
    assert settings.learning_rate == 1e-2  # clamped into the space's range
    assert settings.batch_size == min(512, auto_batch_size(20_000))  # Auto's batch, snapped
    assert settings.weight_decay == 1e-4  # the nearest on the log scale
    training = settings.training(TrainConfig(), epochs=3)
    assert (training.weight_decay, training.epochs, training.optimizer) == (1e-4, 3, "rmsprop")
    zero = TabularSpace(rows=200, base=TrainConfig(weight_decay=0.0)).build(kt.HyperParameters())
    assert zero.weight_decay == 0.0


def test_the_number_of_trials_to_average_is_checked():
    with pytest.raises(ConfigError, match="cannot be negative"):
        SearchConfig(max_trials=2, average_best=-1).validate()
    assert SearchConfig.from_dict({"max_trials": 2}).average_best == 3  # older search.json

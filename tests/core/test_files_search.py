"""The AutoML search on image and audio folders: leaderboard and kept run, Hyperband rounds
continuing from weights, backbones offered only with their weights (the spectrogram search,
budget, Stop, failed trials and resume are in test_files_search_runs.py)."""

from __future__ import annotations

import json

import files_search_support as support
import pytest
from files_search_support import _search

from automl_gui.core.base.events import EpochEnd, Log, TrialEnded, TrialStarted
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.models.images import CNN_BN_MOMENTUM
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.tune.search import files_space
from automl_gui.core.tune.search.files_space import ImageSpace, available_backbones
from automl_gui.core.tune.search.jobs import SearchRun
from automl_gui.core.tune.search.space import SearchConfig, leaderboard_rows

#: the module fixture (one per test file)
images = support.images


def test_image_search_keeps_the_best_trial_and_hyperband_continues_from_weights(images, tmp_path):
    events = []
    config = SearchConfig(algorithm="hyperband", max_trials=4, max_epochs=3, min_epochs=1)
    run = _search(images, config, on_event=events.append, directory=tmp_path / "s")
    assert isinstance(run, SearchRun) and run.kind.name == "images"
    assert [r.status for r in run.leaderboard] == ["completed"] * 4
    assert run.best_trial.value == min(r.value for r in run.leaderboard)
    assert run.history == run.best_trial.history  # the kept model is the best trial's run
    assert 0.0 <= run.report["metrics"]["accuracy"] <= 1.0
    assert len(run.test_predictions) == run.metadata["data"]["test_images"]
    assert run.metadata["search"]["best_trial"]["trial_id"] == run.best_trial.trial_id
    json.dumps(run.metadata)
    # Hyperband's first bracket: three 1-epoch trials, then the best goes on to epoch 3
    last = run.leaderboard[-1]
    assert last.hyperparameters["tuner/initial_epoch"] == 1 and last.epochs == 2
    previous = last.hyperparameters["tuner/trial_id"]
    assert any(
        isinstance(e, Log) and e.message == f"Continuing from the weights in {previous}.npz."
        for e in events
    )
    started = [e.trial for e in events if isinstance(e, TrialStarted)]
    ended = [e.record.trial_id for e in events if isinstance(e, TrialEnded)]
    assert started == ended == ["0000", "0001", "0002", "0003"]
    assert sum(isinstance(e, EpochEnd) for e in events) == 5
    params = json.loads(leaderboard_rows(run.leaderboard)[0]["hyperparameters"])
    assert params["architecture"] == "cnn" and params["cnn_width"] == 16


def test_the_first_trial_is_the_defaults_its_cnn_normalizes_fast_and_it_trains_on(images):
    import keras_tuner as kt

    events = []
    # one 1-epoch round (min_epochs), then the kept trial trains on towards max_epochs
    config = SearchConfig(algorithm="hyperband", max_trials=1, max_epochs=3, min_epochs=1)
    space = ImageSpace(ImagePreprocessConfig(), ImageModelConfig(), {}, cnn_size=32)
    training = TrainConfig(epochs=1, batch_size=8, seed=1)
    run = _search(images, config, space=space, training=training, on_event=events.append)
    defaults = space.build(kt.HyperParameters())
    first = run.leaderboard[0].hyperparameters
    assert first["image_size"] == 32 and first["cnn_width"] == 32 and first["augment"] == "light"
    assert first["learning_rate"] == pytest.approx(1e-3) and defaults.cnn_width == 32
    norms = [layer for layer in run.model.layers if "_bn" in layer.name]
    assert norms and all(layer.momentum == CNN_BN_MOMENTUM == 0.9 for layer in norms)
    more = run.metadata["search"]["trained_on"]
    assert more is not None and 1 <= more["epochs"] <= 2
    assert any(isinstance(e, Log) and "model on: up to 2 more epochs" in e.message for e in events)
    if more["improved"]:
        assert len(run.history["val_loss"]) == 1 + more["epochs"]
        assert run.result.epochs_run == 1 + more["epochs"]
    else:
        assert run.history == run.best_trial.history


def test_tiny_images_are_not_upscaled_absurdly_and_cnn_rounds_are_long():
    from automl_gui.core.tune.search.files import _FilesTrials

    assert files_space.cnn_sizes(32) == [16, 32, 64]
    assert files_space.cnn_sizes(32, image_side=8) == [16, 32]  # 8×8 digits: no 64×64
    assert files_space.cnn_sizes(32, image_side=28) == [16, 32]
    assert files_space.cnn_sizes(96, image_side=120) == [48, 96, 192]
    assert files_space.cnn_sizes(128, image_side=20) == [64, 128]  # the user's size stays
    space = ImageSpace(ImagePreprocessConfig(), ImageModelConfig(), {}, 32, image_side=8)
    assert space.cnn_sizes == [16, 32]

    def shortest(**kw):
        return _FilesTrials(search=SearchConfig(max_trials=1, **kw), overheads=[]).shortest_round()

    assert shortest(max_epochs=30) == 10  # not Keras Tuner's tenth (3 epochs)
    assert shortest(max_epochs=30, min_epochs=2) == 2  # the user's choice stays
    assert shortest(max_epochs=2) == 1


def test_backbones_are_offered_only_when_their_weights_are_here(tmp_path, monkeypatch):
    from automl_gui.core.models import weights

    monkeypatch.setattr(weights, "find_weights", lambda *a, **k: None)
    own = tmp_path / "resnet50_notop.h5"
    own.write_bytes(b"\x89HDF\r\n\x1a\n")
    config = ImageModelConfig(architecture="resnet50", weights_path=str(own))
    events = []
    found = available_backbones(config, on_event=events.append)
    assert found == {"resnet50": str(own)}
    assert any("leaves out InceptionV3" in e.message for e in events)
    assert available_backbones(ImageModelConfig()) == {}
    scratch = available_backbones(ImageModelConfig(), allow_scratch=True)
    assert scratch == {"resnet50": None, "inceptionv3": None}
    found_here = tmp_path / "inception.h5"
    monkeypatch.setattr(
        weights,
        "find_weights",
        lambda arch, *a, **k: found_here if arch == "inceptionv3" else None,
    )
    assert available_backbones(ImageModelConfig()) == {"inceptionv3": str(found_here)}

    import keras_tuner as kt

    space = ImageSpace(ImagePreprocessConfig(), config, found, cnn_size=32)
    hp = kt.HyperParameters()
    space.build(hp)
    assert hp.get("architecture") == "cnn"
    assert [v for v in hp.space if v.name == "architecture"][0].values == ["cnn", "resnet50"]
    hp.values["architecture"] = "resnet50"
    hp.values["fine_tune"] = "more"
    settings = space.build(hp)
    assert settings.weights_file == str(own) and settings.fine_tune_layers() == 29
    assert settings.split_epochs(5) == (3, 2) and settings.preprocess.image_size == 0
    assert files_space.cnn_n_train(64) == 10_000

"""The AutoML search on image and audio folders: leaderboard and kept run, Hyperband rounds
continuing from weights, budget and Stop, failed trials, resume, backbones offered only with
their weights."""

from __future__ import annotations

import json
import pickle
import time
from dataclasses import replace

import audio_factory
import numpy as np
import pytest
from image_factory import make_class_folders

from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.base.events import CancelToken, EpochEnd, Log, TrialEnded, TrialStarted
from automl_gui.core.data.audio import scan_audio
from automl_gui.core.data.images import scan_images
from automl_gui.core.kinds import kind_named
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.models.images import CNN_BN_MOMENTUM
from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.tune.search import files_space
from automl_gui.core.tune.search._files_keep import layer_weights
from automl_gui.core.tune.search.files_space import AudioSpace, ImageSpace, available_backbones
from automl_gui.core.tune.search.jobs import SearchRequest, SearchRun, search
from automl_gui.core.tune.search.space import SearchConfig, leaderboard_rows


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    make_class_folders(root, per_class=12, size=(32, 32), vary_size=False, seed=3)
    return scan_images(str(root))


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    root = tmp_path_factory.mktemp("sounds")
    audio_factory.make_class_folders(
        root, ("low", "high"), per_class=10, seconds=(0.5, 0.5), rates=(8000,), seed=2
    )
    return scan_audio(str(root))


class _Images(ImageSpace):
    """Small CNNs only; chosen trials fail (an out-of-memory error) or crash the process."""

    def __init__(self, fail=(), crash=()):
        pre = ImagePreprocessConfig()
        super().__init__(pre, ImageModelConfig(), {}, cnn_size=32, widths=(16,), augments=("none",))
        self.cnn_sizes = [16, 32]
        self.fail, self.crash = set(fail), set(crash)

    def before_trial(self, trial_id, settings):
        if trial_id in self.crash:
            raise _Crash(trial_id)
        if trial_id in self.fail:
            raise ModelError("Out of memory even at batch size 8.", "Use a smaller model.")
        return settings


class _Crash(BaseException):
    """Stands for the process dying mid-trial (not an Exception: nothing catches it)."""


def _search(dataset, config, *, space=None, training=None, **kwargs):
    events = {k: kwargs.pop(k) for k in ("on_event", "cancel") if k in kwargs}
    request = SearchRequest(
        kind_named("images"),
        dataset,
        ImagePreprocessConfig(),
        ImageModelConfig(),
        config,
        training or TrainConfig(epochs=1, batch_size=8, seed=1),
        space=space or _Images(),
        **kwargs,
    )
    return search(request, **events)


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


def test_audio_search_searches_spectrograms_and_keeps_a_run(clips):
    config = SearchConfig(algorithm="random", max_trials=2, max_epochs=1)
    request = SearchRequest(
        kind_named("audio"),
        clips,
        AudioPreprocessConfig(sample_rate=8000),
        ImageModelConfig(),
        config,
        TrainConfig(epochs=1, batch_size=8, seed=1),
        space=AudioSpace(
            AudioPreprocessConfig(sample_rate=8000), ImageModelConfig(), (16,), ("none",)
        ),
    )
    run = search(request)
    assert isinstance(run, SearchRun) and run.kind.name == "audio"
    assert [r.status for r in run.leaderboard] == ["completed", "completed"]
    best = run.best_trial
    assert run.metadata["features"] == best.hyperparameters["features"]
    assert run.metadata["preprocess"]["n_mels"] == best.hyperparameters["n_mels"]
    assert run.metadata["preprocess"]["hop_ms"] == best.hyperparameters["hop_ms"]
    assert "accuracy" in run.report["metrics"] and run.model is not None


def test_time_budget_ends_the_search_with_the_best_so_far(images):
    config = SearchConfig(algorithm="random", time_budget=8.0, max_epochs=200)
    training = TrainConfig(epochs=200, batch_size=8, seed=1, early_stopping=False)
    start = time.monotonic()
    run = _search(images, config, training=training)
    elapsed = time.monotonic() - start
    # within a few seconds of the budget either way: the trials end at 80 % of it, and the kept
    # trial trains on in the rest only when more than a second is left
    assert 8.0 - 2.0 <= elapsed <= 8.0 + 25.0, elapsed  # upper bound: a busy machine (every core)
    assert run.leaderboard[-1].status == "stopped"
    assert run.leaderboard[-1].reason == "Time budget reached."
    assert run.best_trial.scored and run.model is not None


def test_stop_mid_trial_ends_cleanly_with_the_best_so_far(images):
    cancel = CancelToken()
    seen = []

    def on_event(event):
        seen.append(event)
        if isinstance(event, EpochEnd) and sum(isinstance(e, TrialStarted) for e in seen) == 2:
            cancel.cancel()  # in the second trial, after its first epoch

    training = TrainConfig(epochs=3, batch_size=8, seed=1, early_stopping=False)
    run = _search(
        images,
        SearchConfig(algorithm="random", max_trials=5, max_epochs=3),
        training=training,
        on_event=on_event,
        cancel=cancel,
    )
    assert [r.status for r in run.leaderboard] == ["completed", "stopped"]
    assert run.leaderboard[1].epochs < 3 and run.leaderboard[1].reason == "Stopped by the user."
    assert run.best_trial in run.leaderboard and run.model is not None


def test_failed_trials_go_on_and_a_crashed_search_resumes_restoring_its_best(images, tmp_path):
    folder = tmp_path / "search"
    config = SearchConfig(algorithm="random", max_trials=3, max_epochs=1)
    with pytest.raises(_Crash):
        _search(images, config, directory=folder, space=_Images(fail={"0001"}, crash={"0002"}))
    before = {r["trial_id"]: r for r in json.loads((folder / "leaderboard.json").read_text())}
    assert {k: r["status"] for k, r in before.items()} == {
        "0000": "completed",
        "0001": "failed",
        "0002": "running",
    }
    assert before["0001"]["reason"].startswith("Out of memory")
    with pytest.raises(ConfigError, match="already holds a search"):
        _search(images, config, directory=folder)

    # the interrupted trial runs again (and fails): the best is trial 0000, from its weights
    events = []
    run = _search(
        images,
        config,
        directory=folder,
        resume=True,
        space=_Images(fail={"0001", "0002"}),
        on_event=events.append,
    )
    assert [e.trial for e in events if isinstance(e, TrialStarted)] == ["0002"]
    statuses = {r.trial_id: r.status for r in run.leaderboard}
    assert statuses == {"0000": "completed", "0001": "failed", "0002": "failed"}
    best = run.best_trial
    assert best.trial_id == "0000" and best.seconds == before["0000"]["seconds"]
    assert run.history == best.history and "accuracy" in run.report["metrics"]
    with np.load(folder / "weights" / "0000.npz") as saved:
        built = type("Built", (), {"model": run.model, "backbone": None})()
        restored = layer_weights(built)
        assert sorted(restored) == sorted(saved.files)
        assert all(np.array_equal(saved[k], restored[k]) for k in saved.files)

    # another folder's data cannot continue this search
    with pytest.raises(ConfigError, match="same folder"):
        _search(replace(images, root=str(tmp_path)), config, directory=folder, resume=True)


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


def test_the_isolated_search_sends_a_picklable_job_and_its_child_saves_the_model(
    images, tmp_path, monkeypatch
):
    from automl_gui.core.jobs import isolated
    from automl_gui.core.tune.search import jobs as search_module

    sent = {}

    class Sent(Exception):
        pass

    class FakeProcess:
        def run(self, target, kwargs, *, on_event=None, cancel=None):
            sent.update(target=target, kwargs=pickle.loads(pickle.dumps(kwargs)), cancel=cancel)
            raise Sent

    config = SearchConfig(algorithm="random", max_trials=1, max_epochs=1)
    training = TrainConfig(epochs=1, batch_size=8, seed=1)
    cancel = CancelToken()
    args = (kind_named("images"), images, ImagePreprocessConfig(), ImageModelConfig())
    request = SearchRequest(*args, config, training, space=_Images())
    with pytest.raises(Sent):
        isolated.run_isolated(FakeProcess(), search, request, cancel=cancel)
    assert sent["cancel"] is cancel
    module, name = sent["kwargs"]["job"].split(":")
    assert module == search_module.__name__
    path = tmp_path / "model.keras"
    run = isolated._in_child(**{**sent["kwargs"], "model_path": str(path)})
    assert path.exists() and run.model is None
    again = pickle.loads(pickle.dumps(run))
    assert again.best_trial.trial_id == "0000" and again.leaderboard[0].status == "completed"

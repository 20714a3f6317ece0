"""The AutoML search on image and audio folders, continued: the audio search, the time
budget and Stop, failed trials and a crashed search resumed, the isolated search (split from
test_files_search.py so --dist loadfile runs the two halves on two workers)."""

from __future__ import annotations

import json
import pickle
import time
from dataclasses import replace

import files_search_support as support
import numpy as np
import pytest
from files_search_support import _Crash, _Images, _search

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.events import CancelToken, EpochEnd, TrialStarted
from automl_gui.core.kinds import kind_named
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.tune.search._files_keep import layer_weights
from automl_gui.core.tune.search.files_space import AudioSpace
from automl_gui.core.tune.search.jobs import SearchRequest, SearchRun, search
from automl_gui.core.tune.search.space import SearchConfig

#: the module fixtures (one of each per test file)
images, clips = support.images, support.clips


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

"""The AutoML search in the window: the Model pages' search box, the Train page's live
leaderboard, Stop, failed trials, resume, and the folder search through the same page."""

from __future__ import annotations

import json
import math
import types
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings, Qt

from automl_gui.core.base.errors import ModelError
from automl_gui.core.base.events import EpochEnd, Log, TrialEnded, TrialStarted
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.tune.search.saved import FINISHED_FILE
from automl_gui.core.tune.search.space import NOT_TRIALS, SearchConfig, TabularSpace, TrialRecord
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages._search_run import search_key
from automl_gui.gui.pages.tabular.model import ModelPage
from automl_gui.gui.pages.train import TrainPage
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.leaderboard_model import COLUMNS

LONG = 180_000


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Settings in a temporary file and searches in a temporary data folder."""
    monkeypatch.setenv(app_settings.ENV_DATA_DIR, str(tmp_path / "data"))
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    yield
    app_settings.use(QSettings(str(tmp_path / "after.ini"), QSettings.Format.IniFormat))


def write_csv(path, n: int = 100, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "blue"], size=n)
    y = np.where(x1 + 0.5 * x2 + (color == "red") > 0.4, "yes", "no")
    pd.DataFrame({"x1": x1, "x2": x2, "color": color, "y": y}).to_csv(path, index=False)
    return str(path)


def load_table(state: AppState, path: str) -> None:
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular

    table = read_table(path)
    setup = setup_tabular(table, "y")
    state.set_dataset(TABULAR, table, setup.profile)
    state.set_target("y", setup.preprocess.task, setup.preprocess, setup.warnings)
    state.settings(TABULAR).model = MLPConfig(auto=False, hidden_units=[8])
    state.training = TrainConfig(epochs=2, batch_size=16, early_stopping=False, seed=1)
    state.set_engine_ready(True, None)


@pytest.fixture
def page(qtbot, tmp_path):
    state = AppState()
    w = TrainPage(state)
    w.resize(1200, 800)
    qtbot.addWidget(w)
    load_table(state, write_csv(tmp_path / "d.csv"))
    return w


def run_search(qtbot, page, config: SearchConfig, start=None) -> None:
    page.state.search = config
    page.state.notify_model_changed()
    with qtbot.waitSignal(page.state.run_finished, timeout=LONG):
        (start or page.start_training)()
    qtbot.waitUntil(lambda: not page.is_training(), timeout=30_000)


def fast(**kwargs) -> SearchConfig:
    """A tiny search: no k-fold cross-validation (each fold is one more model to train)."""
    return SearchConfig(algorithm="random", max_epochs=2, cross_validation="off", **kwargs)


def rows(page) -> list[TrialRecord]:
    return page.search.leaderboard.model.records


def test_the_search_box_sets_the_state_and_is_remembered(qtbot):
    state = AppState()
    model_page = ModelPage(state)
    qtbot.addWidget(model_page)
    box = model_page.search_box
    assert state.search is None and box.single_radio.isChecked()
    assert box.budget_spin.text() == "5:00" and not box.settings_widget.isEnabled()
    changed = []
    state.model_changed.connect(lambda: changed.append(1))
    box.search_radio.setChecked(True)
    assert changed and state.search is not None and state.search.time_budget == 300
    box.budget_spin.lineEdit().setText("1:30")
    box.budget_spin.interpretText()
    box.trials_spin.setValue(7)
    box.algorithm_combo.setCurrentIndex(box.algorithm_combo.findData("bayesian"))
    assert (state.search.time_budget, state.search.max_trials) == (90, 7)
    assert state.search.algorithm == "bayesian"
    tip = box.algorithm_combo.itemData(1, Qt.ItemDataRole.ToolTipRole)
    assert "Learns from each finished trial" in tip
    # no budget and no trial limit: said on the box, and Start is blocked with the reason
    box.budget_spin.setValue(0)
    box.trials_spin.setValue(0)
    assert box.problem.isVisibleTo(box) and "limit" in box.problem.text()
    train = TrainPage(state)
    qtbot.addWidget(train)
    assert "Model page" in train.start_blocker() or "dataset" in train.start_blocker()
    box.trials_spin.setValue(3)

    again = AppState()  # a new window: the same search settings come back, searching not
    other = ModelPage(again)
    qtbot.addWidget(other)
    assert again.search is None and other.search_box.single_radio.isChecked()
    assert other.search_box.trials_spin.value() == 3
    other.search_box.search_radio.setChecked(True)
    assert again.search is not None and again.search.algorithm == "bayesian"


def test_search_fills_the_leaderboard_keeps_the_best_and_sets_the_run(qtbot, page):
    config = fast(max_trials=2)
    page.state.search = config
    page.state.notify_model_changed()
    assert page.start_button.text() == "Start search"
    assert "AutoML search</b> Random, up to 2 trials" in page.summary.text()
    formats = []
    page.progress.valueChanged.connect(lambda _v: formats.append(page.progress.format()))
    run_search(qtbot, page, config)

    run = page.state.run
    assert run is not None and run.best_trial is not None
    records = rows(page)
    trials = [r for r in records if r.status not in NOT_TRIALS]
    assert [r.status for r in trials] == ["completed", "completed"]
    assert any(r.status == "baseline" for r in records)  # the scikit-learn yardsticks
    model = page.search.leaderboard.model
    assert model.best_id == run.best_trial.trial_id
    best_row = next(i for i, r in enumerate(records) if r.trial_id == model.best_id)
    index = model.index(best_row, 0)
    assert model.data(index).startswith("★") and model.data(index, Qt.ItemDataRole.FontRole).bold()
    assert any("trials done" in f for f in formats)  # the bar counted trials while running
    log = page.log_view.toPlainText()
    assert f"kept trial {run.best_trial.trial_id}" in log and "Test accuracy: kept model" in log
    folder = app_settings.search_folder(search_key(page.state))
    assert (folder / FINISHED_FILE).exists() and not page.search.resume_banner.isVisibleTo(page)
    # settings are readable: "1×64, dropout 0.10, …"
    settings = model.data(model.index(0, COLUMNS.index("Settings")))
    assert "×" in settings and "lr " in settings and "batch " in settings

    # selecting a trial plots its own history; the finished run's curves were shown before
    other = next(r for r in trials if r.trial_id != model.best_id)
    page.search.leaderboard.select_trial(other.trial_id)
    assert page.plots.epoch_points("loss") == pytest.approx(other.history["loss"])
    assert "Showing trial" in page.status_label.text()


def test_stop_keeps_the_best_so_far_and_continue_resumes_it(qtbot, page):
    config = fast(time_budget=120)
    page.state.search = config
    page.state.notify_model_changed()
    ended: list[TrialRecord] = []

    def on_trial(event):
        if isinstance(event, TrialEnded):
            ended.append(event.record)
            if len(ended) == 2:
                page.stop_training()

    formats = []
    page.progress.valueChanged.connect(lambda _v: formats.append(page.progress.format()))
    with qtbot.waitSignal(page.state.run_finished, timeout=LONG):
        page.start_training()
        page.worker.trial.connect(on_trial)
    qtbot.waitUntil(lambda: not page.is_training(), timeout=30_000)
    assert page.state.run is not None and page.state.run.best_trial.scored
    assert "stopped by you" in page.progress.format()
    assert any(" of 2:00 · ~" in f and "left" in f for f in formats)  # time used of the budget
    done = [r for r in rows(page) if r.status in ("completed", "stopped")]
    assert len(done) >= 2
    # no "finished" marker after a Stop: the page offers to continue
    banner = page.search.resume_banner
    assert banner.isVisibleTo(page)
    n = banner.trials
    assert n >= 2 and f"({n} trials so far)" in banner.continue_button.text()

    page.state.search = fast(max_trials=n + 1)
    run_search(qtbot, page, page.state.search, start=banner.continue_button.click)
    trials = [r for r in rows(page) if r.status not in NOT_TRIALS]
    assert len(trials) == n + 1  # the old ones were kept, one more ran
    assert "Continuing a random search" in page.log_view.toPlainText()
    assert not banner.isVisibleTo(page)


def test_a_failing_trial_is_shown_failed_and_the_search_goes_on(qtbot, page, monkeypatch):
    calls = []

    def before_trial(self, trial_id, settings):
        calls.append(trial_id)
        if len(calls) == 1:
            raise ModelError("Out of memory even at batch size 8.", "Use a smaller model.")
        return settings

    monkeypatch.setattr(TabularSpace, "before_trial", before_trial)
    run_search(qtbot, page, fast(max_trials=2))
    records = rows(page)
    failed = [r for r in records if r.status == "failed"]
    assert len(failed) == 1 and "Out of memory" in failed[0].reason
    model = page.search.leaderboard.model
    row = records.index(failed[0])
    assert model.data(model.index(row, COLUMNS.index("Status"))) == "✗ failed"
    assert "Out of memory" in model.data(
        model.index(row, COLUMNS.index("Status")), Qt.ItemDataRole.ToolTipRole
    )
    assert page.state.run.best_trial.trial_id != failed[0].trial_id


def test_the_resume_banner_appears_only_for_an_unfinished_search(qtbot, page):
    assert not page.search.resume_banner.isVisibleTo(page)
    page.state.search = SearchConfig(time_budget=60)
    folder = app_settings.search_folder(search_key(page.state))
    folder.mkdir(parents=True)
    board = [
        TrialRecord("0000", {"units": 8}, value=0.5, status="completed").to_dict(),
        TrialRecord("0001", {"units": 16}, value=0.4, status="stopped").to_dict(),
        TrialRecord("0002", {"units": 32}, status="running").to_dict(),  # the interrupted one
    ]
    (folder / "leaderboard.json").write_text(json.dumps(board))
    page.state.notify_model_changed()
    banner = page.search.resume_banner
    assert banner.isVisibleTo(page) and banner.trials == 2
    assert "2 trials so far" in banner.label.text()
    page.state.search = None  # one model: nothing to continue
    page.state.notify_model_changed()
    assert not banner.isVisibleTo(page)
    page.state.search = SearchConfig(time_budget=60)
    (folder / FINISHED_FILE).write_text("{}")
    page.state.notify_model_changed()
    assert not banner.isVisibleTo(page)


def test_the_leaderboard_exports_csv(qtbot, tmp_path, monkeypatch):
    from automl_gui.gui.widgets import leaderboard as lb

    board = lb.Leaderboard()
    qtbot.addWidget(board)
    assert not board.export_button.isEnabled()
    board.model.start_trial("0000", {"depth": 2, "units": 64, "optimizer": "adam"})
    board.model.upsert(
        TrialRecord("0000", {"depth": 2, "units": 64}, value=0.31, epochs=3, status="completed")
    )
    board.model.upsert(TrialRecord("0001", {"depth": 1, "units": 16}, status="failed",
                                   reason="Failed: the loss became NaN or infinite."))  # fmt: skip
    board.model.upsert(
        TrialRecord("baseline:random forest", {"model": "random forest", "trees": 100},
                    metric_name="accuracy", value=0.9, status="baseline", test_score=0.88)
    )  # fmt: skip
    assert board.export_button.isEnabled() and board.model.best_id == "0000"
    out = tmp_path / "board"
    monkeypatch.setattr(lb, "ask_csv_path", lambda *_a: str(out))
    board.export_button.click()
    frame = pd.read_csv(tmp_path / "board.csv")
    assert list(frame["trial"]) == ["0000", "0001", "baseline:random forest"]
    assert list(frame["status"]) == ["completed", "failed", "baseline"]
    assert frame["value"][0] == pytest.approx(0.31) and math.isnan(frame["value"][1])
    assert frame["settings"][0] == "2×64" and frame["test_score"][2] == pytest.approx(0.88)
    # sorting by the objective puts the failed row, and the baseline (not scored on it), last
    board.view.sortByColumn(3, Qt.SortOrder.AscendingOrder)
    first = board.proxy.index(0, 0).data(Qt.ItemDataRole.UserRole)
    rest = {board.proxy.index(i, 0).data(Qt.ItemDataRole.UserRole) for i in (1, 2)}
    assert first == "0000" and rest == {"0001", "baseline:random forest"}


def test_cross_validated_rows_show_mean_and_spread(qtbot):
    from automl_gui.gui.widgets.leaderboard_model import (
        LeaderboardModel,
        describe_hyperparameters,
    )

    @dataclass
    class CVRecord(TrialRecord):
        cv_mean: float | None = None
        cv_std: float | None = None
        cv_folds: list = field(default_factory=list)

    model = LeaderboardModel()
    model.upsert(CVRecord("0000", value=0.4, status="completed", cv_mean=0.42, cv_std=0.031,
                          cv_folds=[0.4, 0.44, 0.42]))  # fmt: skip
    assert model.data(model.index(0, COLUMNS.index("Objective"))) == "0.42 ± 0.031"
    assert "3 folds" in model.data(
        model.index(0, COLUMNS.index("Objective")), Qt.ItemDataRole.ToolTipRole
    )
    text = describe_hyperparameters(
        {"depth": 2, "units": 64, "dropout": 0.1, "l2": 1e-4, "batch_norm": True,
         "optimizer": "adam", "learning_rate": 0.001, "batch_size": 32, "tuner/epochs": 3}
    )  # fmt: skip
    assert text == "2×64, dropout 0.10, L2 1e-4, batch norm, Adam, lr 1e-3, batch 32"
    assert describe_hyperparameters({"depth": 0, "units": 64}) == "linear"


def test_a_folder_search_runs_through_the_same_page(qtbot, tmp_path, monkeypatch):
    """The search job (``core.tune.search.jobs.search``) stands in as a scripted fake here:
    what is tested is the page's side (arguments, live trial rows, curves, the kept run)."""
    from image_factory import make_class_folders

    from automl_gui.core.data.images import scan_images

    calls = {}

    @dataclass
    class FakeRun:
        history: dict
        leaderboard: list
        best_trial: TrialRecord
        result: types.SimpleNamespace
        report: dict = field(default_factory=dict)
        model: object = None

    def search(request, *, on_event=None, cancel=None):
        calls.update(kind=request.kind.name, dataset=request.dataset, search=request.search)
        calls.update(directory=request.directory, resume=request.resume)
        calls.update(overwrite=request.overwrite, plan=request.plan)
        records = []
        for i, lr in enumerate((1e-3, 1e-2)):
            tid = f"000{i}"
            on_event(TrialStarted(tid, {"architecture": "cnn", "learning_rate": lr}))
            history = {"loss": [], "val_loss": []}
            for e in range(2):
                logs = {"loss": 1.0 / (e + 1 + i), "val_loss": 1.1 / (e + 1 + i)}
                for k, v in logs.items():
                    history[k].append(v)
                on_event(EpochEnd(e, 2, logs))
            rec = TrialRecord(tid, {"architecture": "cnn", "learning_rate": lr},
                              value=min(history["val_loss"]), epochs=2, status="completed",
                              history=history)  # fmt: skip
            records.append(rec)
            on_event(TrialEnded(rec))
        on_event(Log("Search done."))
        best = records[1]
        result = types.SimpleNamespace(best_epoch=1, epochs_run=2, seconds=1.0)
        return FakeRun(best.history, records, best, result)

    from automl_gui.core.tune.search import jobs

    monkeypatch.setattr(jobs, "search", search)
    state = AppState()
    page = TrainPage(state)
    qtbot.addWidget(page)
    dataset = scan_images(str(make_class_folders(tmp_path / "shapes", per_class=3)))
    state.set_dataset(IMAGES, dataset)
    state.set_engine_ready(True, None)
    run_search(qtbot, page, fast(max_trials=2))
    assert calls["kind"] == "images" and calls["dataset"] is dataset
    assert calls["overwrite"] and not calls["resume"]
    assert str(app_settings.data_dir()) in calls["directory"]
    assert [r.trial_id for r in rows(page)] == ["0000", "0001"]
    assert page.search.leaderboard.model.best_id == "0001"
    assert "architecture cnn" in page.search.leaderboard.model.data(
        page.search.leaderboard.model.index(0, COLUMNS.index("Settings"))
    )
    assert state.run.best_trial.trial_id == "0001"
    assert page.plots.epoch_points("val_loss") == pytest.approx([1.1 / 2, 1.1 / 3])


def test_selecting_rows_switches_between_a_trials_history_and_the_live_trial(qtbot, page):
    """Events fed as the worker would deliver them: the running trial plots live; a finished
    row shows its own history; clicking the running row again goes back to live."""
    ctl = page.search
    ctl.active, ctl.task, ctl.config = True, "binary", fast(max_trials=5)
    ctl.leaderboard.show()
    old = TrialRecord("0000", {"units": 8}, value=0.5, epochs=3, status="completed",
                      history={"loss": [0.9, 0.7, 0.6], "val_loss": [1.0, 0.8, 0.5]})  # fmt: skip
    ctl.on_trial(TrialStarted("0000", {"units": 8}))
    ctl.on_trial(TrialEnded(old))
    ctl.on_trial(TrialStarted("0001", {"units": 16}))
    assert page.plots.epochs() == []  # reset for the new trial
    ctl.on_epoch(EpochEnd(0, 4, {"loss": 0.8, "val_loss": 0.85}))
    ctl.on_epoch(EpochEnd(1, 4, {"loss": 0.6, "val_loss": 0.7}))
    assert page.plots.epoch_points("loss") == pytest.approx([0.8, 0.6])
    assert ctl.leaderboard.model.record("0001").epochs == 2  # the running row counts
    ctl.leaderboard.select_trial("0000")
    assert page.plots.epoch_points("val_loss") == pytest.approx([1.0, 0.8, 0.5])
    ctl.on_epoch(EpochEnd(2, 4, {"loss": 0.5, "val_loss": 0.6}))  # not drawn over trial 0000
    assert len(page.plots.epochs()) == 3 and page.plots.epoch_points("loss")[0] == 0.9
    ctl.leaderboard.select_trial("0001")
    assert page.plots.epoch_points("loss") == pytest.approx([0.8, 0.6, 0.5])
    ctl.on_epoch(EpochEnd(3, 4, {"loss": 0.45, "val_loss": 0.55}))
    assert page.plots.epoch_points("loss")[-1] == pytest.approx(0.45)
    ctl._end()


def test_a_real_audio_search_runs_from_the_train_page(qtbot, tmp_path):
    """The folder search itself (no stand-in): two tiny trials on sound clips, kept run on
    state.run with its leaderboard, as the Evaluate page expects."""
    import audio_factory

    from automl_gui.core.data.audio import scan_audio
    from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig

    root = tmp_path / "clips"
    audio_factory.make_class_folders(
        root, classes=("beep", "noise"), per_class=8, seconds=(0.4, 0.6), rates=(8000,),
        formats=("wav",), stereo=False,
    )  # fmt: skip
    state = AppState()
    page = TrainPage(state)
    qtbot.addWidget(page)
    state.set_dataset(AUDIO, scan_audio(str(root)))
    state.settings(AUDIO).preprocess = AudioPreprocessConfig(sample_rate=8000)
    state.training = TrainConfig(epochs=1, batch_size=8, seed=1)
    state.set_engine_ready(True, None)
    run_search(qtbot, page, fast(max_trials=2))
    records = rows(page)
    assert [r.trial_id for r in records] == ["0000", "0001"]
    assert all(r.status == "completed" for r in records)
    assert state.run is not None and state.run.kind.name == "audio"
    assert state.run.best_trial.trial_id == page.search.leaderboard.model.best_id
    assert state.run.report  # the test split was evaluated

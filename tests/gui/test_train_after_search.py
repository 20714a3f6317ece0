"""The Train page as the reviewer read it after a search (issue 15 follow-up): the result in
view on a short window, the kept row, banner and status describing one model (the trial
trained on), a baseline that beat the network said plainly, exact settings, a learning-rate
axis with labels, and an epoch cut short explained."""

from __future__ import annotations

import math
import types
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QRect, QSettings

from automl_gui.core.base.events import Log, TrialEnded, TrialStarted
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.tune.search.space import SearchConfig, TrialRecord
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.train import TrainPage
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.leaderboard_model import COLUMNS
from automl_gui.gui.widgets.live_plots import TrainingPlots

NAN = float("nan")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv(app_settings.ENV_DATA_DIR, str(tmp_path / "data"))
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    yield
    app_settings.use(QSettings(str(tmp_path / "after.ini"), QSettings.Format.IniFormat))


@dataclass
class FakeRun:
    history: dict
    leaderboard: list
    best_trial: TrialRecord
    result: types.SimpleNamespace
    report: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    model: object = None


#: the kept model: trial 0000's 2 epochs, then 7 more (val_loss 0.5081 -> 0.4874); the last
#: epoch was cut short by the budget (no training figures)
HISTORY = {
    "loss": [0.62, 0.53, 0.51, 0.49, 0.48, 0.47, 0.47, 0.46, NAN],
    "val_loss": [0.58, 0.5081, 0.54, 0.50, 0.4874, 0.51, 0.49, 0.54, 0.54],
    "accuracy": [0.69, 0.71, 0.73, 0.73, 0.71, 0.75, 0.73, 0.75, NAN],
    "val_accuracy": [0.68, 0.74, 0.69, 0.72, 0.73, 0.71, 0.74, 0.70, 0.70],
    "lr": [1e-3] * 8 + [5e-4],
}


def fake_search(trials: int = 10):
    def search(request, *, on_event=None, cancel=None):
        records = []
        for i in range(trials):
            tid = f"{i:04d}"
            hp = {"depth": 2, "units": 64, "learning_rate": 0.00125, "l2": 1.22e-05}
            on_event(TrialStarted(tid, hp))
            rec = TrialRecord(tid, hp, "val_loss", 0.5081 + 0.01 * i, epochs=2, seconds=6.2,
                              status="completed", score_name="accuracy", score=0.7422,
                              history={k: v[:2] for k, v in HISTORY.items()})  # fmt: skip
            records.append(rec)
            on_event(TrialEnded(rec))
        for name, test in (("logistic regression", 0.7067), ("random forest", 0.7733)):
            base = TrialRecord(f"baseline:{name}", {"model": name}, "accuracy", 0.76,
                               status="baseline", test_score=test, score_name="accuracy",
                               score=0.76)  # fmt: skip
            records.append(base)
            on_event(TrialEnded(base))
        on_event(Log("Search done."))
        result = types.SimpleNamespace(best_epoch=4, epochs_run=9, seconds=20.0)
        trained_on = {"epochs": 7, "value": 0.4874, "improved": True, "score": 0.7312}
        return FakeRun(HISTORY, records, records[0], result, {"metrics": {"accuracy": 0.7156}},
                       {"search": {"trained_on": trained_on}})  # fmt: skip

    return search


def searched_page(qtbot, tmp_path, monkeypatch, size) -> TrainPage:
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular
    from automl_gui.core.tune.search import jobs

    monkeypatch.setattr(jobs, "search", fake_search())
    rng = np.random.default_rng(0)
    x = rng.normal(size=80)
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": x, "y": np.where(x > 0, "yes", "no")}).to_csv(path, index=False)
    table = read_table(str(path))
    setup = setup_tabular(table, "y")
    state = AppState()
    state.set_dataset(TABULAR, table, setup.profile)
    state.set_target("y", setup.preprocess.task, setup.preprocess, setup.warnings)
    state.set_engine_ready(True, None)
    page = TrainPage(state)
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    state.search = SearchConfig(algorithm="hyperband", time_budget=30, max_epochs=10)
    state.notify_model_changed()
    with qtbot.waitSignal(state.run_finished, timeout=60_000):
        page.start_training()
    qtbot.waitUntil(lambda: not page.is_training(), timeout=30_000)
    qtbot.wait(50)
    return page


def cell(page: TrainPage, trial: str, col: str) -> str:
    model = page.search.leaderboard.model
    row = [r.trial_id for r in model.records].index(trial)
    return model.data(model.index(row, COLUMNS.index(col)))


def shown_in(page: TrainPage, widget, rect: QRect) -> bool:
    """Whether ``rect`` (in ``widget``'s coordinates) lies within the page's scroll viewport."""
    port = page.scroll.viewport()
    top_left = widget.mapTo(port, rect.topLeft())
    return port.rect().contains(QRect(top_left, rect.size()))


@pytest.mark.parametrize("size", [(824, 600), (1200, 840)])  # the page at 1024×700, 1400×900
def test_after_a_search_the_board_shows_its_header_and_rows_with_the_kept_one(
    qtbot, tmp_path, monkeypatch, size
):
    page = searched_page(qtbot, tmp_path, monkeypatch, size)
    view = page.search.leaderboard.view
    qtbot.waitUntil(lambda: shown_in(page, view.horizontalHeader(), view.horizontalHeader().rect()))
    rows = [
        row
        for row in range(view.model().rowCount())
        if shown_in(page, view.viewport(), view.visualRect(view.model().index(row, 0)))
        and view.viewport().rect().contains(view.visualRect(view.model().index(row, 0)))
    ]
    assert len(rows) >= 4
    kept = view.model().mapFromSource(page.search.leaderboard.model.index(0, 0))
    assert kept.row() in rows


def test_the_kept_row_banner_and_status_describe_the_model_trained_on(qtbot, tmp_path, monkeypatch):
    page = searched_page(qtbot, tmp_path, monkeypatch, (1200, 840))
    # the row: the model Evaluate uses (9 epochs, 0.4874, its validation and test figures)
    assert cell(page, "0000", "Trial") == "★ 0000"
    assert cell(page, "0000", "Epochs") == "9"
    assert cell(page, "0000", "Objective") == "0.4874"
    assert cell(page, "0000", "Score") == "0.7312"
    assert cell(page, "0000", "Test") == "0.7156"
    assert cell(page, "0001", "Test") == "—"  # the other trials: their own figures
    record = page.search.leaderboard.model.record("0000")
    assert "reached val_loss 0.5081 in 2 epochs" in record.reason
    assert "7 more epochs to 0.4874" in record.reason
    assert len(record.history["val_loss"]) == 9  # clicking it plots the kept model's curves
    words = "kept trial 0000 + 7 more epochs (val_loss 0.4874)"
    assert words in page.status_label.text()
    assert "kept trial 0000 + 7 epochs" in page.progress.format()
    assert words in page.error_banner.text
    assert "0.5081" not in page.status_label.text() + page.error_banner.text


def test_a_baseline_that_beats_the_kept_network_is_said_plainly(qtbot, tmp_path, monkeypatch):
    page = searched_page(qtbot, tmp_path, monkeypatch, (1200, 840))
    said = (
        "The random forest baseline scored higher (0.773 vs 0.716 test accuracy): the "
        "network may need more time or data."
    )
    assert said in page.error_banner.text
    assert page.error_banner.level == "warning"
    assert said in page.log_view.toPlainText()


def test_settings_keep_three_significant_figures(qtbot, tmp_path, monkeypatch):
    page = searched_page(qtbot, tmp_path, monkeypatch, (1200, 840))
    assert cell(page, "0001", "Settings") == "2×64, L2 1.22e-5, lr 1.25e-3"


def lr_labels(plots: TrainingPlots) -> list[str]:
    axis = plots.lr_plot.getAxis("left")
    low, high = plots.lr_plot.getViewBox().viewRange()[1]
    labels = []
    for spacing, values in axis.tickValues(low, high, axis.height() or 150):
        labels += [s for s in axis.tickStrings(values, axis.scale, spacing) if s]
    return labels


@pytest.mark.parametrize(
    ("rates", "expected"),
    [
        ([5e-3] * 7 + [2.5e-3] * 3, None),  # a range with one 1-2-5 value: "5e-3" alone
        ([1e-3] * 8 + [5e-4], None),
        ([0.00125] * 6, ["1.25e-3"]),  # constant: its value
    ],
)
def test_the_learning_rate_axis_labels_at_least_two_ticks_or_its_one_value(qtbot, rates, expected):
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.resize(900, 420)
    plots.show()
    n = len(rates)
    plots.load_history({"loss": [0.5] * n, "val_loss": [0.6] * n, "lr": rates}, task="binary")
    qtbot.wait(50)
    labels = lr_labels(plots)
    if expected is None:
        assert len(set(labels)) >= 2, labels
        values = [float(s) for s in labels]
        assert min(values) <= max(rates) and max(values) >= min(rates)
    else:
        assert labels == expected


def test_an_epoch_cut_short_is_explained_only_when_there_is_one(qtbot):
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.load_history(HISTORY, task="binary")
    assert plots.cut_epochs() == [8]
    assert not plots.note.isHidden()
    assert plots.note.text() == (
        "Epoch 9 was cut short (time budget or Stop): training figures not shown."
    )
    whole = {k: [v if not math.isnan(v) else 0.45 for v in vs] for k, vs in HISTORY.items()}
    plots.load_history(whole, task="binary")
    assert plots.cut_epochs() == [] and plots.note.isHidden()


def test_a_reopened_search_shows_the_same_kept_row(qtbot, tmp_path, monkeypatch):
    """A reopened project: the saved board's kept row is built from the kept run's record
    (its summary and history), as when the search had just ended."""
    from automl_gui.core.tune.search.saved import mark_finished, write_json

    page = searched_page(qtbot, tmp_path, monkeypatch, (824, 600))
    folder = page.search.folder_for_state()
    folder.mkdir(parents=True, exist_ok=True)  # the fake search wrote nothing there
    board = [
        TrialRecord("0000", {}, "val_loss", 0.5081, epochs=2, seconds=6.2,
                    status="completed", score_name="accuracy", score=0.7422),
        TrialRecord("baseline:random forest", {}, "accuracy", 0.76, status="baseline",
                    test_score=0.7733, score_name="accuracy", score=0.76),
    ]  # fmt: skip
    write_json(folder / "leaderboard.json", [r.to_dict() for r in board])
    mark_finished(folder, "0000")
    record = types.SimpleNamespace(history=HISTORY, metrics={"accuracy": 0.7156},
                                   summary={"best_epoch": 4, "epochs_run": 9})  # fmt: skip
    assert page.search.show_saved(record)
    assert [cell(page, "0000", c) for c in ("Epochs", "Objective", "Test")] == [
        "9",
        "0.4874",
        "0.7156",
    ]

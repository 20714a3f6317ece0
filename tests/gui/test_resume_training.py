"""Train page: an interrupted training is offered back (Resume training / Discard)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.events import EpochEnd
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.checkpoint import read_checkpoint, read_state
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui.pages.train import TrainPage
from automl_gui.gui.state import AppState

EPOCHS = 4


class Crash(Exception):
    """Stands for a kill: an exception out of the training after its 2nd epoch was saved."""


def _csv(path, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=120), rng.normal(size=120)
    y = np.where(x1 + x2 > 0, "yes", "no")
    pd.DataFrame({"x1": x1, "x2": x2, "y": y}).to_csv(path, index=False)
    return str(path)


def _load(state: AppState, path: str) -> None:
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular

    table = read_table(path)
    setup = setup_tabular(table, "y")
    state.set_dataset(TABULAR, table, setup.profile)
    state.search = None  # "train one model", whatever an earlier test left remembered
    state.set_target("y", setup.preprocess.task, setup.preprocess, setup.warnings)
    state.settings(TABULAR).model = MLPConfig(auto=False, hidden_units=[8], dropout=0.0)
    state.training = TrainConfig(epochs=EPOCHS, batch_size=16, early_stopping=False, seed=1)
    state.set_engine_ready(True, None)


def _interrupt(page: TrainPage) -> None:
    """Train the page's dataset with its settings through the core API and 'crash' after
    epoch 2: its checkpoint folder is left with an unfinished checkpoint."""
    from automl_gui.core.jobs.tabular import train_tabular

    st = page.state

    def crash(event):
        if isinstance(event, EpochEnd) and event.epoch == 2:
            raise Crash()

    folder = page.checkpoints.folder()
    with pytest.raises(Crash):
        train_tabular(
            st.loaded(TABULAR).df,
            st.settings(TABULAR).preprocess,
            st.settings(TABULAR).model,
            st.training,
            checkpoint_dir=folder,
            on_event=crash,
        )
    assert read_checkpoint(folder).epochs_done == 2


@pytest.fixture
def page(qtbot, tmp_path):
    state = AppState()
    w = TrainPage(state)
    qtbot.addWidget(w)
    _load(state, _csv(tmp_path / "table.csv"))
    return w


def test_the_banner_offers_an_interrupted_training_and_resume_finishes_it(qtbot, page, tmp_path):
    banner = page.resume_banner_training
    assert banner.isHidden()  # nothing interrupted yet
    _interrupt(page)
    page.check_resume_training()
    assert not banner.isHidden()
    assert banner.label.text().startswith("Training was interrupted after epoch 2 of 4 (")
    assert banner.resume_button.toolTip() and banner.discard_button.toolTip()

    with qtbot.waitSignal(page.state.run_finished, timeout=120_000):
        banner.resume_button.click()
        assert banner.isHidden()  # training: the offer is withdrawn
    qtbot.waitUntil(lambda: not page.is_training(), timeout=10_000)
    run = page.state.run
    assert run is not None and run.result.epochs_run == EPOCHS
    assert page.plots.epochs() == [0, 1, 2, 3]  # the epochs before the crash are plotted too
    assert "Resuming from epoch 3 of 4." in page.log_view.toPlainText()
    assert "Epoch 3/4" in page.log_view.toPlainText()
    assert "Epoch 2/4" not in page.log_view.toPlainText()  # not run again
    assert banner.isHidden()
    folder = page.checkpoints.folder()
    assert read_checkpoint(folder) is None and read_state(folder).finished


def test_discard_hides_the_banner_and_clears_the_checkpoint(qtbot, page):
    _interrupt(page)
    page.check_resume_training()
    banner = page.resume_banner_training
    assert not banner.isHidden()
    banner.discard_button.click()
    assert banner.isHidden()
    folder = page.checkpoints.folder()
    assert read_state(folder) is None
    assert not folder.exists() or not any(folder.iterdir())
    page.check_resume_training()
    assert banner.isHidden()


def test_the_banner_is_only_for_the_dataset_it_was_made_with(qtbot, page, tmp_path):
    from automl_gui.core.tune.search.space import SearchConfig

    _interrupt(page)
    page.check_resume_training()
    banner = page.resume_banner_training
    assert not banner.isHidden()
    page.state.search = SearchConfig()  # a search is chosen: its own banner, not this one
    page.check_resume_training()
    assert banner.isHidden()
    page.state.search = None
    page.check_resume_training()
    assert not banner.isHidden()
    # the same file changed on disk: another dataset, the checkpoint is not offered
    path = tmp_path / "table.csv"
    _csv(path, seed=5)
    _load(page.state, str(path))
    page.check_resume_training()
    assert banner.isHidden()
    # Start trains afresh and replaces the old checkpoint
    with qtbot.waitSignal(page.state.run_finished, timeout=120_000):
        page.start_training()
    qtbot.waitUntil(lambda: not page.is_training(), timeout=10_000)
    assert "Resuming" not in page.log_view.toPlainText()
    assert page.plots.epochs() == [0, 1, 2, 3]
    assert read_checkpoint(page.checkpoints.folder()) is None


def test_resume_with_other_settings_asks_before_discarding_the_checkpoint(qtbot, page, monkeypatch):
    _interrupt(page)
    folder = page.checkpoints.folder()
    before = read_checkpoint(folder)
    page.state.training = TrainConfig(
        epochs=EPOCHS, batch_size=16, early_stopping=False, seed=1, learning_rate=0.02
    )
    page.check_resume_training()
    banner = page.resume_banner_training
    assert not banner.isHidden()

    questions: list[str] = []
    answers = iter([False, True])

    def ask(message: str) -> bool:
        questions.append(message)
        return next(answers)

    monkeypatch.setattr(page.checkpoints, "ask_start_afresh", ask)
    # No: the checkpoint stays, the failure says why, the offer is back
    banner.resume_button.click()
    qtbot.waitUntil(lambda: len(questions) == 1, timeout=60_000)
    qtbot.waitUntil(lambda: not page.is_training(), timeout=10_000)
    assert "other data or settings" in questions[0]
    assert "other data or settings" in page.error_banner.text
    after = read_checkpoint(folder)
    assert after is not None and after.updated == before.updated
    assert not banner.isHidden()
    assert page.state.run is None

    # Yes: a new training with the current settings replaces it
    with qtbot.waitSignal(page.state.run_finished, timeout=120_000):
        banner.resume_button.click()
    qtbot.waitUntil(lambda: not page.is_training(), timeout=10_000)
    assert len(questions) == 2
    assert "Resuming" not in page.log_view.toPlainText()
    assert "Discarded an unfinished training" in page.log_view.toPlainText()
    assert page.plots.epochs() == [0, 1, 2, 3]
    assert read_checkpoint(folder) is None

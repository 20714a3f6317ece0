"""The table Model page's numeric embedding, bins and ensemble members ("Auto chose …"), and
the training form's weight decay and "Refit on all data": edits reach the configs, are
remembered, and the search greys what it sets."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from PySide6.QtCore import QSettings

from automl_gui.core.data.schema import (
    ColumnKind,
    ColumnProfile,
    LoadedTable,
    TableProfile,
    TableSource,
)
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.preprocess.config import ColumnConfig, PreprocessConfig, SplitConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.tabular.model import ModelPage, auto_choice_text
from automl_gui.gui.state import AppState


@pytest.fixture
def settings(tmp_path):
    return app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def state(qtbot, settings):
    return AppState()


@pytest.fixture
def page(qtbot, state):
    page = ModelPage(state)
    qtbot.addWidget(page)
    return page


def load_table(state: AppState, rows: int = 1000, numeric: int = 3) -> None:
    """A table of ``rows`` rows: ``numeric`` numeric columns, a category and the target."""
    data = {f"x{i}": [float(r % 7) for r in range(rows)] for i in range(numeric)}
    data["city"] = ["a", "b"] * (rows // 2)
    data["y"] = [0, 1] * (rows // 2)
    df = pd.DataFrame(data)
    kinds = [(f"x{i}", ColumnKind.NUMERIC) for i in range(numeric)]
    kinds += [("city", ColumnKind.CATEGORICAL), ("y", ColumnKind.BOOLEAN)]
    profile = TableProfile(
        rows,
        len(kinds),
        tuple(ColumnProfile(n, k, str(df[n].dtype), rows, 0, 7) for n, k in kinds),
        duplicate_rows=0,
    )
    columns = [ColumnConfig(f"x{i}", type="numeric") for i in range(numeric)]
    columns += [ColumnConfig("city", type="categorical"), ColumnConfig("y", type="categorical")]
    config = PreprocessConfig("y", "binary", columns, split=SplitConfig(0.8, 0.1, 0.1))
    state.set_dataset(TABULAR, LoadedTable(df, TableSource("/tmp/t.csv", "csv")), profile)
    state.set_target("y", "binary", config, [])


def choose(combo, value) -> None:
    combo.setCurrentIndex(combo.findData(value))


def test_network_settings_reach_the_config_and_are_shown_back(qtbot, page, state):
    mlp = state.settings(TABULAR).model
    assert (mlp.numeric_embedding, mlp.n_bins, mlp.ensemble_size) == ("auto", 0, 0)
    assert page.bins_spin.text() == "Auto" and page.ensemble_spin.text() == "Auto"
    with qtbot.waitSignal(state.model_changed):
        choose(page.embedding_combo, "piecewise")
    page.bins_spin.setValue(16)
    page.ensemble_spin.setValue(4)
    assert (mlp.numeric_embedding, mlp.n_bins, mlp.ensemble_size) == ("piecewise", 16, 4)
    # bins mean something only for the piecewise-linear embedding (or Auto, which may pick it)
    choose(page.embedding_combo, "periodic")
    assert not page.bins_spin.isEnabled()
    choose(page.embedding_combo, "auto")
    assert page.bins_spin.isEnabled()
    # a reopened project's settings fill the page
    state.settings(TABULAR).model = MLPConfig(numeric_embedding="none", ensemble_size=1)
    page.show_state()
    assert page.embedding_combo.currentData() == "none" and page.ensemble_spin.value() == 1
    assert page.embedding_combo.count() == 4 and page.ensemble_spin.maximum() >= 16


def test_auto_chose_line_follows_the_table(qtbot, page, state):
    assert "when training starts" in page.auto_choice.text()
    load_table(state, rows=1000, numeric=3)
    chosen = MLPConfig().resolved(800, 3)  # 80% of the rows train
    text = page.auto_choice.text()
    assert text.startswith("Auto chose for 800 training rows and 3 numeric columns")
    assert f"{chosen.ensemble_size} ensemble members" in text or "one network" in text
    assert page.auto_choice.isVisibleTo(page)
    assert "1 hidden layer (2 units per encoded input, 16 to 256)" in text  # under 1,000 rows
    # the layers left to Auto alone: the line names them only
    choose(page.embedding_combo, "none")
    page.ensemble_spin.setValue(2)
    assert "embedding" not in page.auto_choice.text() and "hidden layer" in page.auto_choice.text()
    # nothing left to Auto: no line
    choose(page.family_combo, "mlp")
    assert page.auto_choice.text() == "" and not page.auto_choice.isVisibleTo(page)


def test_auto_choice_words():
    fixed = MLPConfig(auto=False, numeric_embedding="periodic", ensemble_size=3)
    assert auto_choice_text(fixed, 100) == ""
    before = auto_choice_text(MLPConfig())
    assert before.startswith("Auto chooses the hidden layers, the numeric embedding, its bins")
    assert "2 hidden layers" in auto_choice_text(MLPConfig(), 5000, 2)
    only_members = auto_choice_text(MLPConfig(numeric_embedding="none"), 5000, 2)
    assert "embedding" not in only_members and "5,000 training rows" in only_members
    no_numbers = auto_choice_text(MLPConfig(), 5000, 0)
    assert "no numeric columns to embed" in no_numbers
    piecewise = auto_choice_text(MLPConfig(numeric_embedding="piecewise"), 20000, 4)
    bins = MLPConfig(numeric_embedding="piecewise").resolved(20000, 4).n_bins
    assert f"piecewise-linear embedding with up to {bins} bins" in piecewise


def test_weight_decay_and_refit_are_remembered(qtbot, page, state, settings):
    page.weight_decay_spin.setValue(0.02)
    assert not page.refit_check.isChecked()  # off by default
    page.refit_check.setChecked(True)
    assert (state.training.weight_decay, state.training.refit) == (0.02, True)
    saved = json.loads(settings.value(app_settings.KEY_TRAINING))
    assert saved["weight_decay"] == 0.02 and saved["refit"] is True
    other = AppState()  # the next launch
    page2 = ModelPage(other)
    qtbot.addWidget(page2)
    assert page2.weight_decay_spin.value() == 0.02 and page2.refit_check.isChecked()
    assert other.training.refit and other.training.weight_decay == 0.02
    assert "validation" in page.refit_check.toolTip() and page.weight_decay_spin.toolTip()


def test_new_tables_start_from_the_kinds_training_defaults(qtbot, page, state):
    assert state.training == TABULAR.default_training()
    page.refit_check.setChecked(True)
    page.defaults_button.click()
    assert state.training == TABULAR.default_training() and not page.refit_check.isChecked()
    assert state.settings(TABULAR).model == TABULAR.default_model()
    assert isinstance(state.training, TrainConfig)


def test_the_search_greys_what_it_chooses(qtbot, page, state):
    load_table(state)
    page.search_box.set_search(True)
    for widget in (
        page.embedding_combo,
        page.ensemble_spin,
        page.weight_decay_spin,
        page.refit_check,  # the search keeps its best trial as trained
    ):
        assert not widget.isEnabled(), widget
    assert not page.auto_choice.isVisibleTo(page)
    page.search_box.set_search(False)
    assert page.embedding_combo.isEnabled() and page.auto_choice.isVisibleTo(page)


def test_evaluate_summary_says_how_the_refit_went():
    from types import SimpleNamespace

    from automl_gui.gui.pages._report import refit_text, was_refit

    kept = SimpleNamespace(
        metadata={
            "refit": {
                "epochs": 12,
                "rows": 1020,
                "seconds": 3.0,
                "test_before": {"accuracy": 0.91, "balanced_accuracy": 0.88, "log_loss": 0.3},
                "test_after": {"accuracy": 0.925, "balanced_accuracy": 0.9, "log_loss": 0.28},
            }
        }
    )
    text = refit_text(kept, "row")
    assert (
        "trained again from scratch on 1,020 rows (training and validation) for 12 epochs" in text
    )
    assert "Accuracy 0.9100 → 0.9250, Balanced accuracy 0.8800 → 0.9000)" in text
    first = SimpleNamespace(
        metadata={
            "refit": {"epochs": 0, "rows": 0, "kept": "first", "reason": "training was stopped"}
        }
    )
    assert refit_text(first, "image") == (
        "Refit on all data: not kept (training was stopped); the model is the first training's."
    )
    assert refit_text(SimpleNamespace(metadata={}), "row") == ""
    assert was_refit(kept) and not was_refit(first)


def test_train_summary_says_refit_and_auto_epochs(state):
    from automl_gui.gui.pages._train_summary import summary_html

    load_table(state)
    state.training.refit = True
    assert "up to 100 epochs, then refit on all data" in summary_html(state).replace(
        f"up to {state.training.epochs} epochs", "up to 100 epochs"
    )
    state.training.epochs, state.training.refit = 0, False
    text = summary_html(state)
    assert "epochs from the data's size" in text and "refit" not in text


def test_settings_remembered_by_an_older_version_read_as_its_projects_do(qtbot, settings):
    """Remembered before weight decay was a setting: AdamW keeps the decay Keras gave it."""
    from automl_gui.core.train.config import KERAS_ADAMW_DECAY

    old = {"optimizer": "adamw", "learning_rate": 0.002, "epochs": 50, "class_weights": "auto"}
    settings.setValue(app_settings.KEY_TRAINING, json.dumps(old))
    state = AppState()
    page = ModelPage(state)
    qtbot.addWidget(page)
    assert state.training.weight_decay == KERAS_ADAMW_DECAY and not state.training.refit
    assert page.weight_decay_spin.value() == KERAS_ADAMW_DECAY and page.epochs_spin.value() == 50


def test_network_words_name_the_embedding_and_members_as_built():
    from automl_gui.core.project._records import network_words

    built = {"numeric_embedding": "piecewise", "n_bins": 24, "ensemble_size": 8}
    assert network_words(built) == "piecewise-linear 24 bins, 8 members"
    assert network_words({"numeric_embedding": "periodic", "ensemble_size": 1}) == (
        "periodic embedding"
    )
    assert network_words({"numeric_embedding": "none", "ensemble_size": 1}) == ""
    assert network_words({"numeric_embedding": "auto", "ensemble_size": 0}) == ""  # unresolved
    assert network_words({}) == ""  # a model saved before these settings

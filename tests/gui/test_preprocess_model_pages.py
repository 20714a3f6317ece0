"""Preprocess and Model pages: edits change the configs in AppState and notify."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from PySide6.QtCore import QSettings, Qt

from automl_gui.core.data.schema import (
    ColumnKind,
    ColumnProfile,
    LoadedTable,
    TableProfile,
    TableSource,
)
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.preprocess.config import ColumnConfig, PreprocessConfig
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.tabular import preprocess as pp
from automl_gui.gui.pages.tabular.model import ModelPage, parse_hidden_units
from automl_gui.gui.pages.tabular.preprocess import PreprocessPage
from automl_gui.gui.state import AppState

EDIT = Qt.ItemDataRole.EditRole
CHECK = Qt.ItemDataRole.CheckStateRole


@pytest.fixture
def settings(tmp_path):
    return app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def state(qtbot, settings):
    return AppState()


def load_state(state: AppState, task: str = "binary") -> None:
    df = pd.DataFrame(
        {"age": [1.0, 2.0, None, 4.0], "city": ["a", "b", "a", None], "y": [0, 1, 0, 1]}
    )
    cols = tuple(
        ColumnProfile(n, k, str(df[n].dtype), int(df[n].count()), int(df[n].isna().sum()), 3)
        for n, k in (
            ("age", ColumnKind.NUMERIC),
            ("city", ColumnKind.CATEGORICAL),
            ("y", ColumnKind.BOOLEAN),
        )
    )
    profile = TableProfile(4, 3, cols, duplicate_rows=2)
    config = PreprocessConfig(
        target="y",
        task=task,
        columns=[
            ColumnConfig("age", type="numeric", missing="mean", reason="numbers: standardized"),
            ColumnConfig("city", type="categorical", missing="most_frequent"),
            ColumnConfig("y", type="categorical"),
        ],
    )
    state.set_dataset(TABULAR, LoadedTable(df, TableSource("/tmp/t.csv", "csv")), profile)
    state.set_target("y", task, config, [])


@pytest.fixture
def prep(qtbot, state):
    page = PreprocessPage(state)
    qtbot.addWidget(page)
    load_state(state)
    return page


def cell(page: PreprocessPage, name: str, col: int):
    model = page.columns
    return model.index(model.row_of(name), col)


def test_target_is_not_listed_and_reasons_are_tooltips(prep):
    names = [c.name for c in prep.columns.rows]
    assert names == ["age", "city"]
    tip = prep.columns.data(cell(prep, "age", pp.COL_NAME), Qt.ItemDataRole.ToolTipRole)
    assert "standardized" in tip
    assert "2 found" in prep.dedup_check.text()


def test_column_edits_update_the_config_and_notify(qtbot, prep, state):
    model = prep.columns
    with qtbot.waitSignal(state.preprocess_changed):
        assert model.setData(cell(prep, "age", pp.COL_NAME), Qt.CheckState.Unchecked.value, CHECK)
    assert not state.settings(TABULAR).preprocess.column("age").use
    assert [c.name for c in state.settings(TABULAR).preprocess.feature_columns()] == ["city"]
    # settings of an unused column are disabled
    assert not model.flags(cell(prep, "age", pp.COL_SCALING)) & Qt.ItemFlag.ItemIsEnabled
    model.setData(cell(prep, "age", pp.COL_NAME), Qt.CheckState.Checked.value, CHECK)

    assert model.setData(cell(prep, "age", pp.COL_SCALING), "minmax", EDIT)
    assert state.settings(TABULAR).preprocess.column("age").scaling == "minmax"
    assert model.setData(cell(prep, "age", pp.COL_MISSING), "constant", EDIT)
    assert model.flags(cell(prep, "age", pp.COL_FILL)) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(cell(prep, "age", pp.COL_FILL), "-1", EDIT)
    assert state.settings(TABULAR).preprocess.column("age").fill_value == -1.0
    assert not model.setData(cell(prep, "age", pp.COL_FILL), "abc", EDIT)  # not a number
    assert model.setData(cell(prep, "age", pp.COL_INDICATOR), Qt.CheckState.Checked.value, CHECK)
    assert state.settings(TABULAR).preprocess.column("age").missing_indicator
    assert model.setData(cell(prep, "city", pp.COL_ENCODING), "embedding", EDIT)
    assert state.settings(TABULAR).preprocess.column("city").encoding == "embedding"


def test_only_valid_choices_per_type(prep, state):
    model = prep.columns
    # encoding is meaningless for a numeric column, scaling for a categorical one
    assert not model.flags(cell(prep, "age", pp.COL_ENCODING)) & Qt.ItemFlag.ItemIsEnabled
    assert not model.flags(cell(prep, "city", pp.COL_SCALING)) & Qt.ItemFlag.ItemIsEnabled
    assert model.data(cell(prep, "city", pp.COL_SCALING)) == pp.NOT_APPLICABLE
    # a text column cannot become numeric; mean is not offered for categories
    assert model.data(cell(prep, "city", pp.COL_TYPE), pp.OPTIONS_ROLE) == ["categorical"]
    assert not model.setData(cell(prep, "city", pp.COL_TYPE), "numeric", EDIT)
    assert "mean" not in model.data(cell(prep, "city", pp.COL_MISSING), pp.OPTIONS_ROLE)
    assert not model.setData(cell(prep, "city", pp.COL_MISSING), "median", EDIT)
    # a numeric column turned categorical loses its mean imputation
    assert model.setData(cell(prep, "age", pp.COL_TYPE), "categorical", EDIT)
    age = state.settings(TABULAR).preprocess.column("age")
    assert age.type == "categorical" and age.missing == "most_frequent"
    assert model.flags(cell(prep, "age", pp.COL_ENCODING)) & Qt.ItemFlag.ItemIsEnabled


def test_delegate_offers_the_cell_choices(qtbot, prep):
    prep.show()
    index = cell(prep, "age", pp.COL_MISSING)
    prep.table.setCurrentIndex(index)  # CurrentChanged opens the editor
    prep.table.edit(index)
    editor = prep.table.indexWidget(index) or prep.table.findChild(pp.QComboBox)
    assert editor is not None
    values = [editor.itemData(i) for i in range(editor.count())]
    assert values == pp.missing_options("numeric")


def test_split_sums_to_100_and_updates_config(qtbot, prep, state):
    with qtbot.waitSignal(state.preprocess_changed):
        prep.train_spin.setValue(80)
    split = state.settings(TABULAR).preprocess.split
    assert prep.test_spin.value() == 100 - 80 - prep.val_spin.value()
    assert abs(split.train + split.validation + split.test - 1.0) < 1e-9
    prep.val_spin.setValue(30)  # more than is left: clamped so test keeps at least 5 %
    assert prep.val_spin.value() == 15 and prep.test_spin.value() == 5
    assert (split.train, split.validation, split.test) == (0.8, 0.15, 0.05)
    prep.stratify_check.setChecked(False)
    prep.seed_spin.setValue(7)
    prep.dedup_check.setChecked(False)
    assert (
        not split.stratify
        and split.seed == 7
        and not state.settings(TABULAR).preprocess.drop_duplicates
    )


def test_reset_to_automatic(qtbot, prep, state):
    prep.columns.setData(cell(prep, "age", pp.COL_SCALING), "none", EDIT)
    prep.train_spin.setValue(60)
    config = state.settings(TABULAR).preprocess
    with qtbot.waitSignal(state.preprocess_changed):
        prep.reset_button.click()
    assert state.settings(TABULAR).preprocess is config  # same object, restored values
    assert config.column("age").scaling == "standardize"
    assert config.split.train == 0.7 and prep.train_spin.value() == 70


def test_stratify_is_off_for_regression(qtbot, state):
    page = PreprocessPage(state)
    qtbot.addWidget(page)
    load_state(state, task="regression")
    assert not page.stratify_check.isEnabled() and not page.stratify_check.isChecked()


def test_empty_state(qtbot, state):
    page = PreprocessPage(state)
    qtbot.addWidget(page)
    assert not page.table.isEnabled() and "Data page" in page.info_label.text()


# -- Model page ---------------------------------------------------------------------------------
@pytest.fixture
def model_page(qtbot, state):
    page = ModelPage(state)
    qtbot.addWidget(page)
    return page


def test_mlp_controls_follow_the_family(qtbot, model_page, state):
    assert state.settings(TABULAR).model.auto and not model_page.layers_edit.isEnabled()
    with qtbot.waitSignal(state.model_changed):
        model_page.family_combo.setCurrentIndex(model_page.family_combo.findData("mlp"))
    assert not state.settings(TABULAR).model.auto and model_page.layers_edit.isEnabled()
    model_page.layers_edit.setText("128, 64, 8")
    model_page.layers_edit.textEdited.emit("128, 64, 8")
    assert state.settings(TABULAR).model.hidden_units == [128, 64, 8]
    model_page.layers_edit.setText("128, 0")
    model_page.layers_edit.textEdited.emit("128, 0")
    assert state.settings(TABULAR).model.hidden_units == [
        128,
        64,
        8,
    ]  # invalid text keeps the last valid layers
    assert not model_page.layers_valid and model_page.layers_error.isVisibleTo(model_page)
    model_page.dropout_spin.setValue(0.3)
    model_page.l1_spin.setValue(0.001)
    model_page.l2_spin.setValue(0.0)
    model_page.batchnorm_check.setChecked(True)
    model_page.activation_combo.setCurrentIndex(model_page.activation_combo.findData("gelu"))
    assert (
        state.settings(TABULAR).model.dropout,
        state.settings(TABULAR).model.l1,
        state.settings(TABULAR).model.l2,
    ) == (0.3, 0.001, 0.0)
    assert (
        state.settings(TABULAR).model.batch_norm
        and state.settings(TABULAR).model.activation == "gelu"
    )


def test_training_edits_update_train_config_and_persist(qtbot, model_page, state, settings):
    p = model_page
    p.optimizer_combo.setCurrentIndex(p.optimizer_combo.findData("sgd"))
    assert p.optimizer_combo.currentText() == "SGD with momentum"
    p.lr_spin.setValue(0.01)
    p.schedule_combo.setCurrentIndex(p.schedule_combo.findData("cosine"))
    p.batch_spin.setValue(64)
    p.epochs_spin.setValue(25)
    p.early_check.setChecked(False)
    assert not p.patience_spin.isEnabled()
    p.restore_check.setChecked(False)
    p.class_weight_combo.setCurrentIndex(p.class_weight_combo.findData("balanced"))
    p.seed_spin.setValue(3)
    p.budget_spin.setValue(120)
    tr = state.training
    assert (tr.optimizer, tr.learning_rate, tr.schedule) == ("sgd", 0.01, "cosine")
    assert (tr.batch_size, tr.epochs, tr.early_stopping, tr.restore_best) == (64, 25, False, False)
    assert (tr.class_weights, tr.seed, tr.time_budget) == ("balanced", 3, 120.0)
    saved = json.loads(settings.value(app_settings.KEY_TRAINING))
    assert saved["optimizer"] == "sgd" and saved["epochs"] == 25
    # a new page (next launch) starts from the remembered settings
    other = AppState()
    page2 = ModelPage(other)
    qtbot.addWidget(page2)
    assert other.training.optimizer == "sgd" and page2.epochs_spin.value() == 25
    assert page2.batch_spin.text() == "64"


def test_batch_auto_and_no_time_limit_texts(model_page):
    assert model_page.batch_spin.value() == 0 and model_page.batch_spin.text() == "Auto"
    assert model_page.budget_spin.text() == "No limit"


def test_class_weights_only_for_classification(qtbot, model_page, state):
    state.training.class_weights = "balanced"
    load_state(state, task="regression")
    assert not model_page.class_weight_combo.isEnabled()
    assert state.training.class_weights == "auto"  # balanced again on an imbalanced table
    load_state(state, task="binary")
    assert model_page.class_weight_combo.isEnabled()


def test_restore_defaults(qtbot, model_page, state):
    model_page.epochs_spin.setValue(7)
    model_page.family_combo.setCurrentIndex(1)
    with qtbot.waitSignal(state.model_changed):
        model_page.defaults_button.click()
    defaults = TABULAR.default_training()  # the table kind's own (H2's measured defaults)
    assert state.training == defaults and state.settings(TABULAR).model == MLPConfig()
    assert model_page.epochs_spin.value() == defaults.epochs


def test_parse_hidden_units():
    assert parse_hidden_units(" 64, 32 ,") == [64, 32]
    for bad in ("", "0", "a, 3", "70000"):
        with pytest.raises(ValueError):
            parse_hidden_units(bad)


def test_every_control_has_a_tooltip(model_page, prep):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit

    for page in (model_page, prep):
        for cls in (QComboBox, QAbstractSpinBox, QLineEdit, QAbstractButton):
            for w in page.findChildren(cls):
                if w.parent() is not None and isinstance(w.parent(), QAbstractSpinBox):
                    continue  # the spin box's own line edit
                if isinstance(w, QLineEdit) and isinstance(w.parent(), QComboBox):
                    continue
                if w.objectName().startswith("qt_"):
                    continue  # Qt's internal buttons (table corner, scroll arrows)
                assert w.toolTip(), f"{type(w).__name__} {getattr(w, 'text', lambda: '')()}"

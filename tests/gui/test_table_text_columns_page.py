"""The table Preprocess page offers free-text and date columns as such (issue 16): a text
column is used as text or turned into a category, a date column used as dates; their reasons
are the tooltips, and only the settings that mean something for them are editable."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings, Qt

from automl_gui.core.data.profile import profile_table
from automl_gui.core.data.schema import LoadedTable, TableSource
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.preprocess.tabular import auto_config
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.tabular import preprocess as pp
from automl_gui.gui.pages.tabular.preprocess import PreprocessPage
from automl_gui.gui.state import AppState

EDIT = Qt.ItemDataRole.EditRole
TIP = Qt.ItemDataRole.ToolTipRole


@pytest.fixture
def page(qtbot, tmp_path):
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    state = AppState()
    rng = np.random.default_rng(0)
    n = 60
    words = "great poor item arrived late quickly broken fine works colour size box".split()
    df = pd.DataFrame(
        {
            "price": rng.normal(10, 2, n),
            "review": [" ".join(rng.choice(words, 6)) for _ in range(n)],
            "ordered": pd.date_range("2024-01-01", periods=n, freq="7h").strftime("%Y-%m-%d %H:%M"),
            "y": rng.choice(["a", "b"], n),
        }
    )
    profile = profile_table(df)
    page = PreprocessPage(state)
    qtbot.addWidget(page)
    state.set_dataset(TABULAR, LoadedTable(df, TableSource("/tmp/t.csv", "csv")), profile)
    state.set_target("y", "binary", auto_config(df, profile, "y", "binary"), [])
    return page, state


def cell(page: PreprocessPage, name: str, col: int):
    model = page.columns
    return model.index(model.row_of(name), col)


def test_text_and_date_columns_are_offered_as_such(page):
    page, state = page
    model = page.columns
    assert model.data(cell(page, "review", pp.COL_TYPE)) == "Text"
    assert model.data(cell(page, "ordered", pp.COL_TYPE)) == "Date/time"
    tip = model.data(cell(page, "review", pp.COL_NAME), TIP)
    assert "used. free text: TF-IDF of words and word pairs, 20,000-word vocabulary" in tip
    assert "day of week" in model.data(cell(page, "ordered", pp.COL_NAME), TIP)
    assert model.data(cell(page, "review", pp.COL_TYPE), pp.OPTIONS_ROLE) == [
        "categorical",
        "text",
    ]
    assert model.data(cell(page, "review", pp.COL_MISSING), pp.OPTIONS_ROLE) == [
        "constant",
        "drop_rows",
    ]
    for col in (pp.COL_FILL, pp.COL_INDICATOR, pp.COL_SCALING):
        assert not model.flags(cell(page, "review", col)) & Qt.ItemFlag.ItemIsEnabled
    # the encoding cell says the n-grams and vocabulary; they are set at the side
    assert model.data(cell(page, "review", pp.COL_ENCODING)) == "TF-IDF 1-2 words, 20,000"
    assert not model.flags(cell(page, "review", pp.COL_ENCODING)) & Qt.ItemFlag.ItemIsEditable
    assert model.flags(cell(page, "ordered", pp.COL_INDICATOR)) & Qt.ItemFlag.ItemIsEnabled
    # free text turned into categories, and back
    assert model.setData(cell(page, "review", pp.COL_TYPE), "categorical", EDIT)
    review = state.settings(TABULAR).preprocess.column("review")
    assert (review.type, review.missing) == ("categorical", "constant")  # "(missing)"
    assert model.setData(cell(page, "review", pp.COL_TYPE), "text", EDIT)
    assert (review.type, review.missing) == ("text", "constant")
    assert not model.setData(cell(page, "price", pp.COL_TYPE), "text", EDIT)


def test_vocabulary_and_ngrams_are_set_per_text_column(page):
    page, state = page
    assert not page.text_box.isHidden()
    assert "review" in page.text_column_label.text()
    assert page.vocab_spin.text() == "Auto (20,000)"
    page.vocab_spin.setValue(5000)
    page.ngram_combo.setCurrentIndex(page.ngram_combo.findData(1))
    cfg = state.settings(TABULAR).preprocess
    review = cfg.column("review")
    assert (review.max_tokens, review.ngrams) == (5000, 1)
    assert page.columns.data(cell(page, "review", pp.COL_ENCODING)) == "TF-IDF words, 5,000"
    page.vocab_spin.setValue(40)  # below the least vocabulary: its least
    assert review.max_tokens == page.vocab_spin.value() == 100
    # saved and read back (a project), and the price column's settings carry no text fields
    data = cfg.to_dict()
    columns = {c["name"]: c for c in data["columns"]}
    assert "max_tokens" not in columns["price"] and columns["review"]["max_tokens"] == 100
    assert type(cfg).from_dict(data).column("review").ngrams == 1
    page.reset_to_automatic()
    assert (cfg.column("review").max_tokens, cfg.column("review").ngrams) == (0, 0)
    assert page.vocab_spin.value() == 0


def test_a_table_without_text_has_no_text_box(qtbot, tmp_path):
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    state = AppState()
    df = pd.DataFrame({"x": np.arange(30.0), "y": ["a", "b", "c"] * 10})
    page = PreprocessPage(state)
    qtbot.addWidget(page)
    profile = profile_table(df)
    state.set_dataset(TABULAR, LoadedTable(df, TableSource("/tmp/t.csv", "csv")), profile)
    state.set_target("y", "multiclass", auto_config(df, profile, "y", "multiclass"), [])
    assert page.text_box.isHidden()


def test_screenshot(page, tmp_path):
    """Saved for a look when SCREENSHOT_DIR is set."""
    page, _ = page
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        pytest.skip("SCREENSHOT_DIR not set")
    page.resize(1024, 560)
    page.show()
    page.table.resizeColumnsToContents()
    page.grab().save(os.path.join(folder, "table_text_columns_preprocess.png"))

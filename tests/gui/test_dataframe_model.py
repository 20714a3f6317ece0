"""DataFrameModel: counts, formatting and lazy access on a 1,000,000-row frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from automl_gui.gui.widgets import dataframe_model as dfm
from automl_gui.gui.widgets.dataframe_model import DataFrameModel, format_value

DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def small():
    return pd.DataFrame(
        {
            "x": [1.5, np.nan, np.inf, 2.0],
            "n": [1, 2, 3, 4],
            "s": ["a", None, "c" * 500, "d"],
            "b": [True, False, True, False],
        }
    )


def test_counts_headers_and_cells(qtbot, small):
    model = DataFrameModel(small)
    assert model.rowCount() == 4 and model.columnCount() == 4
    assert model.headerData(2, Qt.Orientation.Horizontal) == "s"
    assert model.headerData(0, Qt.Orientation.Vertical) == "1"  # 1-based row numbers
    assert model.data(model.index(0, 0)) == "1.5"
    assert model.data(model.index(2, 0)) == "inf"
    assert model.data(model.index(3, 1)) == "4"
    assert model.data(model.index(0, 3)) == "True"


def test_missing_values_are_marked(qtbot, small):
    model = DataFrameModel(small)
    for col in (0, 2):
        index = model.index(1, col)
        assert model.data(index) == dfm.MISSING_TEXT
        assert model.data(index, Qt.ItemDataRole.ToolTipRole) == "Missing value"
        assert model.data(index, Qt.ItemDataRole.ForegroundRole) is not None
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole) is None


def test_long_text_is_cut_in_the_cell_but_not_in_the_tooltip(qtbot, small):
    model = DataFrameModel(small)
    index = model.index(2, 2)
    shown = model.data(index)
    assert len(shown) == dfm.DISPLAY_CHARS and shown.endswith("…")
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == "c" * 500


def test_numbers_align_right_text_left(qtbot, small):
    model = DataFrameModel(small)
    right = model.data(model.index(0, 0), Qt.ItemDataRole.TextAlignmentRole)
    left = model.data(model.index(0, 2), Qt.ItemDataRole.TextAlignmentRole)
    assert right & int(Qt.AlignmentFlag.AlignRight)
    assert left & int(Qt.AlignmentFlag.AlignLeft)


def test_format_value():
    assert format_value(None) == dfm.MISSING_TEXT
    assert format_value(float("nan")) == dfm.MISSING_TEXT
    assert format_value(3.0) == "3.0"
    assert format_value(1 / 3) == "0.333333"
    assert format_value("x") == "x"


def test_a_million_rows_are_read_lazily(qtbot, monkeypatch):
    n = 1_000_000
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {"a": rng.normal(size=n), "b": np.arange(n), "c": pd.Series(["u", "v"] * (n // 2))}
    )
    model = DataFrameModel(df)
    assert model.rowCount() == n and model.columnCount() == 3
    assert len(model._cache) == 0  # nothing formatted at construction

    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(500, 300)
    view.show()
    qtbot.waitExposed(view)
    view.scrollToBottom()
    qtbot.waitUntil(lambda: any(block >= (n - 1) // dfm.BLOCK_ROWS for _, block in model._cache))
    # only the blocks around what is visible are formatted, never the whole column
    assert len(model._cache) <= 3 * 4
    last = model.index(n - 1, 1)
    assert model.data(last) == str(n - 1)
    assert model.data(model.index(n - 2, 2)) == "u"
    assert model.headerData(n - 1, Qt.Orientation.Vertical) == str(n)


def test_cache_is_bounded(qtbot, monkeypatch):
    monkeypatch.setattr(dfm, "MAX_BLOCKS", 5)
    model = DataFrameModel(pd.DataFrame({"a": np.arange(10_000)}))
    for row in range(0, 10_000, dfm.BLOCK_ROWS):
        model.data(model.index(row, 0))
    assert len(model._cache) == 5
    assert model.data(model.index(0, 0)) == "0"  # evicted blocks are rebuilt


def test_set_frame_resets(qtbot, small):
    model = DataFrameModel(small)
    with qtbot.waitSignal(model.modelReset):
        model.set_frame(pd.DataFrame({"z": [1, 2]}))
    assert model.rowCount() == 2 and model.columnCount() == 1
    model.set_frame(None)
    assert model.rowCount() == 0 and model.columnCount() == 0

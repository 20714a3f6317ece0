"""Wide tables in the window: pages build and paint what is on screen, not one thing per column.

Counts, not times (timings belong in ``benchmarks/bench_wide_ui.py``): with 20,000 columns,
the Data page asks its models for a bounded number of cells and creates no widget or item per
column; the Preprocess page reads the table's columns once; the findings list is capped.
"""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QWidget

from automl_gui.core.data.schema import (
    ColumnKind,
    ColumnProfile,
    DataWarning,
    LoadedTable,
    TableProfile,
    TableSource,
)
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.preprocess.config import ColumnConfig, PreprocessConfig
from automl_gui.gui import _gc
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.tabular import preprocess as pp
from automl_gui.gui.pages.tabular.data import DataPage
from automl_gui.gui.pages.tabular.preprocess import PreprocessPage
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets import warnings_view as wv
from automl_gui.gui.widgets.dataframe_model import DataFrameModel
from automl_gui.gui.widgets.frame_table import MAX_WIDTH, FrameTable
from automl_gui.gui.widgets.profile_view import ProfileModel

WIDTH = 20_000
ROWS = 40


@pytest.fixture(autouse=True)
def tmp_settings(tmp_path):
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


def wide_table(width: int = WIDTH, rows: int = ROWS) -> tuple[LoadedTable, TableProfile]:
    """``width`` float columns and a yes/no ``target``, with a profile made by hand (the
    engine's profiling of 20,000 columns takes seconds and is not what is tested here)."""
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        np.round(rng.normal(size=(rows, width)), 3), columns=[f"g{i:05d}" for i in range(width)]
    )
    df["target"] = np.where(np.arange(rows) % 2 == 0, "yes", "no")
    cols = [
        ColumnProfile(
            name, ColumnKind.NUMERIC, "float64", rows, 0, rows, minimum=-3.0, maximum=3.0, mean=0.0
        )
        for name in df.columns[:-1]
    ]
    cols.append(
        ColumnProfile(
            "target", ColumnKind.BOOLEAN, "object", rows, 0, 2, top_values=(("yes", 20), ("no", 20))
        )
    )
    profile = TableProfile(rows, width + 1, tuple(cols))
    return LoadedTable(df, TableSource("/tmp/wide.csv", "csv")), profile


def wide_config(table: LoadedTable) -> PreprocessConfig:
    columns = [ColumnConfig(str(c), reason="numbers: standardized") for c in table.df.columns]
    columns[-1] = ColumnConfig("target", type="categorical")
    return PreprocessConfig(target="target", task="binary", columns=columns)


class Counter:
    """Counts the calls of a method (patched on its class)."""

    def __init__(self, monkeypatch, cls, name: str) -> None:
        self.calls = 0
        original = getattr(cls, name)

        def counted(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(cls, name, counted)


def test_data_page_with_20000_columns_reads_only_the_cells_on_screen(qtbot, monkeypatch):
    state = AppState()
    page = DataPage(state)
    qtbot.addWidget(page)
    page.resize(1024, 700)
    page.show()
    widgets_before = len(page.findChildren(QWidget))
    cells = Counter(monkeypatch, DataFrameModel, "data")
    rows = Counter(monkeypatch, ProfileModel, "data")
    table, profile = wide_table()
    state.set_dataset(TABULAR, table, profile)
    state.set_target("target", "binary", wide_config(table), [])
    page.grab()  # paint it all, as the screen would
    qtbot.wait(20)

    assert page.model.columnCount() == WIDTH + 1
    assert page.profile_view.row_count() == WIDTH + 1
    assert page.target_combo.count() == WIDTH + 1 and page.target_combo.currentText() == "target"
    # no widget per column, and the models were asked for what is on screen: a few columns'
    # sample rows to fit them, the visible cells to paint (one column fitted through Qt's
    # own resize asked ~400 cells: all of them ~8,000,000)
    assert len(page.findChildren(QWidget)) - widgets_before < 40
    fitted = page.table.fitted_columns()
    assert 0 < len(fitted) <= 60 and max(fitted) < 60
    assert cells.calls < 20_000
    assert rows.calls < 5_000
    assert page.profile_view.current_column() == "target"  # selected row, found by name


def test_columns_are_fitted_as_they_scroll_into_view(qtbot):
    table, _ = wide_table(width=3_000)
    view = FrameTable()
    qtbot.addWidget(view)
    model = DataFrameModel(table.df)
    view.setModel(model)
    view.resize(800, 300)
    view.show()
    view.resizeColumnsToContents()
    first = view.fitted_columns()
    assert first and max(first) < 40
    bar = view.horizontalScrollBar()
    bar.setValue(bar.maximum() // 2)
    qtbot.waitUntil(lambda: len(view.fitted_columns()) > len(first))
    middle = view.fitted_columns() - first
    assert min(middle) > 1_000 and len(view.fitted_columns()) < 100
    # a column the user sized keeps its width when it scrolls by again
    view.setColumnWidth(0, 333)
    bar.setValue(0)
    qtbot.wait(10)
    assert view.columnWidth(0) == 333
    # Qt's own resize (a double click on a divider) measures the same way, capped
    view.resizeColumnToContents(1)
    assert 40 <= view.columnWidth(1) <= MAX_WIDTH


def test_fitted_columns_show_their_texts_and_long_ones_are_capped(qtbot):
    df = pd.DataFrame(
        {"short": [1.5, 2.25], "long": ["x" * 500, "y"], "a_rather_long_name": [1, 2]}
    )
    view = FrameTable()
    qtbot.addWidget(view)
    view.setModel(DataFrameModel(df))
    view.resize(900, 200)
    view.show()
    view.resizeColumnsToContents()
    metrics = view.fontMetrics()
    assert view.columnWidth(0) >= metrics.horizontalAdvance("2.25")
    assert view.columnWidth(1) == MAX_WIDTH
    assert view.columnWidth(2) >= view.horizontalHeader().fontMetrics().horizontalAdvance(
        "a_rather_long_name"
    )
    view.model().set_frame(df.iloc[:, :1])  # new contents: no fitting until asked again
    assert view.fitted_columns() == set()


def test_preprocess_page_with_20000_columns_reads_the_table_once(qtbot, monkeypatch):
    state = AppState()
    page = PreprocessPage(state)
    qtbot.addWidget(page)
    page.resize(1024, 700)
    page.show()
    table, profile = wide_table()
    reads = Counter(monkeypatch, pd.DataFrame, "__getitem__")
    cells = Counter(monkeypatch, pp.ColumnConfigModel, "data")
    state.set_dataset(TABULAR, table, profile)
    config = wide_config(table)
    state.set_target("target", "binary", config, [])
    page.grab()
    assert page.columns.rowCount() == WIDTH
    assert reads.calls < 10  # the dtypes once, not df[c] for each of 20,000 columns
    assert cells.calls < 5_000  # the rows on screen
    assert f"{WIDTH:,} of {WIDTH:,} columns are used" in page.info_label.text()

    # the automatic setup is kept (cheaply) and comes back
    first = page.columns.index(0, pp.COL_NAME)
    page.columns.setData(first, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    page.columns.setData(page.columns.index(1, pp.COL_SCALING), "minmax")
    page.train_spin.setValue(60)
    assert not config.columns[0].use and config.columns[1].scaling == "minmax"
    page.reset_to_automatic()
    assert config.columns[0].use and config.columns[1].scaling == "standardize"
    assert config.split.train == 0.7
    assert page.columns.rows[0] is config.columns[0]  # the table shows the restored objects
    # and a second reset starts from the same automatic setup, not the objects just restored
    config.columns[0].use = False
    page.reset_to_automatic()
    assert config.columns[0].use


def test_findings_are_listed_up_to_a_cap_then_counted(qtbot):
    view = wv.WarningsView()
    qtbot.addWidget(view)
    warnings = [
        DataWarning("missing", f"Column 'g{i:05d}' is missing in 3 rows.", column=f"g{i:05d}")
        for i in range(300)
    ]
    warnings.append(DataWarning("target", "The target is broken.", severity="error"))
    warnings.append(DataWarning("text", "z" * 5_000, severity="info"))
    view.set_warnings(warnings)
    assert view.rowCount() == wv.MAX_SHOWN + 1
    assert view.item(0, 0).text() == "The target is broken."  # errors first
    more = view.item(wv.MAX_SHOWN, 0)
    assert more.text().startswith(f"… {len(warnings) - wv.MAX_SHOWN:,} more findings")
    assert "Double-click" in more.text() and "•" in more.toolTip()
    assert len(view.codes()) == len(warnings) and view.hidden_count() == 252
    view.itemActivated.emit(more)  # double-click / Enter on the row lists them all
    assert view.rowCount() == len(warnings) and view.hidden_count() == 0
    long_row = view.item(len(warnings) - 1, 0)
    assert len(long_row.text()) == wv.MAX_CHARS and long_row.text().endswith("…")
    assert len(long_row.toolTip()) <= wv.TIP_CHARS + 40
    view.set_warnings(warnings[:3])  # a new list starts capped again (here: all shown)
    assert view.rowCount() == 3 and view.hidden_count() == 0


def test_loading_runs_with_automatic_collections_held_off(qtbot, tmp_path, monkeypatch):
    """A full collection walks every object with the GIL held: the UI thread waited
    0.1-0.9 s for each one while a wide table was being profiled in the worker."""
    from automl_gui.gui.pages.tabular import data as data_module

    seen: list[bool] = []
    real = data_module.load_job

    def spy(path, on_event=None, cancel=None):
        seen.append(gc.isenabled())
        return real(path, on_event, cancel)

    monkeypatch.setattr(data_module, "load_job", spy)
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": np.arange(30.0), "y": ["a", "b"] * 15}).to_csv(path, index=False)
    state = AppState()
    page = DataPage(state)
    qtbot.addWidget(page)
    assert gc.isenabled()
    with qtbot.waitSignal(state.target_changed, timeout=30_000):
        page.load(str(path))
    assert seen == [False]
    qtbot.waitUntil(lambda: not page._workers)
    assert gc.isenabled()


def test_collection_pauses_nest_and_end(monkeypatch):
    assert gc.isenabled()
    with _gc.collection_paused():
        with _gc.collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), _gc.collection_paused():
        raise ValueError("a failed job")
    assert gc.isenabled()
    frozen: list[bool] = []
    monkeypatch.setattr(_gc.gc, "freeze", lambda: frozen.append(True))
    monkeypatch.setattr(_gc, "_frozen", False)
    assert _gc.freeze_long_lived() and not _gc.freeze_long_lived()
    assert frozen == [True]


def test_values_with_spaces_around_are_quoted_in_the_column_list():
    from automl_gui.gui.widgets.profile_view import column_summary, shown_value

    assert shown_value(" 1 ") == "' 1 '" and shown_value("") == "''"
    assert shown_value("1") == "1" and shown_value(2.5) == "2.5"
    col = ColumnProfile(
        "label", ColumnKind.CATEGORICAL, "object", 9, 0, 3, top_values=(("1", 5), (" 1 ", 4))
    )
    assert column_summary(col) == "1 (5), ' 1 ' (4)"


def test_findings_found_once_come_before_a_kind_repeated_per_column(qtbot):
    view = wv.WarningsView()
    qtbot.addWidget(view)
    many = [
        DataWarning("missing", f"Column 'c{i}' is missing 3 of 40 values (7.5 %).", column=f"c{i}")
        for i in range(21)
    ]
    once = DataWarning("imbalance", "Class 'yes' is 5 % of the rows.")
    notes = [DataWarning("constant", "Column 'k' is constant.", severity="info")]
    view.set_warnings([*many[:10], once, *many[10:], *notes])
    assert view.codes()[:2] == ["imbalance", "missing"]
    assert view.codes()[-1] == "constant"
    assert [w.column for w in view.warnings[1:22]] == [f"c{i}" for i in range(21)]
    assert "7.5\u00a0%" in view.item(1, 0).text()  # the number and its sign stay together

"""The text pages at a 1024x700 window (reviewer's findings of issue 16): the pretrained
model's folder line is never clipped, Auto's rule is said once, the Data page keeps a few
classes' bars whole, and the confusion matrix stands its predicted labels up rather than cut
them to "techno…"."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from test_text_pages import make_csv

from automl_gui.core.base.resources import resource_path
from automl_gui.core.data.text import load_text
from automl_gui.core.kinds.text import TEXT
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.text.data import TextDataPage
from automl_gui.gui.pages.text.model import TextModelPage
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.confusion_matrix import ConfusionMatrixView, _rotated

SMALL = (830, 600)  # a 1024x700 window less the step list, the menu and the status bar


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return load_text(str(make_csv(tmp_path_factory.mktemp("texts") / "posts.csv")))


@pytest.fixture
def state(qtbot, tmp_path):
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    return AppState()


def shown(qtbot, page, size) -> None:
    page.setStyleSheet(resource_path("style.qss").read_text(encoding="utf-8"))
    page.resize(*size)
    page.show()
    qtbot.wait(100)


def test_the_folder_line_is_whole_and_autos_rule_said_once(qtbot, state, dataset):
    state.set_dataset(TEXT, dataset)
    page = TextModelPage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    shown(qtbot, page, SMALL)
    label = page.folder_label
    assert "none chosen" in label.text()
    assert label.height() >= label.heightForWidth(label.width())  # every line in sight
    # with texts loaded, the numbers' sentence explains Auto; the rule is not said again
    assert page.auto_choice.isVisible() and "1,500" in page.auto_choice.text()
    assert not page.arch_explain.isVisible()
    assert "Google" not in page.intro
    page.arch_combo.setCurrentIndex(page.arch_combo.findData("sepcnn"))
    assert page.arch_explain.isVisible() and not page.auto_choice.isVisible()


def test_a_few_classes_bars_stay_whole_in_a_short_window(qtbot, state, dataset):
    page = TextDataPage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    state.set_dataset(TEXT, dataset)
    shown(qtbot, page, SMALL)
    qtbot.waitUntil(lambda: page.chart_area.height() >= page.chart.height(), timeout=2000)
    assert not page.chart_area.verticalScrollBar().isVisible()


def test_predicted_labels_stand_up_when_one_is_wider_than_its_column(qtbot):
    view = ConfusionMatrixView(noun="text")
    qtbot.addWidget(view)
    names = ["cooking", "sports", "technology", "travel"]
    view.set_matrix([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], names)
    from PySide6.QtGui import QFontMetrics

    widest = max(QFontMetrics(view.font()).horizontalAdvance(n) for n in names)
    view.resize(330, 300)  # the matrix pane at 1024 px: "technology" is wider than a column
    _grid, cell = view._layout()
    assert _rotated(4, widest, cell)
    view.grab()  # paints without error
    view.resize(900, 700)
    _grid, cell = view._layout()
    assert not _rotated(4, widest, cell)  # room enough: the labels lie flat
    assert _rotated(5, 10, 500.0)  # many classes always stand up

"""Texts that were cut off (issue 15, item 10): the table Data page's task box kept the width
of the first task it showed, so "Auto (binary classification)" left no room for a later
"Auto (multiclass classification)" ("Auto (multiclass classificati")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QBoxLayout, QComboBox, QScrollArea
from test_data_page import load, write_csv  # tests/gui is on the path

from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.tabular.data import DataPage
from automl_gui.gui.state import AppState


def test_the_task_box_grows_with_the_detected_task(qtbot, tmp_path):
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    page = DataPage(AppState())
    qtbot.addWidget(page)
    page.resize(1024, 700)
    page.show()
    load(qtbot, page, write_csv(tmp_path / "binary.csv"))
    assert page.task_combo.currentText() == "Auto (binary classification)"
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=90), "kind": ["a", "b", "c"] * 30})
    frame.to_csv(tmp_path / "three.csv", index=False)
    load(qtbot, page, str(tmp_path / "three.csv"))
    combo = page.task_combo
    assert combo.currentText() == "Auto (multiclass classification)"
    fresh = QComboBox()  # the width the items need, measured afresh
    qtbot.addWidget(fresh)
    for i in range(combo.count()):
        fresh.addItem(combo.itemText(i))
    needed = fresh.sizeHint().width()
    qtbot.waitUntil(lambda: combo.width() >= needed, timeout=2000)  # the whole text shows


@pytest.mark.parametrize("name", ["tabular", "images", "audio"])
def test_the_model_pages_fit_a_1024_pixel_window_without_scrolling_sideways(
    qtbot, tmp_path, monkeypatch, name
):
    """Beside the 190-pixel step list a 1024-pixel window leaves the page ~830 pixels: the
    image and audio Model pages held ~870 (weights and training side by side), scrolled
    sideways and cut off their intro, the search-mode line and the training settings."""
    from automl_gui.core.models import weights
    from automl_gui.gui.pages.audio.model import AudioModelPage
    from automl_gui.gui.pages.images.model import ImageModelPage
    from automl_gui.gui.pages.tabular.model import ModelPage

    monkeypatch.setattr(weights, "find_weights", lambda *_a, **_k: None)
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    cls = {"tabular": ModelPage, "images": ImageModelPage, "audio": AudioModelPage}[name]
    page = cls(AppState())
    qtbot.addWidget(page)
    page.resize(830, 600)
    page.show()
    scroll = page.findChild(QScrollArea)

    def fits() -> bool:
        inner, bar = scroll.widget(), scroll.horizontalScrollBar()
        return inner.width() <= scroll.viewport().width() and not bar.isVisible()

    qtbot.waitUntil(fits, timeout=2000)
    page.resize(1210, 800)  # a 1400-pixel window: side by side again, still no sideways scroll
    qtbot.waitUntil(fits, timeout=2000)
    if hasattr(page, "columns"):
        assert page.columns.direction() == QBoxLayout.Direction.LeftToRight
    if hasattr(page, "wait_idle"):
        page.wait_idle()

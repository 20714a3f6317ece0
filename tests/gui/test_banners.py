"""Banners: one at a time per page, the window's banner only on the step it was raised for,
and a banner whose cause is gone goes (old error banners stacked across pages and pushed the
Train page's buttons down)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings

from automl_gui.gui.dialogs import messages
from automl_gui.gui.main_window import MainWindow
from automl_gui.gui.widgets.banner import Banner, BannerGroup


def test_a_group_shows_one_banner_and_drops_the_ones_whose_cause_is_gone(qtbot):
    first, second = Banner(), Banner()
    for banner in (first, second):
        qtbot.addWidget(banner)
    group = BannerGroup([first, second])
    first.show_message("old error")
    second.show_message("newer error")
    assert not first.active and second.active and group.current() is second
    cause = {"there": True}
    first.show_message("cannot start", gone=lambda: not cause["there"])
    assert group.current() is first and not second.active
    group.refresh()
    assert first.active  # still there
    cause["there"] = False
    group.refresh()
    assert group.current() is None and first.isHidden()
    other = BannerGroup()
    other.add(first)  # moves: the old group no longer holds it
    assert first not in group.banners and first.group is other


def write_csv(path: Path) -> str:
    rng = np.random.default_rng(1)
    pd.DataFrame({"x": rng.normal(size=40), "y": rng.choice(["a", "b"], size=40)}).to_csv(
        path, index=False
    )
    return str(path)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(messages, "show_error", lambda *a, **k: None)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, load_engine=False)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.state.target_changed, timeout=60_000):
        w.open_path(write_csv(tmp_path / "t.csv"))
    return w


def visible_banners(w: MainWindow) -> list[Banner]:
    return [b for b in w.findChildren(Banner) if b.isVisible()]


def test_the_window_banner_stays_on_its_step_and_one_shows_per_page(window, tmp_path):
    w = window
    assert not w.open_path(tmp_path / "missing.csv")  # an error raised on the Data page
    assert visible_banners(w) == [w.banner]
    assert w.go_to("train")
    train = w.train_page
    assert visible_banners(w) == []  # the Data page's error does not follow
    train.start_training()  # no engine: "Cannot start training." on the Train page
    assert visible_banners(w) == [train.error_banner]
    w.show_problem("Something on the Train page.", "A hint.")
    assert visible_banners(w) == [w.banner]  # replaced by the next
    assert w.hosts["train"].banners.current() is w.banner
    assert w.go_to("data")
    assert visible_banners(w) == []  # the Data error was replaced when the banner moved on
    assert w.go_to("train")
    assert visible_banners(w) == [w.banner]


def test_a_cannot_start_banner_goes_when_its_cause_is_gone(window, monkeypatch):
    w = window
    assert w.go_to("train")
    train = w.train_page
    reason = {"text": "The engine is still loading."}
    monkeypatch.setattr(train, "start_blocker", lambda: reason["text"])
    train.start_training()
    assert train.error_banner.isVisible()
    w.update_steps()
    assert train.error_banner.isVisible()  # still the case
    reason["text"] = ""
    w.update_steps()  # e.g. the engine became ready
    assert not train.error_banner.isVisible()

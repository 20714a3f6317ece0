"""Fitting small screens: metric cards wrap onto more rows on a narrow page instead of holding
the window wider than a 1024-pixel screen (an audio run's seven cards made the window 1085
pixels wide), and dialogs open no larger than the screen."""

from __future__ import annotations

from automl_gui.gui.widgets.metrics_view import MetricCards

SEVEN = [(f"Metric {i}", 0.5 + i / 100, f"tip {i}") for i in range(7)]


def test_seven_cards_share_one_row_when_wide_and_wrap_when_narrow(qtbot):
    cards = MetricCards()
    qtbot.addWidget(cards)
    cards.set_metrics(SEVEN)
    one_row = cards.sizeHint().width()
    cards.resize(one_row + 50, cards.sizeHint().height())
    cards.show()
    qtbot.waitUntil(lambda: cards.columns() == 7)
    one_row_height = cards.minimumSizeHint().height()

    cards.resize(one_row // 2, 200)
    qtbot.waitUntil(lambda: cards.columns() < 7)
    assert 1 <= cards.columns() <= 3
    assert cards.minimumSizeHint().width() < one_row // 3  # the window may shrink
    assert cards.minimumSizeHint().height() > one_row_height  # more rows, taller
    assert cards.heightForWidth(one_row // 2) == cards.minimumSizeHint().height()
    assert list(cards.values()) == [c for c, _, _ in SEVEN]  # every card still there


def test_new_metrics_replace_the_cards(qtbot):
    cards = MetricCards()
    qtbot.addWidget(cards)
    cards.set_metrics(SEVEN)
    cards.set_metrics([("Accuracy", 0.9, "share right")])
    assert cards.values() == {"Accuracy": "0.9000"} and cards.columns() == 1
    cards.set_metrics([])
    assert cards.values() == {} and cards.minimumSizeHint().width() == 0


def test_a_dialog_opens_no_larger_than_its_screen(qtbot):
    from PySide6.QtWidgets import QDialog

    from automl_gui.gui.widgets.screen import resize_within_screen

    dialog = QDialog()
    qtbot.addWidget(dialog)
    free = dialog.screen().availableGeometry().size()
    resize_within_screen(dialog, free.width() * 2, free.height() * 2)
    assert dialog.width() <= free.width() and dialog.height() <= free.height()
    resize_within_screen(dialog, 300, 200)  # a size that fits is kept
    assert (dialog.width(), dialog.height()) == (300, 200)

"""Fitting small screens: metric cards wrap onto more rows on a narrow page instead of holding
the window wider than a 1024-pixel screen (an audio run's seven cards made the window 1085
pixels wide), and dialogs open no larger than the screen."""

from __future__ import annotations

from automl_gui.gui.widgets.metrics_view import MetricCards

SEVEN = [
    (caption, 0.9305, "tip")
    for caption in (
        "Accuracy",
        "Top-3 accuracy",
        "F1 macro",
        "Precision macro",
        "Recall macro",
        "Log loss",
        "ROC AUC",
    )
]


def test_seven_cards_fit_a_1024_pixel_window_by_wrapping_their_captions(qtbot):
    cards = MetricCards()
    qtbot.addWidget(cards)
    cards.set_metrics(SEVEN)
    one_line = cards.sizeHint().width()  # every caption on one line
    assert cards.minimumSizeHint().width() < one_line  # captions may wrap: the row shrinks
    # the Evaluate page's column at a 1024-pixel window is about 800 pixels wide
    assert cards.minimumSizeHint().width() <= 780, cards.minimumSizeHint().width()
    cards.resize(cards.minimumSizeHint())
    cards.show()
    assert list(cards.values()) == [c for c, _, _ in SEVEN]  # every card still shown


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

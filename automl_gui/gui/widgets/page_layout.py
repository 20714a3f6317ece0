"""Layout helpers shared by the pages."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)


def page_column(
    page: QWidget, *parts: QWidget | QLayout, margins: bool = True, grow_last: bool = True
) -> QVBoxLayout:
    """Lay ``parts`` out top to bottom on ``page`` (header, banners, ..., the page's main
    stack); the last part takes the spare height when ``grow_last``. ``margins`` gives the
    pages' usual 16/12 px margins, else Qt's default."""
    layout = QVBoxLayout(page)
    if margins:
        layout.setContentsMargins(16, 12, 16, 12)
    for k, part in enumerate(parts):
        stretch = 1 if grow_last and k == len(parts) - 1 else 0
        if isinstance(part, QLayout):
            layout.addLayout(part, stretch)
        else:
            layout.addWidget(part, stretch)
    return layout


def scrolling_page(page: QWidget, *parts: QWidget | QLayout, stretch: bool = False) -> None:
    """Lay ``parts`` out top to bottom in a frameless scroll area filling ``page``.

    The page keeps the window's background (no grey scroll viewport); ``stretch`` adds a
    stretch after the parts so they stay at the top.
    """
    inner = QWidget()
    inner_layout = page_column(inner, *parts, grow_last=False)
    if stretch:
        inner_layout.addStretch(1)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(inner)
    scroll.viewport().setAutoFillBackground(False)  # keep the window's background
    inner.setAutoFillBackground(False)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(scroll)


class BusyRow(QWidget):
    """A hidden-until-busy row: progress bar, what is happening, and a Cancel button."""

    def __init__(
        self, bar_tip: str, cancel_tip: str, bar_width: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(bar_width)
        self.bar.setTextVisible(False)
        self.bar.setToolTip(bar_tip)
        self.label = QLabel()
        self.label.setProperty("role", "muted")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip(cancel_tip)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar)
        row.addWidget(self.label, 1)
        row.addWidget(self.cancel_button)
        self.hide()

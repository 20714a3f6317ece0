"""Sizes that fit the screen a window is on."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: the share of the screen's free area a dialog may take when it first opens
SHARE = 0.92


def resize_within_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` to ``width`` × ``height``, or smaller to fit its screen's free area
    (a dialog made for 1400×900 must keep its buttons on a 1024×768 screen)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        free = screen.availableGeometry().size()
        width = min(width, int(free.width() * SHARE))
        height = min(height, int(free.height() * SHARE))
    widget.resize(width, height)

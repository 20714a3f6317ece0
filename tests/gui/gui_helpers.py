"""Helpers shared by the window tests."""

from __future__ import annotations

import warnings

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from automl_gui.gui.main_window import MainWindow


def drop(window: MainWindow, path: str, target=None) -> None:
    """Drag a file URL over ``target`` (default: the window), then drop it there.

    The drag-enter goes through Qt's real dispatch (so the window must accept it); Qt only
    delivers a drop during a real drag, so the drop event is handed to the window's handler
    for that widget, as Qt would.
    """
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(path)])
    widget = target or window
    action, button = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # QPoint constructor
        enter = QDragEnterEvent(QPoint(5, 5), action, mime, button, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(5, 5), action, mime, button, Qt.KeyboardModifier.NoModifier)
    if widget is window:
        window.dropEvent(event)
    else:
        assert window.eventFilter(widget, event)
    assert event.isAccepted()

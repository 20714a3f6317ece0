"""Message boxes (the in-page banners are ``widgets/banner.py``).

Every blocking question or error box the window shows goes through the functions here, so tests
can monkeypatch them (``monkeypatch.setattr(messages, "confirm", lambda *a, **k: True)``).
Error boxes are opened with ``QMessageBox.open()`` (window-modal, no nested event loop), so
nothing here blocks a test even when it is not patched.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

_open_boxes: list[QMessageBox] = []  # keep non-modal boxes alive until closed


def show_error(parent: QWidget | None, title: str, message: str, hint: str = "") -> None:
    """Show an error box without blocking (message: what is wrong; hint: what to do)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok)
    if hint:
        box.setInformativeText(hint)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    if parent is not None:
        box.setParent(parent, box.windowFlags())
    _open_boxes.append(box)
    box.finished.connect(lambda _=0, b=box: _open_boxes.remove(b) if b in _open_boxes else None)
    box.open()


def confirm(parent: QWidget | None, title: str, question: str) -> bool:
    """Ask a yes/no question (blocking); True for Yes. Tests monkeypatch this."""
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes

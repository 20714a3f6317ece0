"""Evaluate page (skeleton; filled in shortly)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from automl_gui.gui.state import AppState


class EvaluatePage(QWidget):
    """Test-split results of the trained model."""

    name = "evaluate"
    title = "Evaluate"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.title))

    def accept_drop(self, path: str) -> bool:
        """Return True if this page handled the dropped file."""
        return False

"""Export Model dialog (skeleton; filled in shortly)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from automl_gui.gui.state import AppState


class ExportDialog(QDialog):
    """Export the trained model as .keras or SavedModel and verify the result."""

    export_done = Signal(object)  # core.export.ExportResult

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setWindowTitle("Export Model")
        QVBoxLayout(self).addWidget(QLabel("Export"))

    def export_to(self, path: str, fmt: str, overwrite: bool = False) -> None:
        """Export the current run's model to ``path`` in format ``fmt``."""

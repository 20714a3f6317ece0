"""Train page (skeleton; filled in shortly)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from automl_gui.gui.state import AppState


class TrainPage(QWidget):
    """Train the model and watch it learn."""

    training_active_changed = Signal(bool)

    name = "train"
    title = "Train"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.title))

    def accept_drop(self, path: str) -> bool:
        """Return True if this page handled the dropped file."""
        return False

    def start_training(self) -> None:
        """Start training with the state's data and settings."""

    def stop_training(self) -> None:
        """Ask the running training to stop at the next batch (keeps the best weights)."""

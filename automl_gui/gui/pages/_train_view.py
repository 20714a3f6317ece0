"""What the Train page offers the controllers that share it (the search, the checkpoints):
its widgets and public methods, so those modules need not import the page (an import
cycle) and never touch its private members."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QProgressBar, QSplitter

from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import Banner
from automl_gui.gui.widgets.live_plots import TrainingPlots


class TrainView(Protocol):
    """The Train page as its controllers see it."""

    state: AppState
    plots: TrainingPlots
    progress: QProgressBar
    log_view: QPlainTextEdit
    error_banner: Banner
    splitter: QSplitter
    status_label: QLabel

    def is_training(self) -> bool: ...

    def start_blocker(self) -> str: ...

    def start_training(self, resume: bool = False) -> None: ...

    def start_job(self, job: Any, task: str, epochs: int) -> None: ...

    def set_status(self, text: str) -> None: ...

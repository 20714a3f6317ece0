"""A study's plot as a PNG without a window (the command line): an offscreen QApplication
is made when none exists. The plot itself is :class:`automl_gui.plots.study.StudyPlot`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from automl_gui.plots.study import StudyPlot


def _quiet_offscreen(mode: Any, context: Any, message: str) -> None:
    """The offscreen platform's notice about size hints says nothing to a user; other Qt
    messages still reach stderr."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


_APP: Any = None  # the QApplication made by save_study_png (kept alive for later calls)


def save_study_png(
    result: Any, path: str | os.PathLike[str], width: int = 1200, height: int = 600
) -> Path:
    """Save ``result``'s plot as a PNG; works without a window (makes an offscreen
    QApplication if none exists, e.g. on the command line)."""
    global _APP
    if QApplication.instance() is None:
        _APP = QApplication(["automl-gui", "-platform", "offscreen"])
        qInstallMessageHandler(_quiet_offscreen)
    plot = StudyPlot()
    try:
        plot.show_result(result)
        return plot._render(Path(path), width, height)
    finally:
        plot.close()
        plot.deleteLater()

"""Start the desktop app: QApplication, style, main window, then the engine in the background."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from automl_gui import __version__
from automl_gui.core.base.resources import resource_path
from automl_gui.display_check import check_window
from automl_gui.gui import settings as app_settings


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="automl-gui", description="Open the automl-gui window.")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="open the window, load the sample dataset, wait for profiling and the engine, "
        "train it for 2 epochs, then exit 0 (1 and the reason on failure); with --no-engine "
        "it stops after profiling",
    )
    parser.add_argument(
        "--no-engine", action="store_true", help="do not load TensorFlow in the background"
    )
    parser.add_argument(
        "path",
        nargs="?",
        help="a dataset (table, image or audio folder) or a project folder to open at start",
    )
    args, _qt_args = parser.parse_known_args(argv)
    return args


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with names (for QSettings), icon and stylesheet; reused if it exists."""
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "automl-gui", *(argv or [])])
    app.setOrganizationName(app_settings.ORGANIZATION)
    app.setApplicationName(app_settings.APPLICATION)
    app.setApplicationDisplayName("automl-gui")
    app.setApplicationVersion(__version__)
    # Wayland matches the window to packaging/automl-gui.desktop (its icon and name) by this
    app.setDesktopFileName("automl-gui")
    icon = resource_path("icons", "app.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    style = resource_path("style.qss")
    if style.is_file():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app  # type: ignore[return-value]


def run_app(argv: list[str] | None = None) -> int:
    """Open the window and run the event loop; returns the exit status.

    Where Qt could not open a window (no display, or the libraries its xcb plugin needs are
    missing) it prints one line per problem, with the command that fixes it, and returns 1.
    The window is shown before TensorFlow is imported; the engine then loads in the
    background (``--no-engine`` skips it). ``--smoke-test`` loads the sample dataset, waits
    for profiling and the engine, trains the sample for 2 epochs (see ``gui/_smoke.py``) and
    exits: 0 on success.
    """
    args = _parse(list(argv or []))
    t0 = time.perf_counter()
    problems = check_window()  # before Qt, which would abort with a page of its own text
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    app = create_application()
    from automl_gui.gui.main_window import MainWindow

    settings = None
    if args.smoke_test:  # never touch the user's settings (first launch, recent files)
        from PySide6.QtCore import QSettings

        tmp = tempfile.mkdtemp(prefix="automl-gui-smoke-")
        # nor the user's data folder (checkpoints, searches): the engine's child inherits this
        os.environ[app_settings.ENV_DATA_DIR] = str(Path(tmp) / "data")
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, load_engine=not args.no_engine)
    window.show()  # the engine starts loading from the first show event, after painting
    if args.smoke_test:
        return _smoke_test(app, window, need_engine=not args.no_engine, t0=t0)
    if args.path:
        QTimer.singleShot(0, lambda: window.open_path(args.path))
    return app.exec()


def _smoke_test(app: QApplication, window: object, *, need_engine: bool, t0: float) -> int:
    """Load the sample, wait for profiling and the engine, train it briefly; 0 when it all worked.

    The training goes through the Train page (the engine's child process, as a user's run
    does). A watchdog ends the process if the event loop itself stops answering, so a broken
    bundle never hangs a build or a test.
    """
    from automl_gui.gui._smoke import SmokeTest

    return SmokeTest(app, window, need_engine=need_engine, t0=t0).run()

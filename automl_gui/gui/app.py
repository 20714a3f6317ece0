"""Start the desktop app: QApplication, style, main window, then the engine in the background."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from automl_gui import __version__
from automl_gui.gui import settings as app_settings

SMOKE_TIMEOUT_S = 120


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="automl-gui", description="Open the automl-gui window.")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="open the window, load the sample dataset, wait for profiling (and the engine "
        "unless --no-engine), then exit 0 (non-zero on failure)",
    )
    parser.add_argument(
        "--no-engine", action="store_true", help="do not load TensorFlow in the background"
    )
    parser.add_argument("path", nargs="?", help="a dataset to open at start")
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
    icon = app_settings.resource_path("icons", "app.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    style = app_settings.resource_path("style.qss")
    if style.is_file():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app  # type: ignore[return-value]


def run_app(argv: list[str] | None = None) -> int:
    """Open the window and run the event loop; returns the exit status.

    The window is shown before TensorFlow is imported; the engine then loads in the
    background (``--no-engine`` skips it). ``--smoke-test`` loads the sample dataset, waits
    for profiling (and the engine), and exits: 0 on success.
    """
    args = _parse(list(argv or []))
    t0 = time.perf_counter()
    app = create_application()
    from automl_gui.gui.main_window import MainWindow

    settings = None
    if args.smoke_test:  # never touch the user's settings (first launch, recent files)
        from PySide6.QtCore import QSettings

        tmp = tempfile.mkdtemp(prefix="automl-gui-smoke-")
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, load_engine=not args.no_engine)
    window.show()  # the engine starts loading from the first show event, after painting
    if args.smoke_test:
        return _smoke_test(app, window, need_engine=not args.no_engine, t0=t0)
    if args.path:
        QTimer.singleShot(0, lambda: window.open_path(args.path))
    return app.exec()


def _smoke_test(app: QApplication, window: object, *, need_engine: bool, t0: float) -> int:
    """Load the sample and wait for profiling (and the engine); exit code says if it worked."""
    state = window.state  # type: ignore[attr-defined]
    shown = time.perf_counter() - t0
    outcome: dict[str, str] = {}
    sample = app_settings.sample_dataset_path()
    if sample is None:
        print("smoke test: no sample dataset in resources/samples", file=sys.stderr)
        window.close()  # type: ignore[attr-defined]
        return 1

    engine = window.engine  # type: ignore[attr-defined]

    def check() -> None:
        if state.table is None or state.target is None:
            return
        if engine.error:
            outcome.setdefault("result", f"engine failed: {engine.error}")
        elif state.engine_ready or not need_engine:
            outcome.setdefault("result", "ok")
        else:
            return
        app.quit()

    def failed(message: str, hint: str) -> None:
        outcome["result"] = f"load failed: {message} {hint}"
        app.quit()

    def timeout() -> None:
        outcome.setdefault("result", "timeout")
        app.quit()

    window.data_page.load_failed.connect(failed)  # type: ignore[attr-defined]
    state.target_changed.connect(check)
    state.engine_ready_changed.connect(lambda _r: check())
    engine.failed.connect(lambda _m, _h: check())
    QTimer.singleShot(SMOKE_TIMEOUT_S * 1000, timeout)
    QTimer.singleShot(0, lambda: window.open_path(str(sample)))  # type: ignore[attr-defined]
    app.exec()
    result = outcome.get("result", "no result")
    window.close()  # type: ignore[attr-defined]
    if result != "ok":
        print(f"smoke test failed: {result}", file=sys.stderr)
        return 1
    df = state.table.df
    plan = state.hardware_plan
    device = getattr(plan, "device_label", "engine not loaded")
    print(
        f"smoke test ok: window shown in {shown:.2f} s; {state.dataset_name}: "
        f"{len(df):,} rows × {df.shape[1]} columns, target {state.target} ({state.task}); "
        f"{device}"
    )
    return 0

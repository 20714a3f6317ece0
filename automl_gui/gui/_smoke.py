"""``automl-gui --smoke-test``: proves an install (or a PyInstaller bundle) really works.

It opens the window, loads the sample table, waits for profiling and for the engine, then
trains the sample for :data:`SMOKE_EPOCHS` epochs through the Train page (the engine's child
process, the same code path as a user's run) and prints one line::

    smoke test ok: window shown in 0.41 s; customer_churn: 1,000 rows × 9 columns, target
    churned (binary); CPU …; trained 2 epochs, test accuracy 0.81 in 6.2 s

Exit status 0 then; 1 with the reason on stderr for any failure. With ``--no-engine`` it
stops after profiling (no TensorFlow, no training). Two clocks bound it: a Qt timer after
:data:`SMOKE_TIMEOUT_S` seconds, and a watchdog thread a little later that ends the process
even if the event loop itself is stuck (a modal dialog, a deadlock in a native library). An exception that no code caught (in a
Qt slot) fails the test at once.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.gui import settings as app_settings

SMOKE_EPOCHS = 2
#: Seconds for the whole test (TensorFlow's import in a fresh bundle takes most of it).
SMOKE_TIMEOUT_S = float(os.environ.get("AUTOML_GUI_SMOKE_TIMEOUT", "240"))
#: Extra seconds the watchdog thread gives the event loop before ending the process.
WATCHDOG_GRACE_S = 30.0


class SmokeTest:
    """One run of the smoke test against a shown :class:`MainWindow`."""

    def __init__(self, app: QApplication, window: Any, *, need_engine: bool, t0: float) -> None:
        self.app = app
        self.window = window
        self.state = window.state
        self.need_engine = need_engine
        self.t0 = t0
        self.shown = time.perf_counter() - t0
        self.outcome: str | None = None
        self.train_started = 0.0
        self.train_seconds = 0.0
        self._watchdog_done = threading.Event()

    # -- the steps --------------------------------------------------------------------------
    def run(self) -> int:
        sample = app_settings.sample_dataset_path()
        if sample is None:
            return self._fail("no sample dataset in the app's resources/samples folder")
        self._start_watchdog()
        previous_hook = sys.excepthook
        sys.excepthook = self._on_uncaught  # an error in a slot fails at once, not at timeout
        try:
            state, window = self.state, self.window
            window.data_page.load_failed.connect(
                lambda message, hint: self._finish(f"loading the sample failed: {message} {hint}")
            )
            state.target_changed.connect(self._check_ready)
            state.engine_ready_changed.connect(lambda _ready: self._check_ready())
            window.engine.failed.connect(lambda _m, _h: self._check_ready())
            QTimer.singleShot(round(SMOKE_TIMEOUT_S * 1000), self._timeout)
            QTimer.singleShot(0, lambda: window.open_path(str(sample)))
            self.app.exec()
            return self._report()
        finally:
            sys.excepthook = previous_hook
            self._watchdog_done.set()

    def _on_uncaught(self, exc_type: Any, exc: BaseException, tb: Any) -> None:
        """An exception nothing caught (in a Qt slot): print it and fail the test."""
        traceback.print_exception(exc_type, exc, tb)
        self._finish(f"an uncaught error in the app: {exc_type.__name__}: {exc}")

    def _check_ready(self) -> None:
        """Once the sample is profiled and the engine is up: train (or end, without engine)."""
        state = self.state
        if self.outcome is not None or self.train_started:
            return
        if state.loaded(TABULAR) is None or state.target is None:
            return
        if self.window.engine.error:
            return self._finish(f"the engine failed to load: {self.window.engine.error}")
        if not self.need_engine:
            return self._finish("ok")
        if state.engine_ready:
            QTimer.singleShot(0, self._start_training)

    def _start_training(self) -> None:
        if self.outcome is not None or self.train_started:
            return
        page, state = self.window.train_page, self.state
        state.training.epochs = SMOKE_EPOCHS
        state.search = None  # a plain training run, never a search
        reason = page.start_blocker()
        if reason:
            return self._finish(f"training cannot start: {reason}")
        self.train_started = time.perf_counter()
        page.start_training()
        worker = page.worker
        if worker is None:
            return self._finish("training did not start (the Train page started no job)")
        worker.failed.connect(
            lambda message, hint: self._finish(f"training failed: {message} {hint}")
        )
        worker.cancelled.connect(lambda: self._finish("training was cancelled"))
        # the end of the job, after the page has taken the run (the window would refuse to
        # close while it still counts as training)
        worker.done.connect(self._on_training_done)

    def _on_training_done(self) -> None:
        self.train_seconds = time.perf_counter() - self.train_started
        if self.state.run is None:
            return self._finish("training ended without a run")
        self._finish("ok")

    def _timeout(self) -> None:
        where = "training" if self.train_started else "loading the sample or the engine"
        self._finish(f"no result after {SMOKE_TIMEOUT_S:.0f} s (stuck while {where})")

    def _finish(self, outcome: str) -> None:
        if self.outcome is None:
            self.outcome = outcome
        # exit(), not quit(): Qt's quit() asks the windows first and a busy one may refuse
        QTimer.singleShot(0, lambda: self.app.exit(0))

    # -- the end ----------------------------------------------------------------------------
    def _report(self) -> int:
        outcome = self.outcome or "the event loop ended without a result"
        state = self.state
        self._close()
        if outcome != "ok":
            return self._fail(outcome)
        df = state.loaded(TABULAR).df
        device = getattr(state.hardware_plan, "device_label", "engine not loaded")
        line = (
            f"smoke test ok: window shown in {self.shown:.2f} s; {state.dataset_name}: "
            f"{len(df):,} rows × {df.shape[1]} columns, target {state.target} ({state.task}); "
            f"{device}"
        )
        if self.need_engine:
            line += "; " + self._training_summary()
        print(line, flush=True)
        return 0

    def _training_summary(self) -> str:
        run = self.state.run
        result = getattr(run, "result", None)
        epochs = getattr(result, "epochs_run", SMOKE_EPOCHS)
        metrics = (getattr(run, "report", None) or {}).get("metrics", {})
        if "accuracy" in metrics:
            score = f"test accuracy {float(metrics['accuracy']):.3f}"
        elif "r2" in metrics:
            score = f"test R² {float(metrics['r2']):.3f}"
        else:
            score = "no test metric"
        return f"trained {epochs} epochs, {score} in {self.train_seconds:.1f} s"

    def _close(self) -> None:
        """Close the window without questions: the smoke test's work is not the user's."""
        mark_saved = getattr(self.state, "mark_saved", None)
        if callable(mark_saved):
            mark_saved()
        self.window.close()

    @staticmethod
    def _fail(reason: str) -> int:
        print(f"smoke test failed: {reason}", file=sys.stderr, flush=True)
        return 1

    def _start_watchdog(self) -> None:
        limit = SMOKE_TIMEOUT_S + WATCHDOG_GRACE_S

        def watch() -> None:
            if not self._watchdog_done.wait(limit):
                print(
                    f"smoke test failed: the app stopped answering ({limit:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )
                os._exit(1)

        threading.Thread(target=watch, name="smoke-watchdog", daemon=True).start()

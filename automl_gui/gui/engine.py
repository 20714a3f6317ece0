"""Load the engine (TensorFlow + the hardware plan) in the background after the window shows.

Importing TensorFlow takes seconds, so the window never waits for it: :class:`EngineLoader`
runs the import, device discovery and plan in a :class:`JobWorker` and reports the plan to
:meth:`AppState.set_engine_ready`. Nothing here imports tensorflow at module level.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from automl_gui.core.base.events import CancelToken, Progress, emit
from automl_gui.gui.state import AppState
from automl_gui.gui.workers import JobWorker


def load_engine_job(
    on_event: Any = None, cancel: CancelToken | None = None, force_cpu: bool = False
) -> dict[str, Any]:
    """Import TensorFlow, find devices, choose and apply a plan (runs in a worker thread).

    Returns:
        ``{"plan": HardwarePlan, "devices": list}``.
    """
    from automl_gui.core import hardware
    from automl_gui.core.base import lazy

    emit(on_event, Progress("engine", None, "Loading TensorFlow…"))
    lazy.tf()
    emit(on_event, Progress("engine", None, "Looking for devices…"))
    devices = hardware.list_devices()
    plan = hardware.plan_for(devices, force_cpu=force_cpu)
    hardware.apply_plan(plan)
    # Training runs in a warm child process so it never competes with the window for the
    # interpreter lock (see core/process.py); it imports TensorFlow on its own meanwhile.
    from automl_gui.core.jobs.process import EngineProcess

    process = EngineProcess()
    process.start()
    return {"plan": plan, "devices": list(devices), "process": process}


class EngineLoader(QObject):
    """Runs :func:`load_engine_job` once and keeps what it found for the About box."""

    failed = Signal(str, str)  # message, hint

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._worker: JobWorker | None = None
        self._started = False
        self.devices: list[Any] = []
        self.error: str = ""
        self.force_cpu = False

    def start(self) -> None:
        """Start loading (no-op when already started)."""
        if self._started:
            return
        self._started = True
        self._state.status.emit("Loading the engine (TensorFlow)…")
        force_cpu = self.force_cpu

        def job(on_event: Any, cancel: Any) -> dict[str, Any]:
            return load_engine_job(on_event, cancel, force_cpu=force_cpu)

        self._worker = JobWorker(job, self)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.done.connect(self._on_done)
        self._worker.start()

    def _on_done(self) -> None:
        self._worker = None  # it deletes itself

    @property
    def started(self) -> bool:
        return self._started

    def is_running(self) -> bool:
        return self._worker is not None and self._worker.is_running()

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the loader thread ends (used when quitting during the import)."""
        return self._worker.wait(msecs) if self._worker is not None else True

    def _on_finished(self, result: Any) -> None:
        self.devices = list(result.get("devices", []))
        self._state.engine_process = result.get("process")
        plan = result.get("plan")
        self._state.set_engine_ready(True, plan)
        label = getattr(plan, "device_label", "CPU")
        self._state.status.emit(f"Engine ready: {label}")

    def set_force_cpu(self, force_cpu: bool) -> None:
        """Plan for the CPU only (or for the GPUs again) from the next training on.

        The training process restarts when idle: a process whose runtime already started on a
        GPU cannot hide it any more.
        """
        self.force_cpu = force_cpu
        if not self._state.engine_ready or not self.devices:
            return  # the loader picks the setting up when it runs
        from automl_gui.core.hardware import plan_for

        plan = plan_for(self.devices, force_cpu=force_cpu)
        process = self._state.engine_process
        if process is not None and not self._state.training_active:
            process.close()
            process.start()
        self._state.set_engine_ready(True, plan)
        self._state.status.emit(f"Training plan: {plan.reason}")

    def close(self) -> None:
        """Stop the engine process (the window is closing)."""
        process, self._state.engine_process = self._state.engine_process, None
        if process is not None:
            process.close()

    def _on_failed(self, message: str, hint: str) -> None:
        self.error = f"{message} {hint}".strip()
        self._state.set_engine_ready(False, None)
        self._state.status.emit(f"Engine failed to load: {message}")
        self.failed.emit(message, hint)

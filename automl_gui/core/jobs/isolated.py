"""Where a job runs: the one place that chooses the engine process or the calling thread.

:func:`run_isolated` runs ``job(request, on_event=..., cancel=...)`` in an
:class:`~automl_gui.core.jobs.process.EngineProcess`; :func:`run_job` does that when there is
an engine process and calls the job in this thread otherwise (the command line, the window
started with ``--no-engine``, tests).

The trained model crosses the process boundary as a ``.keras`` file (Keras models do not
pickle): the child saves it into a temporary folder, the run returns without it and the model
is loaded back here in safe mode; the folder is removed either way.
"""

from __future__ import annotations

import importlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from automl_gui.core.base.events import CancelToken, EventCallback
    from automl_gui.core.jobs.process import EngineProcess

R = TypeVar("R")
Job = Callable[..., R]  # job(request, *, on_event, cancel) -> a Run (or a search's run)


def job_name(job: Callable[..., Any]) -> str:
    """``"package.module:function"`` for a module-level job (how the child finds it)."""
    name = f"{job.__module__}:{job.__qualname__}"
    if "<" in name or "." in job.__qualname__:
        raise TypeError(f"{name} is not a module-level function: the engine process cannot run it")
    return name


def run_isolated(
    engine_process: EngineProcess,
    job: Job[R],
    request: Any,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> R:
    """``job(request, on_event=..., cancel=...)`` in ``engine_process``; same result, events
    and errors as calling it here (the model comes back as a ``.keras`` file, safe mode)."""
    from automl_gui.core.export.bundle import load_keras_model

    workdir = Path(tempfile.mkdtemp(prefix="automl-gui-run-"))
    try:
        model_path = workdir / "model.keras"
        kwargs = {"job": job_name(job), "request": request, "model_path": str(model_path)}
        run = engine_process.run(
            "automl_gui.core.jobs.isolated:_in_child", kwargs, on_event=on_event, cancel=cancel
        )
        if model_path.exists():  # a job without a model (a study) sends its result only
            run.model = load_keras_model(model_path)
        return run
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_job(
    job: Job[R],
    request: Any,
    *,
    engine_process: EngineProcess | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> R:
    """Run ``job`` in ``engine_process`` when there is one (so training never competes with
    the window for the interpreter lock), else in the calling thread."""
    if engine_process is not None:
        return run_isolated(engine_process, job, request, on_event=on_event, cancel=cancel)
    return job(request, on_event=on_event, cancel=cancel)


def _in_child(
    *,
    job: str,
    request: Any,
    model_path: str,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """The engine process's side of :func:`run_isolated`: the model travels as a file; the
    prepared split stays here (the caller needs the test predictions only). A result with no
    model (a study's) returns as it is."""
    module, name = job.split(":")
    run = getattr(importlib.import_module(module), name)(request, on_event=on_event, cancel=cancel)
    if getattr(run, "model", None) is not None:
        run.model.save(model_path)
        run.model = None
        run.prepared = None
    return run

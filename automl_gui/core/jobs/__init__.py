"""Long jobs: one signature, one Run type, one way to run a job in the engine process.

A job is ``job(request, *, on_event, cancel) -> Run``: :func:`train` with a
:class:`TrainRequest` trains any kind of data; :func:`run_job` runs a job in the engine
process when there is one, else in the calling thread (:func:`run_isolated` always in the
process). Heavy modules load on first attribute access.
"""

from automl_gui.core.base._exports import lazy_exports

_EXPORTS = {
    "Run": "run",
    "save_run": "run",
    "TrainRequest": "requests",
    "train": "requests",
    "run_isolated": "isolated",
    "run_job": "isolated",
    "EngineProcess": "process",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

"""Events that long jobs in core report, and the token that cancels them.

A long job takes ``on_event: Callable[[Event], None] | None`` and ``cancel: CancelToken | None``.
It calls ``on_event`` from whatever thread it runs on; the GUI worker re-emits events as Qt
signals, the CLI prints them. Events are small frozen dataclasses holding plain Python values
(floats, ints, str, dicts of those), never tensors, so they cross threads safely.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from automl_gui.core.base.errors import CancelledError


class CancelToken:
    """A thread-safe flag a UI sets and a job polls (each batch, each chunk)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise CancelledError()


@dataclass(frozen=True)
class Event:
    """Base class of all job events."""


@dataclass(frozen=True)
class Progress(Event):
    """Coarse progress of a stage: ``fraction`` in [0, 1] or None when unknown."""

    stage: str
    fraction: float | None = None
    message: str = ""


@dataclass(frozen=True)
class Log(Event):
    """A line for the log view / console."""

    message: str
    level: str = "info"  # "info" | "warning"


@dataclass(frozen=True)
class PhaseChanged(Event):
    """Training entered a new phase (e.g. "train", "fine-tune"); plots mark it."""

    phase: str
    epoch: int


@dataclass(frozen=True)
class BatchEnd(Event):
    """Throttled (~10/s) batch-level report. ``epoch`` is 0-based, ``step`` 0-based."""

    epoch: int
    step: int
    steps: int
    logs: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class EpochEnd(Event):
    """One epoch done. ``epoch`` is 0-based; ``logs`` hold loss, metrics, val_*, ``lr``.

    ``elapsed`` is seconds since training began, ``eta`` the estimated seconds left.
    """

    epoch: int
    epochs: int
    logs: dict[str, float] = field(default_factory=dict)
    elapsed: float = 0.0
    eta: float | None = None


@dataclass(frozen=True)
class Finished(Event):
    """The job ended normally (also after a Stop, with ``result`` holding the best model)."""

    result: Any = None


@dataclass(frozen=True)
class Failed(Event):
    """The job failed; ``message`` and ``hint`` come from :func:`errors.describe`."""

    message: str
    hint: str = ""


@dataclass(frozen=True)
class TrialStarted(Event):
    """An AutoML search began a trial: its id (as in the leaderboard) and hyperparameters."""

    trial: str
    hyperparameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TrialEnded(Event):
    """A search trial ended; ``record`` is its ``core.tune.space.TrialRecord`` (leaderboard row).

    The running trial's EpochEnd events come between its TrialStarted and TrialEnded.
    """

    record: Any


@dataclass(frozen=True)
class StudyRowStarted(Event):
    """A comparison study began one of its trainings (``index`` of ``total``), e.g. "adam"."""

    index: int
    total: int
    label: str


@dataclass(frozen=True)
class StudyRowEnded(Event):
    """A comparison study finished one training; ``row`` is its ``core.tune.studies.StudyRow``.

    The training's EpochEnd events come between its StudyRowStarted and StudyRowEnded.
    """

    row: Any


EventCallback = Callable[[Event], None]


def emit(on_event: EventCallback | None, event: Event) -> None:
    """Call ``on_event`` if given (helper so jobs need not check for None)."""
    if on_event is not None:
        on_event(event)

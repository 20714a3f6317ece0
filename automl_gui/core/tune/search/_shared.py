"""What the chief and the workers of a search across processes share through the search
folder (besides Keras Tuner's gRPC oracle): each trial's leaderboard row, each process's
heartbeat and the chief's state. Every file has one writer and is written atomically, so a
folder on a network file system shared by several hosts works.

``records/<trial>.json``: the row of a trial, written by the worker that runs it (as it
starts and as it ends). ``cluster/<tuner id>.json``: a worker's heartbeat (a counter it
increases every second, and the trial it runs). ``cluster/chief.json``: the chief's state
(its session token, a heartbeat counter, the seconds left for trials and for the search,
``stop``: Stop was pressed on the chief, ``over``: the oracle gives no more trials). Each
process judges another's heartbeat by its own clock (when the counter last changed), so
hosts' clocks need not agree.

Private to :mod:`automl_gui.core.tune.search`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from automl_gui.core.cluster.search_role import VARIABLES, SearchRole
from automl_gui.core.tune.search.saved import write_json
from automl_gui.core.tune.search.space import TrialRecord

RECORDS = "records"
CLUSTER = "cluster"
CHIEF_FILE = "chief.json"
BEAT_SECONDS = 1.0  # how often heartbeats are written
#: seconds without a heartbeat after which a worker (or the chief) counts as gone; the
#: environment variable sets another (a shared folder on a slow network file system)
TIMEOUT_VARIABLE = "AUTOML_SEARCH_WORKER_TIMEOUT"
DEFAULT_TIMEOUT = 30.0


def silence_timeout() -> float:
    """Seconds without a heartbeat before a process counts as gone."""
    try:
        value = float(os.environ.get(TIMEOUT_VARIABLE, ""))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value >= 2 * BEAT_SECONDS else DEFAULT_TIMEOUT


@contextlib.contextmanager
def tuner_environment(role: SearchRole | None) -> Iterator[None]:
    """Keras Tuner reads its KERASTUNER_* variables from ``os.environ`` while it builds and
    runs a tuner: set them to ``role``'s (None: remove them, so a stray variable never turns
    a one-machine search into a client of some oracle), and put back what was there."""
    before = {name: os.environ.get(name) for name in VARIABLES}
    wanted = role.environment() if role is not None else {}
    try:
        for name in VARIABLES:
            if name in wanted:
                os.environ[name] = wanted[name]
            else:
                os.environ.pop(name, None)
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def clear(folder: Path) -> None:
    """Remove the rows and heartbeats of an earlier session (the chief, before it serves:
    the rows of finished trials are in its leaderboard)."""
    shutil.rmtree(folder / RECORDS, ignore_errors=True)
    shutil.rmtree(folder / CLUSTER, ignore_errors=True)
    (folder / CLUSTER).mkdir(parents=True, exist_ok=True)
    (folder / RECORDS).mkdir(parents=True, exist_ok=True)


def write_record(folder: Path, record: TrialRecord) -> None:
    """A worker's row of one of its trials."""
    (folder / RECORDS).mkdir(parents=True, exist_ok=True)
    write_json(folder / RECORDS / f"{record.trial_id}.json", record.to_dict())


def write_state(folder: Path, name: str, state: dict[str, Any]) -> None:
    """A process's heartbeat or state file, ``cluster/<name>.json``."""
    (folder / CLUSTER).mkdir(parents=True, exist_ok=True)
    write_json(folder / CLUSTER / f"{name}.json", state)


def read_state(folder: Path, name: str) -> dict[str, Any] | None:
    """``cluster/<name>.json`` (None: missing or being replaced)."""
    try:
        data = json.loads((folder / CLUSTER / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class RecordFiles:
    """The rows the workers wrote, read again only when a file changed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / RECORDS
        self._seen: dict[str, tuple[int, int]] = {}

    def changed(self) -> list[TrialRecord]:
        """Rows whose file changed since the last call (unreadable ones wait for the next)."""
        rows = []
        try:
            paths = sorted(self.folder.glob("*.json"))
        except OSError:
            return []
        for path in paths:
            try:
                stat = path.stat()
                key = (stat.st_mtime_ns, stat.st_size)
                if self._seen.get(path.name) == key:
                    continue
                record = TrialRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                continue
            self._seen[path.name] = key
            rows.append(record)
        return rows


class Silence:
    """When each heartbeat counter last changed, by this process's clock."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[Any, float]] = {}

    def seen(self, name: str, beat: Any, now: float) -> None:
        last = self._last.get(name)
        if last is None or last[0] != beat:
            self._last[name] = (beat, now)

    def quiet_for(self, name: str, now: float) -> float | None:
        """Seconds since ``name``'s counter changed (None: never seen)."""
        last = self._last.get(name)
        return None if last is None else now - last[1]

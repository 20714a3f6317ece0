"""A search's folder: the files it keeps, written atomically and read without TensorFlow.

The search (``search.py``, ``_trials.py``) writes them; the window reads them to offer an
unfinished search back, and both read them to resume. ``tuner/`` (Keras Tuner's project) and
``weights/`` live beside these files.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from automl_gui.core.base.files import atomic_write
from automl_gui.core.base.json_read import read_json
from automl_gui.core.tune.search.space import TrialRecord

LEADERBOARD_FILE = "leaderboard.json"  # every trial's row, rewritten as trials start and end
CONFIG_FILE = "search.json"  # the SearchConfig the search began with
FINISHED_FILE = "finished.json"  # written when a search ended without Stop or a crash
PROJECT = "tuner"  # Keras Tuner's project folder
TRAIN_ON_PHASE = "train on"  # PhaseChanged before the kept model trains on after the trials


def write_json(path: Path, data: Any) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    text = json.dumps(data, indent=1, default=str)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def read_config(folder: Path) -> dict[str, Any]:
    """The settings the search in ``folder`` began with (OSError/ValueError if unreadable)."""
    data = read_json(Path(folder) / CONFIG_FILE)
    if not isinstance(data, dict):
        raise ValueError(f"{CONFIG_FILE} holds no settings")
    return data


def finished_records(folder: Path) -> list[TrialRecord]:
    """The leaderboard rows of trials that ended (the interrupted one runs again on resume).

    Raises:
        OSError / ValueError: the leaderboard is missing or unreadable.
    """
    rows = read_json(Path(folder) / LEADERBOARD_FILE)
    if not isinstance(rows, list):
        raise ValueError(f"{LEADERBOARD_FILE} holds no rows")
    try:
        return [TrialRecord.from_dict(r) for r in rows if r.get("status") != "running"]
    except (TypeError, AttributeError) as exc:
        raise ValueError(f"{LEADERBOARD_FILE} has an unknown row ({exc})") from exc


def unfinished_trials(folder: Path) -> int:
    """Finished trials of the unfinished search in ``folder`` (0: none to continue)."""
    if (Path(folder) / FINISHED_FILE).exists():
        return 0
    try:
        return len(finished_records(folder))
    except (OSError, ValueError):
        return 0


def mark_finished(folder: Path, best_trial: str | None) -> None:
    """Write the marker saying the search in ``folder`` ended (nothing left to continue)."""
    data = {"best_trial": best_trial, "finished": time.strftime("%Y-%m-%d %H:%M:%S")}
    try:
        write_json(Path(folder) / FINISHED_FILE, data)
    except OSError:
        pass  # the folder went away: nothing to offer back either

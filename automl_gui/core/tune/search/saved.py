"""A search's folder: the files it keeps, written atomically and read without TensorFlow.

The search (``tables.py``, ``files.py``, ``_tuner.py``) writes them; the window reads them to
offer an unfinished search back, and both read them to resume. ``tuner/`` (Keras Tuner's
project) and ``weights/`` live beside these files; a search across processes adds
``records/`` (each trial's row, written by the worker that ran it) and ``cluster/`` (the
heartbeats and the chief's state, ``_shared``). The leaderboard stays the chief's alone.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.files import atomic_write
from automl_gui.core.base.json_read import read_json
from automl_gui.core.tune.search.space import NOT_TRIALS, SearchConfig, TrialRecord

#: every trial's row, rewritten as trials start and end; the baselines' rows join it when the
#: search ends (the Train page of a reopened project shows it)
LEADERBOARD_FILE = "leaderboard.json"
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
        return sum(r.status not in NOT_TRIALS for r in finished_records(folder))
    except (OSError, ValueError):
        return 0


def saved_best(folder: Path) -> str | None:
    """The trial a finished search in ``folder`` kept (None: unfinished, none, unreadable)."""
    try:
        data = read_json(Path(folder) / FINISHED_FILE)
    except (OSError, ValueError):
        return None
    best = data.get("best_trial") if isinstance(data, dict) else None
    return best if isinstance(best, str) else None


def mark_finished(folder: Path, best_trial: str | None) -> None:
    """Write the marker saying the search in ``folder`` ended (nothing left to continue)."""
    data = {"best_trial": best_trial, "finished": time.strftime("%Y-%m-%d %H:%M:%S")}
    try:
        write_json(Path(folder) / FINISHED_FILE, data)
    except OSError:
        pass  # the folder went away: nothing to offer back either


@contextlib.contextmanager
def search_folder(directory: str | Path | None, *, resume: bool) -> Iterator[Path]:
    """The folder a search keeps its state in: ``directory``, or (None) a temporary folder
    removed when the search ends (there is nothing to resume then)."""
    if directory is not None:
        yield Path(directory)
        return
    if resume:
        raise ConfigError("There is no search folder to resume.", "Give the search directory.")
    folder = Path(tempfile.mkdtemp(prefix="automl-search-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def open_folder(
    folder: Path, search: SearchConfig, *, resume: bool, overwrite: bool
) -> list[TrialRecord]:
    """Check the folder against resume/overwrite; return the kept leaderboard rows."""
    board = folder / LEADERBOARD_FILE
    saved = folder / CONFIG_FILE
    if resume and board.exists():
        try:
            old = read_config(folder)
            records = finished_records(folder)
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"The search in {folder} cannot be read ({exc}).", "Start a new search."
            ) from exc
        old_cv = (old.get("cross_validation", "auto"), old.get("folds", 0))
        if old_cv != (search.cross_validation, search.folds):
            raise ConfigError(
                f"The search in {folder} scored its trials with cross-validation "
                f"'{old_cv[0]}' ({old_cv[1] or 'automatic'} folds); it cannot continue with "
                f"'{search.cross_validation}' ({search.folds or 'automatic'} folds).",
                "Resume with the same cross-validation settings, or start a new search.",
            )
        if old.get("algorithm") != search.algorithm or old.get("objective") != search.objective:
            raise ConfigError(
                f"The search in {folder} used {old.get('algorithm')} on "
                f"{old.get('objective')}; it cannot continue as {search.algorithm} on "
                f"{search.objective}.",
                "Resume with the same algorithm and objective, or start a new search.",
            )
        # the interrupted trial runs again: its row comes back when it ends; the baselines
        # and the average (saved with the finished board) are made again at the end
        return [r for r in records if r.status not in NOT_TRIALS]
    if not resume and (board.exists() or (folder / PROJECT).exists()):
        if not overwrite:
            raise ConfigError(
                f"{folder} already holds a search.",
                "Resume it, choose another folder, or allow overwriting it.",
            )
        shutil.rmtree(folder / PROJECT, ignore_errors=True)
        shutil.rmtree(folder / "weights", ignore_errors=True)
        board.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    write_json(saved, search.to_dict())
    return []

"""Per-epoch training checkpoints, so a training killed mid-way can resume from its last epoch.

A checkpoint folder holds, for one job:

- ``weights-<phase>-<epoch>.weights.h5``: the model's weights after that epoch;
- ``optimizer-<phase>-<epoch>.npz``: the optimizer's variables (step count, learning rate,
  moments) in ``optimizer.variables`` order;
- ``best-<phase>-<epoch>.npz``: the best epoch's weights so far (``model.get_weights()``
  order), when the trainer keeps the best weights;
- ``phase1.weights.h5``: an image/audio job's weights at the end of its head phase, while it
  fine-tunes (kept for "fine-tuning did not help: keep phase 1");
- ``checkpoint.json`` (:data:`STATE_FILE`): what the files are and where training stood.

Each file is written under a temporary name and renamed into place, the state file LAST and
then the files it no longer names are deleted: a kill at any moment leaves a state file that
names complete files (or no state file). A job that ends in any way but a crash (completed,
early stopping, Stop, time budget, NaN) marks the state ``finished`` and deletes the weights.

The reading side (:func:`read_checkpoint`, :func:`clear_checkpoint`, :func:`fingerprint`,
the identities) needs neither TensorFlow nor Keras; :class:`EpochCheckpointer` calls methods
of the model it is given and numpy only. Loading a checkpoint into a model for a resumed fit
is in ``_resume`` (``Trainer`` calls it).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import math
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.events import EpochEnd, EventCallback, Log, emit
from automl_gui.core.base.files import atomic_write, parse_temp_name
from automl_gui.core.base.json_read import read_json

STATE_FILE = "checkpoint.json"
VERSION = 1
PHASE1_WEIGHTS = "phase1.weights.h5"
#: the files a checkpoint writes (anything else in its folder is never touched)
_OWN_FILE = re.compile(
    r"^(weights-.+\.weights\.h5|optimizer-.+\.npz|best-.+\.npz|phase1\.weights\.h5"
    r"|\.tmp-.+|\..+\.tmp-\d+-\d+)$"
)


class CheckpointMismatchError(ConfigError):
    """Resuming was asked for, but the unfinished checkpoint was made with other data or
    settings. The checkpoint is left as it was; the front end asks (window) or refuses (CLI)."""


@dataclass
class CheckpointInfo:
    """What a checkpoint folder says about its (unfinished) training.

    Args:
        folder: the checkpoint folder.
        fingerprint: hash of the dataset identity and the job's settings (:func:`fingerprint`).
        kind: "tabular", "images" or "audio".
        phase: "train" (one phase), "head" or "fine-tune" (image/audio backbones).
        epochs_done: epochs finished in this phase (Keras' ``initial_epoch`` on resume).
        epochs_total: epochs planned in this phase.
        updated: when the state was last written (ISO 8601, UTC).
        finished: the job ended (not by a crash): nothing to resume.
        history: this phase's per-epoch values, as the trainer's ``TrainResult.history``.
        best_epoch: this phase's best epoch (0-based, -1: none yet).
        best_value: its monitored value (val_loss, else loss).
        data_id: the dataset's identity (:func:`table_identity`, :func:`files_identity`).
        epoch_offset: epochs run in earlier phases (shown epochs count on from there).
        epochs_after: epochs planned in later phases.
        seconds: training time so far in this phase (a time budget continues from it).
        weights, optimizer, best_weights: this checkpoint's file names in ``folder``.
        extra: what the job needs to resume a later phase (the head phase's result).
    """

    folder: str
    fingerprint: str
    kind: str
    phase: str
    epochs_done: int
    epochs_total: int
    updated: str
    finished: bool
    history: dict[str, list[float]]
    best_epoch: int
    best_value: float | None
    data_id: str = ""
    epoch_offset: int = 0
    epochs_after: int = 0
    seconds: float = 0.0
    weights: str = ""
    optimizer: str = ""
    best_weights: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def epoch_shown(self) -> int:
        """The last finished epoch as the user counts them (1-based, all phases)."""
        return self.epochs_done + self.epoch_offset

    @property
    def total_shown(self) -> int:
        return self.epochs_total + self.epoch_offset + self.epochs_after

    def age(self, now: _dt.datetime | None = None) -> str:
        """'just now', '12 min ago', '3 h ago' or the date and time for older ones."""
        try:
            when = _dt.datetime.fromisoformat(self.updated)
        except (TypeError, ValueError):
            return "at an unknown time"
        if when.tzinfo is None:
            when = when.replace(tzinfo=_dt.UTC)
        now = now or _dt.datetime.now(_dt.UTC)
        seconds = max(0.0, (now - when).total_seconds())
        if seconds < 60:
            return "just now"
        if seconds < 3600:
            return f"{int(seconds // 60)} min ago"
        if seconds < 48 * 3600:
            return f"{int(seconds // 3600)} h ago"
        return "on " + when.astimezone().strftime("%Y-%m-%d %H:%M")

    def describe(self, now: _dt.datetime | None = None) -> str:
        """The banner line: "Training was interrupted after epoch 7 of 50 (12 min ago)."."""
        return (
            f"Training was interrupted after epoch {self.epoch_shown} of {self.total_shown} "
            f"({self.age(now)})."
        )


# -- reading (no TensorFlow) ------------------------------------------------------------------
def read_state(folder: str | os.PathLike[str]) -> CheckpointInfo | None:
    """The folder's state as written, finished or not (None: none or unreadable)."""
    path = Path(folder) / STATE_FILE
    try:
        raw = read_json(path)
        if not isinstance(raw, dict) or raw.get("version") != VERSION:
            return None
        names = set(CheckpointInfo.__dataclass_fields__)
        values = {k: v for k, v in raw.items() if k in names}
        values["folder"] = str(Path(folder))
        info = CheckpointInfo(**values)
        info.history = {str(k): [float(x) for x in v] for k, v in dict(info.history).items()}
        info.epochs_done, info.epochs_total = int(info.epochs_done), int(info.epochs_total)
        return info
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def read_checkpoint(folder: str | os.PathLike[str] | None) -> CheckpointInfo | None:
    """The folder's unfinished checkpoint; None when there is none, it finished, it cannot be
    read or a file it names is missing. Never raises."""
    if folder is None:
        return None
    info = read_state(folder)
    if info is None or info.finished or info.epochs_done < 1 or not info.weights:
        return None
    root = Path(folder)
    needed = [info.weights, info.optimizer, info.best_weights]
    needed += [str(name) for name in info.extra.get("files", [])]
    if not all((root / name).is_file() for name in needed if name):
        return None
    return info


def clear_checkpoint(folder: str | os.PathLike[str] | None) -> None:
    """Delete the checkpoint's own files (state, weights, optimizer, temporaries) and the
    folder if that leaves it empty; any other file in it stays."""
    if folder is None:
        return
    root = Path(folder)
    with contextlib.suppress(OSError):
        (root / STATE_FILE).unlink(missing_ok=True)
    _delete_own_files(root, keep=())
    with contextlib.suppress(OSError):
        root.rmdir()  # only when empty


def _delete_own_files(root: Path, keep: tuple[str, ...] | set[str]) -> None:
    try:
        entries = list(root.iterdir())
    except OSError:
        return
    for entry in entries:
        ours = _OWN_FILE.match(entry.name) or parse_temp_name(entry.name) is not None
        if entry.name in keep or not ours:
            continue
        with contextlib.suppress(OSError):
            entry.unlink()


def fingerprint(*parts: Any) -> str:
    """A stable hash of the dataset identity and the settings dicts (JSON, sorted keys)."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def table_identity(df: Any) -> str:
    """A hash of a table's columns, types and values (the same table gives the same id)."""
    digest = hashlib.sha256()
    digest.update(repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode("utf-8"))
    digest.update(str(df.shape).encode("utf-8"))
    try:
        import pandas as pd

        values = pd.util.hash_pandas_object(df, index=True).to_numpy()
        digest.update(np.ascontiguousarray(values).tobytes())
    except (TypeError, ValueError):  # unhashable cells: fall back to their text
        digest.update(df.to_csv(index=False).encode("utf-8", "replace"))
    return digest.hexdigest()[:24]


def files_identity(dataset: Any) -> str:
    """A hash of an image/audio dataset's root and its files (path, label, fixed split)."""
    items = [(i.path, i.label, getattr(i, "split", None)) for i in dataset.items]
    return fingerprint(str(getattr(dataset, "root", "")), items)


def replay_history(
    on_event: EventCallback | None,
    history: dict[str, list[float]],
    *,
    epoch_offset: int,
    total: int,
    seconds: float,
) -> None:
    """EpochEnd events for epochs run before a resume, so live plots show the whole curve."""
    n = max((len(v) for v in history.values()), default=0)
    for i in range(n):
        logs = {k: float(v[i]) for k, v in history.items() if i < len(v)}
        elapsed = seconds * (i + 1) / n if n else 0.0
        emit(on_event, EpochEnd(i + epoch_offset, total, logs, elapsed=elapsed, eta=None))


# -- writing (called with a Keras model) ------------------------------------------------------
class EpochCheckpointer:
    """Writes a job's checkpoint at the end of every epoch (see the module docstring).

    Args:
        folder: the checkpoint folder (created).
        fingerprint: :func:`fingerprint` of the dataset identity and the settings.
        kind: "tabular", "images" or "audio".
        data_id: the dataset's identity (lets the window match a checkpoint to its data).

    The job sets the phase before each fit (:meth:`set_phase`); the trainer calls
    :meth:`save` after every epoch (through ``callbacks.make_checkpoint_callback``), and the
    job calls :meth:`finish` when it ends without crashing.
    """

    def __init__(
        self, folder: str | os.PathLike[str], fingerprint: str, kind: str, data_id: str = ""
    ) -> None:
        self.folder = Path(folder)
        self.fingerprint = fingerprint
        self.kind = kind
        self.data_id = data_id
        self.phase = "train"
        self.epoch_offset = 0
        self.epochs_after = 0
        self.extra: dict[str, Any] = {}
        self._best_file = ""
        self._best_epoch_saved: int | None = None
        self.folder.mkdir(parents=True, exist_ok=True)

    def set_phase(
        self,
        phase: str,
        *,
        epoch_offset: int = 0,
        epochs_after: int = 0,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """The phase the next fit belongs to, how epochs are counted, and what it needs."""
        self.phase = phase
        self.epoch_offset = int(epoch_offset)
        self.epochs_after = int(epochs_after)
        if extra is not None:
            self.extra = dict(extra)
        self._best_file, self._best_epoch_saved = "", None

    def continue_from(self, info: CheckpointInfo) -> None:
        """Resuming ``info``: keep its best-weights file until a better epoch replaces it."""
        self._best_file = info.best_weights
        self._best_epoch_saved = info.best_epoch if info.best_weights else None

    def save_phase_weights(self, model: Any) -> str:
        """Keep ``model``'s weights as the head phase's result (while fine-tuning)."""
        self._write_weights(model, PHASE1_WEIGHTS)
        return PHASE1_WEIGHTS

    def save(self, model: Any, bridge: Any, epochs_total: int, seconds: float) -> None:
        """The checkpoint after an epoch: weights, optimizer, best weights, then the state."""
        done = int(bridge.epochs_run)
        if done < 1 or bridge.nan:
            return
        tag = f"{_safe(self.phase)}-{done:04d}"
        weights = f"weights-{tag}.weights.h5"
        self._write_weights(model, weights)
        optimizer = f"optimizer-{tag}.npz"
        opt = getattr(model, "optimizer", None)
        arrays = [np.asarray(v.numpy()) for v in getattr(opt, "variables", [])]
        self._write_arrays(optimizer, arrays)
        best_weights = getattr(bridge, "best_weights", None)
        if best_weights is not None and bridge.best_epoch != self._best_epoch_saved:
            name = f"best-{tag}.npz"
            self._write_arrays(name, [np.asarray(w) for w in best_weights])
            self._best_file, self._best_epoch_saved = name, bridge.best_epoch
        best_value = float(bridge.best_value)
        state = {
            "version": VERSION,
            "fingerprint": self.fingerprint,
            "kind": self.kind,
            "phase": self.phase,
            "epochs_done": done,
            "epochs_total": int(epochs_total),
            "updated": _now(),
            "finished": False,
            "history": {k: [float(x) for x in v] for k, v in bridge.history.items()},
            "best_epoch": int(bridge.best_epoch),
            "best_value": best_value if math.isfinite(best_value) else None,
            "data_id": self.data_id,
            "epoch_offset": self.epoch_offset,
            "epochs_after": self.epochs_after,
            "seconds": round(float(seconds), 3),
            "weights": weights,
            "optimizer": optimizer,
            "best_weights": self._best_file,
            "extra": self.extra,
        }
        self._write_state(state)
        keep = {weights, optimizer, self._best_file, *self.extra.get("files", [])}
        _delete_own_files(self.folder, keep={k for k in keep if k})

    def finish(self) -> None:
        """The job ended (not a crash): mark the state finished and delete the weights."""
        info = read_state(self.folder)
        if info is None:  # no epoch was saved: nothing to mark
            clear_checkpoint(self.folder)
            return
        state = asdict(info)
        state.pop("folder", None)
        state.update(
            version=VERSION,
            kind=state.get("kind", self.kind),
            finished=True,
            updated=_now(),
            weights="",
            optimizer="",
            best_weights="",
            extra={k: v for k, v in (state.get("extra") or {}).items() if k != "files"},
        )
        with contextlib.suppress(OSError):
            self._write_state(state)
        _delete_own_files(self.folder, keep=())

    # -- files ---------------------------------------------------------------------------------
    def _write_weights(self, model: Any, name: str) -> None:
        # Keras wants the .weights.h5 end
        atomic_write(self.folder / name, lambda tmp: model.save_weights(str(tmp)), keep_suffix=True)

    def _write_arrays(self, name: str, arrays: list[np.ndarray]) -> None:
        def write(tmp: Path) -> None:
            with open(tmp, "wb") as handle:
                np.savez(handle, *arrays)

        atomic_write(self.folder / name, write)

    def _write_state(self, state: dict[str, Any]) -> None:
        def write(tmp: Path) -> None:
            with open(tmp, "w", encoding="utf-8") as handle:
                json.dump(state, handle, indent=1)
                handle.flush()
                os.fsync(handle.fileno())

        atomic_write(self.folder / STATE_FILE, write)


def prepare_checkpoint(
    folder: str | os.PathLike[str],
    fp: str,
    kind: str,
    *,
    data_id: str = "",
    resume: bool = False,
    on_event: EventCallback | None = None,
) -> tuple[EpochCheckpointer, CheckpointInfo | None]:
    """A job's checkpointer for ``folder`` and the checkpoint to resume (or None).

    With ``resume`` and an unfinished checkpoint of the same fingerprint, that checkpoint is
    returned. One made with other data or settings cannot continue with these: with
    ``resume`` that raises :class:`CheckpointMismatchError` and the checkpoint is kept (the
    user asked to continue; silently discarding it would lose the interrupted training).
    Without ``resume`` the folder's old checkpoint is cleared and training starts afresh.
    """
    existing = read_checkpoint(folder)
    if resume and existing is not None and existing.fingerprint == fp:
        checkpointer = EpochCheckpointer(folder, fp, kind, data_id)
        checkpointer.continue_from(existing)
        return checkpointer, existing
    if existing is not None:
        where = f"after epoch {existing.epoch_shown} of {existing.total_shown}"
        if resume:
            raise CheckpointMismatchError(
                f"The unfinished training in {folder} ({where}) was made with other data or "
                "settings; it cannot continue with these.",
                "Use the data and settings it was made with to resume it, or train without "
                "resuming (on the command line: leave out --resume), which discards it.",
            )
        emit(on_event, Log(f"Discarded an unfinished training in {folder} ({where})."))
    elif resume:
        emit(
            on_event,
            Log(f"No unfinished training to resume in {folder}: training starts afresh."),
        )
    clear_checkpoint(folder)
    return EpochCheckpointer(folder, fp, kind, data_id), None


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", text) or "train"


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")

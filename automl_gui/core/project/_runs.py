"""A project's run folders: write one atomically, rebuild the run object from one.

A run folder (``runs/<id>``) holds what the window needs to show the run again exactly and
to export it: ``model.keras``, ``metadata.json``, ``report.json`` (a model bundle, the files
:func:`~automl_gui.core.export.bundle.save_bundle` writes), ``samples.npy`` (image/audio
runs), ``run.json`` (history, training summary, diagnosis, notices, phases, the run's class)
and ``test_predictions.parquet``. It is written into a temporary folder beside it and renamed
into place, so a kill never leaves a half-written ``runs/<id>``.

``run.json`` also names the project that wrote the folder (``"project"``: the project's id):
a save deletes or replaces only run folders it can tell are its own
(:mod:`automl_gui.core.project._owner`), which matters when ``runs/`` is a link to a folder
on another disk that other things share. A run's folder is found *lexically* from the
project (:func:`run_path`: no ``..``, no absolute path), so links inside the project are
followed for reading.

TensorFlow is imported only by :func:`load_run` (to load the model); writing needs only the
model object's ``save``. Re-exported by :mod:`automl_gui.core.project`.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import asdict, fields
from pathlib import Path, PurePosixPath
from typing import Any

from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.base.files import TEMP_TAG, atomic_write
from automl_gui.core.export.outputs import RUN_FORMAT
from automl_gui.core.jobs.run import Run
from automl_gui.core.kinds import kind_named
from automl_gui.core.project._json import MB, JsonProblem, read_json
from automl_gui.core.project._records import apply_edits
from automl_gui.core.train.history_csv import HISTORY_FILE, read_history

RUN_FILE = "run.json"
#: a project folder's project file, and the ending of any project file
PROJECT_FILE = "project.automl.json"
PROJECT_SUFFIX = ".automl.json"
#: the folder of a project holding one folder per run
RUNS_DIR = "runs"
PREDICTIONS_FILE = "test_predictions.parquet"
RUN_FORMAT_VERSION = 1
#: a run id, which is also its folder's name under runs/
RUN_ID_RE = re.compile(r"^run-\d{1,9}$")
#: temp folders and backups commit_dir/temp_dir_beside (and a save deleting a run) leave
#: beside runs/<id> when killed: the app's naming only (``files.temp_name``)
_TEMP_RE = re.compile(rf"^\.run-\d{{1,9}}\.(tmp|old)-{TEMP_TAG}-\d")
#: run.json, metadata.json, report.json: larger or deeper ones are not this app's
MAX_RUN_FILE_BYTES = 64 * MB
MAX_RUN_FILE_DEPTH = 100


class ProjectError(ConfigError):
    """A project cannot be read or written as asked (message says what, hint what to do)."""


def is_temp_name(name: str) -> bool:
    """True for the temporary folder or backup name of a run folder write
    (``.run-001.tmp-automl-gui-PID-…``, ``.run-001.old-automl-gui-PID``)."""
    return bool(_TEMP_RE.match(name))


# -- paths --------------------------------------------------------------------------------------
def folder_parts(relative: Any) -> tuple[str, ...] | None:
    """The parts of a run's folder as the project file names it ("runs/run-003"), or None when
    it is not a path inside the project: not text, empty, absolute, a drive, or with ``..``.

    Lexical on purpose: a ``runs/`` that is a link (to a bigger disk) stays inside the
    project, as the user meant it to."""
    if not isinstance(relative, str) or not relative or "\x00" in relative:
        return None
    path = PurePosixPath(relative.replace("\\", "/"))
    parts = tuple(p for p in path.parts if p != ".")
    if path.is_absolute() or not parts or ".." in parts or ":" in parts[0]:
        return None
    return parts


def run_path(root: Path, relative: Any) -> Path | None:
    """``root / relative`` when ``relative`` names a folder inside the project (see
    :func:`folder_parts`), else None. Links on the way are followed when it is read."""
    parts = folder_parts(relative)
    return root.joinpath(*parts) if parts else None


def run_owner(folder: Path) -> str:
    """The id of the project that wrote the run folder (its run.json's ``"project"``); ""
    when unknown: written before projects had ids, no run.json, or one that is damaged."""
    try:
        saved = read_json(folder / RUN_FILE, MAX_RUN_FILE_BYTES, MAX_RUN_FILE_DEPTH)
    except (OSError, JsonProblem):
        return ""
    owner = saved.get("project") if isinstance(saved, dict) else None
    return owner if isinstance(owner, str) else ""


def mark_owner(folder: Path, project_id: str, *, atomic: bool = False) -> None:
    """Name ``project_id`` as the writer in ``folder``'s run.json (a copy being made; with
    ``atomic``, a saved run folder: the file is replaced in one rename)."""
    from automl_gui.core.export.bundle import write_json

    try:
        saved = read_json(folder / RUN_FILE, MAX_RUN_FILE_BYTES, MAX_RUN_FILE_DEPTH)
    except (OSError, JsonProblem):
        saved = None
    if not isinstance(saved, dict):
        if atomic and os.path.lexists(folder / RUN_FILE):
            return  # a damaged run.json is left as it is (its bytes may be saved by hand)
        saved = {"format": RUN_FORMAT, "version": RUN_FORMAT_VERSION}
    if not atomic:
        write_json(folder / RUN_FILE, {**saved, "project": project_id})
        return
    owned = {**saved, "project": project_id}
    atomic_write(folder / RUN_FILE, lambda tmp: write_json(tmp, owned), durable=True)


# -- writing ------------------------------------------------------------------------------------
def _fsync_tree(folder: Path) -> None:
    """Flush every file of ``folder`` to disk (so the rename that follows publishes data)."""
    if os.name == "nt":
        return
    for path in [*folder.rglob("*"), folder]:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


def _like_parent(tmp: Path) -> None:
    """Give the temp folder (created private) the permissions of the folder it goes into."""
    try:
        os.chmod(tmp, tmp.parent.stat().st_mode & 0o777)
    except OSError:
        pass


def _frame_for_parquet(df: Any) -> Any:
    """A copy parquet can hold: text column names, object columns as text (missing kept)."""
    import pandas as pd

    out = df.copy()
    out.columns = [str(c) for c in out.columns]
    for name in out.columns:
        if out[name].dtype == object:
            out[name] = [None if _missing(v) else str(v) for v in out[name]]
    return out if isinstance(out, pd.DataFrame) else pd.DataFrame(out)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT, pd.NA-like
    except (TypeError, ValueError):
        return False


def run_summary(run: Any) -> dict[str, Any]:
    """What ``run.json`` holds: history, training summary, diagnosis, notices, phases, class."""
    from automl_gui.core.export.bundle import jsonable

    result = getattr(run, "result", None)
    if hasattr(result, "summary"):
        summary = result.summary()
    else:
        summary = dict(result or {}) if isinstance(result, dict) else {}
    diagnosis = getattr(run, "diagnosis", None)
    if diagnosis is not None and hasattr(diagnosis, "__dataclass_fields__"):
        diagnosis = asdict(diagnosis)
    return jsonable(
        {
            "format": RUN_FORMAT,
            "version": RUN_FORMAT_VERSION,
            "class": "Run",
            "kind": (getattr(run, "metadata", None) or {}).get("kind", "tabular"),
            "history": dict(getattr(run, "history", None) or {}),
            "result": summary,
            "diagnosis": diagnosis,
            "notices": list(getattr(run, "notices", None) or []),
            "phases": [list(p) for p in getattr(run, "phases", None) or []],
        }
    )


def save_run_folder(run: Any, folder: str | os.PathLike[str], *, project_id: str = "") -> None:
    """Write ``run`` (a :class:`~automl_gui.core.jobs.run.Run`) into ``folder`` atomically.

    The files go to a temporary folder beside ``folder`` that is renamed into place
    (replacing an older folder of that name). Needs only ``run.model.save(path)``.
    ``project_id``: the project writing it, named in run.json (written first, so that even a
    half-written temporary folder says whose it is).

    Raises:
        ProjectError: the folder cannot be written (disk full, no permission).
        ModelError: the model cannot be saved.
    """
    import numpy as np

    from automl_gui.core.export.bundle import (
        METADATA_FILE,
        MODEL_FILE,
        REPORT_FILE,
        SAMPLES_FILE,
        serving_model_of,
        write_json,
    )

    out = Path(folder).expanduser().absolute()
    if getattr(run, "model", None) is None:
        raise ModelError(
            f"The run for {out.name} has no model to save.", "Train it again, then save."
        )

    def fill(tmp: Path) -> None:
        summary = run_summary(run)
        if project_id:
            summary["project"] = project_id
        write_json(tmp / RUN_FILE, summary)
        try:
            serving_model_of(run.model).save(tmp / MODEL_FILE)
        except OSError:
            raise
        except Exception as exc:  # noqa: BLE001 - Keras raises many types
            raise ModelError(
                f"Could not save the model of {out.name}: {exc}", "Train it again, then save."
            ) from None
        write_json(tmp / METADATA_FILE, getattr(run, "metadata", None) or {})
        write_json(tmp / REPORT_FILE, getattr(run, "report", None) or {})
        samples = getattr(run, "samples", None)
        if samples is not None:
            np.save(tmp / SAMPLES_FILE, np.asarray(samples, dtype=np.float32))
        predictions = getattr(run, "test_predictions", None)
        if predictions is not None:
            _frame_for_parquet(predictions).to_parquet(tmp / PREDICTIONS_FILE)

    _write_folder(out, fill, f"write the run folder {out}")


def _write_folder(out: Path, fill: Any, what: str) -> None:
    """Fill a temp folder beside ``out`` (``fill(tmp)``), fsync it and rename it onto ``out``;
    an OSError becomes a ProjectError saying it could not ``what``."""
    from automl_gui.core.export.bundle import commit_dir, temp_dir_beside

    try:
        tmp = temp_dir_beside(out)
    except OSError as exc:
        raise ProjectError(
            f"Could not write into {out.parent}: {exc.strerror or exc}.",
            "Choose a folder you can write to, with free space.",
        ) from None
    try:
        fill(tmp)
        _fsync_tree(tmp)
        _like_parent(tmp)
        commit_dir(tmp, out, overwrite=True, project_checked=True)
    except OSError as exc:
        raise ProjectError(
            f"Could not {what}: {exc.strerror or exc}.",
            "Check the free disk space and that you can write to the project folder.",
        ) from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def copy_run_folder(src: Path, out: Path, project_id: str = "") -> None:
    """Copy a saved run folder to ``out`` atomically (Save As into another folder); the copy
    names ``project_id`` as its writer."""

    def fill(tmp: Path) -> None:
        shutil.copytree(src, tmp, dirs_exist_ok=True)
        if project_id:
            mark_owner(tmp, project_id)

    _write_folder(out, fill, f"copy the run folder {src.name} to {out.parent}")


# -- loading ------------------------------------------------------------------------------------
def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = read_json(path, MAX_RUN_FILE_BYTES, MAX_RUN_FILE_DEPTH)
    except (OSError, JsonProblem) as exc:
        raise ProjectError(
            f"The {what} of run folder {path.parent.name} is damaged ({exc}).",
            "Delete this run from the run history and train it again.",
        ) from None
    if not isinstance(data, dict):
        raise ProjectError(
            f"The {what} of run folder {path.parent.name} is damaged.",
            "Delete this run from the run history and train it again.",
        )
    return data


def _floats(values: Any) -> list[float]:
    return [float("nan") if v is None else float(v) for v in values or []]


def _train_result(history: dict[str, list[float]], summary: dict[str, Any]) -> Any:
    from automl_gui.core.train.result import TrainResult

    known = {f.name for f in fields(TrainResult)} - {"history"}
    values = {k: v for k, v in (summary or {}).items() if k in known and v is not None}
    return TrainResult(history=history, **values)


def _diagnosis(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return None
    from automl_gui.core.train.diagnostics import Diagnosis

    known = {f.name for f in fields(Diagnosis)}
    try:
        return Diagnosis(**{k: v for k, v in raw.items() if k in known})
    except TypeError:
        return None


def load_run(project_folder: str | os.PathLike[str], record: Any) -> Run:
    """Rebuild the run object of ``record`` from its folder in ``project_folder``.

    Returns the :class:`~automl_gui.core.jobs.run.Run` (``prepared`` is None), the model
    loaded in Keras safe mode. ``test_predictions`` is None for a folder without them
    (projects migrated from format 1).

    Raises:
        ProjectError: the folder or its metadata is missing or damaged.
        ModelError: the model file is missing, damaged or unsafe.
    """
    from automl_gui.core.export.bundle import METADATA_FILE

    root = Path(project_folder).expanduser().absolute()
    if root.name.endswith(".automl.json") and not root.is_dir():
        root = root.parent
    relative = getattr(record, "folder", None) or f"{RUNS_DIR}/{record.id}"
    folder = run_path(root, relative)
    label = getattr(record, "name", "") or record.id
    if folder is None:
        raise ProjectError(
            f"The run '{label}' points outside its project ({relative}).",
            "The project file was edited by hand; delete this run from the run history.",
        )
    if not folder.is_dir():
        raise ProjectError(
            f"The folder of run '{label}' is missing ({relative}).",
            "Put the folder back (is a disk not connected, or was it moved?): the run comes "
            "back with it. Or delete this run from the run history.",
        )
    if not (folder / METADATA_FILE).is_file():
        raise ProjectError(
            f"metadata.json is missing in the folder of run '{label}' ({relative}).",
            "Delete this run from the run history and train it again.",
        )
    return read_run_folder(folder, record, label)


def read_run_folder(folder: Path, record: Any = None, label: str = "") -> Run:
    """The run object of a run folder holding metadata.json (see :func:`load_run`);
    ``record``'s edits, history, summary and phases fill in what the folder lacks.

    Raises:
        ProjectError: its metadata, report, run.json or test predictions are damaged, or
            it is of a kind this version does not know.
        ModelError: the model file is missing, damaged or unsafe.
    """
    import numpy as np

    from automl_gui.core.export.bundle import (
        LEGACY_SAMPLES_FILE,
        METADATA_FILE,
        MODEL_FILE,
        REPORT_FILE,
        SAMPLES_FILE,
        load_keras_model,
    )

    label = label or folder.name
    metadata = _read_json(folder / METADATA_FILE, "metadata.json")
    report = (
        _read_json(folder / REPORT_FILE, "report.json") if (folder / REPORT_FILE).is_file() else {}
    )
    saved = _read_json(folder / RUN_FILE, "run.json") if (folder / RUN_FILE).is_file() else {}
    # what was chosen after training (a threshold, slices): the record's, over the folder's
    apply_edits(getattr(record, "edits", None), metadata, report)
    model = load_keras_model(folder / MODEL_FILE)

    # a run folder the command line wrote has no run.json: its curves are in history.csv
    raw_history = (
        saved.get("history")
        or getattr(record, "history", None)
        or read_history(folder / HISTORY_FILE)
    )
    history = {str(k): _floats(v) for k, v in raw_history.items()}
    summary = (
        saved.get("result")
        or getattr(record, "summary", None)
        or metadata.get("training_result")
        or {}
    )
    result = _train_result(history, summary)
    diagnosis = _diagnosis(saved.get("diagnosis"))
    notices = [str(n) for n in saved.get("notices") or []]
    phases = [tuple(p) for p in saved.get("phases") or getattr(record, "phases", None) or []]
    predictions = None
    if (folder / PREDICTIONS_FILE).is_file():
        import pandas as pd

        try:
            predictions = pd.read_parquet(folder / PREDICTIONS_FILE)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many types
            raise ProjectError(
                f"The test predictions of run '{label}' are damaged ({exc}).",
                "Delete this run from the run history and train it again.",
            ) from None
    stored = str(metadata.get("kind") or saved.get("kind") or "tabular")
    try:
        kind = kind_named(stored)
    except ConfigError:
        raise ProjectError(
            f"The run '{label}' is of an unknown kind '{stored}'.",
            "It was saved by a newer version of the app; update the app to open it.",
        ) from None
    samples = None
    for name in (SAMPLES_FILE, LEGACY_SAMPLES_FILE) if kind.file_based else ():
        if (folder / name).is_file():
            try:
                samples = np.load(folder / name, allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise ProjectError(
                    f"The sample inputs of run '{label}' are damaged ({exc}).",
                    "Delete this run from the run history and train it again.",
                ) from None
            break
    return Run(
        model=model,
        metadata=metadata,
        report=report,
        history=history,
        result=result,
        test_predictions=predictions,
        diagnosis=diagnosis,
        notices=notices,
        phases=phases,
        samples=samples,
    )

"""A project: a folder with a versioned JSON file and one sub-folder per kept training run.

Layout of a project folder::

    project.automl.json     the project file (PROJECT_FILE): settings, dataset reference, runs
    runs/<run id>/          one per run: model.keras, metadata.json, report.json, run.json,
                            test_predictions.parquet (and samples.npy for image/audio runs)
    search/                 the AutoML search of this project (resumable)
    checkpoints/            per-epoch checkpoints of the training in progress (crash resume)
    .project.automl.json.saving   only while a save runs (or after one was killed): the run
                            folders it writes and deletes (:mod:`._project_save`)

This module is TensorFlow-free and Qt-free: the window and the command line use it. The
data classes are the seam between the engine and the window; the functions that read and
write them are below them (run folders: :mod:`automl_gui.core.project._runs`).

Saving is crash-safe: new run folders are written to a temporary folder beside
``runs/<id>`` and renamed into place, then the project file is written to a temporary file,
fsynced and renamed over the old one (and the folder fsynced). A kill at any moment leaves
the previous project file or the new one, never half of one, and never a ``runs/<id>`` folder
that is half written. Stale temporary files of a crashed save are removed by the next save.

Nothing lost: a save deletes a run folder only when this project removed the run (the file it
replaces lists the run, the project saved does not), or when a save that did not finish
wrote or was deleting it (:mod:`._project_save`). A run whose folder is missing when the
project is opened (a disk not connected yet, a folder moved away for a while) stays listed,
with a notice, and comes back with its folder; its folder is never deleted when it is back.
Each project has an ``id`` and every run folder it writes names it (run.json), so a save
removes or replaces only run folders it wrote (:mod:`._project_owner`). Links are
followed for reading and writing: ``runs/`` linked to a folder on a bigger disk holds the
new runs too, and a linked project file is written through the link; a linked ``runs/<id>``
is never followed to delete. Saving as a new project into a folder that holds another one is
refused: a project file is replaced only by data loaded from it or saved to it
(``ProjectData.opened_from``) or of its id. Reading is strict (:func:`._project_format.read_project_file`): a file larger than
64 MB, nested deeper than 64 levels, with a key written twice or a field of the wrong type
is a :class:`ProjectError`, never a half-read project whose next save loses runs.

Format history (``"format": "automl-gui-project"``, ``"version": N``); :data:`MIGRATIONS`
takes a file one version up, :func:`migrate` all the way to :data:`FORMAT_VERSION`:

- v1: ``{"format", "version": 1, "dataset_path": str, "kind": str, "target", "task",
  "settings": {"preprocess", "mlp", "training", "image_preprocess", "image_model",
  "audio_preprocess", "audio_model"}, "last_run": {"folder": "model", "history", "metrics"}
  | null}`` (optional "name", "created", "saved"): one model folder, flat settings. The
  migrated run keeps ``model/`` as its folder (it is referenced, never moved or copied).
- v2: the fields of :class:`ProjectData` except ``search`` and ``ui``; ``"dataset": {"path",
  "kind"}``; runs without ``summary``, ``phases`` and ``note``.
- v3: ``ProjectData.to_dict()`` plus ``"format"`` (``notices`` are not stored). ``"id"`` was
  added within v3 (older v3 files have none: they get one when saved; older apps ignore it).
  Each kind's settings had fields of their own: ``mlp``, ``image_preprocess``,
  ``image_model``, ``audio_preprocess``, ``audio_model``.
- v4: those five fields are one ``"settings": {kind name: {"preprocess": {...}, "model":
  {...}}}``, so a new kind of data adds no field and no format step (a table's preprocessing
  stays at the top, beside its target: it is built for one table).
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import automl_gui.core.project._format as _format
from automl_gui.core.project._format import (
    FORMAT_VERSION,
    MIGRATIONS,
    PROJECT_FORMAT,
    migrate,
    plain,
    read_project_file,
    write_json_atomic,
)
from automl_gui.core.project._import import OpenedRun, open_run_folder
from automl_gui.core.project._owner import (
    check_runs_link,
    claim,
    claimable,
    note_missing_runs,
    origin_of,
    real_file,
    take_id,
    tidy_folder,
)
from automl_gui.core.project._records import RunRecord, now_iso, record_for_run, sync_edits
from automl_gui.core.project._runs import (
    PROJECT_FILE,
    PROJECT_SUFFIX,
    RUN_ID_RE,
    RUNS_DIR,
    ProjectError,
    load_run,
    save_run_folder,
)
from automl_gui.core.project._save import (
    check_ids,
    finish,
    journal_path,
    listed_after,
    plan_runs,
    read_before,
    read_journal,
    removable,
    runs_to_delete,
    taken_names,
    write_journal,
    write_planned,
)

SEARCH_DIR = "search"
CHECKPOINTS_DIR = "checkpoints"

__all__ = [
    "CHECKPOINTS_DIR",
    "FORMAT_VERSION",
    "MIGRATIONS",
    "PROJECT_FILE",
    "PROJECT_FORMAT",
    "PROJECT_SUFFIX",
    "RUNS_DIR",
    "RUN_ID_RE",
    "SEARCH_DIR",
    "OpenedRun",
    "ProjectData",
    "ProjectError",
    "RunRecord",
    "is_project",
    "load_project",
    "load_run",
    "migrate",
    "next_run_id",
    "now_iso",
    "open_run_folder",
    "project_file",
    "record_for_run",
    "save_project",
    "save_run_folder",
]


@dataclass
class ProjectData:
    """Everything a project file holds (the window's state, as plain JSON values).

    Args:
        name: the project's name (the folder's name by default).
        kind: "tabular", "images" or "audio"; None for an empty project.
        dataset: {"path": absolute path, "kind": ..., plus for tables "sheet"/"options" the
            loader needs} or None.
        target, task: the table's target column and task (tables), None otherwise.
        preprocess: PreprocessConfig as a dict (tables) or None.
        settings: each kind's kept settings, ``{kind name: {"preprocess": dict, "model":
            dict}}`` (the config objects' ``to_dict()``; a table's model only: its
            preprocessing is ``preprocess``, built for one table).
        training: the TrainConfig dict.
        search: SearchConfig dict, or None when "train one model" is chosen.
        runs: every kept run, oldest first (a run whose folder was missing when the project
            was opened included: it is kept, and comes back with its folder).
        current_run: the id of the run Evaluate/Predict/Export use, or None.
        ui: {"page": step name, ...} what the window showed.
        created, saved: ISO times.
        id: the project's identity, named by every run folder it writes ("" until saved; a
            Save As into another folder makes a new project with a new id).
        version: the format version this data is in (FORMAT_VERSION after loading).
        opened_from: the project file it was loaded from or last saved to (never stored): a
            save replaces a project file only with the project it is (this, or its ``id``).
    """

    name: str = ""
    kind: str | None = None
    dataset: dict[str, Any] | None = None
    target: str | None = None
    task: str | None = None
    preprocess: dict[str, Any] | None = None
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    search: dict[str, Any] | None = None
    runs: list[RunRecord] = field(default_factory=list)
    current_run: str | None = None
    ui: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    saved: str = ""
    id: str = ""
    version: int = FORMAT_VERSION
    #: what :func:`load_project` wants the user to know (a dropped run...); never stored
    notices: list[str] = field(default_factory=list)
    opened_from: str = field(default="", repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The stored values (JSON-ready; ``notices`` and ``opened_from`` are left out)."""
        data = asdict(self)
        data.pop("notices", None)
        data.pop("opened_from", None)
        data["runs"] = [r.to_dict() for r in self.runs]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProjectData:
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["runs"] = [RunRecord.from_dict(r) for r in data.get("runs") or []]
        values.pop("notices", None)
        values.pop("opened_from", None)
        return cls(**values)

    def run(self, run_id: str | None) -> RunRecord | None:
        """The record with ``run_id`` (None when absent)."""
        return next((r for r in self.runs if r.id == run_id), None)


def next_run_id(existing: list[str], project: str | os.PathLike[str] | None = None) -> str:
    """The next free id "run-001", "run-002", ... after the highest in ``existing``; with
    ``project`` (its folder or file), also one no folder in its runs/ has and no unfinished
    save was writing (an id a save would have to refuse: see :func:`._project_save.taken_names`)."""
    numbers = [int(x[4:]) for x in existing if x.startswith("run-") and x[4:].isdigit()]
    taken = set(existing)
    if project is not None:
        root, target = _folder_and_file(project)
        taken |= taken_names(root, target.name)
    number = (max(numbers) if numbers else 0) + 1
    while f"run-{number:03d}" in taken:
        number += 1
    return f"run-{number:03d}"


# -- paths --------------------------------------------------------------------------------------
def project_file(path: str | os.PathLike[str]) -> Path:
    """The project file of ``path``: a project folder's PROJECT_FILE, a ``*.automl.json`` itself."""
    p = Path(path).expanduser()
    if p.name.endswith(PROJECT_SUFFIX) and not p.is_dir():
        return p
    return p / PROJECT_FILE


def is_project(path: str | os.PathLike[str]) -> bool:
    """True for a folder holding PROJECT_FILE, or for such a file."""
    p = Path(path).expanduser()
    try:
        return project_file(p).is_file()
    except OSError:
        return False


def _folder_and_file(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    p = Path(path).expanduser().absolute()
    if p.name.endswith(PROJECT_SUFFIX) and not p.is_dir():
        return p.parent, p
    return p, p / PROJECT_FILE


# -- saving -------------------------------------------------------------------------------------
def save_project(
    folder: str | os.PathLike[str],
    data: ProjectData,
    run_objects: dict[str, Any] | None = None,
    *,
    source: str | os.PathLike[str] | None = None,
) -> Path:
    """Write the project into ``folder`` (created if needed); returns the project file path.

    Every run whose folder is not on disk yet (or that was never saved: ``record.folder`` is
    None) is written from ``run_objects[record.id]``; with ``source`` (the project folder it
    was opened from: Save As), a run missing here is copied from there when it has no object.
    ``record.folder`` becomes ``"runs/<id>"``. A saved run whose folder is missing and that
    has no object stays listed as it is (its folder may come back). Then the project file is
    replaced atomically (through a link, if it is one), and the run folders of runs this
    project removed (listed in the file it replaces, not in ``data``) go, with what saves
    that did not finish left; never any other file (see :mod:`._project_save` and
    :mod:`._project_owner`). Updates ``data.saved``, ``created``, ``version``, ``name`` and
    ``id`` (a new one for a Save As).

    Raises:
        ProjectError: a run never saved has no object, a run id is not a valid folder name,
            the folder cannot be written, it holds another project, a run would be written
            over a link or a folder this project did not write or does not list, or the
            project file or ``runs/`` is a link to nothing. Nothing is written then, unless
            writing itself fails (disk full): the previous project file stays.
    """
    root, target = _folder_and_file(folder)
    objects = run_objects or {}
    src = Path(source).expanduser().absolute() if source is not None else None
    if src is not None and src.name.endswith(PROJECT_SUFFIX) and not src.is_dir():
        src = src.parent
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProjectError(
            f"Could not create the project folder {root}: {exc.strerror or exc}.",
            "Choose a folder you can write to.",
        ) from None
    if target.parent != root:
        raise ProjectError(f"{target} is not in {root}.", "Save the project into its folder.")
    real = real_file(target)
    runs = root / RUNS_DIR
    check_runs_link(runs)
    check_ids(data.runs)
    for record in data.runs:  # a threshold chosen or slices computed since the run was saved
        if objects.get(record.id) is not None:
            sync_edits(record, objects[record.id])
    elsewhere = src is not None and src.resolve() != root.resolve()
    before = read_before(real)
    journal = journal_path(root, target.name)
    pending = read_journal(journal)
    resumed = pending.project if pending and pending.digest == before.digest else ""
    here = origin_of(real)
    project_id = take_id(root, data, elsewhere, before, resumed, data.opened_from == here)
    may_go = removable(before, pending, project_id)
    mine = claimable(runs, before.listed)  # an older version's runs it lists: its own
    plans = plan_runs(
        root, data.runs, objects, src if elsewhere else None, project_id, may_go, mine
    )
    doomed = runs_to_delete(runs, listed_after(data.runs, plans), may_go, project_id, mine)
    writing = [p.out.name for p in plans if p.writes]
    if writing or doomed or mine:
        write_journal(journal, project_id, before.digest, writing, doomed)
    claim(runs, mine, project_id)
    write_planned(plans, project_id)
    data.id, data.opened_from = project_id, here
    data.version = FORMAT_VERSION
    data.saved = now_iso()
    if not data.created:
        data.created = data.saved
    if not data.name:
        data.name = (
            root.name[: -len(PROJECT_SUFFIX)] if root.name.endswith(PROJECT_SUFFIX) else root.name
        )
    raw = {"format": PROJECT_FORMAT, **plain(data.to_dict())}
    try:
        write_json_atomic(real, raw, _format.MAX_PROJECT_BYTES)
    except OSError as exc:
        raise ProjectError(
            f"Could not write the project file {target}: {exc.strerror or exc}.",
            "Check that the disk is not full and that you can write to this folder; "
            "the previous project file is unchanged.",
        ) from None
    files = sorted({(root, target.name), (real.parent, real.name), (root, journal.name)})
    tidy_folder(files, runs, project_id)
    finish(journal, runs, doomed, project_id)
    return target


# -- loading ------------------------------------------------------------------------------------
def load_project(path: str | os.PathLike[str]) -> ProjectData:
    """Read a project folder (or its ``*.automl.json`` file), migrated to FORMAT_VERSION.

    A run whose folder is missing stays in the project (its folder may come back: a disk not
    connected yet, a folder moved away), with a sentence in ``notices``; the current run is
    then the last run that is there.

    Raises:
        ProjectError: not found, not a project, damaged (see
            :func:`._project_format.read_project_file`), written by a newer version, or
            its ``runs/`` is a link to a folder missing or without any of its runs.
    """
    given = Path(path).expanduser()
    if not given.exists():
        raise ProjectError(f"Project not found: {given}.", "Check the path, or choose it again.")
    root, target = _folder_and_file(given)
    if not target.is_file():
        raise ProjectError(
            f"{given} is not a project (no {PROJECT_FILE} in it).",
            "Choose a project folder saved by this app, or its .automl.json file.",
        )
    raw = read_project_file(target)
    try:
        data = ProjectData.from_dict(raw)
        _clean_loaded(data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ProjectError(
            f"The project file {target.name} is damaged ({type(exc).__name__}: {exc}).",
            "Restore it from a backup.",
        ) from None
    check_runs_link(root / RUNS_DIR)
    note_missing_runs(root, data)
    data.opened_from = origin_of(target)
    return data


def _clean_loaded(data: ProjectData) -> None:
    """Types JSON cannot tell: histories back to floats (None was NaN), phases as lists."""
    for record in data.runs:
        record.history = {
            str(key): [math.nan if v is None else float(v) for v in values or []]
            for key, values in (record.history or {}).items()
        }
        record.phases = [list(p) for p in record.phases or []]

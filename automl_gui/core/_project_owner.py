"""What a project may replace or delete on disk: only what it wrote.

A save writes ``runs/<id>`` folders, replaces the project file, and removes run folders no
longer listed plus leftovers of saves a kill interrupted. But ``runs/`` may be a link to a
folder on a bigger disk that other projects or the user also use, a ``runs/<id>`` may itself
be a link, the project file may be a link, and a Save As may aim at a folder holding another
project. So every project has an id (in its file; see :func:`take_id`) and every run folder
names the project that wrote it (run.json's ``"project"``), and:

- a ``runs/<id>`` (or a leftover) that is a link is never followed to delete or replace: it
  is left alone (the user made it), and a run that must be written there is refused;
- a folder naming this project's id is this project's; one naming another project never is;
- a folder naming no project (written before projects had ids, or not a run at all) is this
  project's only when ``runs/`` is a real folder of the project, not a link;
- a folder holding anything but a run folder's files (:data:`RUN_FOLDER_FILES`: the user
  put a note or a sub-folder in it) is never removed or replaced;
- the project file, when a link, is written through it (the link stays); a link to nothing
  is refused; ``runs/`` linked to nothing (a disk not connected) is refused too, as the
  project would lose its run list.

Private to :mod:`automl_gui.core.project`. TensorFlow-free, Qt-free.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from automl_gui.core import _project_format as _format
from automl_gui.core._project_json import JsonProblem, read_json
from automl_gui.core._project_runs import (
    RUN_ID_RE,
    RUNS_DIR,
    ProjectError,
    folder_parts,
    is_temp_name,
    run_owner,
    run_path,
)

#: what a run folder holds; anything else in it is someone else's
RUN_FOLDER_FILES = frozenset(
    {
        "model.keras",
        "metadata.json",
        "report.json",
        "samples.npy",
        "sample_images.npy",
        "run.json",
        "test_predictions.parquet",
    }
)


# -- the project file and its id ----------------------------------------------------------------
def real_file(target: Path) -> Path:
    """Where the project file's bytes go: ``target``, or the file a link there points to (the
    link stays a link).

    Raises:
        ProjectError: ``target`` is a folder, or a link to nothing.
    """
    if not target.is_symlink():
        if target.is_dir():
            raise ProjectError(
                f"{target} is a folder, not a project file.", "Move it away, then save again."
            )
        return target
    try:
        real = target.resolve()
    except (OSError, RuntimeError):  # a loop of links
        real = target
    if not real.is_file():
        raise ProjectError(
            f"The project file {target} is a link to {real}, which is "
            f"{'not a file' if real.exists() else 'missing'}.",
            "Put the file back where the link points (is a disk not connected?), or remove "
            "the link, then save again.",
        )
    return real


def _id_there(real: Path) -> str | None:
    """The id of the project file already at ``real``: None when there is none, "" when it
    has no id (older files) or cannot be read."""
    if not real.exists():
        return None
    try:
        raw = read_json(real, _format.MAX_PROJECT_BYTES, _format.MAX_DEPTH)
    except (OSError, JsonProblem):
        return ""
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else ""


def take_id(root: Path, real: Path, data: Any, elsewhere: bool) -> str:
    """The id ``data`` (a ProjectData) is saved with: the folder's project's when it is the
    same project (or ``data``'s own), a new one for a new project or a Save As
    (``elsewhere``).

    Raises:
        ProjectError: the folder holds another project (a Save As into a project folder, or
            a project of another id).
    """
    there = _id_there(real)
    if there is not None and (elsewhere or bool(data.id and there and data.id != there)):
        raise ProjectError(
            f"The folder {root} already holds another project.",
            "Choose an empty or new folder for this one (or open that project to work on "
            "it); nothing was changed.",
        )
    return uuid.uuid4().hex if elsewhere else (data.id or there or uuid.uuid4().hex)


def check_runs_link(runs: Path) -> None:
    """Refuse a ``runs/`` that is a link to nothing (a disk not connected).

    Raises:
        ProjectError: saying where it points.
    """
    if runs.is_symlink() and not runs.is_dir():
        raise ProjectError(
            f"The project's runs/ is a link to {os.readlink(runs)}, which is not there.",
            "Connect the disk it is on, or correct the link, then try again; nothing was "
            "changed.",
        )


# -- run folders --------------------------------------------------------------------------------
def own_runs(runs: Path) -> bool:
    """True when ``runs/`` is a real folder of the project, not a link to one elsewhere."""
    return not runs.is_symlink()


def foreign_files(folder: Path) -> list[str]:
    """The names in the run folder ``folder`` that a run folder does not hold (links and
    sub-folders included)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return ["(cannot be listed)"]
    return sorted(
        e.name
        for e in entries
        if e.is_symlink() or not e.is_file() or e.name not in RUN_FOLDER_FILES
    )


def is_ours(folder: Path, project_id: str, own: bool) -> bool:
    """True when the project ``project_id`` wrote ``folder`` (a real folder, not a link,
    holding only a run folder's files); a folder naming no project counts as the project's
    only in its ``own`` runs/."""
    if folder.is_symlink() or not folder.is_dir() or foreign_files(folder):
        return False
    owner = run_owner(folder)
    if owner:
        return bool(project_id) and owner == project_id
    return own


def check_slot(out: Path, project_id: str, own: bool) -> None:
    """Refuse to write the run folder ``out`` over something this project did not write.

    Raises:
        ProjectError: ``out`` is a link, a file, or a folder of another project or the user.
    """
    where = f"{out.parent.name}/{out.name}"
    if out.is_symlink():
        raise ProjectError(
            f"{where} is a link (to {os.readlink(out)}) that this project did not make: its "
            f"run {out.name} cannot be written there.",
            "Move the link away (what it points to is kept), then save again.",
        )
    if not out.exists():
        return
    if not out.is_dir():
        raise ProjectError(
            f"{where} is a file, not a run folder.", "Move it away, then save again."
        )
    if is_ours(out, project_id, own):
        return
    owner, foreign = run_owner(out), foreign_files(out)
    if owner and owner != project_id:
        whose = "a run of another project"
    elif foreign:
        shown = ", ".join(foreign[:3]) + (" …" if len(foreign) > 3 else "")
        whose = f"files this project did not write ({shown})"
    else:
        whose = "a folder this project did not write"
    raise ProjectError(
        f"{where} in {out.parent} holds {whose}: this project's run {out.name} cannot be "
        "written there.",
        "Give this project a runs folder of its own (or move that folder away), then save "
        "again; nothing of it was changed.",
    )


def restore_backup(run_dir: Path, project_id: str, own: bool) -> bool:
    """Put back ``runs/<id>`` from the backup a save of this project killed mid-replace left
    (True if done)."""
    parent = run_dir.parent
    if not parent.is_dir() or run_dir.is_symlink():
        return False
    for backup in sorted(parent.glob(f".{run_dir.name}.old-*")):
        # "-del" folders are unlisted runs a save was deleting: possibly half gone
        if backup.name.endswith("-del") or not is_ours(backup, project_id, own):
            continue
        try:
            os.replace(backup, run_dir)
            return True
        except OSError:
            return False
    return False


def keep_present_runs(root: Path, data: Any) -> None:
    """Leave out of ``data`` (a ProjectData just read) the runs whose folder is missing, each
    with a notice, after putting back a folder a killed save left as its backup.

    Raises:
        ProjectError: ``runs/`` is a link and none of the runs under it are there (a disk
            not connected: opened now, the project would lose its run list).
    """
    own = own_runs(root / RUNS_DIR)
    kept, under_runs = [], 0
    for record in data.runs:
        parts = folder_parts(record.folder)
        under_runs += bool(parts and parts[0] == RUNS_DIR)
        run_dir = run_path(root, record.folder)
        if run_dir is not None and not run_dir.is_dir():
            restore_backup(run_dir, data.id, own)
        if run_dir is None or not run_dir.is_dir():
            data.notices.append(
                f"The run '{record.name or record.id}' was left out: its folder "
                f"{record.folder or '(none)'} is missing from the project."
            )
            continue
        kept.append(record)
    if not own and under_runs and not any(
        (parts := folder_parts(r.folder)) and parts[0] == RUNS_DIR for r in kept
    ):
        raise ProjectError(
            f"None of the project's {under_runs} runs are in {os.readlink(root / RUNS_DIR)}, "
            "where its runs/ links to.",
            "Connect the disk they are on, or correct the link, then open the project again "
            "(opened now, it would lose its run list).",
        )
    data.runs = kept
    if data.current_run is not None and data.run(data.current_run) is None:
        data.current_run = kept[-1].id if kept else None


def tidy_folder(files: list[tuple[Path, str]], runs: Path, records: Any, project_id: str) -> None:
    """Remove what crashed saves left and run folders this project no longer lists.

    ``files``: (folder, project file name) pairs whose other processes' temp files go.
    ``records``: the runs the project lists. In ``runs``, an unlisted ``run-NNN`` folder and
    a temp leftover go only when this project wrote them; links are never followed nor
    removed. Nothing else is touched.
    """
    listed = set()
    for record in records:
        parts = folder_parts(record.folder)
        if parts and len(parts) == 2 and parts[0] == RUNS_DIR:
            listed.add(parts[1])
    for folder, file_name in files:
        mine = f".{file_name}.tmp-{os.getpid()}-"
        for entry in _entries(folder):
            if entry.name.startswith(f".{file_name}.tmp-") and not entry.name.startswith(mine):
                _remove(entry)
    if not runs.is_dir():
        return
    own = own_runs(runs)
    for entry in _entries(runs):
        if entry.is_symlink():
            continue
        if RUN_ID_RE.match(entry.name):
            if entry.name not in listed and is_ours(entry, project_id, own):
                _remove_run_dir(entry)
        elif is_temp_name(entry.name) and (own or is_ours(entry, project_id, own)):
            _remove(entry)


def _remove_run_dir(path: Path) -> None:
    """Rename a run folder to a temp name first: a kill mid-delete leaves no half ``run-NNN``."""
    doomed = path.with_name(f".{path.name}.old-{os.getpid()}-del")
    try:
        os.replace(path, doomed)
    except OSError:
        return
    _remove(doomed)


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass  # a leftover that cannot be removed now is retried by the next save

"""What a project may replace or delete on disk: only what it wrote.

A save writes ``runs/<id>`` folders, replaces the project file, and removes the run folders
of runs the user deleted plus leftovers of saves a kill interrupted (*which* folders it may
remove is :mod:`._project_save`'s rule; *whose* they are is this module's). But ``runs/`` may
be a link to a folder on a bigger disk that other projects or the user also use, a
``runs/<id>`` may itself be a link, the project file may be a link, and a Save As may aim at
a folder holding another project. So every project has an id (in its file; see
:func:`take_id`) and every run folder names the project that wrote it (run.json's
``"project"``), and:

- a ``runs/<id>`` (or a leftover) that is a link is never followed to delete or replace: it
  is left alone (the user made it), and a run that must be written there is refused;
- a folder naming this project's id is this project's; one naming another project never is;
- a folder naming no project (written before projects had ids, or not a run at all) is this
  project's when ``runs/`` is a real folder of the project, not a link, or when the project
  file a save replaces lists it: that save names the project's id in it (:func:`claim`), so
  an old project's linked runs/ becomes its own;
- a project file is replaced only by the project it is (:func:`take_id`): a new project
  saved into its folder is refused, never given its id and runs;
- temp files and backups a save leaves when killed are removed only when stale (the
  process that wrote them is gone and they have been idle a while): another window or a
  script may be saving the same project (:func:`tidy_folder`);
- a folder holding anything but a run folder's files (:data:`RUN_FOLDER_FILES`: the user
  put a note or a sub-folder in it) is never removed or replaced;
- the project file, when a link, is written through it (the link stays); a link to nothing
  is refused; ``runs/`` linked to nothing (a disk not connected) is refused too, as the
  project would lose its run list;
- a run whose folder is missing when the project is opened stays in it
  (:func:`note_missing_runs`): it comes back with its folder.

Private to :mod:`automl_gui.core.project`. TensorFlow-free, Qt-free.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any

from automl_gui.core.base.files import is_stale, parse_temp_name, pid_alive, remove_path, temp_name
from automl_gui.core.export.outputs import RUN_FOLDER_FILES
from automl_gui.core.project._runs import (
    RUNS_DIR,
    ProjectError,
    folder_parts,
    is_temp_name,
    mark_owner,
    run_owner,
    run_path,
)

#: a leftover may be tidied once its process is gone and it was untouched this long (s)...
STALE_IDLE_S = 60.0
#: ...or untouched this long whatever its name says (a reused pid, a name without one)
STALE_MAX_AGE_S = 6 * 3600.0
#: a backup of a run folder an older version's killed save left (``.run-003.old-PID``): put
#: back only when it holds nothing but a run folder's files (a user may name a folder so)
_LEGACY_BACKUP = re.compile(r"^\.(run-\d{1,9})\.old-\d{1,10}$")


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


def origin_of(target: Path) -> str:
    """How :attr:`ProjectData.opened_from` names the project file ``target`` (links
    followed), so a save can tell the data was opened from or saved to that file."""
    try:
        return os.path.normcase(str(target.resolve()))
    except (OSError, RuntimeError):
        return os.path.normcase(str(target.absolute()))


def take_id(
    root: Path,
    data: Any,
    elsewhere: bool,
    before: Any,
    pending: str = "",
    opened_here: bool = False,
) -> str:
    """The id ``data`` (a ProjectData) is saved with: the folder's project's when it is the
    same project, a new one for a new project or a Save As (``elsewhere``).

    A project file there is replaced only by the project it is: ``data`` has its id, or was
    opened from it or last saved to it (``opened_here``; a file without an id, written by an
    older version, is only ever that). A new project, or another one, saved there would
    otherwise take over its runs: the ones its file lists could then be deleted.

    ``before`` (a :class:`._project_save.Before`): the project file there. When it has no
    id, ``pending``, the id of a save of that very file that did not finish (its journal),
    is continued, else the one id all its listed run folders name, so that they stay this
    project's.

    Raises:
        ProjectError: the folder holds another project (a Save As into a project folder, a
            project of another id, or a project ``data`` was not opened from).
    """
    there = before.id if before.exists else None
    same = bool(data.id) and data.id == there
    conflict = bool(data.id and there and data.id != there)
    if there is not None and (elsewhere or conflict or not (same or opened_here)):
        raise ProjectError(
            f"The folder {root} already holds another project.",
            "Open that project to work on it, or choose an empty or new folder for this one; "
            "nothing was changed.",
        )
    resumed = pending if not there and pending != data.id else ""
    if elsewhere:
        return resumed or uuid.uuid4().hex
    return (
        data.id
        or there
        or resumed
        or (_listed_owner(root / RUNS_DIR, before.listed) if there == "" else "")
        or uuid.uuid4().hex
    )


def _listed_owner(runs: Path, names: Any) -> str:
    """The project id every run folder ``names`` in ``runs`` names ("" if none, if they name
    several, or if some name none: those are claimed by a new id, see :func:`claimable`)."""
    owners = {
        run_owner(runs / name)
        for name in names
        if not (runs / name).is_symlink() and (runs / name).is_dir()
    }
    return owners.pop() if len(owners) == 1 else ""


def claimable(runs: Path, names: Any) -> frozenset[str]:
    """The run folders among ``names`` (those the project file a save replaces lists) that
    name no project: written before projects had ids. They are the project's, as its file
    lists them, also in a linked runs/ (where a folder naming no project is otherwise
    nobody's); the save names its id in them (:func:`claim`). Links and folders holding
    anything but a run's files are never claimed."""
    return frozenset(
        name
        for name in names
        if not (runs / name).is_symlink()
        and (runs / name).is_dir()
        and not foreign_files(runs / name)
        and not run_owner(runs / name)
    )


def claim(runs: Path, names: Any, project_id: str) -> None:
    """Name ``project_id`` in the run.json of the folders ``names`` (see :func:`claimable`),
    each replaced atomically; one that cannot be written stays as it was."""
    for name in sorted(names):
        folder = runs / name
        if name in claimable(runs, [name]):
            try:
                mark_owner(folder, project_id, atomic=True)
            except OSError:
                pass  # the next save claims it


def check_runs_link(runs: Path) -> None:
    """Refuse a ``runs/`` that is a link to nothing (a disk not connected).

    Raises:
        ProjectError: saying where it points.
    """
    if runs.is_symlink() and not runs.is_dir():
        raise ProjectError(
            f"The project's runs/ is a link to {os.readlink(runs)}, which is not there.",
            "Connect the disk it is on, or correct the link, then try again; nothing was changed.",
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
        if e.is_symlink()
        or not e.is_file()
        or (e.name not in RUN_FOLDER_FILES and not _run_json_tmp(e.name))
    )


def _run_json_tmp(name: str) -> bool:
    """True for what :func:`claim` leaves in a run folder when killed mid-write (the app's
    temp naming of run.json)."""
    parsed = parse_temp_name(name)
    return parsed is not None and parsed[:2] == ("run.json", "tmp")


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


def check_slot(out: Path, project_id: str, own: bool, may_go: Any) -> None:
    """Refuse to write the run folder ``out`` over anything but a folder this project wrote
    and may remove (its name in ``may_go``: see :func:`._project_save.removable`).

    Raises:
        ProjectError: ``out`` is a link, a file, a folder of another project or the user, or
            a run folder of this project that it no longer lists but did not remove (one
            that came back, or that an older version left out).
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
    ours = is_ours(out, project_id, own)
    if ours and out.name in may_go:
        return
    owner, foreign = run_owner(out), foreign_files(out)
    if owner and owner != project_id:
        whose = "a run of another project"
    elif foreign:
        shown = ", ".join(foreign[:3]) + (" …" if len(foreign) > 3 else "")
        whose = f"files this project did not write ({shown})"
    elif owner:
        whose = (
            "a run of this project that its file no longer lists (a folder that came back, "
            "or one an older version of the app left out)"
        )
    elif ours:
        whose = "a run folder this project does not list"
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
    for backup in sorted(_entries(parent)):
        parsed = parse_temp_name(backup.name)
        if parsed is not None:
            name, role, pid, rest = parsed
            # "-del" folders are unlisted runs a save was deleting: possibly half gone
            if name != run_dir.name or role != "old" or rest:
                continue
            if pid_alive(pid) and not _stale(backup, pid):
                continue  # a live writer is between its two renames: never take its backup
        else:
            legacy = _LEGACY_BACKUP.match(backup.name)
            if legacy is None or legacy[1] != run_dir.name:
                continue
        if not is_ours(backup, project_id, own):
            continue
        try:
            os.replace(backup, run_dir)
            return True
        except OSError:
            return False
    return False


def note_missing_runs(root: Path, data: Any) -> None:
    """Say which runs of ``data`` (a ProjectData just read) have no folder, after putting back
    a folder a killed save left as its backup. Such a run stays in the project with its
    results (a disk not connected yet, a folder moved away for a while): it comes back with
    its folder, and a save neither forgets it nor deletes its folder when it is back. The
    current run becomes the last run that is there. A run whose folder is outside the
    project is left out (it cannot be read).

    Raises:
        ProjectError: ``runs/`` is a link and none of the runs under it are there (a disk
            not connected: opened now, the project would only show missing runs).
    """
    own = own_runs(root / RUNS_DIR)
    kept, missing, under_runs = [], [], 0
    for record in data.runs:
        parts = folder_parts(record.folder)
        under_runs += bool(parts and parts[0] == RUNS_DIR)
        run_dir = run_path(root, record.folder)
        if run_dir is None:
            data.notices.append(
                f"The run '{record.name or record.id}' was left out: its folder "
                f"{record.folder or '(none)'} is missing from the project."
            )
            continue
        if not run_dir.is_dir():
            restore_backup(run_dir, data.id, own)
        if not run_dir.is_dir():
            missing.append(record)
        kept.append(record)
    present = [r for r in kept if all(r is not m for m in missing)]
    if (
        not own
        and under_runs
        and not any((parts := folder_parts(r.folder)) and parts[0] == RUNS_DIR for r in present)
    ):
        raise ProjectError(
            f"None of the project's {under_runs} runs are in {os.readlink(root / RUNS_DIR)}, "
            "where its runs/ links to.",
            "Connect the disk they are on, or correct the link, then open the project again "
            "(opened now, none of its runs could be used).",
        )
    data.runs = kept
    if missing:
        data.notices.append(missing_notice(missing))
    if data.current_run is not None and all(r.id != data.current_run for r in present):
        data.current_run = present[-1].id if present else None


def missing_notice(missing: list[Any]) -> str:
    """What the user is told about runs whose folder is missing (RunRecords)."""
    names = [f"'{r.name or r.id}' ({r.folder})" for r in missing[:3]]
    if len(missing) == 1:
        return (
            f"The folder of the run {names[0]} is missing (is a disk not connected, or was "
            "it moved away?): the run stays in the project with its results, and can be used "
            "again once its folder is back."
        )
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    return (
        f"The folders of {len(missing)} runs are missing (is a disk not connected, or were "
        f"they moved away?): {', '.join(names)}{more}. They stay in the project with their "
        "results, and can be used again once their folders are back."
    )


def tidy_folder(files: list[tuple[Path, str]], runs: Path, project_id: str) -> None:
    """Remove the temporary leftovers of crashed saves.

    ``files``: (folder, file name) pairs whose temp files (``.NAME.tmp-automl-gui-PID-…``, or
    ``.NAME.tmp-PID-THREAD`` as earlier versions' project file writer named them) go. In ``runs``, a
    temp folder or backup of a run folder write (the app's naming only) goes when this
    project wrote it and it holds only a run folder's files (:func:`is_ours`); links are
    never followed nor removed; an older version's leftovers are left alone. Only leftovers that are
    stale go (:func:`is_stale`: their process is gone and they have been idle
    :data:`STALE_IDLE_S`, or untouched :data:`STALE_MAX_AGE_S`): another window or a script
    saving the same project may be writing them right now. Run folders are not touched here
    (see :func:`._project_save.finish`).
    """
    for folder, file_name in files:
        # earlier versions' project file writer named its temp file so (digits only)
        legacy = re.compile(rf"^\.{re.escape(file_name)}\.tmp-(\d{{1,10}})-\d+$")
        for entry in _entries(folder):
            parsed = parse_temp_name(entry.name)
            match = legacy.match(entry.name)
            if parsed is not None and parsed[:2] == (file_name, "tmp"):
                pid: int | None = parsed[2]
            elif match is not None:
                pid = int(match[1])
            else:
                continue
            if not entry.is_dir() and _stale(entry, pid):
                remove_path(entry)
    if not runs.is_dir():
        return
    own = own_runs(runs)
    for entry in _entries(runs):
        parsed = parse_temp_name(entry.name)
        if entry.is_symlink() or parsed is None or not is_temp_name(entry.name):
            continue
        if is_ours(entry, project_id, own) and _stale(entry, parsed[2]):
            remove_path(entry)


def _stale(entry: Path, pid: int | None) -> bool:
    """Whether the leftover ``entry`` of the writer ``pid`` may be removed."""
    return is_stale(entry, pid, idle_s=STALE_IDLE_S, max_age_s=STALE_MAX_AGE_S)


def remove_run_dir(path: Path) -> bool:
    """Delete a run folder, renamed to a temp name first: a kill mid-delete leaves no half
    ``run-NNN`` (the next save removes the rest). False when it could not be renamed."""
    doomed = path.with_name(temp_name(path.name, "old", "del"))
    try:
        os.replace(path, doomed)
    except OSError:
        return False
    remove_path(doomed)
    return True


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []

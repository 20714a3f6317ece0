"""What a save of a project may delete, and how a later save finishes what a killed one began.

The rule (issue 13: nothing lost): a save deletes or replaces a ``runs/<id>`` folder only when
this project removed that run:

- the project file the save replaces lists it and the project being saved does not (the user
  deleted the run from the history since the project was opened or last saved), or
- a save of this project that did not finish (killed, or failed half way) was deleting it, or
  had written it and never got to list it (the project file is still the one that save
  started from).

Any other run folder the project file does not list stays, whatever it holds: one that was
missing when the project was opened and came back (a disk connected later, a folder moved
back; such a run stays listed anyway, see :func:`._project_owner.note_missing_runs`), one an
older version of the app left out of the file, one put there by hand. On top of this, only
folders this project wrote are ever deleted (:func:`._project_owner.is_ours`).

The second rule needs a *journal*: ``.<project file name>.saving`` beside the project file.
Before a save writes or deletes any run folder it records there (atomically) the project's
id, a digest of the project file it starts from and the run folders it writes and deletes;
once the new project file is in place and those folders are gone, the journal goes. The next
save reads one left behind. Private to :mod:`automl_gui.core.project`; TensorFlow-free,
Qt-free.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import automl_gui.core.project._format as _format
from automl_gui.core.project._json import MB, JsonProblem, loads, read_json
from automl_gui.core.project._owner import check_slot, is_ours, own_runs, remove_run_dir
from automl_gui.core.project._runs import (
    RUN_ID_RE,
    RUNS_DIR,
    ProjectError,
    copy_run_folder,
    folder_parts,
    run_path,
    save_run_folder,
)

JOURNAL_FORMAT = "automl-gui-save-journal"
JOURNAL_VERSION = 1
MAX_JOURNAL_BYTES = 4 * MB


def listed_names(folders: Iterable[Any]) -> frozenset[str]:
    """The ``runs/<name>`` folder names among ``folders`` (as a project file names them)."""
    names = set()
    for folder in folders:
        parts = folder_parts(folder)
        if parts and len(parts) == 2 and parts[0] == RUNS_DIR and RUN_ID_RE.match(parts[1]):
            names.add(parts[1])
    return frozenset(names)


# -- what the save starts from ------------------------------------------------------------------
@dataclass(frozen=True)
class Before:
    """The project file a save replaces.

    Args:
        exists: there is one.
        id: its project id ("" when it has none or cannot be read).
        listed: the ``runs/<name>`` folders it lists (none when it cannot be read).
        digest: of its bytes; None when there is no file (an unreadable one gets a digest
            nothing matches).
    """

    exists: bool
    id: str
    listed: frozenset[str]
    digest: str | None


def read_before(real: Path) -> Before:
    """What the project file at ``real`` (none there is fine) says, read leniently: what
    cannot be read lists nothing, so nothing is deleted on its account."""
    if not real.exists():
        return Before(False, "", frozenset(), None)
    limit = _format.MAX_PROJECT_BYTES
    try:
        with open(real, "rb") as fh:
            blob = fh.read(limit + 1)
    except OSError:
        return Before(True, "", frozenset(), f"unreadable-{uuid.uuid4().hex}")
    digest = hashlib.sha256(blob).hexdigest()
    try:
        raw = loads(blob.decode("utf-8"), _format.MAX_DEPTH) if len(blob) <= limit else None
    except (UnicodeDecodeError, JsonProblem):
        raw = None
    if not isinstance(raw, dict):
        return Before(True, "", frozenset(), digest)
    ident = raw.get("id") if isinstance(raw.get("id"), str) else ""
    runs = raw.get("runs") if isinstance(raw.get("runs"), list) else []
    folders = [run.get("folder") for run in runs if isinstance(run, dict)]
    return Before(True, ident, listed_names(folders), digest)


@dataclass(frozen=True)
class Journal:
    """What a save that did not finish meant to do (see the module's docstring)."""

    project: str
    digest: str | None
    writing: frozenset[str]
    removing: frozenset[str]


def journal_path(root: Path, file_name: str) -> Path:
    """The journal of the project file ``file_name`` in the project folder ``root``."""
    return root / f".{file_name}.saving"


def read_journal(path: Path) -> Journal | None:
    """The journal at ``path``; None when there is none or it cannot be used (then nothing
    is deleted on its account)."""
    try:
        raw = read_json(path, MAX_JOURNAL_BYTES, 8)
    except (OSError, JsonProblem):
        return None
    if not isinstance(raw, dict) or raw.get("format") != JOURNAL_FORMAT:
        return None

    def names(key: str) -> frozenset[str]:
        value = raw.get(key)
        items = value if isinstance(value, list) else []
        return frozenset(n for n in items if isinstance(n, str) and RUN_ID_RE.match(n))

    project = raw.get("project")
    digest = raw.get("digest")
    return Journal(
        project=project if isinstance(project, str) else "",
        digest=digest if isinstance(digest, str) else None,
        writing=names("writing"),
        removing=names("removing"),
    )


def write_journal(
    path: Path, project_id: str, digest: str | None, writing: Iterable[str], removing: Iterable[str]
) -> None:
    """Record what this save writes and deletes (atomically).

    Raises:
        ProjectError: it cannot be written (nothing was changed).
    """
    raw = {
        "format": JOURNAL_FORMAT,
        "version": JOURNAL_VERSION,
        "project": project_id,
        "digest": digest,
        "writing": sorted(writing),
        "removing": sorted(removing),
    }
    try:
        _format.write_json_atomic(path, raw)
    except OSError as exc:
        raise ProjectError(
            f"Could not write into {path.parent}: {exc.strerror or exc}.",
            "Check the free disk space and that you can write to the project folder; "
            "nothing was changed.",
        ) from None


def removable(before: Before, journal: Journal | None, project_id: str) -> frozenset[str]:
    """The ``runs/<name>`` folders this save may delete or replace when the project being
    saved does not list them and this project wrote them (the rule of the module's
    docstring)."""
    names = set(before.listed)
    if journal is not None and project_id and journal.project == project_id:
        names |= journal.removing
        if journal.digest == before.digest:  # that save never replaced the project file
            names |= journal.writing
    return frozenset(names)


def check_ids(records: list[Any]) -> None:
    """Refuse run ids that cannot be folder names, or that two runs share.

    Raises:
        ProjectError: saying which.
    """
    seen: set[str] = set()
    for record in records:
        if not RUN_ID_RE.match(str(record.id)):
            raise ProjectError(
                f"The run id '{record.id}' cannot be a folder name.",
                "Run ids look like run-001; this is a bug, please report it.",
            )
        if record.id in seen:
            raise ProjectError(
                f"Two runs have the id '{record.id}'.", "This is a bug, please report it."
            )
        seen.add(record.id)


# -- the run folders a save writes --------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """A run folder this save writes: from ``run`` (an object), copied from ``copy_from``, or
    neither (a run missing in the project of a Save As: listed, to come back with its
    folder)."""

    record: Any
    out: Path
    run: Any
    copy_from: Path | None

    @property
    def writes(self) -> bool:
        return self.run is not None or self.copy_from is not None


def plan_runs(
    root: Path,
    records: list[Any],
    objects: dict[str, Any],
    src: Path | None,
    project_id: str,
    may_go: frozenset[str],
    claimed: frozenset[str] = frozenset(),
) -> list[Plan]:
    """Which run folders to write (nothing written yet; every place checked first).

    A run whose folder is on disk is left as it is (``src``: the project of a Save As, whose
    folders are copied). A run whose folder is missing is written from its object, else
    copied from ``src``, else stays listed as it is (its folder may come back: a disk not
    connected, a folder moved away).

    Raises:
        ProjectError: a run never saved has no object; a place to write is taken by what
            this project may not replace (:func:`._project_owner.check_slot`).
    """
    own = own_runs(root / RUNS_DIR)
    plans = []
    for record in records:
        relative = f"{RUNS_DIR}/{record.id}"
        current = run_path(root, record.folder) if record.folder else None
        if current is not None and current.is_dir() and src is None:
            continue
        run = objects.get(record.id)
        old = None
        if run is None and src is not None:
            old = run_path(src, record.folder or relative)
            old = old if old is not None and old.is_dir() else None
        if run is None and old is None and not record.folder:
            raise ProjectError(
                f"The run '{record.name or record.id}' has no model to save.",
                "Train it again or delete it from the run history, then save.",
            )
        if run is None and old is None and src is None:
            continue  # missing here: it stays listed, and comes back with its folder
        out = root / RUNS_DIR / record.id
        # a run missing in the Save As's project too is listed at an empty place only
        check_slot(
            out,
            project_id,
            own or out.name in claimed,
            may_go if run is not None or old else frozenset(),
        )
        plans.append(Plan(record, out, run, old))
    return plans


def write_planned(plans: list[Plan], project_id: str) -> None:
    """Write the planned run folders (each atomically); ``record.folder`` becomes
    ``runs/<id>``."""
    for plan in plans:
        if plan.run is not None:
            save_run_folder(plan.run, plan.out, project_id=project_id)
        elif plan.copy_from is not None:
            copy_run_folder(plan.copy_from, plan.out, project_id)
        plan.record.folder = f"{RUNS_DIR}/{plan.record.id}"


def listed_after(records: list[Any], plans: list[Plan]) -> frozenset[str]:
    """The ``runs/<name>`` folders the project lists once ``plans`` are written."""
    planned = {id(p.record) for p in plans}
    return listed_names(f"{RUNS_DIR}/{r.id}" if id(r) in planned else r.folder for r in records)


# -- what a save deletes ------------------------------------------------------------------------
def runs_to_delete(
    runs: Path,
    listed: frozenset[str],
    may_go: frozenset[str],
    project_id: str,
    claimed: frozenset[str] = frozenset(),
) -> list[str]:
    """The folders in ``runs`` this save deletes: removable, no longer listed, this
    project's (never a link, never one holding another file; ``claimed``: see
    :func:`plan_runs`)."""
    if not may_go or not runs.is_dir():
        return []
    own = own_runs(runs)
    return sorted(n for n in may_go - listed if is_ours(runs / n, project_id, own or n in claimed))


def taken_names(root: Path, file_name: str) -> set[str]:
    """The run ids a new run of the project in ``root`` must not get: the folders in its
    runs/ (a leftover of a deleted run, a folder the user put back, another save's temp
    folder) and the ones a save that did not finish was writing or deleting (its journal)."""
    runs = root / RUNS_DIR
    names: set[str] = set()
    try:
        entries = [e.name for e in runs.iterdir()] if runs.is_dir() else []
    except OSError:
        entries = []
    for name in entries:
        base = name[1:].split(".", 1)[0] if name.startswith(".") else name
        if RUN_ID_RE.match(base):
            names.add(base)
    journal = read_journal(journal_path(root, file_name))
    if journal is not None:
        names |= journal.writing | journal.removing
    return names


def finish(journal: Path, runs: Path, doomed: list[str], project_id: str) -> None:
    """Delete the ``doomed`` run folders (the project file no longer lists them), then the
    journal; one that cannot be deleted now stays in the journal for the next save."""
    own = own_runs(runs)
    left = [
        name
        for name in doomed
        if is_ours(runs / name, project_id, own) and not remove_run_dir(runs / name)
    ]
    try:
        if left:
            write_journal(journal, project_id, None, [], left)
        else:
            journal.unlink(missing_ok=True)
    except (OSError, ProjectError):
        pass  # the next save reads the journal as it is, and deletes no more than it says

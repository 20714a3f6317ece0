"""Where the app writes: the one rule for replacing an output, the check that the disk takes
it, the atomic commit, and tidying what a killed write left.

Every writer (bundles, exports, the command line's ``--out`` of train, predict, export,
search and study, the window's export dialog) goes through :func:`check_destination`:

* a missing path, or an empty folder, is written;
* an existing one is replaced only when ``overwrite`` is asked **and** it is something this
  app wrote: a folder whose ``metadata.json`` is the app's and that holds nothing but the
  files the app writes (:data:`OWN_FILES`), or a file where a file is written (a project
  replacing its own ``runs/run-NNN`` says so: ``commit_dir(..., project_checked=True)``,
  after checking the slot itself; a folder's name alone proves nothing);
* never, even with ``overwrite``: an input (the data, the source model) or a folder holding
  one, something inside an input folder, the current folder or a folder above it, a file
  where a folder goes (or a folder where a file goes), a link.

:func:`prepare_output` adds the writability probe (a file created and removed in the nearest
existing folder, so a read-only or full disk is found before training, not after) and
:func:`tidy_stale`: temp files and folders of this app's own naming (``.NAME.tmp-automl-gui-PID-…``,
``.NAME.old-automl-gui-PID``: :func:`automl_gui.core.base.files.temp_name`) beside the target whose
process is gone, left by a kill. A name alone never makes something the app's: a backup is
put back or removed only when it is a folder the app wrote (:func:`is_app_folder`), and an
older version's names (``.NAME.tmp-PID-…``, ``.NAME.old-PID``, ``.NAME.tmp-XXXXXXXX``, which a
user may also choose) are tidied only when the folder holds nothing but the app's files.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from automl_gui.core.base.errors import ConfigError, ModelError, describe_os_error
from automl_gui.core.base.files import is_stale, parse_temp_name, remove_path, temp_name
from automl_gui.core.base.json_read import read_json

#: what a project's run folder (``runs/run-NNN``) holds; anything else in it is someone else's
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
#: files the app writes in an output folder (bundles, exports, run folders, CLI extras)
OWN_FILES = RUN_FOLDER_FILES | {
    "test_predictions.csv",
    "slices.csv",  # automl-gui evaluate --by
    "importance.csv",  # automl-gui explain (tables, texts)
    "contributions.csv",  # automl-gui explain (tables)
    "explanations.csv",  # automl-gui explain (images, audio, texts)
    "leaderboard.csv",
    "history.csv",  # automl-gui train: the curves (core.train.history_csv)
    "MODEL_CARD.md",
    "preprocessing.json",
    "model.tflite",
    "model.onnx",
    "saved_model.pb",
    "fingerprint.pb",
}
#: ends of file names the app writes in an output folder (explain's overlays: NAME_gradcam.png)
OWN_SUFFIXES = ("_gradcam.png",)
#: a project run folder's run.json says this (``core/_project_runs`` imports it from here)
RUN_FORMAT = "automl-gui-run"
#: folders a SavedModel export holds (TensorFlow writes their contents)
OWN_DIRS = frozenset({"variables", "assets", "assets.extra"})
#: an older version's temp folders and backups (``.NAME.tmp-PID-…``, ``.NAME.old-PID``, and
#: ``tempfile.mkdtemp``'s 8 characters before the pid was in the name); a user may pick such a
#: name, so they are tidied only when they hold nothing but the app's files
_LEGACY_RE = re.compile(
    r"^\.(?P<name>.+)\.(?:tmp-(?P<pid>\d{1,10})-.+|old-(?P<old>\d{1,10})|tmp-[a-z0-9_]{8})$"
)
#: a leftover whose process is gone is removed once idle this long (a writer on another
#: computer sharing the folder keeps touching its own)
STALE_IDLE_S = 60.0
#: any leftover of our naming idle this long is removed (a reused pid, an old version's)
STALE_AGE_S = 6 * 3600.0


# -- what the app wrote ---------------------------------------------------------------------------
def _read_small_json(path: Path) -> Any:
    """The JSON in ``path`` by the app's one strict reader; None when missing, not a
    regular file (a named pipe is never waited on), too large, too deep or not JSON."""
    try:
        return read_json(path)
    except (OSError, ValueError):
        return None


def _is_app_record(folder: Path) -> bool:
    """True when ``folder`` holds a record only this app writes: a ``metadata.json`` with
    its format and app version (bundles, exports), or a project run's ``run.json``."""
    meta = _read_small_json(folder / "metadata.json")
    if isinstance(meta, dict):
        versions = meta.get("versions")
        if isinstance(meta.get("format_version"), int) and isinstance(versions, dict):
            if "app" in versions:
                return True
    run = _read_small_json(folder / "run.json")
    return isinstance(run, dict) and run.get("format") == RUN_FORMAT


def is_temp_name(name: str) -> bool:
    """True for a temp file/folder or backup name of this app's writes (its own naming
    only: a user's ``.notes.tmp-12345678`` is the user's)."""
    return parse_temp_name(name) is not None


def _own_file(name: str) -> bool:
    return name in OWN_FILES or name.endswith(OWN_SUFFIXES)


def foreign_entries(folder: Path) -> list[str]:
    """Names in ``folder`` this app does not write there (empty for one of its outputs)."""
    foreign: list[str] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.is_symlink():
            foreign.append(entry.name)
        elif entry.is_dir():
            if entry.name not in OWN_DIRS and not is_temp_name(entry.name):
                foreign.append(entry.name)
        elif not _own_file(entry.name) and not is_temp_name(entry.name):
            foreign.append(entry.name)
    return foreign


_RUN_NAME = re.compile(r"^run-\d{1,9}$")


def project_run_of(folder: Path) -> Path | None:
    """The project folder when ``folder`` is one of a project's run folders: its run.json
    says so, or it is a ``runs/run-NNN`` beside a project file (``*.automl.json``); such a
    folder is the project's, written only by the project's own save."""
    run = _read_small_json(folder / "run.json")
    parent = folder.parent
    if isinstance(run, dict) and run.get("format") == RUN_FORMAT:
        return parent.parent if parent.name == "runs" else parent
    if parent.name == "runs" and _RUN_NAME.match(folder.name):
        try:
            if any(p.name.endswith(".automl.json") for p in parent.parent.iterdir()):
                return parent.parent
        except OSError:
            return None
    return None


def is_app_folder(folder: str | os.PathLike[str]) -> bool:
    """True when ``folder`` is an output this app wrote: its own ``metadata.json`` and
    nothing else but the files the app writes. A folder's name proves nothing: a user's
    own ``runs/run-001`` is theirs."""
    path = Path(folder)
    if not path.is_dir() or path.is_symlink():
        return False
    return _is_app_record(path) and not foreign_entries(path)


# -- the rule -------------------------------------------------------------------------------------
def _resolved(path: Any) -> Path | None:
    try:
        return Path(path).expanduser().resolve()
    except (OSError, RuntimeError, TypeError, ValueError):
        return None


def _same(a: Path, b: Path) -> bool:
    """The same file or folder: ``samefile`` when both exist (a case-insensitive disk's
    ``DATA.csv`` is ``data.csv``), else the case-folded paths where the system folds case."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(str(a)) == os.path.normcase(str(b))


def _input_clash(out: Path, exists: bool, inputs: Iterable[Any]) -> str:
    """What ``out`` is to an input ("" when nothing): the input, a folder holding it, or
    something inside an input folder (the data, the source model, a search or checkpoint
    folder: what the command reads)."""
    for raw in inputs:
        if raw in (None, ""):
            continue
        inp = _resolved(raw)
        if inp is None:
            continue
        if _same(out, inp):
            return f"is {raw}, which this command reads"
        if any(_same(out, parent) for parent in inp.parents):
            return f"holds {raw}, which this command reads"
        inside = any(_same(parent, inp) for parent in out.parents)
        if exists and inside and inp.is_dir() and not is_app_folder(out):
            # an output this app wrote there before (a rerun) may be replaced: the two
            # rules above keep the data itself safe
            return f"is inside {raw}, which this command reads"
    return ""


def _listing(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def check_destination(
    out: str | os.PathLike[str],
    overwrite: bool,
    *,
    inputs: Iterable[Any] = (),
    file: bool = False,
) -> None:
    """Refuse to write ``out`` where that would lose something (see the module's rule).

    Args:
        out: where the output goes.
        overwrite: the user allows replacing an output of this app.
        inputs: paths the job reads (data, source model, search or checkpoint folder).
        file: the output is one file (a CSV, a single .keras), not a folder.

    Raises:
        ModelError: the destination exists and may not be replaced; the message says why.
    """
    path = Path(os.path.normpath(Path(out).expanduser().absolute()))
    real = _resolved(path) or path
    exists = os.path.lexists(path)
    clash = _input_clash(real, exists, inputs)
    if clash:
        raise ModelError(
            f"{path} {clash}; it will not be replaced.",
            "Choose a new name for the output (nothing was written).",
        )
    cwd = _resolved(Path.cwd())
    if exists and cwd is not None and (real == cwd or real in cwd.parents):
        what = "the current folder" if real == cwd else "a folder holding the current folder"
        raise ModelError(
            f"{path} is {what}; it will not be replaced.",
            "Give a new folder name, e.g. --out ./model (nothing was written).",
        )
    if not exists:
        return
    if path.is_symlink():
        raise ModelError(
            f"{path} is a link; it will not be replaced.", "Choose a new name for the output."
        )
    if file and path.is_dir():
        raise ModelError(f"{path} is a folder, not a file.", "Give a file name for the output.")
    if not file and not path.is_dir():
        raise ModelError(
            f"{path} is a file, not a folder; it will not be replaced.",
            "Give a new folder name for the output.",
        )
    if path.is_dir() and not any(path.iterdir()):
        return  # an empty folder: nothing to lose
    project = project_run_of(path) if path.is_dir() else None
    if project is not None:
        raise ModelError(
            f"{path} is a run folder of the project in {project}; it will not be replaced.",
            "Choose a new name outside the project's runs folder (the project saves its own "
            "runs; nothing was written).",
        )
    if not overwrite:
        raise ModelError(
            f"{path} exists; choose another {'name' if file else 'folder'} or pass --overwrite.",
            "Nothing was written.",
        )
    if file:
        return
    foreign = foreign_entries(path)
    if foreign:
        raise ModelError(
            f"{path} holds files this app did not write ({_listing(foreign)}); it was left "
            "as it is.",
            "Choose a new folder name: only a folder the app wrote (its model or export, "
            "nothing added) is replaced.",
        )
    if not _is_app_record(path):
        raise ModelError(
            f"{path} is not a folder this app wrote (no metadata.json of this app); it was "
            "left as it is.",
            "Choose a new folder name for the output.",
        )


def check_writable(out: str | os.PathLike[str]) -> None:
    """Create and remove a small file in the nearest existing folder above ``out`` (where
    its temp copy goes), so a read-only, full or forbidden destination is found at once.

    Raises:
        ConfigError: the folder cannot be written; the message names the cause.
    """
    folder = Path(out).expanduser().absolute().parent
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise ConfigError(
            f"{folder} is a file, so {out} cannot be created in it.", "Check the output path."
        )
    probe = folder / f".automl-gui-probe-{os.getpid()}-{time.monotonic_ns()}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        try:
            os.write(fd, b"\0" * 4096)
        finally:
            os.close(fd)
    except OSError as exc:
        message, hint = describe_os_error(exc, folder)
        raise ConfigError(f"Cannot write the output there: {message}", hint) from None
    finally:
        try:
            probe.unlink()
        except OSError:
            pass


# -- leftovers of killed writes -------------------------------------------------------------------
def _holds_only_own(folder: Path) -> bool:
    """True when ``folder`` (not a link) holds something and only the files the app writes."""
    try:
        return (
            not folder.is_symlink()
            and folder.is_dir()
            and any(folder.iterdir())
            and not foreign_entries(folder)
        )
    except OSError:
        return False


def _leftover(entry: Path, target: str) -> tuple[str, int | None, bool] | None:
    """("tmp" or "old", the writer's pid, restorable) when ``entry`` is a leftover of a write
    of ``target`` the app may tidy; None for anything else (the user's)."""
    parsed = parse_temp_name(entry.name)
    if parsed is not None:
        name, role, pid, rest = parsed
        backup = role == "old"
        if name != target or entry.is_symlink():
            return None
        if backup and not is_app_folder(entry):
            return None  # a backup is put back or removed only when it is the app's
        return role, pid, backup and not rest
    legacy = _LEGACY_RE.match(entry.name)
    if legacy is None or legacy["name"] != target or not _holds_only_own(entry):
        return None
    if legacy["old"]:
        return ("old", int(legacy["old"]), True) if is_app_folder(entry) else None
    return "tmp", int(legacy["pid"]) if legacy["pid"] else None, False


def tidy_stale(out: str | os.PathLike[str]) -> list[Path]:
    """Remove the temp files/folders of this app's naming beside ``out`` that a killed write
    left (their process is gone, or they are hours old); a backup of ``out`` a kill left
    mid-replace is put back when ``out`` is missing. Only what is surely the app's is
    touched (see the module's docstring): a user's ``.model.old-2023`` stays.

    Returns what was removed or restored.
    """
    target = Path(out).expanduser().absolute()
    parent = target.parent
    try:
        entries = list(parent.iterdir())
    except OSError:
        return []
    done: list[Path] = []
    for entry in entries:
        found = _leftover(entry, target.name)
        if found is None:
            continue
        _kind, pid, restorable = found
        if not is_stale(entry, pid, idle_s=STALE_IDLE_S, max_age_s=STALE_AGE_S):
            continue
        if restorable and not os.path.lexists(target):
            try:
                os.replace(entry, target)  # the previous output, kept by a killed replace
                done.append(entry)
                continue
            except OSError:
                pass
        remove_path(entry)
        done.append(entry)
    return done


def prepare_output(
    out: str | os.PathLike[str],
    overwrite: bool,
    *,
    inputs: Iterable[Any] = (),
    file: bool = False,
) -> Path:
    """Everything to check before a job that ends by writing ``out``: the replace rule
    (:func:`check_destination`), leftovers of killed writes tidied, the disk writable.
    Returns ``out`` as an absolute path."""
    path = Path(out).expanduser().absolute()
    tidy_stale(path)
    check_destination(path, overwrite, inputs=list(inputs), file=file)
    check_writable(path)
    return path


# -- writing ----------------------------------------------------------------------------------------
def temp_dir_beside(out: Path) -> Path:
    """A fresh temporary folder in the same parent as ``out`` (so rename is atomic), named
    ``.NAME.tmp-automl-gui-PID-XXXXXXXX`` so a later run can tell it is the app's and when
    its writer is gone. Made with the usual permissions of a new folder (``0o777`` less the
    umask, as ``mkdir`` gives), not ``mkdtemp``'s owner-only ``0o700``: the folder becomes
    the user's output (a run folder a cluster's batch account or a container's root writes
    must stay readable by the others)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        tmp = out.parent / f"{temp_name(out.name, 'tmp')}-{secrets.token_hex(4)}"
        try:
            tmp.mkdir()
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(f"no free temporary name beside {out}")


def commit_dir(
    tmp: Path,
    out: Path,
    overwrite: bool,
    *,
    inputs: Iterable[Any] = (),
    project_checked: bool = False,
) -> None:
    """Move a fully written temp folder into place, replacing ``out`` only where
    :func:`check_destination` allows it.

    ``project_checked``: the caller is a project writing its own ``runs/run-NNN`` slot and
    has already checked that whatever is there is its own (``core/_project_owner``); only
    then is an existing folder replaced without the rule's own check.
    """
    if not project_checked:
        check_destination(out, overwrite, inputs=list(inputs))
    backup: Path | None = None
    if os.path.lexists(out):
        backup = out.with_name(temp_name(out.name, "old"))
        if os.path.lexists(backup):
            remove_path(backup)
        os.replace(out, backup)
    try:
        os.replace(tmp, out)
    except OSError:
        if backup is not None:
            os.replace(backup, out)
        raise
    if backup is not None:
        remove_path(backup)


#: how many ``OUT-2``, ``OUT-3``, … :func:`commit_dir_or_beside` tries
MAX_SIBLINGS = 99


def free_sibling(out: Path) -> Path | None:
    """The first of ``OUT-2``, ``OUT-3``, … (``NAME-2.ext`` for a file name) that does not
    exist; None when all are taken."""
    stem, suffix = (out.stem, out.suffix) if out.suffix and not out.is_dir() else (out.name, "")
    for n in range(2, MAX_SIBLINGS + 2):
        candidate = out.with_name(f"{stem}-{n}{suffix}")
        if not os.path.lexists(candidate):
            return candidate
    return None


def commit_dir_or_beside(
    tmp: Path, out: Path, overwrite: bool, *, inputs: Iterable[Any] = ()
) -> Path:
    """:func:`commit_dir`, but when ``out`` may no longer be replaced (it changed while the
    job ran: a file added to it, a folder made there during a multi-hour training), the
    finished work is kept: committed to the first free ``OUT-2``, ``OUT-3``, … beside it.
    Returns where it went (``out`` or that sibling); the caller says so when it differs.
    Other errors (the disk) are raised as :func:`commit_dir` raises them.

    Raises:
        ModelError: ``out`` is refused and no free name beside it could be written.
    """
    inputs = list(inputs)
    try:
        commit_dir(tmp, out, overwrite, inputs=inputs)
        return out
    except ModelError as refused:
        for _ in range(3):  # a name taken meanwhile by another writer: the next one
            sibling = free_sibling(out)
            if sibling is None:
                break
            try:
                commit_dir(tmp, sibling, False, inputs=inputs)
                return sibling
            except ModelError:
                continue
        raise refused from None


__all__ = [
    "OWN_FILES",
    "RUN_FOLDER_FILES",
    "RUN_FORMAT",
    "check_destination",
    "check_writable",
    "commit_dir",
    "commit_dir_or_beside",
    "free_sibling",
    "foreign_entries",
    "is_app_folder",
    "is_temp_name",
    "prepare_output",
    "temp_dir_beside",
    "tidy_stale",
]

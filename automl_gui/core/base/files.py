"""Writing user-visible files safely: a temp file beside the target, then one rename.

A crash or a full disk mid-write leaves the previous file (or nothing), never half a file.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def _kind_of(st_mode: int) -> str:
    for test, name in _KINDS:
        if test(st_mode):
            return name
    return "something else"


class NotRegularFile(OSError):
    """Raised by :func:`open_regular` for a named pipe, socket or device (an ``OSError``, so
    every reader's existing ``except OSError`` reports it); ``what`` says which."""

    def __init__(self, path: str | os.PathLike[str], what: str) -> None:
        message = f"{os.fspath(path)} is {what}, not a regular file"
        super().__init__(message)
        self.strerror = f"it is {what}, not a regular file"
        self.path = os.fspath(path)
        self.what = what


def open_regular(path: str | os.PathLike[str], mode: str = "rb", **kwargs: Any) -> IO[Any]:
    """Open ``path`` for reading only when it is a regular file, never blocking: it is opened
    with ``O_NONBLOCK`` (a named pipe without a writer then opens at once instead of
    hanging), checked with ``fstat`` and only then handed on as a normal blocking file
    object (``mode`` "rb" or "r", ``kwargs`` as :func:`open`'s: ``encoding`` …).

    Raises:
        NotRegularFile: a named pipe, socket or device (or a folder).
        OSError: it cannot be opened.
    """
    if any(c in mode for c in "wax+"):
        raise ValueError("open_regular only reads")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        st_mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(st_mode):
            raise NotRegularFile(path, _kind_of(st_mode))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


#: the mark in the name of every temp file/folder and backup the app writes beside a target:
#: ``.NAME.tmp-automl-gui-PID-…`` and ``.NAME.old-automl-gui-PID[-…]``. Only names with it
#: are ever tidied on their name alone; a user's ``.model.old-2023`` is never ours.
TEMP_TAG = "automl-gui"
_TEMP_NAME_RE = re.compile(
    rf"^\.(?P<name>.+)\.(?P<kind>tmp|old)-{TEMP_TAG}-(?P<pid>\d{{1,10}})(?:-(?P<rest>.*))?$",
    re.DOTALL,
)


def temp_name(name: str, kind: str = "tmp", suffix: str = "") -> str:
    """The app's name for a temp (``kind`` "tmp") or backup ("old") of ``name`` written by
    this process: ``.NAME.tmp-automl-gui-PID[-suffix]``."""
    return f".{name}.{kind}-{TEMP_TAG}-{os.getpid()}" + (f"-{suffix}" if suffix else "")


def parse_temp_name(name: str) -> tuple[str, str, int, str] | None:
    """(target name, "tmp" or "old", writer pid, rest) for a name :func:`temp_name` made;
    None for any other name (a user's hidden file, an older version's leftover)."""
    match = _TEMP_NAME_RE.match(name)
    if match is None:
        return None
    return match["name"], match["kind"], int(match["pid"]), match["rest"] or ""


def atomic_write(
    path: str | os.PathLike[str],
    write: Callable[[Path], object],
    *,
    make_parents: bool = False,
    durable: bool = False,
    keep_suffix: bool = False,
) -> Path:
    """Call ``write(tmp_path)`` and rename the result onto ``path``; returns ``path``.

    The one way the app replaces a file: a kill at any moment leaves the old file or the new
    one, never half of one (the temp file, of the app's naming, is removed on failure).
    The temp file is created by ``write`` itself, so it gets the user's usual permissions.
    ``make_parents`` creates missing folders (the CLI's ``--out``); otherwise a missing
    folder is an error, as a file dialog would have it. ``durable`` also survives a power
    cut: the temp file is fsynced before the rename and the folder after it (projects, run
    folders). ``keep_suffix``: the temp name ends as ``path`` does, for writers that choose
    the format by the extension (Keras' ``.weights.h5``).
    """
    target = Path(path)
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    name = temp_name(target.name, "tmp", str(threading.get_ident()))
    if keep_suffix:
        name += "".join(Path(target.name).suffixes)
    tmp = target.with_name(name)
    try:
        write(tmp)
        if durable:
            _fsync(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    if durable:
        fsync_dir(target.parent)
    return target


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make a rename in ``folder`` durable where the OS allows (not on Windows)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- leftovers of killed writes ---------------------------------------------------------------------
def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this computer (assumed so where that cannot be asked
    safely: on Windows ``os.kill(pid, 0)`` would send Ctrl+C to it)."""
    if pid == os.getpid() or os.name == "nt":
        return True
    if pid <= 0:
        return True  # 0 / negatives would signal a process group: never ask
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True
    return True


def _now() -> float:
    """The clock :func:`is_stale` ages by (tests move it)."""
    return time.time()


def last_touched(path: str | os.PathLike[str]) -> float | None:
    """The latest of ``st_mtime`` and ``st_ctime`` of ``path`` and, for a folder, of its
    entries (a ``mv`` or rename keeps a folder's mtime but sets its ctime, and a writer
    filling a folder touches its newest entry); None when ``path`` is gone."""
    p = Path(path)
    try:
        st = p.lstat()
    except OSError:
        return None
    newest = max(st.st_mtime, st.st_ctime)
    if stat.S_ISDIR(st.st_mode):
        try:
            with os.scandir(p) as entries:
                for entry in entries:
                    try:
                        est = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    newest = max(newest, est.st_mtime, est.st_ctime)
        except OSError:
            pass
    return newest


def is_stale(
    path: str | os.PathLike[str],
    pid: int | None,
    *,
    idle_s: float = 60.0,
    max_age_s: float = 6 * 3600.0,
) -> bool:
    """Whether a temp leftover of this app's naming at ``path`` may be tidied.

    With ``pid`` (the writer's, from the name): stale when that process is gone and the
    leftover has been idle ``idle_s`` (a writer on another computer sharing the folder keeps
    touching its own), or when idle ``max_age_s`` whatever the pid says (a reused pid).
    Without: stale when idle ``max_age_s``. "Idle" counts from :func:`last_touched`. A
    leftover of this very process is never stale (its write may be under way), nor a
    missing one.
    """
    touched = last_touched(path)
    if touched is None:
        return False
    if pid is not None and pid == os.getpid():
        return False
    idle = _now() - touched
    if idle >= max_age_s:
        return True
    return pid is not None and idle >= idle_s and not pid_alive(pid)


def remove_path(path: str | os.PathLike[str]) -> None:
    """Remove a file, link or folder tree; a missing path or a failure is ignored (tidying)."""
    p = Path(path)
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        try:
            p.unlink()
        except OSError:
            pass

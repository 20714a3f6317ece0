"""Media files in bulk: list them under folders, and check them in parallel.

Shared by the image and audio scans (``_media_scan``): listing counts hidden files and files
of other types on the way, checking runs the media's check function on a thread pool (the
work is file I/O, and decoders that release the GIL) with throttled progress and cancel.

Links, when a dataset ``root`` is given: a link to a FOLDER that points back into the
dataset, or to a folder holding it (a loop), is not followed, so no folder is walked twice
or under the class of the folder holding the link (``circle/sq -> ../square``); one into a
hidden folder of the dataset (never walked otherwise) is followed. A link to a FILE is kept,
wherever it points: it takes the class of the folder holding it (a pool of files linked into
class or split folders, git-annex, DataLad and DVC caches in ``.git/annex`` or ``.dvc``), and
it is hidden only when its own name is. The scan then drops a file link whose target is also
reached another way (:meth:`Walker.real_path`, ``_media_scan``). Links leading outside the
dataset are followed and remembered, for a notice.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any

from automl_gui.core.base.errors import CancelledError
from automl_gui.core.base.events import CancelToken, EventCallback, Progress, emit
from automl_gui.core.data._file_guard import BAD_NAME_REASON, bad_name, shown, within

PROGRESS_INTERVAL = 0.1  # seconds between Progress events (at most ~10 a second)
# Threads overlap file I/O (cold cache, network drives); header parsing holds the GIL, so
# more threads only contend (on a warm cache one thread is about as fast).
MAX_WORKERS = 8

#: A check's answer: what it learned about a usable file, or the reason (a str) it is not.
CheckFn = Callable[[str], Any]


class Walker:
    """Lists media files (by extension) under folders, counting hidden and other files.

    Args:
        extensions: lower-case suffixes of the media's files (".jpg", ...).
        plural: what they are called in progress messages ("images", "clips").
        root: the dataset's folder: links are judged against it (module docstring); None
            (prediction) follows every link, each folder listed once.

    Attributes:
        links_inside: (link, target) of folder links not followed (into the dataset, or
            loops), as printable paths relative to ``root`` where they lie in it.
        links_outside: (link, target) of links followed out of the dataset.
        file_links: listed path → resolved target, for every file listed that is a link.
    """

    def __init__(
        self,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
        *,
        extensions: tuple[str, ...],
        plural: str,
        root: str | None = None,
    ) -> None:
        self.hidden = 0
        self.other = 0
        self.unreadable: list[str] = []
        self.links_inside: list[tuple[str, str]] = []
        self.links_outside: list[tuple[str, str]] = []
        self.file_links: dict[str, str] = {}
        self._real_dirs: dict[str, str] = {}
        self._root = os.path.realpath(root) if root is not None else None
        self._extensions = extensions
        self._plural = plural
        self._on_event = on_event
        self._cancel = cancel
        self._found = 0
        self._last = 0.0
        self._seen: set[tuple[int, int]] = set()

    def entries(self, folder: str) -> tuple[list[os.DirEntry[str]], list[str]]:
        """Visible subfolders and media files directly in ``folder`` (both sorted)."""
        dirs: list[os.DirEntry[str]] = []
        files: list[str] = []
        if not self._first_visit(folder):
            return dirs, files  # a link back to a folder already listed
        try:
            with os.scandir(folder) as it:
                listing = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.unreadable.append(f"'{shown(os.path.basename(folder))}' ({exc.strerror or exc})")
            return dirs, files
        for entry in listing:
            name = entry.name
            try:
                is_dir = entry.is_dir()  # follows links; a broken link is a file (reported bad)
            except OSError:
                is_dir = False
            hidden = name.startswith(".")
            if self._root is not None and not hidden and not self._follow(entry, is_dir):
                continue
            if is_dir:
                if name.startswith("."):
                    self.hidden += count_files(entry.path)
                else:
                    dirs.append(entry)
            elif name.startswith("."):
                self.hidden += 1
            elif name.lower().endswith(self._extensions):
                files.append(entry.path)
                self._note_link(entry)
            else:
                self.other += 1
        self._found += len(files)
        self._report()
        dirs.sort(key=lambda e: e.name)
        files.sort()
        return dirs, files

    def files_under(self, folder: str) -> list[str]:
        """All media files under ``folder``, nested subfolders included."""
        out: list[str] = []
        stack = [folder]
        while stack:
            dirs, files = self.entries(stack.pop())
            out.extend(files)
            stack.extend(d.path for d in reversed(dirs))
        return out

    def set_root(self, root: str) -> None:
        """Judge links against ``root`` from now on (prediction: each folder given)."""
        self._root = os.path.realpath(root)

    def real_path(self, path: str) -> str:
        """Where a listed file really is (links resolved): a file link's target, else its
        folder resolved (once per folder) joined with its name."""
        if path in self.file_links:
            return self.file_links[path]
        folder, name = os.path.split(path)
        real = self._real_dirs.get(folder)
        if real is None:
            real = self._real_dirs[folder] = os.path.realpath(folder)
        return os.path.join(real, name)

    def _note_link(self, entry: os.DirEntry[str]) -> None:
        try:
            if entry.is_symlink():
                self.file_links[entry.path] = os.path.realpath(entry.path)
        except (OSError, ValueError):
            pass

    def _follow(self, entry: os.DirEntry[str], is_dir: bool) -> bool:
        """False for a folder link that points into the dataset (not into a hidden folder
        of it) or to a folder holding it; file links are always kept (module docstring)."""
        try:
            if not entry.is_symlink():
                return True
            target = os.path.realpath(entry.path)
        except (OSError, ValueError):
            return True  # the check reports what is wrong with it
        if not os.path.exists(target):
            return True  # a broken link: listed, then reported as broken
        root = self._root or ""
        into = within(target, root)
        pair = (self.relative(entry.path), self.relative(target))
        if not into:
            if is_dir and within(root, target):  # a folder holding the dataset: a loop
                self.links_inside.append(pair)
                return False
            self.links_outside.append(pair)
            return True
        if not is_dir or _hidden_part(target, root):
            return True  # a file (judged by the scan), or a folder the walk never enters
        self.links_inside.append(pair)
        return False

    def relative(self, path: str) -> str:
        """``path`` relative to the dataset when it lies in it, printable."""
        root = self._root or ""
        real = os.path.realpath(os.path.dirname(path))
        full = os.path.join(real, os.path.basename(path))
        if full == root:
            return "."
        if within(full, root):
            return shown(os.path.relpath(full, root))
        return shown(path)

    def _first_visit(self, folder: str) -> bool:
        try:
            st = os.stat(folder)
        except OSError:
            return True  # scandir reports it
        key = (st.st_dev, st.st_ino)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def _report(self) -> None:
        if self._cancel is not None:
            self._cancel.raise_if_cancelled()
        now = time.monotonic()
        if now - self._last >= PROGRESS_INTERVAL:
            self._last = now
            message = f"Finding {self._plural}…"
            if self._found:
                message += f" {self._found:,} found"
            emit(self._on_event, Progress("scan", None, message))


def _hidden_part(real: str, root: str) -> bool:
    """True when ``real`` (in ``root``) lies under a hidden folder of it (or is one)."""
    rel = os.path.relpath(real, root)
    return rel != os.curdir and any(part.startswith(".") for part in rel.split(os.sep))


def count_files(folder: str) -> int:
    return sum(len(files) for _root, _dirs, files in os.walk(folder))


def check_files(
    paths: list[str],
    on_event: EventCallback | None,
    cancel: CancelToken | None,
    *,
    check: CheckFn,
    plural: str,
) -> list[Any]:
    """``check`` on every path, in parallel, results in the paths' order.

    An exception escaping ``check`` becomes the reason "unreadable: <type>: <message>" (one
    odd file never ends a scan of thousands). Emits ``Progress("scan", fraction, "Checking
    <plural>… 1,234 / 5,000")`` at most ~10 times a second.

    Raises:
        CancelledError: ``cancel`` was set (checks still running stop at their next file).
    """
    total = len(paths)
    results: list[Any] = [""] * total
    stop = threading.Event()
    lock = threading.Lock()
    done = [0]

    def work(lo: int, hi: int) -> None:
        for i in range(lo, hi):
            if stop.is_set():
                return
            results[i] = _check_one(check, paths[i])
            with lock:
                done[0] += 1

    def report(fraction_done: int) -> None:
        message = f"Checking {plural}… {fraction_done:,} / {total:,}"
        emit(on_event, Progress("scan", fraction_done / total if total else 1.0, message))

    workers = max(1, min(MAX_WORKERS, 4 * (os.cpu_count() or 1)))
    chunk = max(8, min(256, total // (workers * 8) or 1))
    report(0)
    last = time.monotonic()
    prefix = f"{plural}-scan"
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=prefix) as pool:
        pending = {pool.submit(work, lo, min(lo + chunk, total)) for lo in range(0, total, chunk)}
        try:
            while pending:
                finished, pending = wait(pending, timeout=0.05, return_when=FIRST_COMPLETED)
                for future in finished:
                    future.result()
                if cancel is not None and cancel.cancelled:
                    raise CancelledError()
                now = time.monotonic()
                if pending and now - last >= PROGRESS_INTERVAL:
                    last = now
                    report(done[0])
        except BaseException:
            stop.set()
            for future in pending:
                future.cancel()
            raise
    report(total)
    return results


def _check_one(check: CheckFn, path: str) -> Any:
    if bad_name(path):  # could be read, but not printed, saved in a table or put in a tensor
        return BAD_NAME_REASON
    try:
        return check(path)
    except Exception as exc:  # never let one odd file end a scan of thousands
        return f"unreadable: {type(exc).__name__}: {exc}"


Candidate = tuple[str, str, str | None]  # (path, label, split)


def drop_linked_twice(
    walker: Walker, candidates: list[Candidate]
) -> tuple[list[Candidate], list[tuple[Candidate, Candidate]], int]:
    """``candidates`` without the file links whose target is also reached another way.

    One file is one example: a file reached as itself (not through a link) keeps its place;
    otherwise the first link to it (by path) does. Returns (kept, conflicts, repeats):
    ``conflicts`` pairs each dropped link with the kept entry when that has another class
    or split (the link would have trained the same file as two classes, or leaked it into
    another split); ``repeats`` counts dropped links of the same class and split.
    """
    if not walker.file_links:
        return candidates, [], 0
    owner: dict[str, Candidate] = {}
    for c in candidates:
        if c[0] not in walker.file_links:
            owner.setdefault(walker.real_path(c[0]), c)
    for c in sorted(c for c in candidates if c[0] in walker.file_links):
        owner.setdefault(walker.real_path(c[0]), c)
    kept: list[Candidate] = []
    conflicts: list[tuple[Candidate, Candidate]] = []
    repeats = 0
    for c in candidates:
        first = owner[walker.real_path(c[0])]
        if first is c:
            kept.append(c)
        elif first[1:] == c[1:]:
            repeats += 1
        else:
            conflicts.append((c, first))
    return kept, conflicts, repeats

"""Media files in bulk: list them under folders, and check them in parallel.

Shared by the image and audio scans (``_media_scan``): listing counts hidden files and files
of other types on the way, checking runs the media's check function on a thread pool (the
work is file I/O, and decoders that release the GIL) with throttled progress and cancel.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any

from automl_gui.core.errors import CancelledError
from automl_gui.core.events import CancelToken, EventCallback, Progress, emit

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
    """

    def __init__(
        self,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
        *,
        extensions: tuple[str, ...],
        plural: str,
    ) -> None:
        self.hidden = 0
        self.other = 0
        self.unreadable: list[str] = []
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
                listing = list(it)
        except OSError as exc:
            self.unreadable.append(f"'{os.path.basename(folder)}' ({exc.strerror or exc})")
            return dirs, files
        for entry in listing:
            name = entry.name
            try:
                is_dir = entry.is_dir()  # follows links; a broken link is a file (reported bad)
            except OSError:
                is_dir = False
            if is_dir:
                if name.startswith("."):
                    self.hidden += count_files(entry.path)
                else:
                    dirs.append(entry)
            elif name.startswith("."):
                self.hidden += 1
            elif name.lower().endswith(self._extensions):
                files.append(entry.path)
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
    try:
        return check(path)
    except Exception as exc:  # never let one odd file end a scan of thousands
        return f"unreadable: {type(exc).__name__}: {exc}"

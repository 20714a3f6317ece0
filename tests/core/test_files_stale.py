"""is_stale: when a temp leftover of this app's naming may be tidied. Age counts from the
newest of mtime and ctime of the path and of a folder's entries, so a folder just renamed
(a backup of an hours-old output) is fresh, and a live writer's leftovers are never taken."""

from __future__ import annotations

import os
import subprocess
import time

from automl_gui.core.base import files
from automl_gui.core.base.files import is_stale, last_touched, remove_path


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _later(monkeypatch, seconds: float) -> None:
    now = time.time() + seconds
    monkeypatch.setattr(files, "_now", lambda: now)


def test_a_renamed_old_folder_is_fresh(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.keras").write_bytes(b"x")
    ancient = time.time() - 10 * 3600
    for p in (out / "model.keras", out):
        os.utime(p, (ancient, ancient))
    backup = tmp_path / ".out.old"
    os.replace(out, backup)  # what commit_dir does: the mtime stays hours old
    assert backup.stat().st_mtime < time.time() - 3600
    assert last_touched(backup) > time.time() - 60
    assert not is_stale(backup, None)
    assert not is_stale(backup, _dead_pid())


def test_a_folder_counts_its_newest_entry(tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    _later(monkeypatch, 7 * 3600)
    assert is_stale(folder, None)
    monkeypatch.undo()
    (folder / "new.bin").write_bytes(b"x")
    now = time.time() + 7 * 3600
    os.utime(folder / "new.bin", (now, now))  # a writer still filling it
    _later(monkeypatch, 7 * 3600)
    assert not is_stale(folder, None)


def test_the_pid_rule(tmp_path, monkeypatch):
    leftover = tmp_path / "leftover"
    leftover.write_text("half")
    dead = _dead_pid()
    assert not is_stale(leftover, dead)  # just written: maybe another computer's writer
    _later(monkeypatch, 120)
    assert is_stale(leftover, dead)
    assert not is_stale(leftover, 1)  # alive
    assert not is_stale(leftover, None)  # no pid: only the age rule
    assert not is_stale(leftover, os.getpid())  # ours: a write may be under way
    assert not is_stale(tmp_path / "gone", dead)
    monkeypatch.undo()
    _later(monkeypatch, 7 * 3600)
    assert is_stale(leftover, 1)  # hours idle: a reused pid
    assert is_stale(leftover, None)
    assert not is_stale(leftover, os.getpid())


def test_pid_alive_never_signals_on_windows(monkeypatch):
    def boom(*_a):
        raise AssertionError("os.kill called")

    monkeypatch.setattr(files.os, "kill", boom)
    monkeypatch.setattr(files.os, "name", "nt")
    assert files.pid_alive(_dead_pid())


def test_remove_path(tmp_path):
    (tmp_path / "d" / "e").mkdir(parents=True)
    (tmp_path / "f").write_text("x")
    remove_path(tmp_path / "d")
    remove_path(tmp_path / "f")
    remove_path(tmp_path / "missing")
    assert list(tmp_path.iterdir()) == []

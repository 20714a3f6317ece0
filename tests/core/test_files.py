"""Atomic writes: a failed write keeps the old file and leaves no temp file behind."""

from __future__ import annotations

import pytest

from automl_gui.core.base.files import atomic_write


def test_failed_write_keeps_the_previous_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")

    def half_then_fail(tmp):
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    atomic_write(target, lambda tmp: tmp.write_text("new"))
    assert target.read_text() == "new"


def test_missing_folder_is_an_error_unless_asked(tmp_path):
    target = tmp_path / "sub" / "x.txt"
    with pytest.raises(OSError):
        atomic_write(target, lambda tmp: tmp.write_text("x"))
    atomic_write(target, lambda tmp: tmp.write_text("x"), make_parents=True)
    assert target.read_text() == "x"

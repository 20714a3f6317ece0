"""Error text: echoed data is capped in one place (core/errors.py) and file errors name
their real cause (no space, read-only disk, no permission, folder vs file)."""

from __future__ import annotations

import errno

import pytest

from automl_gui.core.base.errors import (
    MAX_HINT,
    MAX_MESSAGE,
    AutoMLError,
    DataError,
    describe,
    describe_os_error,
    shorten,
)


def test_an_error_echoing_a_huge_line_is_capped_keeping_its_start_and_end():
    line = "a," * 100_000
    exc = DataError(f"Could not parse the first line: '{line}' (no newline).", "h" * 10_000)
    assert len(exc.message) <= MAX_MESSAGE and len(exc.hint) <= MAX_HINT
    assert exc.message.startswith("Could not parse the first line: 'a,a,")
    assert exc.message.endswith("(no newline).") and " … " in exc.message
    assert len(str(exc)) <= MAX_MESSAGE + MAX_HINT + 1
    message, hint = describe(ValueError("x" * 65_000))
    assert len(message) <= MAX_MESSAGE and "ValueError" in message
    assert shorten("short") == "short"


@pytest.mark.parametrize(
    "code, words",
    [
        (errno.ENOSPC, ["no space left"]),
        (errno.EROFS, ["read-only"]),
        (errno.EACCES, ["permission denied"]),
        (errno.EISDIR, ["is a folder, not a file"]),
        (errno.ENOTDIR, ["is a file, not a folder"]),
    ],
)
def test_file_errors_name_their_cause_not_a_lock(code, words):
    exc = OSError(code, "strerror", "/data/out/model.keras")
    message, hint = describe(exc)
    text = f"{message} {hint}".lower()
    assert all(w in text for w in words), text
    assert "locked" not in text and "/data/out/model.keras" in message
    assert describe_os_error(exc, "/elsewhere")[0].count("/elsewhere") == 1


def test_automl_errors_keep_short_text_unchanged():
    exc = AutoMLError("Plain message.", "Plain hint.")
    assert (exc.message, exc.hint) == ("Plain message.", "Plain hint.")
    assert describe(exc) == ("Plain message.", "Plain hint.")

"""Errors a user can act on.

Every failure the user can cause (bad file, bad setting, unsupported model) is raised as an
:class:`AutoMLError` whose ``message`` says what is wrong and whose ``hint`` says what to do.
The window shows both in a dialog; the command line prints them on one line and exits 1.
Anything else is a bug and is reported as such.

Text echoed from the user's data (a line of a file, a value, a path) can be any length: a
message is cut to :data:`MAX_MESSAGE` characters and a hint to :data:`MAX_HINT` here, in one
place, so no front end ever shows a 65 KB line.
"""

from __future__ import annotations

import errno

#: the longest message and hint shown (longer ones lose their middle to an ellipsis); room
#: for a few long paths (a hint naming where to put a weights file lists 3-4 folders)
MAX_MESSAGE = 600
MAX_HINT = 1000
ELLIPSIS = " … "


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` of at most ``limit`` characters: a longer one keeps its start and its end
    (where messages say what to do) around an ellipsis."""
    text = str(text)
    if len(text) <= limit:
        return text
    keep = max(2, limit - len(ELLIPSIS))
    head = keep * 2 // 3
    return text[:head].rstrip() + ELLIPSIS + text[len(text) - (keep - head) :].lstrip()


class AutoMLError(Exception):
    """An error with a plain message for the user and a hint on what to do next."""

    def __init__(self, message: str, hint: str = "") -> None:
        message, hint = shorten(message, MAX_MESSAGE), shorten(hint, MAX_HINT)
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message


class DataError(AutoMLError):
    """The dataset cannot be read or used as asked (empty, ragged, wrong target, ...)."""


class ConfigError(AutoMLError):
    """A setting is invalid or inconsistent with the data."""


class ModelError(AutoMLError):
    """A model cannot be built, trained, loaded or exported."""


class CancelledError(AutoMLError):
    """The user cancelled a long job."""

    def __init__(self, message: str = "Cancelled.", hint: str = "") -> None:
        super().__init__(message, hint)


def describe_os_error(exc: OSError, path: object = None) -> tuple[str, str]:
    """``(message, hint)`` naming the real cause of a file error from its errno: no space
    left, a read-only disk, no permission, a folder where a file was expected, ..."""
    where = path if path is not None else (exc.filename or "")
    at = f" ({where})" if where else ""
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"No space left on the disk{at}.", "Free some space or choose another disk."
    if code == errno.EROFS:
        return (
            f"{where or 'The destination'} is on a read-only disk.",
            "Choose a folder on a disk you can write to.",
        )
    if code in (errno.EACCES, errno.EPERM) or isinstance(exc, PermissionError):
        return f"Permission denied: {where or exc}.", "Choose a location you can write to."
    if code == errno.EISDIR:
        return f"{where or 'The path'} is a folder, not a file.", "Give a file name."
    if code == errno.ENOTDIR:
        return (
            f"{where or 'The path'}: a part of it is a file, not a folder.",
            "Check the path.",
        )
    if code == errno.ENOENT or isinstance(exc, FileNotFoundError):
        return f"File not found: {where or exc}.", "Check the path and try again."
    if code == errno.ENAMETOOLONG:
        return f"The name is too long{at}.", "Choose a shorter name or folder."
    reason = exc.strerror or str(exc)
    return (
        f"Could not access {where or 'a file'}: {reason}.",
        "Check the path, the free disk space and that you may write there.",
    )


def describe(exc: BaseException) -> tuple[str, str]:
    """Return ``(message, hint)`` for any exception, friendly for AutoMLError; both cut to
    :data:`MAX_MESSAGE` / :data:`MAX_HINT` characters."""
    if isinstance(exc, AutoMLError):
        message, hint = exc.message, exc.hint
    elif isinstance(exc, MemoryError):
        message = "Ran out of memory."
        hint = "Use a smaller batch size, fewer rows or a smaller model."
    elif isinstance(exc, OSError):
        message, hint = describe_os_error(exc)
    else:
        message = f"Unexpected error ({type(exc).__name__}): {exc}"
        hint = "This is a bug; please report it with the steps that led here."
    return shorten(message, MAX_MESSAGE), shorten(hint, MAX_HINT)

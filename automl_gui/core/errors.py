"""Errors a user can act on.

Every failure the user can cause (bad file, bad setting, unsupported model) is raised as an
:class:`AutoMLError` whose ``message`` says what is wrong and whose ``hint`` says what to do.
The window shows both in a dialog; the command line prints them on one line and exits 1.
Anything else is a bug and is reported as such.
"""

from __future__ import annotations


class AutoMLError(Exception):
    """An error with a plain message for the user and a hint on what to do next."""

    def __init__(self, message: str, hint: str = "") -> None:
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


def describe(exc: BaseException) -> tuple[str, str]:
    """Return ``(message, hint)`` for any exception, friendly for AutoMLError."""
    if isinstance(exc, AutoMLError):
        return exc.message, exc.hint
    if isinstance(exc, MemoryError):
        return "Ran out of memory.", "Use a smaller batch size, fewer rows or a smaller model."
    if isinstance(exc, PermissionError):
        return f"Permission denied: {exc.filename or exc}.", "Choose a location you can write to."
    if isinstance(exc, FileNotFoundError):
        return f"File not found: {exc.filename or exc}.", "Check the path and try again."
    if isinstance(exc, OSError):
        return f"Could not access a file: {exc}.", "Check that it exists and is not locked."
    return (
        f"Unexpected error ({type(exc).__name__}): {exc}",
        "This is a bug; please report it with the steps that led here.",
    )

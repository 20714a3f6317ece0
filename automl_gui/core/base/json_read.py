"""The one strict reader of the app's own JSON files (projects, bundles, exports, run
folders, checkpoints, searches): what this app never writes is refused.

:func:`read_json` opens only a regular file (a named pipe, socket or device is refused at
once instead of hanging: :func:`core.files.open_regular`), reads at most ``limit`` bytes
and refuses, each with a sentence the caller puts in its error message
(:class:`JsonProblem`): a file larger than ``limit``, text that is not UTF-8, JSON that
does not parse (a number Python will not read, nesting too deep for the parser: never a
``RecursionError``), a key written twice in one object (the second would silently win: a
second ``"runs": []`` would empty the project), and nesting deeper than ``max_depth``.
Text holding half a character (a lone surrogate) is kept: it is how Python spells a file
name whose bytes are not UTF-8, and the writers escape it. TensorFlow-free, Qt-free.
"""

from __future__ import annotations

import json
import os
from typing import Any

from automl_gui.core.base.files import open_regular

MB = 1024 * 1024
#: the defaults for a JSON file of the app's (metadata, reports, run records)
MAX_BYTES = 64 * MB
MAX_DEPTH = 100


class JsonProblem(ValueError):
    """Why a JSON file is refused: a phrase such as "it names "runs" twice in one object"."""


class _Twice(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Twice(key)
        out[key] = value
    return out


def check_depth(value: Any, max_depth: int) -> None:
    """Refuse nesting deeper than ``max_depth`` (iterative: a hostile tree cannot exhaust
    the stack).

    Raises:
        JsonProblem: saying so.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > max_depth:
                raise JsonProblem(f"it is nested more than {max_depth} levels deep")
            items = node.values() if isinstance(node, dict) else node
            stack.extend((item, depth + 1) for item in items)


def loads(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``text`` strictly (see the module's docstring).

    Raises:
        JsonProblem: what is wrong, as a phrase.
    """
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates)
    except _Twice as twice:
        raise JsonProblem(f'it names "{twice.key}" twice in one object') from None
    except RecursionError:
        raise JsonProblem(f"it is nested more than {max_depth} levels deep") from None
    except ValueError as exc:  # JSONDecodeError, and numbers of thousands of digits
        raise JsonProblem(f"it is not valid JSON ({exc})") from None
    check_depth(value, max_depth)
    return value


def read_json(
    path: str | os.PathLike[str], limit: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> Any:
    """Read and parse the JSON file ``path`` (at most ``limit`` bytes are read).

    Raises:
        JsonProblem: the file is too large, not UTF-8, or its JSON is refused.
        OSError: it cannot be read, or is not a regular file (``NotRegularFile``).
    """
    with open_regular(path, "rb") as fh:
        blob = fh.read(limit + 1)
    if len(blob) > limit:
        size = f"{limit // MB} MB" if limit >= MB else f"{limit} bytes"
        raise JsonProblem(f"it is larger than {size}")
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonProblem(f"it is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return loads(text, max_depth)


__all__ = ["MAX_BYTES", "MAX_DEPTH", "MB", "JsonProblem", "check_depth", "loads", "read_json"]

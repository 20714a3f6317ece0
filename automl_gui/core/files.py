"""Writing user-visible files safely: a temp file beside the target, then one rename.

A crash or a full disk mid-write leaves the previous file (or nothing), never half a file.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path


def atomic_write(
    path: str | os.PathLike[str], write: Callable[[Path], object], *, make_parents: bool = False
) -> Path:
    """Call ``write(tmp_path)`` and rename the result onto ``path``; returns ``path``.

    The temp file is created by ``write`` itself, so it gets the user's usual permissions.
    ``make_parents`` creates missing folders (the CLI's ``--out``); otherwise a missing
    folder is an error, as a file dialog would have it.
    """
    target = Path(path)
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target

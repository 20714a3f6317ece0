"""A training's curves as ``history.csv`` beside a model the command line saved: one row per
epoch (``epoch`` from 1, then ``loss``, ``val_loss`` and each metric), readable in any
spreadsheet, and read back when the run folder is opened in the window (File → Open Run
Folder…), so Compare Runs draws its curves as for a run trained there.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from automl_gui.core.base.files import atomic_write

HISTORY_FILE = "history.csv"
#: a larger file is not one of ours (a long training is a few thousand rows)
MAX_HISTORY_BYTES = 16 * 2**20


def write_history(history: dict[str, list[float]], path: Path) -> bool:
    """Write ``history`` (name → value per epoch) to ``path`` atomically; False (nothing
    written) when there is no curve."""
    names = [str(k) for k, v in history.items() if v]
    if not names:
        return False
    epochs = max(len(history[k]) for k in names)

    def cell(values: list[float], i: int) -> str:
        if i >= len(values) or values[i] is None or not math.isfinite(float(values[i])):
            return ""
        return repr(float(values[i]))

    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["epoch", *names])
            for i in range(epochs):
                out.writerow([i + 1, *(cell(list(history[k]), i) for k in names)])

    atomic_write(path, write)
    return True


def read_history(path: Path) -> dict[str, list[float]]:
    """The curves in ``path`` ({} when it is missing, too large or not such a table: a run
    folder without curves still opens)."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_HISTORY_BYTES:
            return {}
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}
    if not rows or not rows[0] or rows[0][0] != "epoch":
        return {}
    names = rows[0][1:]
    history: dict[str, list[float]] = {name: [] for name in names}
    for row in rows[1:]:
        for name, value in zip(names, row[1:], strict=False):
            try:
                history[name].append(float(value) if value != "" else float("nan"))
            except ValueError:
                return {}
    return {k: v for k, v in history.items() if v}

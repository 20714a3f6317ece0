"""Saving what ``train`` made: the model folder (``core.export.bundle.save_bundle``), its test
scores and where it went, and a search's leaderboard."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from automl_gui.core.base.files import atomic_write


def save_run(
    run: Any,
    out: Path,
    *,
    overwrite: bool,
    inputs: Any = (),
    test_predictions: bool = False,
    data: Any = None,
) -> Path:
    """Save ``run`` into ``out`` (the model, metadata, report and the run's samples, if it
    has any; ``test_predictions.csv`` when asked) and print its test scores and where it
    went. ``overwrite`` replaces only an output of this app, never one of ``inputs``
    (``core.export.outputs``). ``data``: the DATA given, whose name is recorded as
    ``metadata["data"]["name"]`` (File → Open Run Folder… names the run's data by it)."""
    from automl_gui.core.evaluate.metrics import CHANCE_REMEDIES, chance_note, summary_line
    from automl_gui.core.export.bundle import save_bundle
    from automl_gui.core.train.history_csv import HISTORY_FILE, write_history

    if data:
        run.metadata.setdefault("data", {}).setdefault("name", Path(str(data)).name)
    path = save_bundle(
        run.model,
        run.metadata,
        run.report,
        out,
        overwrite=overwrite,
        samples=getattr(run, "samples", None),  # image and audio runs keep a few inputs
        inputs=inputs,
    )
    written = ["model.keras", "metadata.json", "report.json"]
    if write_history(getattr(run, "history", None) or {}, path / HISTORY_FILE):
        written.append(HISTORY_FILE)  # the curves, for a spreadsheet and Open Run Folder…
    if test_predictions:
        preds = path / "test_predictions.csv"
        atomic_write(preds, lambda tmp: run.test_predictions.to_csv(tmp, index=False))
        written.append("test_predictions.csv")
    print(f"Test: {summary_line(run.report)}")
    note = chance_note(run.report)
    if note:
        print(f"warning: {note} {CHANCE_REMEDIES[0]}")
    say_saved(", ".join(written[:-1]) + f" and {written[-1]}", out, path)
    return path


def say_saved(what: str, out: Path, path: Path) -> None:
    """Say that ``what`` was saved to ``path``, and when that is beside ``out`` (``out``
    changed during the job and may no longer be replaced: the finished model is kept)."""
    print(f"Saved {what} to {path}")
    if Path(path) != Path(out).expanduser().absolute():
        print(
            f"note: {out} changed while this ran (something was added to it) and was left as "
            f"it is; the model was saved to {path} instead.",
            file=sys.stderr,
        )


def write_leaderboard_csv(records: list[Any], path: Path) -> None:
    """Write the leaderboard rows (``core.tune.search.space.leaderboard_rows``) as CSV,
    atomically, and say where."""
    import pandas as pd

    from automl_gui.core.tune.search.space import leaderboard_rows

    frame = pd.DataFrame(leaderboard_rows(records))
    atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))
    print(f"Saved the leaderboard to {path}")

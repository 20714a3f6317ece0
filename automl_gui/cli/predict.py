"""``automl-gui predict MODEL DATA... [--out FILE.csv]``: a trained model's answers beside the
rows of a table, or per file for an image or audio model, or per text for a text model
(``.txt`` files and folders, a table's text column, or ``--text "..."``), written atomically.

``--out`` is checked before loading anything (``_common.prepare_out``: the replace rule,
leftovers of killed runs, a writable disk), so a bad destination costs no time; with
``--text`` the model is loaded first, so typed text given to a model of another kind is
refused before anything is said about ``--out``.

The data is compared with the training data while it is answered
(``core.trust.drift.predict_with_drift``: per column for tables, on the model's embedding
for files): the drift sentence is printed and the figures go to ``<out stem>_drift.csv``
beside the predictions (checked with ``--out``). A model saved without a drift reference
predicts as before. A binary model's chosen threshold is said in a line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from automl_gui.cli._common import EXIT_OK, prepare_out, read_tabular
from automl_gui.cli._signals import interruptible
from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.events import CancelToken
from automl_gui.core.base.files import atomic_write


def add_predict_parser(sub: Any) -> argparse.ArgumentParser:
    """Register the ``predict`` subcommand on ``sub`` (argparse subparsers)."""
    predict = sub.add_parser("predict", help="predict with a trained model")
    predict.add_argument("model", help="a model folder (or its model.keras)")
    predict.add_argument(
        "data",
        nargs="*",
        help="a table; for an image or audio model: files and/or folders (searched "
        "recursively); for a text model: .txt files, folders of them, or a table (CSV, JSON "
        "Lines) whose text column has the training column's name (else its wordiest column)",
    )
    predict.add_argument(
        "--text",
        action="append",
        metavar="TEXT",
        help="a text model: classify this text (repeat for several); its answers are printed too",
    )
    predict.add_argument(
        "--out",
        help="output CSV (default: <data>_predictions.csv here); the drift figures go "
        "beside it as <name>_drift.csv",
    )
    predict.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    return predict


def predict_command(args: argparse.Namespace) -> int:
    """``predict MODEL DATA... [--out FILE.csv]``: the model's answers beside the rows (a
    table) or per file (images, audio, texts), written atomically, with how far the data is
    from the training data (``<out stem>_drift.csv``)."""
    from automl_gui.core.export.bundle import load_bundle

    if not args.data and not args.text:
        raise ConfigError("Nothing to predict on.", "Give the data after the model, or --text.")
    if args.data and args.text:
        raise ConfigError(
            "Give either data files or --text, not both.", "Predict on them one at a time."
        )
    first = Path(args.data[0]) if args.data else Path("texts")
    default_name = f"{first.stem or first.name or 'images'}_predictions.csv"
    out = Path(args.out) if args.out else Path.cwd() / default_name
    bundle = None
    if args.text:  # typed text is for text models: say so before anything about --out
        bundle = load_bundle(args.model)
        data: Any = bundle.kind.typed(args.text)
    inputs = [args.model, *args.data]
    out = prepare_out(out, args, inputs, file=True)
    drift_out = None if args.text else prepare_out(drift_path(out), args, inputs, file=True)
    if bundle is None:
        bundle = load_bundle(args.model)
        data = list(args.data)
    kind = bundle.kind
    if not kind.file_based:
        if len(args.data) > 1:
            raise ConfigError(
                "A table model predicts one table at a time.",
                "Give a single CSV/TSV/Parquet file.",
            )
        data = read_tabular(args.data[0]).df
    _say_threshold(bundle)
    frame, drift = _answers(bundle, data, typed=bool(args.text))
    if args.text:
        print(_typed_answers(frame), flush=True)
    for notice in frame.attrs.get("notices", []):
        print(f"note: {notice}")
    atomic_write(out, lambda tmp: frame.to_csv(tmp, index=False), make_parents=True)
    failed = _count(frame, "error")
    print(f"Wrote {_predictions(len(frame) - failed)} to {out}")
    if failed:
        print(
            f"warning: {_n(failed, kind.item, kind.items)} could not be classified; see "
            "the 'error' column.",
            file=sys.stderr,
        )
    warned = _count(frame, "warning")
    if warned:
        print(
            f"warning: {_n(warned, kind.item, kind.items)} answered without any word the "
            "model knows (the answer does not depend on what they say); see the "
            "'warning' column.",
            file=sys.stderr,
        )
    if drift is not None and drift_out is not None:
        _say_drift(drift, drift_out)
    return EXIT_OK


def drift_path(out: Path) -> Path:
    """Where the drift figures go: beside the predictions, ``<out stem>_drift.csv``."""
    return out.with_name(f"{out.stem}_drift.csv")


def _answers(bundle: Any, data: Any, *, typed: bool) -> tuple[Any, Any]:
    """(the prediction table, its drift report or None): typed texts are too few to judge
    drift on, so they are only answered."""
    cancel = CancelToken()
    if typed:
        return interruptible(cancel, bundle.kind.predict, bundle, data), None
    from automl_gui.core.trust.drift import predict_with_drift

    return interruptible(cancel, predict_with_drift, bundle, data)


def _say_threshold(bundle: Any) -> None:
    """A binary model's chosen threshold, in a line (nothing for the usual argmax)."""
    from automl_gui.core.trust.thresholds import threshold_words

    words = threshold_words(bundle.metadata)
    if words:
        print(f"note: {words}")


def _say_drift(report: Any, path: Path) -> None:
    """The drift sentence (a warning when something drifted) and ``drift.csv``."""
    for note in report.notes:
        print(f"note: {note}")
    if report.drifted:
        print(
            f"warning: drift: {report.summary()} The model may be less accurate on them; "
            "retrain it with recent data.",
            file=sys.stderr,
        )
    else:
        print(f"note: {report.summary()}")
    report.to_csv(path, make_parents=True)
    print(f"Wrote the drift figures to {path}")


def _count(frame: Any, column: str) -> int:
    """Rows with a non-empty ``column`` (0 when the frame has no such column)."""
    if column not in frame.columns:
        return 0
    return int((frame[column].fillna("").astype(str) != "").sum())


def _n(n: int, one: str, many: str) -> str:
    """``1 text``, ``3 texts``."""
    return f"{n:,} {one if n == 1 else many}"


def _predictions(n: int) -> str:
    return _n(n, "prediction", "predictions")


def _typed_answers(frame: Any) -> str:
    """One line per typed text: ``prediction  confidence  text`` (the text cut at 60), and
    the warning under it when the model knows none of its words."""
    lines = []
    warnings = frame["warning"] if "warning" in frame.columns else [""] * len(frame)
    for row, warning in zip(frame.itertuples(index=False), warnings, strict=True):
        text = " ".join(str(row.text).split())
        text = text if len(text) <= 60 else text[:59] + "…"
        if row.error:
            lines.append(f"—  {row.error}  {text}")
        else:
            lines.append(f"{row.prediction}  {row.confidence:.3f}  {text}")
        if isinstance(warning, str) and warning:
            lines.append(f"   ({warning})")
    return "\n".join(lines)

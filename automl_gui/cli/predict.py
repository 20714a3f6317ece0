"""``automl-gui predict MODEL DATA... [--out FILE.csv]``: a trained model's answers beside the
rows of a table, or per file for an image or audio model, or per text for a text model
(``.txt`` files and folders, a table's text column, or ``--text "..."``), written atomically.

``--out`` is checked before loading anything (``_common.prepare_out``: the replace rule,
leftovers of killed runs, a writable disk), so a bad destination costs no time; with
``--text`` the model is loaded first, so typed text given to a model of another kind is
refused before anything is said about ``--out``.
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
    predict.add_argument("--out", help="output CSV (default: <data>_predictions.csv here)")
    predict.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    return predict


def predict_command(args: argparse.Namespace) -> int:
    """``predict MODEL DATA... [--out FILE.csv]``: the model's answers beside the rows (a
    table) or per file (images, audio), written atomically."""
    from automl_gui.core.export.bundle import load_bundle, predict_frame

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
    out = prepare_out(out, args, [args.model, *args.data], file=True)
    if bundle is None:
        bundle = load_bundle(args.model)
        data = list(args.data)
    if bundle.kind.file_based:
        frame = interruptible(CancelToken(), bundle.kind.predict, bundle, data)
        if args.text:
            print(_typed_answers(frame), flush=True)
        failed = _count(frame, "error")
        atomic_write(out, lambda tmp: frame.to_csv(tmp, index=False), make_parents=True)
        print(f"Wrote {_predictions(len(frame) - failed)} to {out}")
        kind = bundle.kind
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
        return EXIT_OK
    if len(args.data) > 1:
        raise ConfigError(
            "A table model predicts one table at a time.", "Give a single CSV/TSV/Parquet file."
        )
    table = read_tabular(args.data[0])
    frame = predict_frame(bundle, table.df)
    for notice in frame.attrs.get("notices", []):
        print(f"note: {notice}")
    atomic_write(out, lambda tmp: frame.to_csv(tmp, index=False), make_parents=True)
    print(f"Wrote {_predictions(len(frame))} to {out}")
    return EXIT_OK


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

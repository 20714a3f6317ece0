"""``automl-gui explain RUN DATA... [--out DIR] [--rows N] [--overwrite]``: why a model
answers as it does.

The same steps for every kind of data, through the kind's own ``explain``: tables get
permutation importance and each row's contributions (``importance.csv``,
``contributions.csv``), texts the words that matter (``importance.csv``,
``explanations.csv``), images and audio clips a Grad-CAM overlay per file (one PNG each and
``explanations.csv``). When DATA is the run's own training data only its test split is
explained (``core.trust._data``), and the first line says which examples were used.

``--out`` (default ``<DATA>_explained`` here) is checked before anything is loaded, with the
rule every output follows (``core.export.outputs``); the files are written into a temporary
folder beside it and moved into place at the end, with a ``metadata.json`` saying what was
explained (what makes it this app's output, which ``--overwrite`` may replace).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from automl_gui.cli._common import EXIT_OK, drift_note, prepare_out, printer, read_tabular, say
from automl_gui.cli._signals import interruptible
from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.base.events import CancelToken

#: features printed (the rest are in importance.csv)
TOP = 10


def add_explain_parser(sub: Any) -> argparse.ArgumentParser:
    """Register the ``explain`` subcommand on ``sub`` (argparse subparsers)."""
    explain = sub.add_parser(
        "explain",
        help="why a trained model answers as it does",
        description=(
            "Explain a trained model's answers: for a table, how much each column matters "
            "and each row's contributions; for texts, the words that matter; for images and "
            "audio, where the model looked. When DATA is the data the run trained on, only "
            "its test split is explained."
        ),
    )
    explain.add_argument("model", help="a model or run folder (or its model.keras)")
    explain.add_argument(
        "data",
        nargs="*",
        help="a table (with the target column for importance); for an image or audio "
        "model: files and/or folders; for a text model: .txt files, folders or a table",
    )
    explain.add_argument(
        "--text",
        action="append",
        metavar="TEXT",
        help="a text model: explain this text (repeat for several)",
    )
    explain.add_argument("--out", help="output folder (default: <data>_explained here)")
    explain.add_argument(
        "--rows", type=int, metavar="N", help="explain at most N rows, texts or files"
    )
    explain.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    explain.add_argument("--quiet", action="store_true", help="print only the results")
    return explain


def explain_command(args: argparse.Namespace) -> int:
    """See the module docstring."""
    from automl_gui.core.export.bundle import load_bundle

    if not args.data and not args.text:
        raise ConfigError("Nothing to explain.", "Give the data after the model, or --text.")
    if args.data and args.text:
        raise ConfigError(
            "Give either data files or --text, not both.", "Explain them one at a time."
        )
    if args.rows is not None and args.rows < 1:
        raise ConfigError(f"--rows must be at least 1 (got {args.rows}).", "Give --rows 20.")
    first = Path(args.data[0]) if args.data else Path("texts")
    out = Path(args.out) if args.out else Path.cwd() / f"{first.stem or 'data'}_explained"
    bundle = None
    if args.text:  # typed text is for text models: say so before anything about --out
        bundle = load_bundle(args.model)
        bundle.kind.typed(args.text)
    out = prepare_out(out, args, [args.model, *args.data])
    if bundle is None:
        bundle = load_bundle(args.model)
    own = False
    if args.text:
        data = bundle.kind.typed(args.text)
    else:
        data, own = _data(bundle, args)
    if not own and not args.text:  # other data: say when it is unlike the training data
        _say_drift(args, bundle, data)
    explanation = _explain_into(out, args, bundle, data)
    _print(explanation, out)
    return EXIT_OK


def _say_drift(args: argparse.Namespace, bundle: Any, data: Any) -> None:
    """The drift sentence when ``data`` is unlike the training data; a check that cannot
    run (an older model, odd data) never stops the explanation."""
    from automl_gui.core.base.errors import AutoMLError, CancelledError

    try:
        report = interruptible(CancelToken(), bundle.kind.drift, bundle, data)
    except CancelledError:
        raise
    except AutoMLError:
        return
    note = drift_note(report)
    if note:
        say(args, note)


def _data(bundle: Any, args: argparse.Namespace) -> tuple[Any, bool]:
    """(what the kind's ``explain`` takes for DATA: the judged examples when DATA is labelled
    (the run's own data: its test split only), else what ``predict`` takes; whether DATA is
    the run's own data)."""
    from automl_gui.core.trust._data import judged_data

    kind = bundle.kind
    if not kind.file_based and len(args.data) > 1:
        raise ConfigError(
            "A table model explains one table at a time.", "Give a single CSV/TSV/Parquet file."
        )
    # a table is read once, the way predict reads it; files are loaded by the kind
    plain = list(args.data) if kind.file_based else read_tabular(args.data[0])
    if len(args.data) == 1:
        try:
            given = args.data[0] if kind.file_based else plain
            judged = interruptible(CancelToken(), judged_data, bundle, given)
        except DataError:
            judged = None  # no true answers: explained as predict takes the data
        if judged is not None:
            say(args, f"Explained on {judged.words}.")
            for notice in judged.notices:
                say(args, f"note: {notice}")
            return judged.inputs, judged.own
    return getattr(plain, "df", plain), False


def _explain_into(out: Path, args: argparse.Namespace, bundle: Any, data: Any) -> Any:
    """``kind.explain`` writing into a temporary folder beside ``out``, moved into place
    with a ``metadata.json`` record once everything is written."""
    from automl_gui.core.base.files import remove_path
    from automl_gui.core.export.bundle import base_metadata, jsonable, write_json
    from automl_gui.core.export.outputs import commit_dir, temp_dir_beside

    tmp = temp_dir_beside(out)
    try:
        explanation = interruptible(
            CancelToken(),
            bundle.kind.explain,
            bundle,
            data,
            rows=args.rows,
            out_dir=tmp,
            on_event=printer(args),
        )
        record = {
            **base_metadata(bundle.kind.name),
            "explanation": {
                "model": str(Path(args.model).absolute()),
                "data": [str(Path(d).absolute()) for d in args.data],
                "texts": len(args.text or []),
                "method": explanation.method,
                "notes": list(explanation.notes),
                "files": sorted(p.name for p in explanation.files),
            },
        }
        write_json(tmp / "metadata.json", jsonable(record))
        commit_dir(tmp, out, bool(args.overwrite), inputs=[args.model, *args.data])
    except BaseException:
        remove_path(tmp)
        raise
    explanation.files = [out / p.name for p in explanation.files]
    return explanation


def _print(explanation: Any, out: Path) -> None:
    """The method, the notes, the top features (tables, texts) or the files written."""
    for part in explanation.method.split("; "):
        print(part[:1].upper() + part[1:])
    for note in explanation.notes:
        print(f"note: {note}")
    importance = explanation.importance
    if importance is not None and len(importance):
        top = importance.head(TOP)
        width = max(len(str(f)) for f in top["feature"])
        print(f"\nMost important (of {len(importance):,}):")
        for row in top.itertuples(index=False):
            spread = "" if row.std != row.std else f" ± {row.std:.4f}"  # NaN: screened only
            print(f"  {str(row.feature):<{width}}  {row.importance:.4f}{spread}")
        print()
    names = [p.name for p in explanation.files]
    if importance is None and names:
        shown = ", ".join(names[:TOP]) + (
            f" and {len(names) - TOP:,} more" if len(names) > TOP else ""
        )
        print(f"Files: {shown}")
    print(f"Wrote {len(names):,} file{'s' if len(names) != 1 else ''} to {out}")

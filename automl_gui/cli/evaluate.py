"""``automl-gui evaluate RUN DATA [--by COLUMN] [--out DIR] [--overwrite]``: a model's figures
on labelled data (with its expected calibration error), and with ``--by`` the same figures by
subgroup: the gaps between groups and, for a binary model, the four-fifths ratio; ``--out``
gets ``report.json`` (with ``slices``) and ``slices.csv``.

The same steps for every kind of data: the examples judged are ``core.trust._data``'s (the
run's test split when DATA is its own training data, else every labelled example, said on
the first line), the answers the kind's own ``predict`` (a chosen threshold applied), the
figures ``core.evaluate.metrics`` and ``core.trust.calibration``, the groups and slices
``core.trust.slices``. ``--by`` names a column of a table (or of the table a text dataset
was read from), ``subfolder`` (the first folder below each file's class folder) or
``FILE.csv:COLUMN`` (a CSV of per-file attributes). ``--out`` is checked before any work.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.cli._common import EXIT_OK, drift_note, prepare_out
from automl_gui.cli._signals import interruptible
from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import CancelToken

#: the files ``--out`` gets
REPORT_FILE = "report.json"
SLICES_FILE = "slices.csv"


def add_evaluate_parser(sub: Any) -> argparse.ArgumentParser:
    """Register the ``evaluate`` subcommand on ``sub`` (argparse subparsers)."""
    evaluate = sub.add_parser(
        "evaluate",
        help="judge a trained model on labelled data, optionally by subgroup",
        description=(
            "Judge a trained model on labelled data. When DATA is the data the run trained "
            "on, only its test split is judged; any other data is judged on all its "
            "labelled examples."
        ),
    )
    evaluate.add_argument("model", help="a model or run folder (or its model.keras)")
    evaluate.add_argument(
        "data",
        help="labelled data of the model's kind: a table with the target column, a folder "
        "of class folders, a text dataset",
    )
    evaluate.add_argument(
        "--by",
        metavar="COLUMN",
        help="slice the figures by this column of a table; for files: 'subfolder' or "
        "FILE.csv:COLUMN (a CSV of per-file attributes with a column of file names)",
    )
    evaluate.add_argument("--out", help="output folder for report.json and slices.csv")
    evaluate.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    return evaluate


def evaluate_command(args: argparse.Namespace) -> int:
    """See the module docstring."""
    from automl_gui.core.export.bundle import load_bundle
    from automl_gui.core.trust._data import judged_data

    out = None
    if args.out:
        inputs = [args.model, args.data, _attributes_file(args.by)]
        out = prepare_out(Path(args.out), args, [p for p in inputs if p])
    bundle = load_bundle(args.model)
    kind = bundle.kind
    judged = interruptible(CancelToken(), judged_data, bundle, args.data)
    target = (bundle.metadata or {}).get("target")
    groups = _groups(judged, args.by, target) if args.by else None  # a wrong --by: one line
    print(f"Judged on {judged.words}.", flush=True)
    for notice in judged.notices:
        print(f"note: {notice}")
    if judged.own:
        frame = interruptible(CancelToken(), kind.predict, bundle, judged.inputs)
    else:  # other data: compared with the training data in the same pass
        from automl_gui.core.trust.drift import predict_with_drift

        frame, drift = interruptible(CancelToken(), predict_with_drift, bundle, judged.inputs)
        if drift_note(drift):
            print(drift_note(drift))
    for notice in frame.attrs.get("notices", []):
        print(f"note: {notice}")
    answered, actual, predicted, proba = _answers(bundle, judged, frame)
    report = _report(bundle, actual, proba, predicted)
    for line in _figure_lines(bundle, report):
        print(line)
    slices = None
    if groups is not None:
        slices = _slices(bundle, judged, args.by, groups[answered], actual, predicted, proba)
        print(f"\nBy {slices.by}:")
        print(_table_text(slices))
        for line in slices.lines():
            print(line)
        report["slices"] = {slices.by: slices.to_dict()}
    if out is not None:
        _write(out, args, bundle, judged, report, slices)
    return EXIT_OK


def _attributes_file(by: str | None) -> str | None:
    """The CSV of per-file attributes in ``--by FILE.csv:COLUMN`` (an input: never an output)."""
    from automl_gui.core.trust.slices import attributes_file

    return attributes_file(by) if by else None


def _groups(judged: Any, by: str, target: str | None = None) -> Any:
    """Each judged example's group, before any prediction (a wrong --by costs nothing; the
    model's own target is refused)."""
    from automl_gui.core.trust.slices import check_groups, groups_for_column, groups_for_files

    if judged.rows is not None:  # a table: its own column
        groups = groups_for_column(judged.rows, by, target=target)
    else:
        root = getattr(judged.dataset, "root", None)
        groups = groups_for_files(judged.paths, root, by, labels=judged.actual)
    groups = groups.reset_index(drop=True)
    check_groups(groups, by)
    return groups


def _answers(bundle: Any, judged: Any, frame: Any) -> tuple[np.ndarray, Any, Any, Any]:
    """(which judged examples were answered, their true answers, the predictions, the
    class probabilities or None): a file that could not be read has an ``error``."""
    from automl_gui.core.export.bundle import answer_column

    if len(frame) != len(judged):
        raise DataError(
            f"The model answered {len(frame):,} of {len(judged):,} examples.",
            "Check that the data did not change while it was read.",
        )
    answered = np.ones(len(frame), dtype=bool)
    error = answer_column(frame, "error")
    if error in frame.columns:
        answered = frame[error].fillna("").astype(str).to_numpy() == ""
        if not answered.all():
            print(
                f"note: {int((~answered).sum()):,} {bundle.kind.items} could not be read and "
                "were left out.",
            )
    if not answered.any():
        raise DataError(f"None of the {bundle.kind.items} could be read.", "Check the data.")
    frame = frame[answered]
    actual = judged.actual[answered]
    predicted = frame[answer_column(frame, "prediction")].to_numpy()
    names = bundle.class_names
    if bundle.task == "regression" or not names:
        return answered, actual.astype("float64"), predicted.astype("float64"), None
    columns = [answer_column(frame, f"probability_{name}") for name in names]
    proba = frame[columns].to_numpy(dtype="float64")
    return answered, actual, predicted.astype(str), proba


def _report(bundle: Any, actual: Any, proba: Any, predicted: Any) -> dict[str, Any]:
    from automl_gui.core.evaluate.metrics import evaluate_classification, evaluate_regression

    if proba is None:
        return evaluate_regression(actual, predicted)
    from automl_gui.core.trust._platt import reliability_positive
    from automl_gui.core.trust.calibration import BINS, reliability

    names = [str(n) for n in bundle.class_names]
    codes = _codes(actual, names)
    # the decisions as Predict makes them (a stored threshold included)
    report = evaluate_classification(codes, proba, names, predicted=_codes(predicted, names))
    binary = len(names) == 2
    shown = reliability_positive(codes, proba, BINS) if binary else reliability(codes, proba)
    report["reliability"] = {
        "ece": shown["ece"],
        "bins": shown["bins"],
        "on": "positive" if binary else "top",
        **({"positive": names[1]} if binary else {}),
    }
    if (bundle.metadata or {}).get("threshold"):
        decided = float(np.mean(np.asarray(predicted, dtype=str) == np.asarray(actual, str)))
        report["threshold"] = {**bundle.metadata["threshold"], "accuracy": decided}
    return report


def _codes(actual: Any, names: list[str]) -> np.ndarray:
    index = {name: i for i, name in enumerate(names)}
    return np.array([index[str(a)] for a in actual], dtype=np.int64)


def _figure_lines(bundle: Any, report: dict[str, Any]) -> list[str]:
    from automl_gui.core.evaluate.metrics import summary_line

    lines = [f"{report.get('n_samples', 0):,} {bundle.kind.items}: {summary_line(report)}"]
    shown = report.get("reliability")
    if shown is not None:
        if shown.get("on") == "positive":
            lines.append(
                f"Expected calibration error of P({shown['positive']}) (ECE, 15 bins): "
                f"{shown['ece']:.3f} (0 when the stated probability matches how often "
                f"'{shown['positive']}' is the answer)"
            )
        else:
            lines.append(
                f"Expected calibration error (ECE, 15 bins of confidence): {shown['ece']:.3f} "
                "(0 when the stated confidence matches how often it is right)"
            )
    chosen = report.get("threshold")
    if chosen:
        from automl_gui.core.trust.thresholds import threshold_words

        lines.append(
            f"{threshold_words(bundle.metadata).rstrip('.')}; accuracy at that threshold "
            f"{chosen['accuracy']:.3f}."
        )
    return lines


def _slices(
    bundle: Any, judged: Any, by: str, groups: Any, actual: Any, predicted: Any, proba: Any
) -> Any:
    from automl_gui.core.trust.slices import slice_metrics, slice_name
    from automl_gui.core.trust.thresholds import positive_class

    return slice_metrics(
        bundle.task,
        bundle.class_names,
        actual,
        predicted,
        proba,
        groups.reset_index(drop=True),
        by=slice_name(by),
        positive=positive_class(bundle.metadata),
        data=judged.words,
    )


def _table_text(slices: Any) -> str:
    """The slices' table as aligned text (3 decimals, a rate's 95 % interval beside it in
    brackets; unjudged figures '—')."""
    table = slices.table.copy()
    shown = ["group", *(c for c in ("count", "positives") if c in table.columns)]
    for column in slices.figures:
        values = table[column].tolist()
        low, high = f"{column}_low", f"{column}_high"
        ends = (
            list(zip(table[low].tolist(), table[high].tolist(), strict=True))
            if low in table.columns
            else [None] * len(values)
        )
        table[column] = [
            "—"
            if value != value
            else f"{value:.3f}"
            + (f" [{end[0]:.2f}–{end[1]:.2f}]" if end and end[0] == end[0] else "")
            for value, end in zip(values, ends, strict=True)
        ]
        shown.append(column)
    return table[shown].to_string(index=False)


def _write(
    out: Path, args: argparse.Namespace, bundle: Any, judged: Any, report: dict, slices: Any
) -> None:
    """``report.json`` (and ``slices.csv``) into ``out``, all at once (temp folder + rename),
    with a ``metadata.json`` saying what was judged (what makes it this app's output)."""
    from automl_gui.core.export.bundle import base_metadata, jsonable, write_json
    from automl_gui.core.export.outputs import commit_dir, temp_dir_beside

    tmp = temp_dir_beside(out)
    try:
        record = {
            **base_metadata(bundle.kind.name),
            "evaluation": {
                "model": str(Path(args.model).absolute()),
                "data": str(Path(args.data).absolute()),
                "judged": judged.words,
                "by": args.by,
            },
        }
        write_json(tmp / "metadata.json", jsonable(record))
        write_json(tmp / REPORT_FILE, jsonable(report))
        if slices is not None:
            slices.to_csv(tmp / SLICES_FILE)
        commit_dir(tmp, out, bool(args.overwrite), inputs=[args.model, args.data])
    except BaseException:
        from automl_gui.core.base.files import remove_path

        remove_path(tmp)
        raise
    files = f"{REPORT_FILE} and {SLICES_FILE}" if slices is not None else REPORT_FILE
    print(f"Wrote {files} to {out}", file=sys.stdout)

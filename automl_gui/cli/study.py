"""``automl-gui study KIND DATA``: a comparison study (optimizers, batch sizes, training-set
size, devices) on a table or a folder, printed as a table and saved as CSV and PNG.

One line per training as it ends, then an aligned table and the notes; ``<out>/study_<kind>.csv``
and ``<out>/study_<kind>.png`` (default out: ``./study_<data name>/``). Ctrl+C stops after the
running training and still writes the finished rows. TensorFlow loads only when it runs.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_gui.cli._common import EXIT_OK, device_plan, prepare_out, printer, say
from automl_gui.cli._folders import folder_preprocess, kind_for_data, load_options, refuse_target
from automl_gui.cli._signals import interruptible, stopped_by
from automl_gui.cli._tables import read_table_for
from automl_gui.cli._types import listed, positive_int
from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.events import (
    CancelToken,
    Event,
    Log,
    Progress,
    StudyRowEnded,
    StudyRowStarted,
)
from automl_gui.core.tune.study.studies import STUDY_KINDS, STUDY_TYPES  # light: no numpy

if TYPE_CHECKING:
    from automl_gui.core.kinds import DataKind
    from automl_gui.core.tune.study.jobs import StudyRequest

#: option (argparse destination, the StudyConfig field) → the study it belongs to
KIND_OPTIONS = {t.values: t.name for t in STUDY_TYPES.values() if t.values}


def add_study_parser(sub: Any) -> argparse.ArgumentParser:
    """Register the ``study`` subcommand on ``sub`` (argparse subparsers)."""
    study = sub.add_parser(
        "study",
        help="compare optimizers, batch sizes, data sizes or devices",
        description="Train the same model several times on one split with one seed, changing "
        "one setting, and compare: optimizers (scores and steps to convergence), batch sizes "
        "(scores and time), a learning curve (scores at several training-set sizes) or "
        "devices (time on the CPU and each GPU). Writes study_KIND.csv and study_KIND.png.",
    )
    study.add_argument("kind", choices=STUDY_KINDS, help="what to compare")
    study.add_argument("data", help="a table (CSV, TSV, Parquet) or a folder of images or clips")
    study.add_argument(
        "--target", help="the column to predict (tables, text tables; default: a good guess)"
    )
    study.add_argument(
        "--text-column", metavar="COL", help="the column holding the texts (text tables)"
    )
    study.add_argument("--epochs", type=positive_int, help="maximum epochs per training (30)")
    study.add_argument(
        "--optimizers",
        type=listed(str, "optimizer"),
        help="optimizers study: comma-separated (default sgd,adam,adadelta,rmsprop,adamax)",
    )
    study.add_argument(
        "--batch-sizes",
        type=listed(int, "whole number"),
        help="batch-sizes study: comma-separated (default 8,16,32,64)",
    )
    study.add_argument(
        "--sizes",
        type=listed(float, "number"),
        help="learning-curve study: fractions of the training data (up to 1) or counts "
        "(default 0.1,0.25,0.5,0.75,1)",
    )
    study.add_argument(
        "--tolerance",
        type=float,
        help="convergence: first epoch with validation loss within this fraction of the "
        "best (default 0.05)",
    )
    study.add_argument(
        "--model",
        default="auto",
        help="images/audio: auto, cnn, resnet50 or inceptionv3; text: auto, ngram_mlp, sepcnn, "
        "transformer or pretrained",
    )
    study.add_argument("--out", help="output folder (default: ./study_<data name>/)")
    study.add_argument("--seed", type=int, default=None, help="random seed (default 42)")
    study.add_argument(
        "--overwrite", action="store_true", help="replace study_KIND.csv/.png if they exist"
    )
    study.add_argument("-q", "--quiet", action="store_true", help="print only the table")
    return study


def study_config(args: argparse.Namespace) -> Any:
    """The StudyConfig from the options; ConfigError for an option of another study."""
    from automl_gui.core.tune.study.studies import StudyConfig

    for name, owner in KIND_OPTIONS.items():
        if getattr(args, name, None) is not None and owner != args.kind:
            flag = "--" + name.replace("_", "-")
            raise ConfigError(f"{flag} is for the {owner} study.", f"Leave out {flag}.")
    config = StudyConfig(kind=args.kind)
    if args.optimizers:
        config.optimizers = tuple(o.lower() for o in args.optimizers)
    if args.batch_sizes:
        config.batch_sizes = tuple(args.batch_sizes)
    if args.sizes:
        config.sizes = tuple(int(s) if s > 1 and float(s).is_integer() else s for s in args.sizes)
    if args.epochs:
        config.epochs = args.epochs
    if args.tolerance is not None:
        config.tolerance = args.tolerance
    config.validate()
    return config


def study_command(args: argparse.Namespace) -> int:
    """Run the study, print it, write the CSV and PNG; returns the exit status."""
    from automl_gui.core.tune.study.jobs import study

    config = study_config(args)
    data = Path(args.data)
    out = Path(args.out) if args.out else Path(f"study_{data.stem or data.name}")
    csv_path, png_path = out / f"study_{args.kind}.csv", out / f"study_{args.kind}.png"
    for path in (csv_path, png_path):  # replace rule, leftovers, a writable disk: up front
        prepare_out(path, args, [args.data], file=True)
    kind = kind_for_data(args)
    seed = 42 if args.seed is None else args.seed
    cancel = CancelToken()
    plan = device_plan(force_cpu=False)
    lines = _study_printer(args)
    if kind.file_based:
        request = _folder_job(args, config, kind, seed, cancel, lines)
    else:
        request = _table_job(args, config, kind, seed)
    request.plan, request.data_name = plan, data.name
    say(args, f"Device: {plan.device_label} ({plan.reason}).")
    say(args, f"Study: {args.kind}, {_what(config)}, at most {config.epochs} epochs each.")
    result = interruptible(cancel, study, request, on_event=lines)
    if cancel.cancelled:
        say(args, f"Stopped by {stopped_by()}: keeping the trainings that finished.")
    print(format_table(result), flush=True)
    for note in result.notes:
        say(args, f"note: {note}")
    result.to_csv(csv_path)
    print(f"Saved the table to {csv_path}")
    try:
        from automl_gui.plots.study_png import save_study_png  # Qt and pyqtgraph: only here

        save_study_png(result, png_path)
        print(f"Saved the plot to {png_path}")
    except Exception as exc:  # noqa: BLE001 - the table is the result; the plot is extra
        print(f"warning: the plot could not be drawn ({exc}); the CSV has every figure.")
    return EXIT_OK


def _what(config: Any) -> str:
    return config.type.describe(config)


def _table_job(args: argparse.Namespace, config: Any, kind: DataKind, seed: int) -> StudyRequest:
    from automl_gui.core.models.registry import resolve
    from automl_gui.core.tune.study.jobs import StudyRequest

    resolve(args.model, kind.name)  # ConfigError for an image model on a table
    table, setup = read_table_for(args, kind, seed)
    training = kind.default_training()
    training.seed = seed
    return StudyRequest(kind, table.df, setup.preprocess, kind.default_model(), config, training)


def _folder_job(
    args: argparse.Namespace,
    config: Any,
    kind: DataKind,
    seed: int,
    cancel: CancelToken,
    lines: Any,
) -> StudyRequest:
    from automl_gui.core.models.registry import resolve
    from automl_gui.core.train.config import TrainConfig
    from automl_gui.core.tune.study.jobs import StudyRequest

    refuse_target(args, kind)
    options = load_options(args, kind)  # a text table's label column (--target)
    arch = resolve(args.model, kind.name)
    preprocess = folder_preprocess(argparse.Namespace(), kind, seed)  # the kind's defaults
    dataset = interruptible(cancel, kind.load, args.data, on_event=lines, **options)
    counts = dataset.class_counts()
    say(args, f"Data: {len(dataset):,} {kind.items} in {len(counts)} classes.")
    model = kind.model_from_dict({"architecture": arch})
    return StudyRequest(kind, dataset, preprocess, model, config, TrainConfig(seed=seed))


def _study_printer(args: argparse.Namespace) -> Any:
    """Events as lines: one per finished training (``[2/5] adam: completed, ...``); what a
    training logs itself is left out (its row says how it went)."""
    from automl_gui.core.tune.study._run import row_line

    lines = printer(args)
    state = {"in_row": False, "skip_log": False, "metric": ""}

    def on_event(event: Event) -> None:
        if isinstance(event, StudyRowStarted):
            state["in_row"] = True
            state["total"] = event.total
            state["index"] = event.index
        elif isinstance(event, StudyRowEnded):
            state["in_row"], state["skip_log"] = False, True
            if not args.quiet:
                metric = "test_mae" if "test_mae" in event.row.metrics else "test_accuracy"
                head = f"[{state['index'] + 1}/{state['total']}] "
                print(head + row_line(event.row, metric), flush=True)
        elif isinstance(event, Log) and state["skip_log"]:
            state["skip_log"] = False  # the study's own line about the row just printed
        elif isinstance(event, Progress) and (state["in_row"] or event.stage == "study"):
            return
        elif not (state["in_row"] and isinstance(event, Log)):
            lines(event)

    return on_event


def format_table(result: Any) -> str:
    """The study's rows as an aligned text table (skipped/failed rows with their reason)."""
    columns = [c for c in result.columns() if c not in ("device_name", "reason")]
    rows = result.table()
    short = {
        "seconds_per_epoch": "s/epoch",
        "epochs_to_converge": "conv. epoch",
        "steps_to_converge": "conv. steps",
        "seconds": "s",
    }
    header = [short.get(c, c) for c in columns]
    body = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(header)
    ]
    out = ["", f"{result.title} ({result.task})"]
    out.append(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    for row, cells in zip(rows, body, strict=True):
        line = "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
        # the reason after the row, as the window's tooltip says it: "did not converge (…)"
        out.append(f"{line}   {row['reason']}" if row.get("reason") else line)
    out.append(
        f"conv. epoch / steps: the first epoch whose validation loss is within "
        f"{result.config.tolerance:.0%} of the best, in epochs and optimizer steps."
    )
    baseline = getattr(result, "baseline", None)
    if baseline is not None:
        out.append(f"{baseline.rule_text('Trivial')}.")
    best = result.best_index()
    if best is not None and result.config.type.name != "devices":
        row = result.rows[best]
        score = row.metrics.get(result.selection)
        out.append(
            f"Best by {result.selection} (not the test score): {row.label}"
            + (f" ({score:.4g})" if score is not None else "")
            + "."
        )
    elif baseline is not None and any(r.status == "completed" for r in result.rows):
        out.append("No training beat the trivial baseline: none is best.")
    return "\n".join(out)


def _cell(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else "—"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


__all__ = ["add_study_parser", "format_table", "study_command", "study_config"]

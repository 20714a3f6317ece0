"""What every subcommand shares: exit codes, printing (lines, progress, the one-line error),
the ``--out`` check, the device plan, reading a table."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from automl_gui.core.base.errors import DataError, describe
from automl_gui.core.base.events import Event, Log, Progress

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INTERRUPTED = 130  # Ctrl+C, and SIGTERM (the same cancel path)
#: a progress message within one stage is printed at most this often (seconds)
PROGRESS_EVERY_S = 2.0
#: kind name → the options that fit only its data (argparse destinations)
KIND_OPTIONS = {
    "tabular": ("numeric_embedding", "n_bins", "ensemble_size"),
    "images": ("image_size", "color_mode"),
    "audio": ("sample_rate", "clip_seconds", "features", "n_mels"),
    "text": (
        "standardize",
        "token_split",
        "max_tokens",
        "ngrams",
        "output_mode",
        "sequence_length",
        "word_dropout",
    ),
}


def say(args: argparse.Namespace, line: str) -> None:
    """Print ``line`` unless ``--quiet``."""
    if not args.quiet:
        print(line, flush=True)


def fail(exc: BaseException) -> None:
    """The error as one line on stderr: ``error: message hint``."""
    message, hint = describe(exc)
    text = f"{message} {hint}".strip().replace("\n", " ")
    print(f"error: {text}", file=sys.stderr)


def printer(args: argparse.Namespace) -> Callable[[Event], None]:
    """Events as lines: every log line; progress when its stage changes, at most every 2 s
    within a stage (counting messages such as "Checking images… 1,234 / 5,000"), and its
    last message."""
    last = {"stage": "", "message": "", "time": 0.0}

    def on_event(event: Event) -> None:
        if args.quiet:
            return
        if isinstance(event, Log):
            prefix = "warning: " if event.level == "warning" else ""
            print(f"{prefix}{event.message}", flush=True)
        elif isinstance(event, Progress) and event.message and event.message != last["message"]:
            now = time.monotonic()
            new_stage = event.stage != last["stage"]
            done = event.fraction is not None and event.fraction >= 1.0
            if new_stage or done or now - last["time"] >= PROGRESS_EVERY_S:
                last.update(stage=event.stage, message=event.message, time=now)
                print(event.message, flush=True)

    return on_event


def prepare_out(
    out: Path, args: argparse.Namespace, inputs: list[Any], *, file: bool = False
) -> Path:
    """Check ``--out`` before any work: the replace rule (``--overwrite`` replaces only an
    output of this app, never an input or the current folder), leftovers of killed runs
    tidied, the disk writable (``core.export.outputs.prepare_output``)."""
    from automl_gui.core.export.outputs import prepare_output

    return prepare_output(out, bool(args.overwrite), inputs=inputs, file=file)


def device_plan(force_cpu: bool, cluster: Any = None) -> Any:
    """The training plan for the devices found (``core.hardware.plan_for``), across the
    ``TF_CONFIG`` cluster when one is given."""
    from automl_gui.core.hardware import list_devices, plan_for

    return plan_for(list_devices(), force_cpu=force_cpu, cluster=cluster)


def read_tabular(path: str) -> Any:
    """Read a table for a table model; DataError when ``path`` holds images or audio clips
    instead."""
    from automl_gui.core.kinds import kind_for_path

    kind = kind_for_path(path)
    if kind.file_based:
        raise DataError(
            f"{path} holds {kind.trained_on}, but this model was trained on a table.",
            "Give it a CSV, TSV or Parquet file with the table's columns, or use a model "
            f"trained on {kind.trained_on}.",
        )
    return kind.load(path)


def train_inputs(args: argparse.Namespace) -> list[Any]:
    """What ``train`` reads: the output folder may be none of these nor hold one."""
    names = ("data", "search_dir", "checkpoint_dir", "weights", "weights_folder")
    return [getattr(args, name, None) for name in names]


def default_run_dir(data: str) -> Path:
    """``runs/<data name>-<time>``: where ``train`` writes without --out."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{Path(data).stem}-{stamp}"


@dataclass
class TrainSetup:
    """What ``train`` made of the data and the options, for any kind: the dataset as the
    jobs take it and the kind's settings.

    Attributes:
        model_note: the model, for the "Device: …" line (" Model: mlp."), when known before
            training.
        search_epochs: a search's largest round when --epochs is not given (None: the
            search's default).
    """

    dataset: Any
    preprocess: Any
    model: Any
    training: Any
    model_note: str = ""
    search_epochs: int | None = None


def drift_note(report: Any) -> str:
    """The drift sentence worth printing for data that is not the run's own: something
    drifted or holds categories the model never saw ("" otherwise, or without a report)."""
    if report is None or not (report.drifted or report.unseen):
        return ""
    return f"note: {report.summary()}"

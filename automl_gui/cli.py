"""Headless command line: the same engine as the window, for servers and clusters.

    automl-gui train TABLE --target COL [--out DIR] [--model auto|mlp] [--epochs N]
                     [--time-budget SECONDS] [--seed N] [--checkpoint-dir DIR [--resume]]
    automl-gui train TABLE --model auto --time-budget SECONDS | --trials N
                     [--search hyperband|bayesian|random] [--search-dir DIR] [--resume]
                     (an AutoML search: prints each trial and the leaderboard)
    automl-gui train FOLDER [--model auto|cnn|resnet50|inceptionv3] [--weights PATH]
                     [--fine-tune-layers N] [--image-size N] [--augment/--no-augment] ...
    automl-gui train FOLDER --model auto --time-budget SECONDS | --trials N [--search ...]
                     (an AutoML search on images or audio clips, as for tables)
    automl-gui train AUDIO_FOLDER [--sample-rate HZ] [--clip-seconds S] [--features
                     log-mel|mfcc] [--n-mels N] [--model ...] [--augment/--no-augment] ...
    automl-gui predict MODEL DATA [--out FILE.csv]          (a table)
    automl-gui predict MODEL FOLDER_OR_FILES... [--out FILE.csv]   (images or audio clips)
    automl-gui export MODEL --format keras|savedmodel|tflite|tflite-dynamic|tflite-float16|onnx
                     --out PATH [--overwrite]   (loads the export in its runtime and compares)
    automl-gui info
    automl-gui study optimizers|batch-sizes|learning-curve|devices DATA [--target COL]

Every failure exits non-zero with one line on stderr saying what is wrong and what to do.
TensorFlow is imported only by the subcommands that need it. ``--out`` is checked before any
work, and ``--overwrite`` replaces only an output this app wrote (``core.export.outputs``).
Ctrl+C and SIGTERM take the same way out: a training or search keeps its best model and
saves it; anything else stops with exit 130 and leaves no temp files (a second one stops
a training at once).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from automl_gui import __version__
from automl_gui._cli_types import (  # noqa: F401 - the subcommand modules import them here
    _clip_seconds,
    _fine_tune_layers,
    _image_size,
    _n_mels,
    _positive_float,
    _positive_int,
    _ranged,
    _sample_rate,
)
from automl_gui.core.base.errors import (
    AutoMLError,
    CancelledError,
    DataError,
    describe,
)
from automl_gui.core.base.events import CancelToken, Event, Log, Progress

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INTERRUPTED = 130  # Ctrl+C, and SIGTERM (the same cancel path)
#: the signals that stop a command: a first one cancels the job, a second one ends it
STOP_SIGNALS = {signal.SIGINT: "Ctrl+C", signal.SIGTERM: "SIGTERM"}
_last_stop = {"name": "Ctrl+C"}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (public so the README and tests can show the same help)."""
    parser = argparse.ArgumentParser(
        prog="automl-gui",
        description="Desktop AutoML for Keras. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"automl-gui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from automl_gui._cli_use import export_format

    train = sub.add_parser(
        "train",
        help="train a model on a table (CSV/TSV/Parquet) or a folder of images or audio clips",
        description="Train on a table, or on images or audio clips (WAV, FLAC, OGG, MP3): a "
        "folder with one subfolder per class, a folder split into train/ val/ test/, or a CSV "
        "of file paths and labels.",
    )
    train.add_argument("data", help="the table file, or the image/audio folder or CSV")
    train.add_argument("--target", help="target column of a table (default: a good guess)")
    train.add_argument(
        "--task",
        choices=["auto", "binary", "multiclass", "regression"],
        default="auto",
        help="learning task (default: detected from the target)",
    )
    train.add_argument("--out", help="output folder (default: runs/<data>-<time>)")
    train.add_argument(
        "--model",
        default="auto",
        help="model: auto or mlp (tables); auto, cnn, resnet50 or inceptionv3 (images, "
        "audio: on spectrograms)",
    )
    train.add_argument("--epochs", type=_positive_int, help="maximum epochs (default 100)")
    train.add_argument("--batch-size", type=_positive_int, help="batch size (default: auto)")
    train.add_argument(
        "--time-budget",
        type=_positive_float,
        help="stop training after this many seconds; with --model auto, the time for the "
        "whole AutoML search",
    )
    train.add_argument("--seed", type=int, default=None, help="random seed (default 42)")
    train.add_argument("--cpu", action="store_true", help="train on the CPU even with a GPU")
    train.add_argument(
        "--overwrite", action="store_true", help="replace the output folder if it exists"
    )
    train.add_argument("-q", "--quiet", action="store_true", help="print only the result")
    train.add_argument(
        "--checkpoint-dir",
        metavar="DIR",
        help="save a checkpoint there after every epoch, so a training that is killed can "
        "continue with --resume (not for an AutoML search: it keeps its state in --search-dir)",
    )
    tune = train.add_argument_group(
        "AutoML search",
        "--model auto with --time-budget or --trials searches network shapes and training "
        "settings with Keras Tuner and keeps the best (tables: MLPs; images: the CNN or a "
        "backbone whose weights are here; audio: spectrogram settings and the CNN); the "
        "output folder gains leaderboard.csv; --epochs is a trial's most epochs",
    )
    tune.add_argument("--trials", type=_positive_int, help="trials to run at most")
    tune.add_argument(
        "--search",
        choices=["hyperband", "bayesian", "random"],
        help="search algorithm (default hyperband)",
    )
    tune.add_argument(
        "--search-dir", help="folder keeping the search state, so --resume can continue it"
    )
    tune.add_argument(
        "--resume",
        action="store_true",
        help="continue the search saved in --search-dir, or the training checkpointed in "
        "--checkpoint-dir from its last epoch (same data and settings)",
    )
    tune.add_argument(
        "--cross-validation",
        choices=["auto", "on", "off"],
        help="score each trial by k-fold cross-validation (tables; auto: on small tables)",
    )
    tune.add_argument(
        "--folds", type=_positive_int, help="folds of the cross-validation (default: automatic)"
    )
    files = train.add_argument_group("images and audio")
    files.add_argument("--weights", help="pretrained weights file for resnet50/inceptionv3")
    files.add_argument(
        "--weights-folder", help="folder searched first for pretrained weights files"
    )
    files.add_argument(
        "--no-download", action="store_true", help="never download missing pretrained weights"
    )
    files.add_argument(
        "--fine-tune-layers",
        type=_fine_tune_layers,
        default=-1,
        help="backbone layers to fine-tune after the head: N, 0 (head only) or auto (default)",
    )
    files.add_argument(
        "--fine-tune-epochs", type=_positive_int, help="epochs of fine-tuning (default 10)"
    )
    files.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="random changes while training: flips, rotation, zoom, shifts, contrast, "
        "brightness (images); noise, gain, time shift, time/frequency masks (audio). Default "
        "on; off lets backbones train the head on cached features, much faster",
    )
    files.add_argument(
        "--cache",
        action="store_true",
        help="keep decoded images (clips) in memory after one epoch",
    )
    images = train.add_argument_group("images")
    images.add_argument(
        "--image-size", type=_image_size, help="square input size (default: from the model)"
    )
    images.add_argument("--color-mode", choices=["rgb", "grayscale"], help="default rgb")
    audio = train.add_argument_group("audio")
    audio.add_argument(
        "--sample-rate",
        type=_sample_rate,
        metavar="HZ",
        help="clips are mixed to mono and resampled to this rate in Hz (default 16000); the "
        "model then takes waveforms at this rate",
    )
    audio.add_argument(
        "--clip-seconds",
        type=_clip_seconds,
        metavar="SECONDS",
        help="clip length: longer clips are cropped, shorter ones padded "
        "(default 0 = auto, the 95th percentile of the durations)",
    )
    audio.add_argument(
        "--features", choices=["log-mel", "mfcc"], help="spectrogram features (default log-mel)"
    )
    audio.add_argument("--n-mels", type=_n_mels, metavar="N", help="mel bands (default 64)")

    predict = sub.add_parser("predict", help="predict with a trained model")
    predict.add_argument("model", help="a model folder (or its model.keras)")
    predict.add_argument(
        "data",
        nargs="+",
        help="a table; for an image or audio model: files and/or folders (searched recursively)",
    )
    predict.add_argument("--out", help="output CSV (default: <data>_predictions.csv here)")
    predict.add_argument("--overwrite", action="store_true", help="replace --out if it exists")

    export = sub.add_parser("export", help="export a trained model to another format")
    export.add_argument("model", help="a model folder (or its model.keras)")
    export.add_argument(
        "--format",
        required=True,
        type=export_format,
        metavar="FORMAT",
        help="keras, savedmodel, tflite, tflite-dynamic, tflite-float16 or onnx",
    )
    export.add_argument("--out", required=True, help="destination path")
    export.add_argument("--overwrite", action="store_true", help="replace --out if it exists")

    sub.add_parser("info", help="versions, compute devices and weights folders")
    from automl_gui._cli_study import add_study_parser

    add_study_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from automl_gui._cli_study import run_study_command
    from automl_gui._cli_use import export_command, info_command, predict_command

    handlers = {
        "train": _train,
        "predict": predict_command,
        "export": export_command,
        "info": info_command,
    }
    handlers["study"] = run_study_command
    try:
        with _stop_signals_interrupt():
            return handlers[args.command](args)
    except (KeyboardInterrupt, CancelledError):  # Ctrl+C / SIGTERM outside a training
        print(f"error: interrupted ({_last_stop['name']}).", file=sys.stderr)
        return EXIT_INTERRUPTED
    except AutoMLError as exc:
        _fail(exc)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        _fail(exc)
        if os.environ.get("AUTOML_GUI_DEBUG"):
            raise
        return EXIT_ERROR


# -- subcommands ----------------------------------------------------------------------------
def _train(args: argparse.Namespace) -> int:
    from automl_gui._cli_checkpoint import check_checkpoint_options
    from automl_gui._cli_search import check_search_options
    from automl_gui.core.data.detect import detect_kind

    kind = detect_kind(args.data)
    check_checkpoint_options(args)  # takes --resume for the training with --checkpoint-dir
    _check_state_folders(args)
    if kind in ("images", "audio"):
        from automl_gui._cli_files import train_folder
        from automl_gui._cli_files_search import check_files_search_options

        check_files_search_options(args)
        return train_folder(args, kind)
    check_search_options(args, kind)
    return _train_table(args)


def _check_state_folders(args: argparse.Namespace) -> None:
    """--checkpoint-dir and --search-dir are written during the work: a read-only or full
    disk there is found now, not after the first epoch or trial."""
    from automl_gui.core.export.outputs import check_writable

    for folder in (getattr(args, "checkpoint_dir", None), getattr(args, "search_dir", None)):
        if folder:
            check_writable(Path(folder).expanduser() / "state")


def _checkpoint_options(args: argparse.Namespace) -> dict[str, Any]:
    from automl_gui._cli_checkpoint import checkpoint_options

    return checkpoint_options(args)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _handling(handler: Any) -> Iterator[None]:
    """``handler`` for Ctrl+C and SIGTERM inside the block (main thread only), restored after."""
    if not _in_main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _interrupt(signum: int, _frame: Any) -> None:
    _last_stop["name"] = STOP_SIGNALS.get(signum, "a signal")
    raise KeyboardInterrupt


def _stop_signals_interrupt() -> contextlib.AbstractContextManager[None]:
    """SIGTERM does what Ctrl+C does: a KeyboardInterrupt, so temp files and folders are
    removed on the way out (``finally``) and the command exits 130."""
    _last_stop["name"] = "Ctrl+C"
    return _handling(_interrupt)


def _interruptible(cancel: CancelToken, job: Any, *args: Any, **kwargs: Any) -> Any:
    """``job(*args, **kwargs, cancel=cancel)``: Ctrl+C or SIGTERM sets ``cancel`` (a training
    then keeps its best weights, a search its best trial); a second one stops at once."""

    def on_signal(signum: int, frame: Any) -> None:
        if cancel.cancelled:
            _interrupt(signum, frame)
        _last_stop["name"] = STOP_SIGNALS.get(signum, "a signal")
        cancel.cancel()

    with _handling(on_signal):
        return job(*args, **kwargs, cancel=cancel)


def _stopped_by() -> str:
    """What stopped the last job: "Ctrl+C" or "SIGTERM"."""
    return _last_stop["name"]


def _train_inputs(args: argparse.Namespace) -> list[Any]:
    """What ``train`` reads: the output folder may be none of these nor hold one."""
    names = ("data", "search_dir", "checkpoint_dir", "weights", "weights_folder")
    return [getattr(args, name, None) for name in names]


def _prepare_out(
    out: Path, args: argparse.Namespace, inputs: list[Any], *, file: bool = False
) -> Path:
    """Check ``--out`` before any work: the replace rule (``--overwrite`` replaces only an
    output of this app, never an input or the current folder), leftovers of killed runs
    tidied, the disk writable (``core.export.outputs.prepare_output``)."""
    from automl_gui.core.export.outputs import prepare_output

    return prepare_output(out, bool(args.overwrite), inputs=inputs, file=file)


def _train_table(args: argparse.Namespace) -> int:
    from automl_gui._cli_search import search_table, wants_search
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.models.registry import resolve
    from automl_gui.core.pipeline import setup_tabular, train_tabular
    from automl_gui.core.train.config import TrainConfig

    family = resolve(args.model, "tabular")
    out = Path(args.out) if args.out else _default_run_dir(args.data)
    out = _prepare_out(out, args, _train_inputs(args))

    table = _read_tabular(args.data)
    for notice in table.notices:
        _say(args, f"note: {notice}")
    setup = setup_tabular(table, args.target, None if args.task == "auto" else args.task)
    pre = setup.preprocess
    seed = 42 if args.seed is None else args.seed
    pre.split.seed = seed
    features = [c.name for c in pre.feature_columns()]
    _say(
        args,
        f"Data: {len(table.df):,} rows, target '{pre.target}' ({pre.task}), "
        f"{len(features)} feature columns.",
    )
    for warning in setup.warnings:
        _say(args, f"warning: {warning.message}")

    training = TrainConfig(seed=seed)
    if args.epochs:
        training.epochs = args.epochs
    if args.batch_size:
        training.batch_size = args.batch_size
    if args.time_budget:
        training.time_budget = args.time_budget
    plan = _plan(force_cpu=args.cpu)
    if wants_search(args):
        _say(args, f"Device: {plan.device_label} ({plan.reason}). Model: AutoML search.")
        return search_table(args, table.df, pre, training, plan, out)
    _say(args, f"Device: {plan.device_label} ({plan.reason}). Model: {family}.")

    run = _interruptible(
        CancelToken(),
        train_tabular,
        table.df,
        pre,
        MLPConfig(),
        training,
        plan=plan,
        on_event=_printer(args),
        **_checkpoint_options(args),
    )
    if run.result.stopped_reason == "cancelled":
        _say(args, f"Stopped by {_stopped_by()}: keeping the best weights so far.")
    _save_table_run(run, out, overwrite=args.overwrite, inputs=_train_inputs(args))
    return EXIT_OK


def _save_table_run(run: Any, out: Path, *, overwrite: bool, inputs: Any = ()) -> Path:
    """Save a table run into ``out`` and print its test scores and where it went."""
    from automl_gui._cli_files import say_saved
    from automl_gui.core.evaluate.metrics import summary_line
    from automl_gui.core.export.bundle import save_bundle

    path = save_bundle(run.model, run.metadata, run.report, out, overwrite=overwrite, inputs=inputs)
    print(f"Test: {summary_line(run.report)}")
    say_saved("model.keras, metadata.json and report.json", out, path)
    return path



# -- helpers --------------------------------------------------------------------------------
def _read_tabular(path: str) -> Any:
    from automl_gui.core.data.detect import detect_kind
    from automl_gui.core.data.tabular import read_table

    kind = detect_kind(path)
    if kind != "tabular":
        what = {"images": "images", "audio": "audio clips"}.get(kind, f"{kind} data")
        raise DataError(
            f"{path} holds {what}, but this model was trained on a table.",
            "Give it a CSV, TSV or Parquet file, or use an image or audio model.",
        )
    return read_table(path)


def _plan(force_cpu: bool) -> Any:
    from automl_gui.core.hardware import list_devices, plan_for

    return plan_for(list_devices(), force_cpu=force_cpu)


def _default_run_dir(data: str) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{Path(data).stem}-{stamp}"


PROGRESS_EVERY_S = 2.0


def _printer(args: argparse.Namespace):
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


def _say(args: argparse.Namespace, line: str) -> None:
    if not args.quiet:
        print(line, flush=True)


def _fail(exc: BaseException) -> None:
    message, hint = describe(exc)
    text = f"{message} {hint}".strip().replace("\n", " ")
    print(f"error: {text}", file=sys.stderr)

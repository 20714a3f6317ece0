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
    automl-gui train TEXTS [--target LABEL_COL] [--text-column COL] [--max-tokens N]
                     [--ngrams N] [--output-mode MODE] [--sequence-length N] [--model auto|
                     ngram_mlp|sepcnn|transformer|pretrained] ...   (a CSV/JSON Lines file of
                     texts and labels, or a folder of .txt files per class)
    automl-gui predict MODEL DATA [--out FILE.csv]          (a table)
    automl-gui predict MODEL FOLDER_OR_FILES... [--out FILE.csv]   (images or audio clips)
    automl-gui predict MODEL TEXT_FILES_FOLDERS_OR_TABLE... | --text "..." [--out FILE.csv]
    automl-gui export MODEL --format keras|savedmodel|tflite|tflite-dynamic|tflite-float16|onnx
                     --out PATH [--overwrite]   (loads the export in its runtime and compares)
    automl-gui info
    automl-gui cluster-env --from slurm|kubernetes|tf-config [--mode train|search] [--port N]
    automl-gui study optimizers|batch-sizes|learning-curve|devices DATA [--target COL]

Every failure exits non-zero with one line on stderr saying what is wrong and what to do.
TensorFlow is imported only by the subcommands that need it. ``--out`` is checked before any
work, and ``--overwrite`` replaces only an output this app wrote (``core.export.outputs``).
Ctrl+C and SIGTERM take the same way out: a training or search keeps its best model and
saves it; anything else stops with exit 130 and leaves no temp files (a second one stops
a training at once).

A module per subcommand (``train``, ``predict``, ``export``, ``info``, ``study``), each with
its ``add_*_parser`` and ``*_command``; what they share is in the private modules
(``_common``: printing, ``--out``, exit codes; ``_signals``: Ctrl+C and SIGTERM; ``_types``:
argument types; ``_tables`` / ``_folders``: what the options make of a table or a folder of
files; ``_search``: the AutoML search; ``_save``: saving a run; ``_checkpoint``). Every kind
of data takes the same steps: the code asks the kind object (``core.kinds``), never its name.
None of these modules imports this package, so there is no import cycle.
"""

from __future__ import annotations

import argparse
import os
import sys

from automl_gui import __version__
from automl_gui.cli._common import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, fail
from automl_gui.cli._signals import stop_arrived, stop_signals_interrupt, stopped_by
from automl_gui.cli.cluster import add_cluster_parser, cluster_command
from automl_gui.cli.evaluate import add_evaluate_parser, evaluate_command
from automl_gui.cli.explain import add_explain_parser, explain_command
from automl_gui.cli.export import add_export_parser, export_command
from automl_gui.cli.info import add_info_parser, info_command
from automl_gui.cli.predict import add_predict_parser, predict_command
from automl_gui.cli.study import add_study_parser, study_command
from automl_gui.cli.train import add_train_parser, train_command
from automl_gui.core.base.errors import AutoMLError, CancelledError

__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_OK", "build_parser", "main"]

#: subcommand → (adds its parser, runs it), in the order ``--help`` lists them
COMMANDS = {
    "train": (add_train_parser, train_command),
    "predict": (add_predict_parser, predict_command),
    "evaluate": (add_evaluate_parser, evaluate_command),
    "explain": (add_explain_parser, explain_command),
    "export": (add_export_parser, export_command),
    "info": (add_info_parser, info_command),
    "study": (add_study_parser, study_command),
    "cluster-env": (add_cluster_parser, cluster_command),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (public so the README and tests can show the same help)."""
    parser = argparse.ArgumentParser(
        prog="automl-gui",
        description=(
            "Desktop AutoML for Keras. 'automl-gui' opens the window; 'automl-gui DATASET' "
            "or 'automl-gui PROJECT_FOLDER' opens it with that table, image or audio folder, "
            "text dataset or project; a COMMAND below works without the window."
        ),
    )
    parser.add_argument("--version", action="version", version=f"automl-gui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add_parser, _command in COMMANDS.values():
        add_parser(sub)
    return parser


#: files that exist where an NVIDIA driver is installed (Linux; ``/dev/dxg``: WSL 2's GPU)
GPU_DRIVER_FILES = ("/proc/driver/nvidia/version", "/dev/nvidiactl", "/dev/dxg")


def tf_log_level(driver_files: tuple[str, ...] = GPU_DRIVER_FILES) -> str:
    """TensorFlow's C++ log level for a command: "2" (its errors shown) where a GPU driver
    is installed, else "3". Without a driver, TensorFlow's CUDA build logs "failed call to
    cuInit" as an error on the first tensor of every command (hiding the GPUs with
    ``CUDA_VISIBLE_DEVICES`` does not stop it), and there is no GPU whose errors could
    matter; finding GPUs is unchanged (``core.hardware.list_devices``)."""
    return "2" if any(os.path.exists(path) for path in driver_files) else "3"


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", tf_log_level())
    _add_parser, command = COMMANDS[args.command]
    try:
        with stop_signals_interrupt():
            return command(args)
    except (KeyboardInterrupt, CancelledError):  # Ctrl+C / SIGTERM outside a training
        print(f"error: interrupted ({stopped_by()}).", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        if stop_arrived():  # a library turned our KeyboardInterrupt into its own error
            print(f"error: interrupted ({stopped_by()}).", file=sys.stderr)
            return EXIT_INTERRUPTED
        fail(exc)
        if isinstance(exc, AutoMLError):
            return EXIT_ERROR
        if os.environ.get("AUTOML_GUI_DEBUG"):
            raise
        return EXIT_ERROR

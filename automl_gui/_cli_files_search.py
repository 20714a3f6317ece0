"""``automl-gui train FOLDER --model auto --time-budget S | --trials N``: the AutoML search on
an image or audio folder (``core.tune.files_search``).

Like the table search (``_cli_search``): one line per finished trial, the leaderboard, then
the kept model saved as ``train FOLDER`` saves one, plus ``leaderboard.csv``. TensorFlow and
Keras Tuner load only when it runs.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

from automl_gui.core.base.events import CancelToken, Event, TrialEnded, TrialStarted

#: Hyperband's largest round on a folder when --epochs is not given (the folder default)
DEFAULT_MAX_EPOCHS = 30


def check_files_search_options(args: argparse.Namespace) -> None:
    """ConfigError for search options that cannot apply to a folder: the table checks (a
    fixed model, no budget, --resume without --search-dir); folders are searchable."""
    from automl_gui._cli_search import check_search_options

    check_search_options(args, "folder")


def search_folder(
    args: argparse.Namespace,
    kind: str,
    dataset: Any,
    preprocess: Any,
    model_config: Any,
    training: Any,
    plan: Any,
    out: Path,
) -> int:
    """Run the search on a scanned folder and save the kept model; returns the exit status."""
    from automl_gui._cli_files import save_files_run
    from automl_gui._cli_search import format_leaderboard, write_leaderboard_csv
    from automl_gui.cli import (
        EXIT_OK,
        _interruptible,
        _printer,
        _say,
        _stopped_by,
        _train_inputs,
    )
    from automl_gui.core.tune.search.files import search_files
    from automl_gui.core.tune.search.files_space import default_space
    from automl_gui.core.tune.search.space import SearchConfig

    config = SearchConfig(
        algorithm=args.search or "hyperband",
        time_budget=float(args.time_budget or 0.0),
        max_trials=int(args.trials or 0),
        max_epochs=int(args.epochs or DEFAULT_MAX_EPOCHS),
        seed=training.seed,
    )
    training = replace(training, time_budget=0.0, epochs=config.max_epochs)
    lines = _trial_printer(args, _printer(args))
    options = {} if args.augment else {"augments": ("none",)}  # --no-augment: none tried
    space = default_space(kind, dataset, preprocess, model_config, on_event=lines, **options)
    cancel = CancelToken()
    run = _interruptible(
        cancel,
        search_files,
        kind,
        dataset,
        preprocess,
        model_config,
        config,
        training,
        plan=plan,
        on_event=lines,
        directory=args.search_dir,
        resume=args.resume,
        overwrite=args.overwrite,
        space=space,
    )
    if cancel.cancelled:
        _say(args, f"Stopped by {_stopped_by()}: keeping the best trial so far.")
    if not args.quiet:
        print(format_leaderboard(run.leaderboard, run.best_trial), flush=True)
    path = save_files_run(run, out, overwrite=args.overwrite, inputs=_train_inputs(args))
    write_leaderboard_csv(run.leaderboard, path / "leaderboard.csv")
    print(f"Saved the leaderboard to {path / 'leaderboard.csv'}")
    return EXIT_OK


def _trial_printer(args: argparse.Namespace, lines: Any):
    """Events as lines, one per finished trial: what a trial says while it runs (its split,
    build, epochs and evaluation) is left out; the rest goes to ``lines``."""
    from automl_gui._cli_search import trial_line

    running = {"on": False}

    def on_event(event: Event) -> None:
        if isinstance(event, TrialStarted):
            running["on"] = True
        elif isinstance(event, TrialEnded):
            running["on"] = False
            if not args.quiet:
                print(trial_line(event.record), flush=True)
        elif not running["on"]:
            lines(event)

    return on_event

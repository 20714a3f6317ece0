"""``automl-gui train DATA --model auto --time-budget S | --trials N``: the AutoML search on
a table (``core.tune.search.tables``) or an image or audio folder (``core.tune.search.files``).

Prints one line per finished trial and the final leaderboard, then saves the kept model as
``train`` saves one, plus ``leaderboard.csv``. TensorFlow and Keras Tuner load only when it
runs.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_gui.cli._common import EXIT_OK, TrainSetup, printer, say, train_inputs
from automl_gui.cli._save import save_run, write_leaderboard_csv
from automl_gui.cli._signals import interruptible, stopped_by
from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.events import (
    CancelToken,
    Event,
    Log,
    PhaseChanged,
    Progress,
    TrialEnded,
    TrialStarted,
)
from automl_gui.core.tune.search.compare import (
    baseline_verdict,
    compare_line,
    kept_row,
    kept_words,
)

if TYPE_CHECKING:
    from automl_gui.core.kinds import DataKind

SEARCH_OPTIONS = ("trials", "search", "search_dir", "resume", "cross_validation", "folds")
TABLE_ONLY = ("cross_validation", "folds")  # k-fold trials are for (small) tables
#: one training's options that a search decides itself (each trial's network) or does not do
NOT_SEARCHED = {
    "numeric_embedding": "the search chooses it for each trial",
    "n_bins": "the search's trials use Auto's bins",
    "ensemble_size": "the search chooses it for each trial",
    "refit": "the search keeps its best trial as trained",
}


def wants_search(args: argparse.Namespace) -> bool:
    """``--model auto`` with a time budget or a number of trials runs the search."""
    auto = (args.model or "auto").strip().lower() == "auto"
    return auto and bool(args.time_budget or args.trials)


def check_search_options(args: argparse.Namespace, *, k_fold: bool) -> None:
    """ConfigError for search options that cannot apply: k-fold options where trials cannot
    be cross-validated (``k_fold`` False: a folder), a fixed model, no budget, --resume
    without --search-dir; and for one training's options a search decides itself; and
    KERASTUNER_* variables that are malformed or cannot apply (:func:`check_search_role`)."""
    check_search_role(args)
    if wants_search(args):
        for name, why in NOT_SEARCHED.items():
            if getattr(args, name, None) not in (None, False, 0, "auto"):  # auto: as searched
                flag = "--" + name.replace("_", "-")
                raise ConfigError(
                    f"{flag} is for training one model: {why}.",
                    f"Leave out {flag}, or train one model (--model mlp, or no --time-budget "
                    "or --trials).",
                )
    named = [name for name in SEARCH_OPTIONS if getattr(args, name, None)]
    given = [f"--{name.replace('_', '-')}" for name in named]
    if not given:
        return
    table_only = [f"--{name.replace('_', '-')}" for name in named if name in TABLE_ONLY]
    if table_only and not k_fold:
        raise ConfigError(
            f"{', '.join(table_only)}: k-fold trials are for tables.",
            "Leave these options out for a folder: its trials use the validation split.",
        )
    if not wants_search(args):
        raise ConfigError(
            f"{', '.join(given)}: only for an AutoML search.",
            "Add --model auto with --time-budget SECONDS or --trials N.",
        )
    if args.resume and not args.search_dir:
        raise ConfigError("--resume needs the search folder.", "Add --search-dir DIR.")


def check_search_role(args: argparse.Namespace) -> Any:
    """The KERASTUNER_* role of this process (None: one machine); ConfigError when they are
    malformed, set for something other than a search, or without the shared search folder
    (TF_CONFIG beside a search is refused by ``_workers.start_cluster``)."""
    from automl_gui.core.cluster.search_role import search_role

    role = search_role(os.environ)
    if role is None:
        return None
    if not wants_search(args):
        raise ConfigError(
            "KERASTUNER_TUNER_ID, KERASTUNER_ORACLE_IP and KERASTUNER_ORACLE_PORT are for an "
            "AutoML search across processes.",
            "Add --model auto with --time-budget SECONDS or --trials N (and --search-dir), or "
            "unset them to train one model.",
        )
    if not args.search_dir:
        raise ConfigError(
            f"This process is a {role.describe()}: it needs the search folder every process "
            "shares.",
            "Add --search-dir DIR, the same shared folder on the chief and every worker.",
        )
    return role


def search_config(args: argparse.Namespace, seed: int, default_epochs: int | None) -> Any:
    """The SearchConfig from the options; ``default_epochs`` is the largest round when
    --epochs is not given (None: the search's own default)."""
    from automl_gui.core.tune.search.space import SearchConfig

    config = SearchConfig(
        algorithm=args.search or "hyperband",
        time_budget=float(args.time_budget or 0.0),
        max_trials=int(args.trials or 0),
        seed=seed,
        # the parser's --cross-validation / --folds, where it has them
        cross_validation=getattr(args, "cross_validation", None) or "auto",
        folds=int(getattr(args, "folds", None) or 0),
    )
    epochs = args.epochs or default_epochs
    if epochs:
        config.max_epochs = int(epochs)
    return config


def run_search(
    args: argparse.Namespace,
    kind: DataKind,
    setup: TrainSetup,
    training: Any,
    plan: Any,
    out: Path,
) -> int:
    """Search models for ``setup``'s data (``core.tune.search.jobs.search``, any kind), print
    each trial, the leaderboard and how the kept model did against the baselines, and save it
    with ``leaderboard.csv``; returns the exit status."""
    from automl_gui.core.tune.search.jobs import SearchRequest, search, search_worker

    role = check_search_role(args)
    config = search_config(args, training.seed, setup.search_epochs)
    training = replace(training, time_budget=0.0, epochs=config.max_epochs)
    trial_printer = _folder_trial_printer if kind.file_based else _table_trial_printer
    lines = trial_printer(args, printer(args))
    space = None
    if kind.file_based and args.augment is False:  # --no-augment: the kind's space, none
        space = kind.search_space(
            setup.dataset, setup.preprocess, setup.model, on_event=lines, augments=("none",)
        )
    request = SearchRequest(
        kind,
        setup.dataset,
        setup.preprocess,
        setup.model,
        config,
        training,
        plan=plan,
        directory=args.search_dir,
        resume=args.resume,
        overwrite=args.overwrite,
        space=space,
        role=role,
    )
    cancel = CancelToken()
    if role is not None and not role.is_chief:
        say(args, f"This process is the {role.describe()}.")
        mine = interruptible(cancel, search_worker, request, on_event=lines)
        trials = "1 trial" if len(mine) == 1 else f"{len(mine)} trials"
        say(args, f"{trials} ran here; the chief keeps the leaderboard and the model.")
        return EXIT_OK
    if role is not None:
        say(args, f"This process is the {role.describe()}; workers run the trials.")
    run = interruptible(cancel, search, request, on_event=lines)
    if role is not None:  # the run says the search ran across processes, and on which
        tuners = sorted({r.worker for r in run.leaderboard if r.worker})
        distribution = run.metadata.setdefault("distribution", {})
        distribution.update(search_workers=len(tuners), search_tuners=tuners)
    if cancel.cancelled:
        say(args, f"Stopped by {stopped_by()}: keeping the best trial so far.")
    if not args.quiet:
        best = run.best_trial
        kept = kept_words(kept_row(best, run), best) if best is not None else ""
        print(format_leaderboard(run.leaderboard, best, kept), flush=True)
        for line in (
            compare_line(run.leaderboard, run.report),
            baseline_verdict(run.leaderboard, run.report),
        ):
            if line:
                print(line, flush=True)
    path = save_run(
        run,
        out,
        overwrite=args.overwrite,
        inputs=train_inputs(args),
        test_predictions=kind.file_based,
        data=args.data,
    )
    write_leaderboard_csv(run.leaderboard, path / "leaderboard.csv")
    return EXIT_OK


def _table_trial_printer(args: argparse.Namespace, lines: Any) -> Callable[[Event], None]:
    """Events as lines, one per finished trial: a trial's own log lines are left out, and so
    are the epochs of the kept model training on (from its phase to the evaluation)."""
    from automl_gui.core.tune.search.saved import TRAIN_ON_PHASE

    running = {"on": False}

    def on_event(event: Event) -> None:
        if isinstance(event, TrialStarted):
            running["on"] = True
        elif isinstance(event, PhaseChanged) and event.phase == TRAIN_ON_PHASE:
            running["on"] = True
        elif isinstance(event, Progress) and event.stage == "evaluate" and running["on"]:
            running["on"] = False
            lines(event)
        elif isinstance(event, TrialEnded):
            running["on"] = False
            if not args.quiet:
                print(trial_line(event.record), flush=True)
        elif not (running["on"] and isinstance(event, Log)):
            lines(event)

    return on_event


def _folder_trial_printer(args: argparse.Namespace, lines: Any) -> Callable[[Event], None]:
    """Events as lines, one per finished trial: what a trial says while it runs (its split,
    build, epochs and evaluation) is left out; the rest goes to ``lines``."""
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


def trial_line(record: Any) -> str:
    """``Trial 0003 completed  val_loss 0.4077  2 epochs  1.9 s  depth=2, units=37, …``; a
    cross-validated trial's value reads ``val_loss 0.412 ± 0.031 (5-fold)``."""
    value = f"{record.metric_name} {record.value_text()}" if record.value is not None else "—"
    where = f"on {record.worker}  " if record.worker else ""
    line = (
        f"Trial {record.trial_id} {record.status:<9} {where}{value}  {record.epochs} epochs  "
        f"{record.seconds:.1f} s  {_params(record.hyperparameters)}"
    )
    return f"{line}  ({record.reason})" if record.reason else line


def format_leaderboard(records: list[Any], best: Any, kept: str = "") -> str:
    """The leaderboard as a text table: trials best first, then failed ones, then baselines;
    the first figure is the one every row shares (``val accuracy`` / ``val r2``), then each
    row's own metric and value (the trials' objective, a baseline's headline metric). The
    last line names the kept model (``kept``: ``compare.kept_words``, e.g. "trial 0000 + 7
    more epochs (val_loss 0.4874)"; default: the best trial)."""
    trials = [r for r in records if r.status != "baseline"]
    baselines = [r for r in records if r.status == "baseline"]
    maximize = best is not None and best.metric_name == "val_accuracy"
    scored = sorted(
        (r for r in trials if r.scored), key=lambda r: -r.value if maximize else r.value
    )
    rest = [r for r in trials if not r.scored]
    ordered = [*scored, *rest, *baselines]
    width = max([len("trial"), *(len(r.trial_id) for r in ordered)]) + 2
    texts = {id(r): r.value_text() for r in ordered}
    vw = max([10, *(len(t) + 1 for t in texts.values())])
    # the figure every row shares (trials and baselines alike): the column that compares them
    shared = next((r.score_name for r in ordered if r.score_name), "")
    name = f"val {shared}" if shared else ""
    scores = {id(r): r.score_text() if shared else "" for r in ordered}
    sw = max([len(name) + 2, *(len(t) + 2 for t in scores.values())]) if shared else 0
    # the search worker that ran each trial, when trials ran on several (else no column)
    ww = max([len("worker") + 2, *(len(r.worker) + 2 for r in ordered)])
    ww = ww if any(r.worker for r in ordered) else 0
    worker = f"{'worker':<{ww}}" if ww else ""
    header = (
        f"  {'trial':<{width}}{'status':<11}{worker}{name:>{sw}}  {'metric':<14}"
        f"{'value':>{vw}}{'epochs':>8}{'s':>8}"
    )
    out = ["", "Leaderboard", header]
    for r in ordered:
        mark = "* " if r is best else "  "
        out.append(
            f"{mark}{r.trial_id:<{width}}{r.status:<11}{r.worker:<{ww}}{scores[id(r)]:>{sw}}  "
            f"{r.metric_name:<14}{texts[id(r)]:>{vw}}"
            f"{r.epochs:>8}{r.seconds:>8.1f}  {_params(r.hyperparameters)}"
            + (f"  ({r.reason})" if r.reason else "")
        )
    if best is not None:
        out.append(f"* kept: {kept or f'trial {best.trial_id}'}")
    return "\n".join(out)


def _params(values: dict[str, Any]) -> str:
    shown = {k: v for k, v in values.items() if not k.startswith("tuner/")}
    parts = [f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items()]
    return ", ".join(parts)

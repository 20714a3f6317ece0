"""``automl-gui train TABLE --model auto --time-budget S | --trials N``: the AutoML search.

Prints one line per finished trial and the final leaderboard, then saves the kept model like
a normal run plus ``leaderboard.csv``. TensorFlow and Keras Tuner load only when it runs.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

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

SEARCH_OPTIONS = ("trials", "search", "search_dir", "resume", "cross_validation", "folds")
TABLE_ONLY = ("cross_validation", "folds")  # k-fold trials are for (small) tables


def wants_search(args: argparse.Namespace) -> bool:
    """``--model auto`` with a time budget or a number of trials runs the search."""
    auto = (args.model or "auto").strip().lower() == "auto"
    return auto and bool(args.time_budget or args.trials)


def check_search_options(args: argparse.Namespace, kind: str) -> None:
    """ConfigError for search options that cannot apply (a folder, a fixed model, no budget)."""
    named = [name for name in SEARCH_OPTIONS if getattr(args, name, None)]
    given = [f"--{name.replace('_', '-')}" for name in named]
    if not given:
        return
    table_only = [f"--{name.replace('_', '-')}" for name in named if name in TABLE_ONLY]
    if table_only and kind != "tabular":
        raise ConfigError(
            f"{', '.join(table_only)}: k-fold trials are for tables.",
            "Leave these options out for a folder: its trials use the validation split.",
        )
    if kind in ("images", "audio"):
        raise ConfigError(
            f"{', '.join(given)}: the command-line search covers tables for now.",
            "Leave these options out to train the default model on this folder.",
        )
    if not wants_search(args):
        raise ConfigError(
            f"{', '.join(given)}: only for an AutoML search.",
            "Add --model auto with --time-budget SECONDS or --trials N.",
        )
    if args.resume and not args.search_dir:
        raise ConfigError("--resume needs the search folder.", "Add --search-dir DIR.")


def search_table(
    args: argparse.Namespace, df: Any, pre: Any, training: Any, plan: Any, out: Path
) -> int:
    """Run the search on a table and save its model; returns the exit status."""
    from automl_gui.cli import (
        EXIT_OK,
        _interruptible,
        _printer,
        _save_table_run,
        _say,
        _stopped_by,
        _train_inputs,
    )
    from automl_gui.core.tune.search.space import SearchConfig
    from automl_gui.core.tune.search.tables import search_tabular

    config = SearchConfig(
        algorithm=args.search or "hyperband",
        time_budget=float(args.time_budget or 0.0),
        max_trials=int(args.trials or 0),
        seed=training.seed,
        # the parser's --cross-validation / --folds, where it has them
        cross_validation=getattr(args, "cross_validation", None) or "auto",
        folds=int(getattr(args, "folds", None) or 0),
    )
    if args.epochs:
        config.max_epochs = args.epochs
    training = replace(training, time_budget=0.0, epochs=config.max_epochs)
    cancel = CancelToken()
    run = _interruptible(
        cancel,
        search_tabular,
        df,
        pre,
        config,
        training,
        plan=plan,
        on_event=_trial_printer(args, _printer(args)),
        directory=args.search_dir,
        resume=args.resume,
        overwrite=args.overwrite,
    )
    if cancel.cancelled:
        _say(args, f"Stopped by {_stopped_by()}: keeping the best trial so far.")
    if not args.quiet:
        print(format_leaderboard(run.leaderboard, run.best_trial), flush=True)
        comparison = compare_line(run.leaderboard, run.report)
        if comparison:
            print(comparison, flush=True)
    path = _save_table_run(run, out, overwrite=args.overwrite, inputs=_train_inputs(args))
    write_leaderboard_csv(run.leaderboard, path / "leaderboard.csv")
    print(f"Saved the leaderboard to {path / 'leaderboard.csv'}")
    return EXIT_OK


def _trial_printer(args: argparse.Namespace, lines: Any):
    """Events as lines, one per finished trial: a trial's own log lines are left out, and so
    are the epochs of the kept model training on (from its phase to the evaluation)."""
    from automl_gui.core.tune.search.tables import TRAIN_ON_PHASE

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


def trial_line(record: Any) -> str:
    """``Trial 0003 completed  val_loss 0.4077  2 epochs  1.9 s  depth=2, units=37, …``; a
    cross-validated trial's value reads ``val_loss 0.412 ± 0.031 (5-fold)``."""
    value = f"{record.metric_name} {record.value_text()}" if record.value is not None else "—"
    line = (
        f"Trial {record.trial_id} {record.status:<9} {value}  {record.epochs} epochs  "
        f"{record.seconds:.1f} s  {_params(record.hyperparameters)}"
    )
    return f"{line}  ({record.reason})" if record.reason else line


def format_leaderboard(records: list[Any], best: Any) -> str:
    """The leaderboard as a text table: trials best first, then failed ones, then baselines."""
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
    header = f"  {'trial':<{width}}{'status':<11}{'metric':<14}{'value':>{vw}}{'epochs':>8}{'s':>8}"
    out = ["", "Leaderboard", header]
    for r in ordered:
        mark = "* " if r is best else "  "
        out.append(
            f"{mark}{r.trial_id:<{width}}{r.status:<11}{r.metric_name:<14}{texts[id(r)]:>{vw}}"
            f"{r.epochs:>8}{r.seconds:>8.1f}  {_params(r.hyperparameters)}"
            + (f"  ({r.reason})" if r.reason else "")
        )
    if best is not None:
        out.append(f"* kept: trial {best.trial_id}")
    return "\n".join(out)


def compare_line(records: list[Any], report: dict[str, Any]) -> str:
    """``Test accuracy: search 0.864 · logistic regression 0.909 · random forest 0.909``:
    the kept model against the baselines on the same test rows ("" without baselines)."""
    baselines = [r for r in records if r.status == "baseline" and r.test_score is not None]
    if not baselines:
        return ""
    metric = baselines[0].metric_name
    ours = report.get("metrics", {}).get(metric)
    parts = [f"search {ours:.3f}" if ours is not None else "search —"]
    parts += [f"{r.trial_id.removeprefix('baseline:')} {r.test_score:.3f}" for r in baselines]
    return f"Test {metric}: " + " · ".join(parts)


def write_leaderboard_csv(records: list[Any], path: Path) -> None:
    """Write the leaderboard rows (``core.tune.search.leaderboard_rows``) as CSV, atomically."""
    import pandas as pd

    from automl_gui.core.base.files import atomic_write
    from automl_gui.core.tune.search.tables import leaderboard_rows

    frame = pd.DataFrame(leaderboard_rows(records))
    atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))


def _params(values: dict[str, Any]) -> str:
    shown = {k: v for k, v in values.items() if not k.startswith("tuner/")}
    parts = [f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items()]
    return ", ".join(parts)

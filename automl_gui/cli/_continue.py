"""``automl-gui train DATA --continue-from RUN``: a saved model trained further on new labelled
data (``core.jobs.continued``), saved as a new model whose metadata says where it came from.

DATA is the new labelled data; ``--with-earlier-data OLD`` trains on the data RUN was trained
on and DATA together (OLD split as it was split then); ``--lr-factor`` scales RUN's learning
rate (default 0.1); ``--epochs`` caps the epochs (default: Auto, from DATA's size).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from automl_gui.cli._common import EXIT_OK, default_run_dir, device_plan, prepare_out, printer, say
from automl_gui.cli._types import positive_float

#: train options that describe a model trained from scratch: a continued one keeps RUN's
FROM_SCRATCH = ("target", "model", "search", "trials", "checkpoint_dir", "search_dir", "resume")


def add_continue_options(train: argparse.ArgumentParser) -> None:
    """``--continue-from``, ``--with-earlier-data`` and ``--lr-factor`` on ``train``."""
    group = train.add_argument_group(
        "continue training",
        "train a saved model further on DATA (new labelled data of the same kind, columns and "
        "classes) instead of training one from scratch; the new model's metadata names RUN "
        "and compares the two on the same test rows",
    )
    group.add_argument(
        "--continue-from",
        metavar="RUN",
        help="the saved model (a folder written by train or export, or its model.keras)",
    )
    group.add_argument(
        "--with-earlier-data",
        metavar="OLD",
        help="the data RUN was trained on: train on it and DATA together, OLD split as it "
        "was then so its test rows stay unseen (default: DATA only)",
    )
    group.add_argument(
        "--lr-factor",
        type=positive_float,
        metavar="F",
        default=0.1,
        help="the learning rate is RUN's times F, 0 < F <= 1 (default 0.1: small steps keep "
        "what it learned)",
    )


def continue_command(args: argparse.Namespace) -> int:
    """Train ``args.continue_from`` further on ``args.data``; save the new model to --out."""
    from automl_gui.cli._save import save_run
    from automl_gui.cli._signals import interruptible, stopped_by
    from automl_gui.core.base.errors import ConfigError
    from automl_gui.core.base.events import CancelToken
    from automl_gui.core.export.bundle import load_bundle
    from automl_gui.core.jobs.continued import (
        check_lr_factor,
        continue_run,
        earlier_data,
        load_new_data,
    )
    from automl_gui.core.kinds import kind_for_path

    given = [f"--{name.replace('_', '-')}" for name in FROM_SCRATCH if _given(args, name)]
    if given:
        raise ConfigError(
            f"{', '.join(given)} cannot be used with --continue-from: the model keeps the "
            "earlier run's target, network and settings.",
            "Leave them out, or train from scratch without --continue-from.",
        )
    check_lr_factor(args.lr_factor)
    bundle = load_bundle(args.continue_from)
    inputs = [args.data, args.continue_from, args.with_earlier_data]
    out = Path(args.out) if args.out else default_run_dir(args.data)
    out = prepare_out(out, args, inputs)
    on_event = printer(args)
    new = load_new_data(bundle.metadata, args.data, on_event=on_event)
    old = None
    if args.with_earlier_data:
        kind = kind_for_path(args.with_earlier_data)
        loaded = kind.load(args.with_earlier_data, on_event=on_event)
        old = earlier_data(bundle.metadata, kind, loaded)
    plan = device_plan(force_cpu=args.cpu)
    say(args, f"Device: {plan.device_label} ({plan.reason}). Continuing {args.continue_from}.")
    run = interruptible(
        CancelToken(),
        continue_run,
        bundle.model,
        bundle.metadata,
        new,
        old_data=old,
        base_name=Path(args.continue_from).name,
        lr_factor=args.lr_factor,
        epochs=args.epochs or 0,
        plan=plan,
        on_event=on_event,
    )
    if run.result.stopped_reason == "cancelled":
        say(args, f"Stopped by {stopped_by()}: keeping the best weights so far.")
    # a file run's test predictions name the files (as train writes them); a table's are rows
    file_based = bundle.kind.file_based
    save_run(
        run,
        out,
        overwrite=args.overwrite,
        inputs=inputs,
        test_predictions=file_based,
        data=args.data,
    )
    return EXIT_OK


def _given(args: argparse.Namespace, name: str) -> bool:
    """Whether option ``name`` was set on the command line (not left at its default)."""
    value = getattr(args, name, None)
    return value not in (None, False, "auto", "")

"""``automl-gui train TABLE``: what the options make of a table: read it, choose the target
and the task (``core.jobs.tabular.setup_tabular``), say what was found; the training and
the search are ``train`` and ``_search.run_search``."""

from __future__ import annotations

import argparse
from typing import Any

from automl_gui.cli._common import KIND_OPTIONS, TrainSetup, say
from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.events import CancelToken
from automl_gui.core.kinds import DataKind


def read_table_for(
    args: argparse.Namespace, kind: DataKind, seed: int, task: str | None = None
) -> tuple[Any, Any]:
    """Read ``args.data``, choose the target (``--target``, else a good guess) and the task,
    and say what was read and chosen; returns (the table, ``setup_tabular``'s setup)."""
    from automl_gui.core.jobs.tabular import setup_tabular

    table = kind.load(args.data)
    for notice in table.notices:
        say(args, f"note: {notice}")
    setup = setup_tabular(table, args.target, task)
    pre = setup.preprocess
    pre.split.seed = seed
    say(
        args,
        f"Data: {len(table.df):,} rows, target '{pre.target}' ({pre.task}), "
        f"{len(pre.feature_columns())} feature columns.",
    )
    for warning in setup.warnings:
        say(args, f"warning: {warning.message}")
    return table, setup


def check_table_options(args: argparse.Namespace) -> None:
    """ConfigError for a bin count with a numeric embedding that has no bins (only the
    piecewise-linear one bins the numbers)."""
    embedding = getattr(args, "numeric_embedding", None)
    if getattr(args, "n_bins", None) and embedding in ("none", "periodic"):
        raise ConfigError(
            f"--n-bins applies to the piecewise embedding only, not to --numeric-embedding "
            f"{embedding}.",
            "Drop --n-bins, or use --numeric-embedding piecewise (or auto).",
        )


def table_setup(
    args: argparse.Namespace, kind: DataKind, arch: str, seed: int, _cancel: CancelToken
) -> TrainSetup:
    """Read the table, choose target and task (``--target``, ``--task``) and make the
    settings ``train`` uses (the network's: ``--numeric-embedding`` …)."""
    table, setup = read_table_for(args, kind, seed, None if args.task == "auto" else args.task)
    training = kind.default_training()
    training.seed = seed
    if args.epochs:
        training.epochs = args.epochs
    model = kind.default_model()
    for name in KIND_OPTIONS[kind.name]:  # --numeric-embedding, --n-bins, --ensemble-size
        value = getattr(args, name, None)
        if value is not None:
            setattr(model, name, value)
    model_note = f" Model: {arch}."
    return TrainSetup(table.df, setup.preprocess, model, training, model_note)

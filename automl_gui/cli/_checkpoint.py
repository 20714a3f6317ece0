"""``automl-gui train ... --checkpoint-dir DIR [--resume]``: a training that checkpoints every
epoch and continues after a kill (``core.train.checkpoint``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from automl_gui.cli._common import say
from automl_gui.cli._search import wants_search
from automl_gui.core.base.errors import ConfigError


def check_checkpoint_options(args: argparse.Namespace) -> None:
    """Take ``--resume`` for the training when ``--checkpoint-dir`` is given (the search
    options' checks then see none); ConfigError for a checkpoint folder with a search."""
    args.resume_training = False
    if not args.checkpoint_dir:
        if args.resume and not args.search_dir and not wants_search(args):
            raise ConfigError(
                "--resume needs the folder to continue from.",
                "Add --checkpoint-dir DIR (a training) or --search-dir DIR (an AutoML search).",
            )
        return
    if wants_search(args):
        raise ConfigError(
            "--checkpoint-dir is for training one model; an AutoML search keeps its state in "
            "--search-dir.",
            "Use --search-dir DIR (and --resume to continue it), or leave out --checkpoint-dir.",
        )
    args.resume_training, args.resume = bool(args.resume), False


def checkpoint_options(args: argparse.Namespace) -> dict[str, Any]:
    """``checkpoint_dir``/``resume`` for a training job; says what an unfinished checkpoint
    in the folder becomes (continued with --resume, else discarded)."""
    if not getattr(args, "checkpoint_dir", None):
        return {}
    from automl_gui.core.train.checkpoint import read_checkpoint

    folder = Path(args.checkpoint_dir).expanduser()
    info = read_checkpoint(folder)
    if info is not None and not args.resume_training:
        say(
            args,
            f"note: {folder} holds an unfinished training (stopped after epoch "
            f"{info.epoch_shown} of {info.total_shown}, {info.age()}): starting afresh; "
            "pass --resume to continue it instead.",
        )
    return {"checkpoint_dir": str(folder), "resume": args.resume_training}

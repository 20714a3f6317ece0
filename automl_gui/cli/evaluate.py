"""``automl-gui evaluate RUN DATA --by COLUMN [--out DIR]``: a model's figures on labelled
data, sliced by subgroup (``slices.csv``) with the gaps printed."""

from __future__ import annotations

import argparse
from typing import Any

from automl_gui.core.base.errors import ConfigError


def add_evaluate_parser(sub: Any) -> argparse.ArgumentParser:
    """Register the ``evaluate`` subcommand on ``sub`` (argparse subparsers)."""
    evaluate = sub.add_parser("evaluate", help="judge a trained model on labelled data")
    evaluate.add_argument("model", help="a model or run folder (or its model.keras)")
    evaluate.add_argument("data", help="labelled data of the model's kind")
    evaluate.add_argument("--by", help="slice the figures by this column (or 'subfolder')")
    evaluate.add_argument("--out", help="output folder")
    evaluate.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    return evaluate


def evaluate_command(args: argparse.Namespace) -> int:
    raise ConfigError("'evaluate' is being built (issue 18).", "Use the window for now.")

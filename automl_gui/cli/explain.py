"""``automl-gui explain RUN DATA [--out DIR] [--rows N]``: why a model answers as it does.

Tables and texts: ``importance.csv`` (``feature,importance,std``, most important first);
images and audio: a PNG overlay per file and ``explanations.csv`` (``path,prediction,...``).
"""

from __future__ import annotations

import argparse
from typing import Any

from automl_gui.core.base.errors import ConfigError


def add_explain_parser(sub: Any) -> argparse.ArgumentParser:
    """Register the ``explain`` subcommand on ``sub`` (argparse subparsers)."""
    explain = sub.add_parser("explain", help="why a trained model answers as it does")
    explain.add_argument("model", help="a model or run folder (or its model.keras)")
    explain.add_argument("data", nargs="+", help="the data to explain on")
    explain.add_argument("--out", help="output folder")
    explain.add_argument("--rows", type=int, help="explain at most N rows or files")
    explain.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    return explain


def explain_command(args: argparse.Namespace) -> int:
    raise ConfigError("'explain' is being built (issue 18).", "Use the window for now.")

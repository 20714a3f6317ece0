"""``automl-gui study KIND DATA``: a comparison study (optimizers, batch sizes, training-set
size, devices) on a table or a folder, printed as a table and saved as CSV and PNG."""

from __future__ import annotations

import argparse
from typing import Any

from automl_gui.core.errors import ConfigError

STUDY_KINDS = ("optimizers", "batch-sizes", "learning-curve", "devices")


def add_study_parser(sub: Any) -> argparse.ArgumentParser:
    """Register the ``study`` subcommand on ``sub`` (argparse subparsers)."""
    study = sub.add_parser("study", help="compare optimizers, batch sizes, data sizes or devices")
    study.add_argument("kind", choices=STUDY_KINDS, help="what to compare")
    study.add_argument("data", help="a table (CSV, TSV, Parquet) or a folder of images or clips")
    study.add_argument("--target", help="the column to predict (tables)")
    return study


def run_study_command(args: argparse.Namespace) -> int:
    raise ConfigError("Comparison studies are being built.", "Use train for now.")

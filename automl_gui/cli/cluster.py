"""``automl-gui cluster-env --from slurm|kubernetes|tf-config [--mode train|search]``: the
variables this process of a cluster job needs, as ``export`` lines for a shell's ``eval``.

The launch files of an exported job (``core.cluster.job_export``) run it in each task
before ``automl-gui train``: Slurm's ``SLURM_STEP_NODELIST``/``SLURM_PROCID``, an Indexed
Job's ``JOB_COMPLETION_INDEX`` or a TFJob's ``TF_CONFIG`` become ``TF_CONFIG`` (training
across workers) or Keras Tuner's ``KERASTUNER_*`` variables (a search)
(``core.cluster.environment``).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from automl_gui.cli._common import EXIT_OK


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1-65535, got {value}")
    return value


def add_cluster_parser(sub: Any) -> argparse.ArgumentParser:
    """Register the ``cluster-env`` subcommand on ``sub`` (argparse subparsers)."""
    from automl_gui.core.cluster.environment import DEFAULT_PORT, MODES, SOURCES

    parser = sub.add_parser(
        "cluster-env",
        help="print this cluster task's TF_CONFIG or KERASTUNER_* variables (Slurm, "
        "Kubernetes) as export lines",
        description="Read the scheduler's own variables (Slurm: SLURM_STEP_NODELIST, "
        "SLURM_PROCID, SLURM_NTASKS; a Kubernetes Indexed Job: JOB_COMPLETION_INDEX and the "
        "pods' names; a Kubeflow TFJob: TF_CONFIG) and print the variables this process "
        "needs as export lines: TF_CONFIG for training across workers, or "
        "KERASTUNER_TUNER_ID/ORACLE_IP/ORACLE_PORT for an AutoML search (the first task is "
        'the chief). Use: eval "$(automl-gui cluster-env --from slurm)"',
    )
    parser.add_argument(
        "--from", dest="source", required=True, choices=SOURCES, help="the scheduler"
    )
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="train",
        help="train (TF_CONFIG, default) or search (Keras Tuner's variables)",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"the port each task listens on (default {DEFAULT_PORT}; several tasks on one "
        "node take the next ones; tf-config: TF_CONFIG's own)",
    )
    return parser


def cluster_command(args: argparse.Namespace) -> int:
    """Print the ``export`` lines for this process."""
    from automl_gui.core.cluster.environment import (
        cluster_variables,
        export_lines,
        stale_variables,
    )

    variables = cluster_variables(args.source, os.environ, mode=args.mode, port=args.port)
    sys.stdout.write(export_lines(variables, unset=stale_variables(args.mode)))
    return EXIT_OK

"""``train`` under ``TF_CONFIG``: every process of the cluster runs the same command line.

:func:`start_cluster` reads ``TF_CONFIG`` and creates ``MultiWorkerMirroredStrategy`` first,
before any other TensorFlow operation runs in the process (the strategy configures the
process's collectives and must come first). The chief writes ``--out`` and
``--checkpoint-dir``; every other worker trains alongside it (its share of the data, the
same steps) but writes into a temporary folder (:func:`worker_scratch`) that
:func:`finish_worker` deletes, says one line and exits 0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from automl_gui.cli._common import EXIT_OK, device_plan
from automl_gui.core.base.errors import ConfigError


def start_cluster(args: argparse.Namespace, *, search: bool) -> Any:
    """The applied multi-worker plan when ``TF_CONFIG`` names several processes, else None.

    Raises:
        ConfigError: a bad ``TF_CONFIG``, or one given with an option that does not train
            across workers (a search: Keras Tuner's KERASTUNER_* variables distribute it;
            --continue-from).
    """
    from automl_gui.core.cluster.tf_config import cluster_from_env

    cluster = cluster_from_env(os.environ)
    if cluster is None:
        return None
    if search:
        raise ConfigError(
            "TF_CONFIG is set, but a search (--model auto with a budget) is distributed by "
            "Keras Tuner, not by TF_CONFIG.",
            "Unset TF_CONFIG and set KERASTUNER_TUNER_ID, KERASTUNER_ORACLE_IP and "
            "KERASTUNER_ORACLE_PORT instead, or train one model (--model NAME).",
        )
    if getattr(args, "continue_from", None):
        raise ConfigError(
            "Continued training (--continue-from) runs on one machine.",
            "Unset TF_CONFIG for --continue-from.",
        )
    from automl_gui.core.hardware import apply_plan

    plan = device_plan(force_cpu=args.cpu, cluster=cluster)
    apply_plan(plan)  # MultiWorkerMirroredStrategy now, before any other TensorFlow op
    return plan


def worker_scratch(args: argparse.Namespace, plan: Any) -> Path | None:
    """For a worker that is not the chief: a temporary folder its ``--out`` and
    ``--checkpoint-dir`` now point into, and quiet output (the chief reports). With
    ``--resume``, the chief's checkpoint (the same ``--checkpoint-dir``: a shared folder) is
    copied there first, so every worker resumes from the same epoch. None for the chief and
    on one machine."""
    if plan is None or plan.cluster is None or plan.cluster.is_chief:
        return None
    scratch = Path(tempfile.mkdtemp(prefix="automl-gui-worker-"))
    if getattr(args, "checkpoint_dir", None):
        chief = Path(args.checkpoint_dir).expanduser()
        mine = scratch / "checkpoint"
        if args.resume_training and chief.is_dir():
            shutil.copytree(chief, mine)
        args.checkpoint_dir = str(mine)
    args.out = str(scratch / "run")
    args.overwrite = False
    args.quiet = True
    return scratch


def finish_worker(plan: Any, scratch: Path) -> int:
    """Delete a worker's temporary folder and say so in one line."""
    shutil.rmtree(scratch, ignore_errors=True)
    print(
        f"{plan.cluster.describe()}: training done; the chief writes the run folder.",
        flush=True,
    )
    return EXIT_OK

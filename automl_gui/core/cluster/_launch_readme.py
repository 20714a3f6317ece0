"""``README.txt`` of an exported job: which file to use, and what it will not do as the
window would."""

from __future__ import annotations

import shlex
from pathlib import Path

from automl_gui.core.cluster._launch_common import RUN_DIR, STATE_DIRS, JobPlan, data_name


def readme(plan: JobPlan, data: Path, copied: bool) -> str:
    """The job folder's README."""
    state = STATE_DIRS[plan.mode][1]
    what = (
        f"an AutoML search: a chief (Keras Tuner's oracle) and {plan.size - 1} search workers"
        if plan.mode == "search"
        else f"one model trained on {plan.size} workers (tf.distribute's "
        "MultiWorkerMirroredStrategy)"
    )
    lines = [
        f"automl-gui training job '{plan.name}': {what}.",
        "",
        "Every process runs the same command in this folder:",
        "",
        "    " + shlex.join(plan.command),
        "",
        "Data: "
        + (
            f"copied to {data_name(data)}."
            if copied
            else f"NOT copied. Put {data} at {data_name(data)} first (see data.txt)."
        ),
        "",
        "Which file to use",
        "-----------------",
        "run-on-hosts.sh      Machines you can log in to, with this folder at the same path on",
        "                     each (a shared file system): run './run-on-hosts.sh N' on the",
        "                     host the file names for process N, all at about the same time.",
        "slurm.sbatch         A Slurm cluster: 'sbatch slurm.sbatch' from this folder. Each task",
        "                     reads Slurm's variables with 'automl-gui cluster-env --from slurm'.",
        "kubernetes-job.yaml  Kubernetes: 'kubectl apply -f kubernetes-job.yaml' (an Indexed Job",
        f"                     and a headless Service; this folder in the volume claim "
        f"'{plan.name}-files').",
        "tfjob.yaml           Kubernetes with the Kubeflow training operator: 'kubectl apply -f",
        "                     tfjob.yaml' (the operator sets TF_CONFIG).",
        "job.json             The settings, the target and the exact command, for tools.",
        "",
        "Every machine needs automl-gui installed ('pip install automl-gui', or the image the",
        f"project's Dockerfile builds). Open the ports the processes listen on (from {plan.port}).",
        "",
        "Results",
        "-------",
        f"The first process (the chief) writes the finished run to {RUN_DIR}; the others write",
        "nothing here and exit 0. Open it in the window with File > Open Run Folder... to",
        "compare, evaluate and export it like a run trained there.",
        f"The chief keeps {state} while it works: a job that stopped continues from there",
        "when launched again with --resume added (e.g. 'sbatch slurm.sbatch --resume',",
        "'./run-on-hosts.sh N --resume' on every host).",
        "See docs/CLUSTER.md in the project for each way in detail.",
    ]
    if plan.notes:
        lines += [
            "",
            "Not carried over from the window",
            "--------------------------------",
            "The command line has no option for these; it uses its own defaults:",
            *[f"- {note}" for note in plan.notes],
        ]
    return "\n".join(lines) + "\n"

"""``slurm.sbatch``: an exported job as a Slurm batch script. One ``srun`` task per node;
each task builds its own ``TF_CONFIG`` or ``KERASTUNER_*`` variables from Slurm's with
``automl-gui cluster-env --from slurm`` (so the script fits whichever nodes Slurm gives)."""

from __future__ import annotations

import shlex

from automl_gui.core.cluster._launch_common import APP_VARIABLE, JobPlan, app_default


def task_script(plan: JobPlan, source: str) -> str:
    """What each task runs: its variables from ``source``'s, then the command (``"$@"``:
    the extra options the launch was given)."""
    return "\n".join(
        [
            "set -euo pipefail",
            f'variables="$("${APP_VARIABLE}" {plan.cluster_env(source)})"',
            'eval "$variables"',
            f'exec {plan.app_command()} "$@"',
        ]
    )


def sbatch_script(plan: JobPlan) -> str:
    """The batch script: ``sbatch slurm.sbatch [more train options]`` from the job folder."""
    n = plan.size
    lines = [
        "#!/usr/bin/env bash",
        f"#SBATCH --job-name={plan.name}",
        f"#SBATCH --nodes={n}",
        f"#SBATCH --ntasks={n}",
        "#SBATCH --ntasks-per-node=1",
        "#SBATCH --output=slurm-%j.out",
        "# GPUs: take the first '#' off the next line and set the count your nodes have.",
        "##SBATCH --gpus-per-node=1",
        "# A time limit, partition or account your cluster needs go here too (#SBATCH ...).",
        "#",
        f"# automl-gui job '{plan.name}': {plan.what('nodes')}.",
        "# Submit from this folder (it must be on a file system every node sees):",
        "#     sbatch slurm.sbatch",
        "# Extra options go to 'automl-gui train' on every node, e.g. to continue a job that",
        "# stopped:  sbatch slurm.sbatch --resume",
        "# Each task builds its variables from Slurm's (SLURM_STEP_NODELIST, SLURM_PROCID):",
        f"#     {APP_VARIABLE.lower().replace('_', '-')} {plan.cluster_env('slurm')}",
        "# The first node's task writes output/run.",
        "set -euo pipefail",
        'cd "${SLURM_SUBMIT_DIR:-.}"',
        f"export {app_default()}",
        f"srun --nodes={n} --ntasks={n} --ntasks-per-node=1 \\",
        f"  bash -c {shlex.quote(task_script(plan, 'slurm'))} \\",
        '  slurm-task "$@"',
        "",
    ]
    return "\n".join(lines)

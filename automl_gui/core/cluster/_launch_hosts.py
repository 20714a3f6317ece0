"""``run-on-hosts.sh``: the plain multi-host launch of an exported job, one process per
host, each with its ``TF_CONFIG`` or ``KERASTUNER_*`` variables written in."""

from __future__ import annotations

from automl_gui.core.cluster._launch_common import JobPlan, app_default, exported


def hosts_script(plan: JobPlan) -> str:
    """The script: ``./run-on-hosts.sh N [more train options]`` on process N's host."""
    last = plan.size - 1
    lines = [
        "#!/usr/bin/env bash",
        f"# automl-gui job '{plan.name}' ({plan.what()}) on {plan.size} hosts, one process each.",
        "# The job folder must be at the same path on every host (a shared file system, or",
        "# copied there), with automl-gui installed. Start every process at about the same",
        "# time, each on its own host, from this folder:",
        "#",
    ]
    for i, process in enumerate(plan.processes):
        lines.append(f"#   on {process.host}:  ./run-on-hosts.sh {i}    # {process.role}")
    lines += [
        "#",
        "# Extra options go to 'automl-gui train' (all processes alike), e.g. --resume to",
        "# continue a job that stopped. The run is written to output/run.",
        "set -euo pipefail",
        'cd "$(dirname "$0")"',
        app_default(),
        'if [ "$#" -lt 1 ]; then',
        f"  echo \"usage: $0 PROCESS [train options]   (PROCESS: 0 to {last}, see this file's "
        'top)" >&2',
        "  exit 2",
        "fi",
        'process="$1"',
        "shift",
        'case "$process" in',
    ]
    for i, process in enumerate(plan.processes):
        lines.append(f"  {i})  # {process.role} on {process.host}")
        lines += [f"    {line}" for line in exported(process.env)]
        lines.append("    ;;")
    lines += [
        "  *)",
        f"    echo \"error: PROCESS must be 0 to {last}, not '$process'.\" >&2",
        "    exit 2",
        "    ;;",
        "esac",
        *(
            ["unset TF_CONFIG  # a search's processes are Keras Tuner's, not tf.distribute's"]
            if plan.mode == "search"
            else []
        ),
        f'exec {plan.app_command()} "$@"',
        "",
    ]
    return "\n".join(lines)

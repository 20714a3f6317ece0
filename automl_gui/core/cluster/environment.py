"""A cluster's own variables as the ones the app's processes read (pure: no TensorFlow).

A scheduler says, in its own words, which machines a job has and which one this process is:
Slurm in ``SLURM_STEP_NODELIST`` (a compressed host list such as ``node[01-03,07],gpu5``),
``SLURM_PROCID`` and ``SLURM_NTASKS``; a Kubernetes Indexed Job in ``JOB_COMPLETION_INDEX``
and its pods' stable host names (``<job>-<index>.<service>``); a Kubeflow TFJob in
``TF_CONFIG``. :func:`cluster_variables` turns them into what this process needs:

- training (``mode="train"``): ``TF_CONFIG`` (:func:`~automl_gui.core.cluster.tf_config.tf_config`)
  listing every process as a worker, worker 0 (the first host) leading;
- search (``mode="search"``): Keras Tuner's ``KERASTUNER_TUNER_ID`` ("chief" for the first
  process, "tuner0", "tuner1" … for the others), ``KERASTUNER_ORACLE_IP`` and
  ``KERASTUNER_ORACLE_PORT`` (the chief's address, where its oracle listens).

``automl-gui cluster-env`` prints them as ``export`` lines for the launch files of an
exported job (``job_export``).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.cluster.search_role import CHIEF, SearchRole
from automl_gui.core.cluster.tf_config import TF_CONFIG, cluster_from_env, tf_config

SOURCES = ("slurm", "kubernetes", "tf-config")
MODES = ("train", "search")
DEFAULT_PORT = 12345
#: Kubernetes variables the exported Indexed Job sets in each pod (the index is the Job
#: controller's own ``JOB_COMPLETION_INDEX``)
KUBE_PODS = "AUTOML_GUI_PODS"
KUBE_JOB = "AUTOML_GUI_JOB"
KUBE_SERVICE = "AUTOML_GUI_SERVICE"


def expand_hostlist(text: str) -> list[str]:
    """Slurm's compressed host list as host names, in order: ``node[01-03,07],gpu5`` →
    node01, node02, node03, node07, gpu5 (zero padding kept; several bracket groups in a
    name multiply: ``r[1-2]n[1-2]`` → r1n1, r1n2, r2n1, r2n2).

    Raises:
        ConfigError: unbalanced brackets, a range running backwards, an empty list.
    """
    hosts: list[str] = []
    for item in _top_level_items(text.strip()):
        hosts += _expand_item(item, text)
    if not hosts:
        raise ConfigError(f"The Slurm host list '{text}' names no host.", _SLURM_HINT)
    return hosts


_SLURM_HINT = "Run it inside a Slurm job step (srun), where Slurm sets its variables."


def _top_level_items(text: str) -> list[str]:
    items, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "[") - (ch == "]")
        if depth < 0 or depth > 1:
            raise ConfigError(f"The Slurm host list '{text}' has unbalanced brackets.", _SLURM_HINT)
        if ch == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    if depth:
        raise ConfigError(f"The Slurm host list '{text}' has unbalanced brackets.", _SLURM_HINT)
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


def _expand_item(item: str, whole: str) -> list[str]:
    match = re.search(r"\[([^\]]*)\]", item)
    if not match:
        return [item]
    head, tail = item[: match.start()], item[match.end() :]
    names = []
    for part in match.group(1).split(","):
        low, sep, high = part.strip().partition("-")
        if not low.isdigit() or (sep and not high.isdigit()):
            raise ConfigError(
                f"The Slurm host list '{whole}' has a bad range '{part}'.", _SLURM_HINT
            )
        first, last = int(low), int(high) if sep else int(low)
        if last < first:
            raise ConfigError(
                f"The Slurm host list '{whole}' has a range running backwards ('{part}').",
                _SLURM_HINT,
            )
        names += [f"{n:0{len(low)}d}" for n in range(first, last + 1)]
    return [f"{head}{n}{rest}" for n in names for rest in _expand_item(tail, whole)]


def _tasks_per_node(text: str) -> list[int]:
    """``SLURM_STEP_TASKS_PER_NODE``: ``2(x3),1`` → [2, 2, 2, 1]."""
    counts = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d+)(?:\(x(\d+)\))?\s*", part)
        if not match:
            raise ConfigError(f"Slurm's tasks per node '{text}' cannot be read.", _SLURM_HINT)
        counts += [int(match.group(1))] * int(match.group(2) or 1)
    return counts


def _need(env: Mapping[str, str], names: tuple[str, ...], hint: str) -> str:
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return value
    raise ConfigError(f"{' or '.join(names)} is not set.", hint)


def _whole(value: str, name: str, hint: str) -> int:
    if not value.isdigit():
        raise ConfigError(f"{name} is '{value}', not a whole number.", hint)
    return int(value)


def slurm_addresses(env: Mapping[str, str], port: int) -> tuple[list[str], int]:
    """Every task's ``host:port`` in rank order and this task's rank, from Slurm's
    variables: the step's (inside ``srun``) before the job's. Tasks on one node get
    consecutive ports from ``port`` (Slurm's default block distribution)."""
    nodes = expand_hostlist(
        _need(env, ("SLURM_STEP_NODELIST", "SLURM_JOB_NODELIST", "SLURM_NODELIST"), _SLURM_HINT)
    )
    rank = _whole(_need(env, ("SLURM_PROCID",), _SLURM_HINT), "SLURM_PROCID", _SLURM_HINT)
    ntasks = _whole(
        _need(env, ("SLURM_STEP_NUM_TASKS", "SLURM_NTASKS"), _SLURM_HINT),
        "SLURM_NTASKS",
        _SLURM_HINT,
    )
    per_node_text = env.get("SLURM_STEP_TASKS_PER_NODE") or env.get("SLURM_TASKS_PER_NODE")
    per_node = _tasks_per_node(per_node_text) if per_node_text else [1] * len(nodes)
    if len(per_node) != len(nodes):
        per_node = [1] * len(nodes)
    addresses = [
        f"{node}:{port + i}" for node, n in zip(nodes, per_node, strict=True) for i in range(n)
    ]
    if len(addresses) < ntasks:
        raise ConfigError(
            f"Slurm runs {ntasks} tasks on {len(nodes)} nodes ({', '.join(nodes)}) and this "
            "app cannot tell which task runs where (SLURM_STEP_TASKS_PER_NODE, which srun "
            "sets, is missing or says fewer tasks).",
            "Run it inside srun, or one task per node: srun --ntasks-per-node=1 (the exported "
            "slurm.sbatch does; one task uses all of its node's GPUs).",
        )
    if not 0 <= rank < ntasks:
        raise ConfigError(f"SLURM_PROCID {rank} is outside 0-{ntasks - 1}.", _SLURM_HINT)
    return addresses[:ntasks], rank


_KUBE_HINT = (
    f"Run it in a pod of an Indexed Job (the exported kubernetes-job.yaml sets {KUBE_PODS}, "
    f"{KUBE_JOB} and {KUBE_SERVICE}; Kubernetes sets JOB_COMPLETION_INDEX)."
)


def kubernetes_addresses(env: Mapping[str, str], port: int) -> tuple[list[str], int]:
    """Every pod's ``host:port`` in index order and this pod's index: an Indexed Job's pods
    are named ``<job>-<index>``, reachable as ``<job>-<index>.<service>`` through the
    headless Service named as their subdomain."""
    index = _whole(
        _need(env, ("JOB_COMPLETION_INDEX",), _KUBE_HINT), "JOB_COMPLETION_INDEX", _KUBE_HINT
    )
    pods = _whole(_need(env, (KUBE_PODS,), _KUBE_HINT), KUBE_PODS, _KUBE_HINT)
    job = _need(env, (KUBE_JOB,), _KUBE_HINT)
    service = _need(env, (KUBE_SERVICE,), _KUBE_HINT)
    if not 0 <= index < pods:
        raise ConfigError(f"JOB_COMPLETION_INDEX {index} is outside 0-{pods - 1}.", _KUBE_HINT)
    return [f"{job}-{i}.{service}:{port}" for i in range(pods)], index


def tf_config_addresses(env: Mapping[str, str], _port: int) -> tuple[list[str], int]:
    """Every process's ``host:port`` (the chief first) and this one's rank, from the
    ``TF_CONFIG`` a TFJob's operator sets."""
    info = cluster_from_env(env)
    if info is None:
        raise ConfigError(
            f"{TF_CONFIG} is not set or describes one process.",
            "Run it in a TFJob's pod, where the operator sets TF_CONFIG.",
        )
    addresses = ([info.chief] if info.chief else []) + list(info.workers)
    return addresses, info.rank


_READERS = {
    "slurm": slurm_addresses,
    "kubernetes": kubernetes_addresses,
    "tf-config": tf_config_addresses,
}


def train_variables(addresses: list[str]) -> list[dict[str, str]]:
    """Each process's variables for a training on ``addresses``: its ``TF_CONFIG``."""
    return [{TF_CONFIG: tf_config(addresses, i)} for i in range(len(addresses))]


def search_variables(addresses: list[str]) -> list[dict[str, str]]:
    """Each process's variables for a search on ``addresses``: the first is the chief,
    whose oracle the others reach at its address."""
    host, _, port = addresses[0].rpartition(":")
    ids = [CHIEF] + [f"tuner{i}" for i in range(len(addresses) - 1)]
    return [SearchRole(tuner_id, host, int(port)).environment() for tuner_id in ids]


def cluster_variables(
    source: str, env: Mapping[str, str], *, mode: str = "train", port: int = DEFAULT_PORT
) -> dict[str, str]:
    """This process's variables from ``source``'s ("slurm", "kubernetes", "tf-config"):
    ``TF_CONFIG`` for a training, the ``KERASTUNER_*`` ones for a search.

    Raises:
        ConfigError: an unknown source or mode, a variable missing or unreadable.
    """
    if source not in _READERS:
        raise ConfigError(f"Unknown cluster '{source}'.", f"Use one of: {', '.join(SOURCES)}.")
    if mode not in MODES:
        raise ConfigError(f"Unknown mode '{mode}'.", "Use train or search.")
    if not 1 <= port <= 65535:
        raise ConfigError(f"Port {port} is out of range.", "Give a port from 1024 to 65535.")
    addresses, rank = _READERS[source](env, port)
    build = train_variables if mode == "train" else search_variables
    return build(addresses)[rank]


def export_lines(variables: Mapping[str, str], *, unset: tuple[str, ...] = ()) -> str:
    """``export NAME='value'`` lines (and ``unset NAME`` ones) for a POSIX shell's ``eval``."""
    lines = [f"unset {name}" for name in unset]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]
    return "\n".join(lines) + "\n"


def stale_variables(mode: str) -> tuple[str, ...]:
    """What to unset for ``mode``: a search's processes must not see a ``TF_CONFIG`` (a
    TFJob's operator sets one), which would make each trial a multi-worker training."""
    return (TF_CONFIG,) if mode == "search" else ()

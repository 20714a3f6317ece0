"""``TF_CONFIG``, TensorFlow's cluster description, read and written (pure: no TensorFlow).

``TF_CONFIG`` is JSON: ``{"cluster": {"worker": ["host:port", ...], "chief": ["host:port"]},
"task": {"type": "worker", "index": 0}}``. :func:`cluster_from_env` reads it into a
:class:`ClusterInfo` (None when unset, or when it describes one process: that is one
machine); :func:`tf_config` writes one for a list of hosts (what the Slurm and Kubernetes
launchers build from their own variables).

The chief is the ``chief`` task when the cluster has one, else worker 0, as
``MultiWorkerMirroredStrategy`` and ``tf.estimator`` count them: only it writes the run folder,
checkpoints and the model; the others write to temporary places.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from automl_gui.core.base.errors import ConfigError

#: the environment variable TensorFlow reads
TF_CONFIG = "TF_CONFIG"
#: task types that train (an "evaluator" or "ps" task is not supported: parameter servers
#: need a different strategy, and a side evaluator is what the chief's validation does)
TRAINING_TYPES = ("chief", "worker")
_HINT = (
    'Set TF_CONFIG to JSON such as {"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
    '"task": {"type": "worker", "index": 0}}, or unset it to train on this machine.'
)


@dataclass(frozen=True)
class ClusterInfo:
    """One process's view of a training cluster.

    Attributes:
        chief: the ``chief`` task's address, or "" when worker 0 leads.
        workers: the ``worker`` tasks' addresses, in index order.
        task_type: this process's task: "chief" or "worker".
        task_index: its index among tasks of that type.
    """

    chief: str
    workers: tuple[str, ...]
    task_type: str
    task_index: int

    @property
    def size(self) -> int:
        """Processes that train (the chief counts as a worker)."""
        return len(self.workers) + (1 if self.chief else 0)

    @property
    def is_chief(self) -> bool:
        """Whether this process writes the run folder, checkpoints and the model."""
        if self.chief:
            return self.task_type == "chief"
        return self.task_type == "worker" and self.task_index == 0

    @property
    def rank(self) -> int:
        """This process's place among all training processes (the chief is 0): which share
        of the rows or files it reads."""
        if self.chief:
            return 0 if self.task_type == "chief" else self.task_index + 1
        return self.task_index

    @property
    def address(self) -> str:
        """This process's own ``host:port``."""
        return self.chief if self.task_type == "chief" else self.workers[self.task_index]

    def describe(self) -> str:
        """ "worker 1 of 2 (10.0.0.2:12345)" for logs."""
        role = "chief" if self.is_chief else f"{self.task_type} {self.task_index}"
        return f"{role}, process {self.rank + 1} of {self.size} ({self.address})"


def _addresses(value: object, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"TF_CONFIG's cluster '{what}' must be a list of host:port.", _HINT)
    for address in value:
        host, sep, port = address.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(
                f"TF_CONFIG names '{address}' as a {what}: that is not host:port.", _HINT
            )
    return tuple(value)


def parse_tf_config(text: str) -> ClusterInfo | None:
    """``TF_CONFIG``'s JSON as a :class:`ClusterInfo`; None when it is empty or describes a
    single process (one machine: nothing to distribute).

    Raises:
        ConfigError: not JSON, a wrong shape, an unsupported task type, an index out of range.
    """
    if not text or not text.strip():
        return None
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"TF_CONFIG is not valid JSON ({exc.msg}).", _HINT) from exc
    if not isinstance(raw, dict):
        raise ConfigError("TF_CONFIG must be a JSON object.", _HINT)
    cluster = raw.get("cluster") or {}
    task = raw.get("task") or {}
    if not isinstance(cluster, dict) or not isinstance(task, dict):
        raise ConfigError("TF_CONFIG's 'cluster' and 'task' must be JSON objects.", _HINT)
    other = sorted(set(cluster) - set(TRAINING_TYPES))
    if other:
        raise ConfigError(
            f"TF_CONFIG names {', '.join(other)} tasks, which this app does not run.",
            "Use 'chief' and 'worker' tasks only (MultiWorkerMirroredStrategy).",
        )
    chiefs = _addresses(cluster.get("chief"), "chief")
    if len(chiefs) > 1:
        raise ConfigError("TF_CONFIG names more than one chief.", _HINT)
    workers = _addresses(cluster.get("worker"), "worker")
    if not chiefs and not workers:
        if not task:
            return None
        raise ConfigError("TF_CONFIG gives a task but no cluster.", _HINT)
    if len(chiefs) + len(workers) == 1:
        return None  # one process: one machine, whatever its task says
    if "type" not in task or "index" not in task:
        raise ConfigError(
            'TF_CONFIG has no "task" saying which of the '
            f"{len(chiefs) + len(workers)} processes this one is."
            if not task
            else 'TF_CONFIG\'s "task" needs both "type" and "index".',
            'Give each process its own TF_CONFIG, the same "cluster" with its own "task", '
            'such as {"type": "worker", "index": 1} on the second host (automl-gui '
            "cluster-env --from slurm|kubernetes writes it from the scheduler's variables).",
        )
    task_type = task["type"]
    index = task["index"]
    if task_type not in TRAINING_TYPES:
        raise ConfigError(
            f"TF_CONFIG's task type is '{task_type}'; this app runs 'chief' and 'worker'.",
            _HINT,
        )
    if isinstance(index, bool) or not isinstance(index, int):
        raise ConfigError("TF_CONFIG's task index must be a whole number.", _HINT)
    count = len(chiefs) if task_type == "chief" else len(workers)
    if not 0 <= index < count:
        raise ConfigError(
            f"TF_CONFIG's task is {task_type} {index}, but the cluster lists {count} "
            f"{task_type} task{'s' if count != 1 else ''}.",
            "Number the tasks from 0, one per address in the cluster.",
        )
    info = ClusterInfo(chiefs[0] if chiefs else "", workers, task_type, int(index))
    return info if info.size > 1 else None


def cluster_from_env(env: Mapping[str, str]) -> ClusterInfo | None:
    """The cluster ``TF_CONFIG`` in ``env`` describes (None: train on this machine)."""
    return parse_tf_config(env.get(TF_CONFIG, ""))


def tf_config(workers: list[str] | tuple[str, ...], index: int, *, chief: str = "") -> str:
    """``TF_CONFIG`` for worker ``index`` of ``workers`` (or for the chief, ``index`` -1,
    when ``chief`` is given): what a launcher exports before ``automl-gui train``."""
    cluster: dict[str, list[str]] = {"worker": list(workers)}
    if chief:
        cluster["chief"] = [chief]
    task = {"type": "chief", "index": 0} if index < 0 else {"type": "worker", "index": index}
    text = json.dumps({"cluster": cluster, "task": task})
    parse_tf_config(text)  # what we write must read back
    return text

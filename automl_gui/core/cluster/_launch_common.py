"""What every launch file of an exported job is written from (:class:`JobPlan`), and the
shell quoting they share. Pure text: nothing here runs anything."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

#: the variable a launch file runs the app through (a test or a site may point it elsewhere)
APP_VARIABLE = "AUTOML_GUI"
#: where a container finds the job folder (Kubernetes: a volume mounted there)
CONTAINER_JOB_DIR = "/job"
#: inside the job folder: the run the chief writes, and (by mode) the option and folder of
#: the state a resume continues from
RUN_DIR = "output/run"
STATE_DIRS = {
    "train": ("--checkpoint-dir", "output/checkpoints"),
    "search": ("--search-dir", "output/search"),
}


def data_name(data: Path) -> str:
    """The data's place in the job folder, as the command reads it: ``data/<its name>``."""
    return f"data/{Path(data).name}"


@dataclass(frozen=True)
class Process:
    """One process of the job as the plain multi-host launch starts it.

    Attributes:
        role: "worker 0", "chief", "tuner 1" … for people.
        host: the machine it runs on.
        env: the variables it needs (TF_CONFIG, or the KERASTUNER_* ones).
    """

    role: str
    host: str
    env: dict[str, str]


@dataclass(frozen=True)
class JobPlan:
    """A job ready to be written as launch files.

    Attributes:
        name: the sanitized job name (a DNS label: Slurm, Kubernetes, the folder's files).
        mode: "train" (MultiWorkerMirroredStrategy) or "search" (Keras Tuner).
        command: ``["automl-gui", "train", DATA, ...]``, paths relative to the job folder.
        processes: every process, the one that writes the run first.
        port: the port each process listens on (its first).
        image: the container image for Kubernetes.
    """

    name: str
    mode: str
    command: list[str]
    processes: list[Process]
    port: int
    image: str
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Processes in all (a search's chief included)."""
        return len(self.processes)

    def what(self, unit: str = "workers") -> str:
        """What the job does, for the launch files' comments: "an AutoML search: a chief and
        2 search workers", or "one model trained on 3 nodes (MultiWorkerMirroredStrategy)"."""
        if self.mode == "search":
            return f"an AutoML search: a chief and {self.size - 1} search workers"
        return f"one model trained on {self.size} {unit} (MultiWorkerMirroredStrategy)"

    def app_command(self) -> str:
        """The command as shell text, run through ``$AUTOML_GUI`` (default ``automl-gui``)."""
        return f'"${APP_VARIABLE}" ' + shlex.join(self.command[1:])

    def cluster_env(self, source: str) -> str:
        """The ``automl-gui cluster-env`` call that prints this process's variables."""
        return shlex.join(
            ["cluster-env", "--from", source, "--mode", self.mode, "--port", str(self.port)]
        )


def app_default() -> str:
    """``AUTOML_GUI="${AUTOML_GUI:-automl-gui}"``: the app unless the caller names another."""
    return f'{APP_VARIABLE}="${{{APP_VARIABLE}:-automl-gui}}"'


def exported(env: dict[str, str]) -> list[str]:
    """``export NAME='value'`` lines (the value quoted for any shell)."""
    return [f"export {name}={shlex.quote(value)}" for name, value in env.items()]

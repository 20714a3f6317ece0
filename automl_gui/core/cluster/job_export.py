"""A training job for other machines, written as a self-contained folder (Qt-free).

:func:`export_job` writes, into a new folder, what one project's training needs to run on a
cluster with the cluster's own tools::

    job.json             the settings, the target (workers, hosts, port), the exact command
    data/<name>          the data, copied (JobTarget.copy_data), or
    data.txt             where to put it (the command reads data/<name>)
    run-on-hosts.sh      plain multi-host: one process per host, its TF_CONFIG (training) or
                         KERASTUNER_* variables (search) written in
    slurm.sbatch         Slurm: srun, one task per node; each task builds its variables from
                         Slurm's own with ``automl-gui cluster-env --from slurm``
    kubernetes-job.yaml  an Indexed Job with a headless Service; each pod builds its variables
                         from its completion index (``cluster-env --from kubernetes``)
    tfjob.yaml           a Kubeflow TFJob (the operator sets TF_CONFIG)
    README.txt           which file to use, and what the window's settings could not carry

Every process runs the same ``automl-gui train`` command (paths relative to the job folder);
the chief writes ``output/run`` (the run folder the window opens) and the checkpoints in
``output/checkpoints`` (training) or the search state in ``output/search`` (search), so a
job that stops continues with ``--resume``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.cluster._launch_common import (
    RUN_DIR,
    STATE_DIRS,
    JobPlan,
    Process,
    data_name,
)
from automl_gui.core.cluster.environment import search_variables, train_variables
from automl_gui.core.cluster.search_role import TUNER_ID

MODES = ("train", "search")
#: the options the job sets itself (its folders) or that only a relaunch adds (--resume)
JOB_OPTIONS = ("--out", "--checkpoint-dir", "--search-dir", "--overwrite", "--resume")
JOB_FORMAT = 1
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$")
MAX_PROCESSES = 512
#: the container image the Kubernetes files run when none is given (the Dockerfile's tag)
DEFAULT_IMAGE = "automl-gui:latest"


@dataclass
class JobSettings:
    """What to train: filled by the window from the current project.

    Args:
        data: the data file or folder as the user gave it.
        kind: the data kind's name (``core.kinds``).
        train_args: the ``automl-gui train`` options after DATA, without the job's own
            (:data:`JOB_OPTIONS`); :func:`train_args_for` makes them from the settings.
        name: the job's name (the folder's files, Slurm's job, Kubernetes' names; made a
            DNS label: lower case letters, digits and dashes).
        notes: what the window's settings hold that the options do not carry
            (``train_args_for``'s ``left_out``); written to job.json and README.txt.
    """

    data: Path
    kind: str
    train_args: list[str]
    name: str = "job"
    notes: list[str] = field(default_factory=list)


@dataclass
class JobTarget:
    """Where and how it runs.

    Args:
        mode: "train" (one model on ``workers`` processes, MultiWorkerMirroredStrategy) or
            "search" (an AutoML search: a chief running Keras Tuner's oracle, and
            ``workers`` processes running trials).
        workers: training processes, or search workers (the search's chief is one more).
        hosts: the machines of the plain multi-host launch, in process order (the first
            writes the run); "host" or "host:port"; empty: placeholders host1, host2 …
        port: the port each process listens on (a host named twice gets the next ones).
        copy_data: copy the data into the job folder, else data.txt says where it goes.
        image: the container image for Kubernetes (the Dockerfile builds one).
    """

    mode: str = "train"
    workers: int = 2
    hosts: list[str] = field(default_factory=list)
    port: int = 12345
    copy_data: bool = False
    image: str = DEFAULT_IMAGE


def train_args_for(settings: dict[str, Any], *, left_out: list[str] | None = None) -> list[str]:
    """The ``automl-gui train`` options (after DATA, no ``--out``) that train as the
    project's settings say.

    Args:
        settings: ``{"kind": name, "target": column, "task": task, "text_column": column,
            "preprocess": dict, "model": dict, "training": dict, "search": dict or None}``:
            the kind's settings objects as dicts (``to_dict()``/``asdict``), the search's
            when the window runs a search instead of one model; a table's target and task
            may come from its preprocessing instead.
        left_out: when given, gains a sentence per setting no option carries (the
            command line then uses its own default: the optimizer, the learning rate, a
            table's column settings, …).

    Raises:
        ConfigError: an unknown kind, or a search with neither a time budget nor trials.
    """
    from automl_gui.core.cluster._train_args import train_args

    return train_args(settings, left_out)


def job_name(name: str) -> str:
    """``name`` as a DNS label Kubernetes and Slurm take: lower case letters, digits and
    dashes, starting with a letter, at most 40 characters (room for a pod's index)."""
    text = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")[:40].strip("-")
    if not text:
        return "job"
    return text if text[0].isalpha() else f"job-{text}"[:40].strip("-")


def export_job(settings: JobSettings, target: JobTarget, out: Path) -> list[Path]:
    """Write the job folder ``out`` (a new folder) and return the files written in it
    (the copied data as one entry).

    The folder appears whole or not at all: it is written under a temporary name beside
    ``out`` and renamed.

    Raises:
        ConfigError: ``out`` exists, its parent does not, or the target does not fit
            (mode, workers, hosts, port; options the job sets itself; a search's options
            in a training job or the other way round).
        DataError: the data is missing, or copying it would put the folder inside it.
    """
    out = Path(out).expanduser().absolute()
    data = Path(settings.data).expanduser().absolute()
    plan = plan_job(settings, target)
    _check_out(out, data, target.copy_data)
    tmp = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.tmp"
    tmp.mkdir()  # (the umask's permissions, as the renamed folder keeps them)
    try:
        names = _write_all(tmp, plan, settings, target, data)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / name for name in names]


def plan_job(settings: JobSettings, target: JobTarget) -> JobPlan:
    """The job's command and processes, checked (what every launch file is written from).

    Raises:
        ConfigError: see :func:`export_job`.
    """
    _check_target(target)
    _check_args(settings.train_args, target.mode)
    flag, folder = STATE_DIRS[target.mode]
    command = [
        "automl-gui",
        "train",
        data_name(settings.data),
        *settings.train_args,
        "--out",
        RUN_DIR,
        flag,
        folder,
    ]
    count = target.workers + (1 if target.mode == "search" else 0)
    addresses = _addresses(target, count)
    hosts = [a.rpartition(":")[0] for a in addresses]
    if target.mode == "train":
        processes = [
            Process(f"worker {i}" + (" (writes the run)" if i == 0 else ""), hosts[i], env)
            for i, env in enumerate(train_variables(addresses))
        ]
    else:
        processes = [
            Process(
                "chief (the oracle; writes the run)"
                if i == 0
                else f"search worker {env[TUNER_ID]}",  # as the leaderboard
                hosts[i],
                env,
            )
            for i, env in enumerate(search_variables(addresses))
        ]
    return JobPlan(
        job_name(settings.name),
        target.mode,
        command,
        processes,
        target.port,
        str(target.image).strip() or DEFAULT_IMAGE,  # empty: the default (Kubernetes only)
        list(settings.notes),
    )


def _check_target(target: JobTarget) -> None:
    if target.mode not in MODES:
        raise ConfigError(f"Unknown job mode '{target.mode}'.", "Use 'train' or 'search'.")
    if isinstance(target.workers, bool) or not isinstance(target.workers, int):
        raise ConfigError("The number of workers must be a whole number.", "Give 1 or more.")
    if not 1 <= target.workers <= MAX_PROCESSES:
        raise ConfigError(
            f"{target.workers} workers: a job takes 1 to {MAX_PROCESSES}.", "Change the number."
        )
    if not 1 <= int(target.port) <= 65535 - MAX_PROCESSES:
        raise ConfigError(
            f"Port {target.port} cannot be used.", f"Give a port from 1024 to {65535 - 512}."
        )
    if any(c.isspace() for c in str(target.image).strip()):
        raise ConfigError(
            f"'{target.image}' is not a container image name.",
            "Give one such as automl-gui:latest or registry/automl-gui:1.0.",
        )


def _check_args(args: list[str], mode: str) -> None:
    """The job's own options are its; a search job runs a search and a training job not."""
    if not all(isinstance(a, str) for a in args):
        raise ConfigError("The training options must be text.", "Give them as a list of str.")
    own = [a for a in args if a.split("=", 1)[0] in JOB_OPTIONS]
    if own:
        raise ConfigError(
            f"The job sets {', '.join(own)} itself.",
            "Leave it out of the options: the job's run goes to output/run, and a relaunch "
            "adds --resume on its command line.",
        )
    searches = _is_search(args)
    if mode == "search" and not searches:
        raise ConfigError(
            "A search job needs a search: --model auto with --time-budget or --trials.",
            "Turn the AutoML search on (Model page), or export a training job.",
        )
    if mode == "train" and searches:
        raise ConfigError(
            "These options run an AutoML search, which does not train across workers.",
            "Export a search job (its trials run on the workers), or choose one network.",
        )


def _is_search(args: list[str]) -> bool:
    """What ``cli._search.wants_search`` decides: ``--model auto`` (the default) with a
    time budget or a number of trials."""
    values: dict[str, str] = {}
    for i, arg in enumerate(args):
        name, sep, value = arg.partition("=")
        if name in ("--model", "--time-budget", "--trials"):
            values[name] = value if sep else (args[i + 1] if i + 1 < len(args) else "")
    auto = values.get("--model", "auto").strip().lower() == "auto"
    budget = any(values.get(f, "0") not in ("", "0", "0.0") for f in ("--time-budget", "--trials"))
    return auto and budget


def _addresses(target: JobTarget, count: int) -> list[str]:
    """``host:port`` of every process: the hosts given (or placeholders), a host named
    again on the next free port."""
    hosts = [str(h).strip() for h in target.hosts if str(h).strip()]
    if not hosts:
        hosts = [f"host{i + 1}" for i in range(count)]
    if len(hosts) != count:
        who = "a chief and search workers" if target.mode == "search" else "workers"
        raise ConfigError(
            f"{len(hosts)} host{'' if len(hosts) == 1 else 's'} for {count} processes ({who}).",
            "Give one host per process, the first the one that writes the run (a host may "
            "be named more than once), or none for placeholders.",
        )
    taken: dict[str, int] = {}
    addresses = []
    for host in hosts:
        if not _HOST.match(host):
            raise ConfigError(
                f"'{host}' is not a host name.", "Give names such as node1 or 10.0.0.2."
            )
        name, _, port = host.partition(":")
        if not port:
            port = str(int(target.port) + taken.get(name, 0))
            taken[name] = taken.get(name, 0) + 1
        addresses.append(f"{name}:{port}")
    if len(set(addresses)) != len(addresses):
        raise ConfigError("Two processes share a host and port.", "Give each its own port.")
    return addresses


def _check_out(out: Path, data: Path, copy_data: bool) -> None:
    if out.exists() or out.is_symlink():
        raise ConfigError(
            f"{out} already exists.",
            "Choose a new folder name: a job is written into a folder of its own.",
        )
    if not out.parent.is_dir():
        raise ConfigError(f"The folder {out.parent} does not exist.", "Choose another place.")
    if not data.exists():
        raise DataError(f"The data {data} does not exist.", "Check the path.")
    if copy_data and data.is_dir() and out.is_relative_to(data.resolve()):
        raise DataError(
            f"The job folder {out} is inside the data folder it would copy.",
            "Choose a place outside the data folder.",
        )


def _write_all(
    folder: Path, plan: JobPlan, settings: JobSettings, target: JobTarget, data: Path
) -> list[str]:
    """Write every file of the job into ``folder``; returns their names."""
    from automl_gui.core.cluster._launch_hosts import hosts_script
    from automl_gui.core.cluster._launch_kube import kubernetes_job, tfjob
    from automl_gui.core.cluster._launch_readme import readme
    from automl_gui.core.cluster._launch_slurm import sbatch_script

    written = [_write_data(folder, data, target.copy_data)]
    texts = {
        "job.json": json.dumps(_job_json(plan, settings, target, data), indent=2) + "\n",
        "run-on-hosts.sh": hosts_script(plan),
        "slurm.sbatch": sbatch_script(plan),
        "kubernetes-job.yaml": kubernetes_job(plan),
        "tfjob.yaml": tfjob(plan),
        "README.txt": readme(plan, data, target.copy_data),
    }
    for name, text in texts.items():
        path = folder / name
        path.write_text(text, encoding="utf-8", newline="\n")
        if name.endswith((".sh", ".sbatch")):
            path.chmod(0o755)
        written.append(name)
    (folder / "output").mkdir()
    return written


def _write_data(folder: Path, data: Path, copy: bool) -> str:
    """The data copied to ``data/<name>``, or ``data.txt`` saying where it goes."""
    if not copy:
        text = (
            f"The job reads its data from {data_name(data)} (in this folder).\n"
            f"It was not copied here. Put it there on the machines that run the job,\n"
            f"for example:\n\n"
            f"    mkdir -p data && cp -r {_sh(str(data))} {data_name(data)}\n"
            f"or, where {data} is reachable from every machine:\n"
            f"    mkdir -p data && ln -s {_sh(str(data))} {data_name(data)}\n\n"
            f"Original path: {data}\n"
        )
        (folder / "data.txt").write_text(text, encoding="utf-8")
        return "data.txt"
    target = folder / data_name(data)
    target.parent.mkdir()
    if data.is_dir():
        shutil.copytree(data, target)
    else:
        shutil.copy2(data, target)
    return data_name(data)


def _sh(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _job_json(
    plan: JobPlan, settings: JobSettings, target: JobTarget, data: Path
) -> dict[str, Any]:
    from automl_gui import __version__

    return {
        "format": JOB_FORMAT,
        "name": plan.name,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "app_version": __version__,
        "kind": settings.kind,
        "mode": plan.mode,
        "data": {"original": str(data), "in_job": data_name(data), "copied": target.copy_data},
        "train_args": list(settings.train_args),
        "command": plan.command,
        "run_folder": RUN_DIR,
        "state_folder": STATE_DIRS[plan.mode][1],
        "target": asdict(target),
        "processes": [asdict(p) for p in plan.processes],
        "not_carried": list(settings.notes),
    }

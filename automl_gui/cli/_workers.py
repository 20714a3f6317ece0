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
import contextlib
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from automl_gui.cli._common import EXIT_OK, device_plan
from automl_gui.core.base.errors import ConfigError, ModelError

#: a non-chief worker's temporary folder: automl-gui-worker-PID-XXXXXXXX in the temp folder
_SCRATCH = "automl-gui-worker-"
#: what ends a process while TensorFlow forms the cluster (Python's handlers cannot run then)
_STOPS = (signal.SIGINT, signal.SIGTERM)
#: TensorFlow's errors when another process of the cluster is gone (a collective aborted)
_GONE = ("UnavailableError", "AbortedError", "CancelledError", "DeadlineExceededError")


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
    from automl_gui.core.cluster.peers import start_timeout, wait_for_peers
    from automl_gui.core.hardware import apply_plan

    plan = device_plan(force_cpu=args.cpu, cluster=cluster)
    # TensorFlow's own wait for the cluster is silent, unbounded and deaf to Ctrl+C: wait here
    timeout = start_timeout(os.environ)
    wait_for_peers(cluster, timeout=timeout, say=_say)
    with _bounded_native_wait(cluster, timeout):
        apply_plan(plan)  # MultiWorkerMirroredStrategy now, before any other TensorFlow op
    return plan


@contextlib.contextmanager
def _bounded_native_wait(cluster: Any, timeout: float) -> Iterator[None]:
    """Around the strategy's creation, which waits for the cluster inside TensorFlow's C++
    holding Python's lock (every peer answered :func:`wait_for_peers`, so this is short
    unless one stopped just then, or something else listens on its port): no Python code
    runs there, not a signal handler, not a timer thread. So Ctrl+C gets the system's own
    action (the process ends; nothing is written yet), and faulthandler's watchdog, a C
    thread, ends it with status 1 after ``timeout`` (said beforehand). (SIGTERM is
    TensorFlow's own there: its preemption notifier takes it; the watchdog still ends the
    wait.)"""
    import faulthandler

    _say(
        f"{cluster.describe()}: every worker answered; forming the cluster (TensorFlow), "
        f"at most {timeout:.0f} s (then it ends with status 1: look at the others' output)."
    )
    main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, signal.SIG_DFL) for sig in _STOPS} if main else {}
    with open(os.devnull, "w") as sink:
        faulthandler.dump_traceback_later(timeout, exit=True, file=sink)
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _say(line: str) -> None:
    """A cluster line every process prints, even with --quiet: its log says where it is."""
    print(line, flush=True)


def worker_scratch(args: argparse.Namespace, plan: Any) -> Path | None:
    """For a worker that is not the chief: a temporary folder its ``--out`` and
    ``--checkpoint-dir`` now point into, and quiet output (the chief reports). With
    ``--resume``, the chief's checkpoint (the same ``--checkpoint-dir``: a shared folder) is
    copied there first, so every worker resumes from the same epoch. None for the chief and
    on one machine."""
    if plan is None or plan.cluster is None or plan.cluster.is_chief:
        return None
    tidy_scratch()
    scratch = Path(tempfile.mkdtemp(prefix=f"{_SCRATCH}{os.getpid()}-"))
    if getattr(args, "checkpoint_dir", None):
        chief = Path(args.checkpoint_dir).expanduser()
        if args.resume_training:  # resumes from the chief's: its copy is read (and kept up)
            mine = scratch / "checkpoint"
            if chief.is_dir():
                shutil.copytree(chief, mine)
            args.checkpoint_dir = str(mine)
        else:  # nothing would read it: no full checkpoint each epoch in the scratch folder
            args.checkpoint_dir = None
    args.out = str(scratch / "run")
    args.overwrite = False
    args.quiet = True
    _say(
        f"{plan.cluster.describe()}: joined the cluster; training its share of the data (the chief reports the progress)."
    )
    return scratch


def tidy_scratch(root: Path | None = None) -> list[Path]:
    """Remove the temporary folders of workers that were killed (SIGKILL, a scheduler's end):
    this user's ``automl-gui-worker-PID-*`` whose process is gone (after a minute idle), or
    any idle six hours (core.base.files.is_stale). Returns what it removed."""
    from automl_gui.core.base.files import is_stale, remove_path

    removed = []
    root = Path(tempfile.gettempdir()) if root is None else root
    for entry in root.glob(f"{_SCRATCH}*"):
        found = re.match(rf"{_SCRATCH}(\d+)-", entry.name)
        try:
            mine = entry.is_dir() and not entry.is_symlink() and entry.stat().st_uid == os.getuid()
        except (OSError, AttributeError):  # gone meanwhile; no getuid on Windows
            mine = False
        if mine and is_stale(entry, int(found.group(1)) if found else None):
            remove_path(entry)
            removed.append(entry)
    return removed


def finish_worker(plan: Any, scratch: Path) -> int:
    """Delete a worker's temporary folder and say so in one line."""
    shutil.rmtree(scratch, ignore_errors=True)
    print(
        f"{plan.cluster.describe()}: training done; the chief writes the run folder.",
        flush=True,
    )
    return EXIT_OK


@contextlib.contextmanager
def cluster_errors(plan: Any) -> Iterator[None]:
    """Inside: TensorFlow's error when another process of the cluster stops (the chief
    refused its options, or any process died or was stopped) becomes one clear
    :class:`ModelError` saying so, instead of an unexpected collective error. The training
    loop's own mapping covers the epochs; this covers the rest (building the model, the
    first broadcast, the final evaluation). A no-op on one machine."""
    try:
        yield
    except Exception as exc:
        if plan is None or plan.cluster is None or type(exc).__name__ not in _GONE:
            raise
        if not type(exc).__module__.startswith("tensorflow"):
            raise
        cluster = plan.cluster
        lead = cluster.chief or cluster.workers[0]
        first = str(getattr(exc, "message", "") or exc).strip().splitlines()
        cause = next((line for line in first if "aborted by" in line or "closed" in line), "")
        cause = re.sub(r"\{\{.*?\}\}\s*", "", cause)  # TensorFlow's node name
        raise ModelError(
            f"{cluster.describe()}: the training cluster broke up: the chief ({lead}) or "
            f"another worker stopped ({type(exc).__name__}"
            f"{': ' + cause.strip()[:200] if cause else ''}).",
            "Look at the chief's output (and the other workers'): its first error says why. "
            "Fix that and start every process again (with --resume and the same "
            "--checkpoint-dir to go on from the chief's last checkpoint).",
        ) from exc

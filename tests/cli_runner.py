"""Run the command line for end-to-end tests, with TensorFlow's logs quiet and no GPU.

``call_cli`` runs it in this process (``automl_gui.__main__.main``, as ``python -m automl_gui``
does), with its own working folder and captured output: option and error checks, trainings,
predictions and exports cost no new interpreter and no second TensorFlow import. ``run_cli``
starts a real process the way a user would, for what only a process shows: its exit status
as the shell sees it, signals, a kill, the README's command.

Both answer a ``subprocess.CompletedProcess`` (``returncode``, ``stdout``, ``stderr``), so a
test reads the same either way. Import as ``from cli_runner import call_cli`` (``tests/`` is
on sys.path through its conftest).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``automl-gui *args`` in a new process in ``cwd``; stdout and stderr captured as text."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    return subprocess.run(
        [sys.executable, "-m", "automl_gui", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=600,
    )


def call_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``automl-gui *args`` in this process, in ``cwd`` (restored after); what it prints is
    captured as text. An argparse usage error or ``--help`` ends in SystemExit, as in a
    process: its code is the return code."""
    from automl_gui.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (1 if exc.code else 0)
    finally:
        os.chdir(previous)
    return subprocess.CompletedProcess(["automl-gui", *args], code, out.getvalue(), err.getvalue())

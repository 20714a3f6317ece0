"""Run the command line in a subprocess the way a user would (``python -m automl_gui``), with
TensorFlow's logs quiet and no GPU, for end-to-end tests.

Import as ``from cli_runner import run_cli`` (``tests/`` is on sys.path through its conftest).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``automl-gui *args`` in ``cwd``; stdout and stderr captured as text."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    return subprocess.run(
        [sys.executable, "-m", "automl_gui", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=600,
    )

"""The Dockerfile for the headless engine (Docker is not needed to check it): what it copies
exists and is not excluded, its pip line installs this project with extras pyproject.toml
has, its entry point is the app's command, and the command line it runs imports no Qt."""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def ignored(path: str) -> bool:
    """Whether .dockerignore keeps ``path`` out of the build (its last matching rule wins)."""
    out = False
    for rule in (ROOT / ".dockerignore").read_text().splitlines():
        rule = rule.strip()
        if not rule or rule.startswith("#"):
            continue
        keep = rule.startswith("!")
        pattern = rule.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path.split("/")[0], pattern):
            out = not keep
    return out


def test_dockerfile_copies_what_exists_and_installs_the_project():
    steps = instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    copied = [src for op, rest in steps if op == "COPY" for src in rest.split()[:-1]]
    assert {"pyproject.toml", "setup.py", "automl_gui", "resources"} <= set(copied)
    for src in copied:
        assert (ROOT / src).exists(), src
        assert not ignored(src), f".dockerignore leaves {src} out"
    assert ignored(".venv") and ignored("tests") and ignored(".git")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    # everything pyproject.toml names for the build is copied
    assert project["readme"] in copied and all(f in copied for f in project["license-files"])
    run = " ".join(rest for op, rest in steps if op == "RUN")
    assert 'pip install ".${EXTRAS:+[$EXTRAS]}"' in run
    extras = re.findall(r"--build-arg EXTRAS=(\w+)", (ROOT / "Dockerfile").read_text())
    assert extras and set(extras) <= set(project["optional-dependencies"])
    entry = dict(steps)["ENTRYPOINT"]
    assert entry == '["automl-gui"]' and "automl-gui" in project["scripts"]


def test_the_command_line_runs_without_qt():
    probe = (
        "import sys\n"
        "from automl_gui.__main__ import main\n"
        "try:\n"
        "    main(['cluster-env', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print([m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'tensorflow', 'keras')])\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "cluster-env" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"

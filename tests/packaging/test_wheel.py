"""The wheel ships the top-level resources/ folder as ``automl_gui.resources``, and the app's
lookup finds it there, in a checkout on ``PYTHONPATH``, and (the suite itself) editable.

The wheel is built from a copy of the sources with the project's own backend (no network, no
build isolation), so a stale ``build/`` folder in the checkout cannot hide a missing file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
SOURCES = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "automl_gui", "resources")

# what a bare Python (no site-packages, so no editable install) answers about the resources
PROBE = """
import importlib.resources, json, sys
sys.path.insert(0, sys.argv[1])
from automl_gui.core.base.resources import resource_path, resources_root
try:
    package = str(importlib.resources.files("automl_gui.resources"))
except ModuleNotFoundError:  # a bare checkout: resources/ is no package of automl_gui there
    package = None
print(json.dumps({
    "root": str(resources_root()),
    "icon": resource_path("icons", "app.svg").is_file(),
    "style": resource_path("style.qss").is_file(),
    "samples": sorted(p.name for p in resource_path("samples").iterdir()),
    "package": package,
}))
"""


def _resource_files() -> list[str]:
    """Every file of resources/ (relative, with '/'), data only: no bytecode caches."""
    return sorted(
        p.relative_to(RESOURCES).as_posix()
        for p in RESOURCES.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def _probe(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", PROBE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, src / name)
    dist = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["--no-index", "-w", str(dist), str(src)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, (built.stdout + built.stderr)[-4000:]
    (found,) = dist.glob("automl_gui-*.whl")
    return found


def test_the_wheel_holds_every_resource_inside_the_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    files = _resource_files()
    assert {"icons/app.svg", "style.qss", "samples/customer_churn.csv"} <= set(files)
    assert any(f.startswith("samples/shapes/") for f in files)
    assert any(f.startswith("samples/sounds/") for f in files)
    missing = [f for f in files if f"automl_gui/resources/{f}" not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert not [n for n in names if n.startswith("resources/")], "a top-level resources package"
    assert not [n for n in names if n.endswith(".pyc")]


def test_the_lookup_finds_the_resources_in_the_unpacked_wheel(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    found = _probe(site)
    inside = site / "automl_gui" / "resources"
    assert Path(found["root"]) == inside
    assert Path(found["package"]) == inside
    assert found["icon"] and found["style"]
    assert found["samples"] == sorted(p.name for p in (RESOURCES / "samples").iterdir())


def test_the_lookup_finds_the_checkouts_resources_on_a_bare_path():
    found = _probe(ROOT)  # as with PYTHONPATH=<checkout>: the folder beside the package
    assert Path(found["root"]) == RESOURCES
    assert found["icon"] and found["style"]
    assert "customer_churn.csv" in found["samples"]

"""Where the bundled files are: icons, the stylesheet and the demo datasets.

They live in the repository's top-level ``resources/`` folder and ship inside the package as
``automl_gui.resources`` (a setuptools package-dir mapping, see ``setup.py``). So the folder is
found in two places:

- inside the package folder (``automl_gui/resources``): a wheel installed by ``pip install .``
  and the PyInstaller bundle (``packaging/automl-gui.spec`` puts it there);
- beside the package folder (``<checkout>/resources``): a source checkout, installed editable
  (``pip install -e .``) or put on ``PYTHONPATH``; the checkout the code was imported from is
  the one whose resources are used, even when another checkout is installed editable.
"""

from __future__ import annotations

import functools
from pathlib import Path

import automl_gui

__all__ = ["resource_path", "resources_root"]


@functools.cache
def resources_root() -> Path:
    """The folder holding ``icons/``, ``style.qss`` and ``samples/``."""
    package = Path(automl_gui.__file__).resolve().parent
    installed = package / "resources"
    if installed.is_dir():
        return installed
    return package.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a bundled file, e.g. ``resource_path("icons", "app.svg")`` (it may not exist)."""
    return resources_root().joinpath(*parts)

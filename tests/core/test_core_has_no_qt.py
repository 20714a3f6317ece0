"""The engine must run without Qt: no module under automl_gui/core imports it."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import automl_gui.core

CORE = pathlib.Path(automl_gui.core.__file__).parent
BANNED = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "qtpy", "shiboken6")


def _imports(path: pathlib.Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_no_core_module_imports_qt():
    offenders = [
        f"{path.relative_to(CORE)}: {name}"
        for path in CORE.rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in BANNED
    ]
    assert offenders == []


def test_importing_core_loads_neither_qt_nor_tensorflow():
    code = (
        "import sys, pkgutil, importlib, automl_gui.core as c\n"
        "skip = {'automl_gui.core.preprocess.layers', 'automl_gui.core.models.image_layers',"
        " 'automl_gui.core.models.audio_layers'}\n"
        "for m in pkgutil.walk_packages(c.__path__, 'automl_gui.core.'):\n"
        "    if m.name not in skip: importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'tensorflow', 'keras')]\n"
        "print(','.join(sorted(bad)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""

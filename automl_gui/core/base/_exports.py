"""Lazy re-exports for package ``__init__`` modules.

A package lists its public names with the submodule that defines them; the submodule is
imported on first attribute access. So ``from automl_gui.core.preprocess.config import ...``
(which runs the package ``__init__``) stays cheap and the window can appear before pandas,
scikit-learn or TensorFlow are loaded.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(
    package: str, namespace: dict[str, Any], names: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for ``package`` exporting ``{name: submodule}``."""

    def __getattr__(name: str) -> Any:  # noqa: N807 - module protocol
        submodule = names.get(name)
        if submodule is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{submodule}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:  # noqa: N807 - module protocol
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__

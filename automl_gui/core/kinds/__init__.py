"""The kinds of data the app trains on, and the one place a kind's name becomes its object.

``kind_named("images")`` is the image kind (:class:`~automl_gui.core.kinds.base.DataKind`);
``kind_for_path(path)`` is the kind a dropped or typed path holds; ``all_kinds()`` (also
``KINDS``) lists them in the order the app offers them. Everything that differs between kinds
is a question to that object, never a comparison of its name.

The registry names each kind by its module (as a plugin registry does) and imports the
modules on the first lookup: a kind's methods use the whole engine, and the engine's own
modules (bundles, runs, projects) look kinds up by name, so the registry itself depends on
nothing but the kinds' base class. Importing this package is cheap (no pandas, no TensorFlow).
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from automl_gui.core.kinds.base import DataKind

__all__ = ["KINDS", "DataKind", "all_kinds", "kind_for_path", "kind_named", "kind_names"]

#: name → "module:instance" of every kind, in the order the app offers them
_REGISTRY: dict[str, str] = {
    "tabular": "automl_gui.core.kinds.tabular:TABULAR",
    "images": "automl_gui.core.kinds.images:IMAGES",
    "audio": "automl_gui.core.kinds.audio:AUDIO",
}
_loaded: dict[str, DataKind] = {}


def kind_names() -> tuple[str, ...]:
    """Every kind's name (the strings stored in projects, bundles and on the command line)."""
    return tuple(_REGISTRY)


def all_kinds() -> tuple[DataKind, ...]:
    """Every kind, in the order the app offers them."""
    return tuple(kind_named(name) for name in _REGISTRY)


def kind_named(name: str) -> DataKind:
    """The kind stored or typed as ``name``.

    Raises:
        ConfigError: no kind has that name (the message lists those that do).
    """
    kind = _loaded.get(name)
    if kind is not None:
        return kind
    target = _REGISTRY.get(name) if isinstance(name, str) else None
    if target is None:
        from automl_gui.core.base.errors import ConfigError

        raise ConfigError(
            f"Unknown kind of data '{name}'.",
            f"Use one of: {', '.join(_REGISTRY)} (it may come from a newer version of the app).",
        )
    module, attribute = target.split(":")
    kind = getattr(importlib.import_module(module), attribute)
    _loaded[name] = kind
    return kind


def kind_for_path(path: str | os.PathLike[str]) -> DataKind:
    """The kind of dataset ``path`` holds (a table file, a folder of images or of clips).

    Raises:
        DataError: the path does not exist or holds nothing the app can train on (the
            message says what it is, the hint what would work).
    """
    from automl_gui.core.data.detect import detect_kind

    return kind_named(detect_kind(path))


def __getattr__(name: str) -> Any:  # noqa: N807 - module protocol: KINDS on first use
    if name == "KINDS":
        return all_kinds()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The kinds of data the app trains on, and the one place a kind's name becomes its object.

``kind_named("images")`` is the image kind (:class:`~automl_gui.core.kinds.base.DataKind`);
``kind_for_path(path)`` is the kind a dropped or typed path holds; ``all_kinds()`` (also
``KINDS``) lists them in the order the app offers them. Everything that differs between kinds
is a question to that object, never a comparison of its name.

The registry (``_REGISTRY`` in ``base.py``, beside the class it lists) names each kind by its
module (as a plugin registry does) and imports the modules on the first lookup: a kind's
methods use the whole engine, and the engine's own modules (bundles, runs, projects) look
kinds up by name, so the registry depends on nothing but the kinds' base class. Importing
this package is cheap (no pandas, no TensorFlow).
"""

from __future__ import annotations

from typing import Any

from automl_gui.core.kinds.base import (
    DataKind,
    all_kinds,
    kind_for_path,
    kind_named,
    kind_names,
)

__all__ = ["KINDS", "DataKind", "all_kinds", "kind_for_path", "kind_named", "kind_names"]


def __getattr__(name: str) -> Any:  # noqa: N807 - module protocol: KINDS on first use
    if name == "KINDS":
        return all_kinds()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""A saved model that plain Keras can load, and, where one still cannot, what it needs.

New models hold only Keras's own layers and op nodes (tables: ``preprocess._impute``; images:
``models._image_ops``; audio: ``models._audio_ops``) plus, while they train, ``TrainingOnly``
around augmentation. :func:`inference_model` is the model as saved (bundles, project runs,
the ``.keras`` export): without those wrappers, which are the identity at inference.
:func:`app_layers` reads a written ``.keras`` file's config for classes this app registers
(models saved by older versions hold them), and :func:`requirement_note` says what to
install and import to load such a file outside the app.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

PACKAGE = "automl_gui"
PIP_NAME = "automl-gui"
#: whose registered Keras classes a saved model may hold, by their registered names' prefix:
#: (pip package, words for the note); this app's (models saved before issue 15) and
#: KerasHub's (the pretrained text model, ``models._text_pretrained``)
PACKAGES = {PACKAGE: (PIP_NAME, "this app"), "keras_hub": ("keras-hub", "KerasHub")}


def inference_model(model: Any) -> Any:
    """``model`` without its ``TrainingOnly`` layers (each replaced by its input), sharing
    every other layer and weight; ``model`` itself when it has none or is not functional."""
    from automl_gui.core.base import lazy
    from automl_gui.core.models.image_layers import TrainingOnly

    keras = lazy.keras()
    if not any(isinstance(layer, TrainingOnly) for layer in getattr(model, "layers", ())):
        return model
    if not isinstance(model, keras.Model) or not hasattr(model, "_run_through_graph"):
        return model

    def call(operation: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(operation, TrainingOnly):
            return args[0]
        return operation(*args, **kwargs)

    return keras.models.clone_model(model, clone_function=lambda layer: layer, call_function=call)


def app_layers(path: Path) -> dict[str, str]:
    """The classes of this app (or of another package in :data:`PACKAGES`) a ``.keras``
    file's config names: ``{class name: module to import}`` (empty when plain Keras loads
    it)."""
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
    found: dict[str, str] = {}
    _walk(config, found)
    return dict(sorted(found.items()))


def _walk(node: Any, found: dict[str, str]) -> None:
    if isinstance(node, dict):
        registered = node.get("registered_name")
        if isinstance(registered, str) and registered.split(">", 1)[0] in PACKAGES:
            found[registered.split(">", 1)[1]] = _module_of(registered)
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found)


def _module_of(registered: str) -> str:
    if not registered.startswith(f"{PACKAGE}>"):
        return registered.split(">", 1)[0]  # the package itself: importing it registers all
    from automl_gui.core.base import lazy

    cls = lazy.keras().saving.get_registered_object(registered)
    return str(getattr(cls, "__module__", PACKAGE))


def requirement_note(layers: dict[str, str]) -> str:
    """The sentence the Export dialog, the command line and the model card show for a
    ``.keras`` file holding ``layers`` of this app ("" when it holds none)."""
    if not layers:
        return ""
    modules = sorted(set(layers.values()))
    imports = "; ".join(f"import {m}" for m in modules)
    owners = sorted({PACKAGES.get(m.split(".")[0], (PIP_NAME, "this app")) for m in modules})
    return (
        f"The .keras file holds layers of {' and '.join(w for _, w in owners)} "
        f"({', '.join(layers)}), so plain Keras cannot load it alone: "
        f"`pip install {' '.join(p for p, _ in owners)}`, then `{imports}` before "
        "`keras.saving.load_model(path)`."
    )

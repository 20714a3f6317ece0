"""Loading a pretrained backbone's weights file into the network (``weights`` finds the
file): Keras' own ``load_weights``, and, when the file does not fit, which network it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from automl_gui.core.base.errors import ModelError

__all__ = ["detect_network", "load_backbone_weights"]


def detect_network(path: str) -> str | None:
    """Which network a Keras HDF5 weights file belongs to, from its layer names, or None."""
    try:
        import h5py

        with h5py.File(path, "r") as f:
            group = (
                f["model_weights"] if "layer_names" not in f.attrs and "model_weights" in f else f
            )
            raw = group.attrs.get("layer_names")
            if raw is None:
                return None
            names = {n.decode("utf8") if isinstance(n, bytes) else str(n) for n in raw}
    except Exception:  # noqa: BLE001 - detection is a courtesy for the error message
        return None
    top = "predictions" in names or "fc1000" in names
    if {"conv5_block3_out", "res5c_branch2c"} & names:
        net = "ResNet50"
    elif "mixed10" in names:
        net = "InceptionV3"
    else:
        return None
    return f"{net} with its ImageNet classifier (include_top=True)" if top else f"{net} (notop)"


def load_backbone_weights(backbone: Any, weights_file: str, name: str) -> None:
    """Load ``weights_file`` into ``backbone`` (the network ``name``, e.g. "ResNet50") as
    ``keras.applications`` does (``model.load_weights``: legacy HDF5 ``*_notop.h5`` files by
    layer order, or Keras 3 ``.weights.h5``/``.keras`` files); a ModelError says what the
    file holds instead when it does not fit."""
    path = Path(weights_file)
    if not path.is_file():
        raise ModelError(
            f"Weights file not found: {path}.", "Choose the file again, or train from scratch."
        )
    if not path.name.lower().endswith((".h5", ".hdf5", ".keras")):
        raise ModelError(
            f"{path.name} is not a Keras weights file (.h5).",
            f"Choose the {name} 'notop' .h5 file (see models/pretrained/README.md).",
        )
    try:
        backbone.load_weights(str(path))
    except Exception as exc:  # noqa: BLE001 - Keras/h5py raise many types for a bad file
        fits = detect_network(str(path))
        if fits:
            what = f"it holds weights for {fits}, not {name} (notop)"
        else:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            what = f"it does not fit {name} (notop): {first}"
        raise ModelError(
            f"Cannot load the weights file {path.name}: {what}.",
            f"Choose the {name} 'notop' weights file (see models/pretrained/README.md), "
            "or train from scratch.",
        ) from None

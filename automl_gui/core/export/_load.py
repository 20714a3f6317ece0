"""Loading a bundle safely: a ``.keras`` file (archive sizes checked, Keras safe mode),
its ``metadata.json`` and ``report.json`` (the app's strict JSON reader) and the samples of
image and audio bundles (the ``.npy`` header checked against the file's size first).

Re-exported by :mod:`automl_gui.core.export.bundle`, where every caller finds them.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.base.files import open_regular
from automl_gui.core.base.json_read import JsonProblem, read_json
from automl_gui.core.export import _guard
from automl_gui.core.kinds import DataKind, kind_named

FORMAT_VERSION = 1
MODEL_FILE = "model.keras"
METADATA_FILE = "metadata.json"
REPORT_FILE = "report.json"
#: image and audio bundles: the model inputs the sample predictions are for
SAMPLES_FILE = "samples.npy"
LEGACY_SAMPLES_FILE = "sample_images.npy"  # image bundles written before audio; still read


@dataclass
class Bundle:
    """A loaded (or in-memory) model with its metadata; ``path`` is where it came from."""

    model: Any  # keras.Model (the serving model)
    metadata: dict[str, Any]
    path: str | None = None
    report: dict[str, Any] | None = None
    samples: Any = None  # images/audio: a few model inputs (ndarray) for the export check

    @property
    def kind(self) -> DataKind:
        """The kind of data the model takes (older bundles without the key are tables)."""
        return kind_named(str(self.metadata.get("kind", "tabular")))

    @property
    def task(self) -> str:
        return str(self.metadata.get("task", ""))

    @property
    def class_names(self) -> list[str] | None:
        names = self.metadata.get("class_names")
        return list(names) if names is not None else None


def _read_json(path: Path) -> dict[str, Any]:
    """A bundle's metadata.json / report.json, read by the app's one strict reader (size,
    nesting, duplicate keys; a named pipe refused at once)."""
    try:
        data = read_json(path, _guard.MAX_JSON_BYTES)
    except JsonProblem as exc:
        raise ModelError(
            f"{path.name} is not the app's: {exc}.",
            "The file is damaged or not the app's; export the model again.",
        ) from None
    except OSError as exc:
        raise ModelError(
            f"Could not read {path.name}: {exc.strerror or exc}.",
            "The bundle is damaged; export it again.",
        ) from None
    if not isinstance(data, dict):
        raise ModelError(f"{path.name} is not a metadata object.", "Export the model again.")
    return data


def load_keras_model(model_path: Path) -> Any:
    """Load a ``.keras`` file with ``safe_mode=True``; friendly errors for bad files.

    Before Keras sees it, the archive's declared sizes are checked (``_guard``): a small file
    inflating to gigabytes is refused. A model holding code (a Lambda, a class from other
    code) is refused in one line."""
    if not model_path.is_file():
        raise ModelError(f"Model file not found: {model_path}.", "Check the path.")
    if not zipfile.is_zipfile(model_path):
        what = _guard.export_kind(model_path)
        if what:
            raise _guard.not_loadable(model_path, what)
        raise ModelError(
            f"{model_path.name} is not a Keras model file (damaged or another format).",
            "Choose a .keras file saved by this app, or export the model again.",
        )
    _guard.check_keras_archive(model_path)
    from automl_gui.core.base import lazy

    keras = lazy.keras()
    # models saved by older versions hold these registered layers (new ones: Keras's own)
    import automl_gui.core.models.audio_layers  # noqa: F401
    import automl_gui.core.models.image_layers  # noqa: F401
    import automl_gui.core.preprocess.layers  # noqa: F401

    try:
        return keras.saving.load_model(model_path, compile=False, safe_mode=True)
    except Exception as exc:  # noqa: BLE001 - Keras raises many types for bad files
        text = str(exc)
        if _guard.is_unsafe_refusal(text):
            raise _guard.unsafe(model_path) from None
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        raise ModelError(
            f"Could not load {model_path.name}: {first}",
            "The file may be damaged or saved by an incompatible version; export it again.",
        ) from None


def _locate(path: Path) -> tuple[Path, Path]:
    if path.is_dir():
        return path / MODEL_FILE, path / METADATA_FILE
    if path.suffix == ".keras":
        beside = path.with_name(f"{path.stem}.{METADATA_FILE}")
        return path, beside if beside.is_file() else path.with_name(METADATA_FILE)
    if path.name == METADATA_FILE:
        return path.with_name(MODEL_FILE), path
    what = _guard.export_kind(path)
    if what:
        raise _guard.not_loadable(path, what)
    raise ModelError(
        f"{path} is not a model bundle.", "Choose a folder with model.keras or a .keras file."
    )


def load_bundle(path: str | os.PathLike[str]) -> Bundle:
    """Load a bundle folder, or a ``.keras`` file with ``metadata.json`` beside it.

    Raises:
        ModelError: missing, damaged or unsafe files, or metadata from a newer version.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelError(f"Model not found: {p}.", "Check the path.")
    model_path, meta_path = _locate(p)
    if not model_path.is_file():
        raise _guard.missing_model(model_path)
    if not meta_path.is_file():
        raise ModelError(
            f"metadata.json is missing beside {model_path.name}.",
            "Keep metadata.json next to the model (it says which columns the model needs).",
        )
    metadata = _read_json(meta_path)
    version = metadata.get("format_version", 0)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelError(
            f"{meta_path.name} has format version {version}; this app reads up to {FORMAT_VERSION}.",
            "Update the app to load this model.",
        )
    kind = _check_metadata(metadata, meta_path.name)
    model = load_keras_model(model_path)
    report_path = model_path.parent / REPORT_FILE
    report = _read_json(report_path) if report_path.is_file() else None
    samples = _load_samples(model_path.parent) if kind.file_based else None
    return Bundle(model=model, metadata=metadata, path=str(p), report=report, samples=samples)


def _check_metadata(metadata: dict[str, Any], name: str) -> DataKind:
    """The metadata's kind; ModelError when the app knows no such kind or the metadata lacks
    what the kind's models need to be used."""
    stored = metadata.get("kind", "tabular")
    try:
        kind = kind_named(str(stored))
    except ConfigError:
        raise ModelError(
            f"{name} is for a '{stored}' model, which this version cannot use.",
            "Update the app to load this model.",
        ) from None
    for key in kind.required_metadata:
        if metadata.get(key) in (None, [], "", 0):  # missing or empty ({} is a schema)
            what = {"n_samples": "clip length"}.get(key, key.replace("_", " "))
            raise ModelError(f"{name} lacks the {what}.", "Export the model again.")
    return kind


def _npy_size_problem(fh: Any, size: int) -> str:
    """What is wrong with the ``.npy`` file open in ``fh`` (``size`` bytes) for its header's
    shape ("" when its data fits): a tiny file declaring a huge array would otherwise make
    numpy ask for that memory (a MemoryError) before finding the data missing."""
    from numpy.lib import format as npy

    version = npy.read_magic(fh)
    if version == (1, 0):
        shape, _fortran, dtype = npy.read_array_header_1_0(fh)
    elif version in ((2, 0), (3, 0)):
        shape, _fortran, dtype = npy.read_array_header_2_0(fh)
    else:
        return f"it is of an unknown .npy version {version}"
    if dtype.hasobject:
        return "it holds Python objects, not numbers"
    count = 1
    for n in shape:
        count *= int(n)
    declared = count * dtype.itemsize
    held = size - fh.tell()
    if declared != held:
        return f"its header declares {declared:,} bytes of data but it holds {held:,}"
    return ""


def _load_samples(folder: Path) -> np.ndarray | None:
    """``samples.npy`` (or an older bundle's ``sample_images.npy``), None if absent or
    unreadable.

    Raises:
        ModelError: its header declares more or less data than the file holds (damaged).
    """
    for name in (SAMPLES_FILE, LEGACY_SAMPLES_FILE):
        path = folder / name
        if path.is_file():
            try:
                with open_regular(path) as fh:
                    problem = _npy_size_problem(fh, os.fstat(fh.fileno()).st_size)
                    if not problem:
                        fh.seek(0)
                        return np.load(fh, allow_pickle=False)
            except (OSError, ValueError):
                return None  # only used for checks: a damaged file loses nothing else
            raise ModelError(
                f"{name} in {folder} is damaged: {problem}.",
                "Export the model again (its sample inputs are written anew), or remove "
                f"{name} from the folder to use the model without the export check.",
            )
    return None

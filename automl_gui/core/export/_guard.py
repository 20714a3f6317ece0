"""Checks made before a model file is handed to Keras: sizes inside a ``.keras`` archive (a
small file must not inflate to gigabytes in memory), other formats recognised by name (a
SavedModel, TFLite or ONNX export cannot be loaded back), and Keras's refusals put in one
line."""

from __future__ import annotations

import zipfile
from pathlib import Path

from automl_gui.core.base.errors import ModelError

#: a JSON file read whole into memory (the archive's config.json and metadata.json, a
#: bundle's metadata.json and report.json): real ones are kilobytes to a few megabytes
MAX_JSON_BYTES = 64 * 2**20
#: an archive member above this size may not expand more than :data:`MAX_RATIO` times its
#: stored size (Keras stores members uncompressed: ~1x; deflated float weights ~1.1x)
LARGE_MEMBER = 64 * 2**20
MAX_RATIO = 50
MAX_MEMBERS = 10_000

#: formats the app exports but cannot load back: (file name or suffix, what it is)
_EXPORTS = (
    ("saved_model.pb", "a TensorFlow SavedModel (saved_model.pb)"),
    (".tflite", "a TensorFlow Lite model"),
    (".onnx", "an ONNX model"),
    (".h5", "an HDF5 file (older Keras format, or weights only)"),
)
_UNSAFE_WORDS = (
    "lambda",
    "safe_mode",
    "unsafe",
    "arbitrary code",
    "could not locate class",
    "could not locate function",
    "register_keras_serializable",
    "custom_objects",
)


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB" if n < 2**30 else f"{n / 2**30:,.1f} GB"


def _refuse(path: Path, what: str) -> ModelError:
    return ModelError(
        f"{path.name} was refused: {what}; loading it could exhaust the memory.",
        "The file is damaged or was not saved by Keras; use a model saved by this app.",
    )


def check_keras_archive(path: Path) -> None:
    """ModelError when the ``.keras`` zip's declared sizes are beyond sane bounds: a JSON
    member over :data:`MAX_JSON_BYTES`, a large member inflating over :data:`MAX_RATIO`
    times, or all members together over ``LARGE_MEMBER + MAX_RATIO × the file's size``.
    Python's zipfile never reads past a member's declared size, so these bound the memory."""
    size = path.stat().st_size
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ModelError(
            f"{path.name} is not a Keras model file ({exc}).",
            "Choose a .keras file saved by this app, or export the model again.",
        ) from None
    if len(infos) > MAX_MEMBERS:
        raise _refuse(path, f"it holds {len(infos):,} files")
    total = 0
    for info in infos:
        total += info.file_size
        stored = max(1, info.compress_size)
        if info.filename.lower().endswith(".json") and info.file_size > MAX_JSON_BYTES:
            raise _refuse(
                path,
                f"its {info.filename} would inflate to {_mb(info.file_size)} "
                f"(at most {_mb(MAX_JSON_BYTES)})",
            )
        if info.file_size > LARGE_MEMBER and info.file_size > MAX_RATIO * stored:
            raise _refuse(
                path,
                f"its {info.filename} would inflate from {_mb(stored)} to {_mb(info.file_size)}",
            )
    if total > LARGE_MEMBER + MAX_RATIO * size:
        raise _refuse(path, f"its contents would inflate from {_mb(size)} to {_mb(total)}")


def export_kind(path: Path) -> str:
    """What ``path`` is when it is one of the formats the app cannot load ("" otherwise): a
    file by its name, a folder by what it holds."""
    candidates = [path]
    if path.is_dir():
        try:
            candidates = sorted(p for p in path.iterdir() if p.is_file())
        except OSError:
            return ""
    for candidate in candidates:
        for name, what in _EXPORTS:
            if candidate.name == name or (name.startswith(".") and candidate.suffix == name):
                return what
    return ""


def not_loadable(path: Path, what: str) -> ModelError:
    """The error for an export the app cannot load back, saying what to give instead."""
    return ModelError(
        f"{path} is {what}, an export the app cannot load back.",
        "Give the folder the app wrote with model.keras and metadata.json, or its .keras "
        "file (a .keras export works too).",
    )


def missing_model(model_path: Path) -> ModelError:
    """The error for a folder without ``model.keras``: an export the app cannot load, a
    folder holding .keras files under other names (say which to give), or neither."""
    from automl_gui.core.data._file_guard import special_file

    folder = model_path.parent
    special = special_file(model_path)
    if special:  # a named pipe, socket or device under the model's name: never opened
        return ModelError(
            f"{model_path} is not a regular file ({special}); the app reads models only "
            "from files.",
            "Give the folder the app wrote with model.keras and metadata.json, or a .keras file.",
        )
    what = export_kind(folder)
    if what:
        return not_loadable(folder, what)
    try:
        others = sorted(p.name for p in folder.glob("*.keras") if p.is_file())
    except OSError:
        others = []
    if others:
        shown = ", ".join(others[:3]) + (" …" if len(others) > 3 else "")
        return ModelError(
            f"{folder} has no {model_path.name}, but holds {shown}.",
            f"Give the .keras file itself, e.g. {folder / others[0]}.",
        )
    return ModelError(
        f"{model_path.name} is missing in {folder}.",
        "Give the folder the app wrote with model.keras and metadata.json, or a .keras file.",
    )


def is_unsafe_refusal(text: str) -> bool:
    """True when Keras's error says the model holds code (a Lambda, an unknown class)."""
    low = text.lower()
    return any(word in low for word in _UNSAFE_WORDS)


def unsafe(path: Path) -> ModelError:
    return ModelError(
        f"{path.name}: This model contains code the app will not run.",
        "It holds a Lambda layer or classes from other code; use a model this app saved "
        "(model.keras with its metadata.json), or rebuild it without custom code.",
    )

"""The project file's format: its version, the migrations from older versions, crash-safe
JSON writing. Private to :mod:`automl_gui.core.project` (which re-exports the public names;
the format history is in its docstring). TensorFlow-free, Qt-free.
"""

from __future__ import annotations

import copy
import json
import math
import os
import threading
from collections.abc import Callable
from dataclasses import asdict
from enum import Enum
from pathlib import Path
from typing import Any

from automl_gui.core._project_runs import ProjectError

FORMAT_VERSION = 3
#: the "format" value of a project file
PROJECT_FORMAT = "automl-gui-project"


def plain(obj: Any) -> Any:
    """Plain JSON values (numpy scalars unwrapped, tuples as lists, NaN/inf as None)."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if obj is None or isinstance(obj, (str, bool, int)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if hasattr(obj, "__dataclass_fields__"):
        return plain(asdict(obj))
    if hasattr(obj, "tolist"):  # numpy scalars and arrays
        return plain(obj.tolist())
    if isinstance(obj, Enum):
        return plain(obj.value)
    return str(obj)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable where the OS allows (not on Windows)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_json_atomic(target: Path, raw: dict[str, Any]) -> None:
    """Write ``raw`` as JSON to a temp file beside ``target``, fsync it, rename it into place."""
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            json.dump(raw, fh, indent=1, ensure_ascii=False, allow_nan=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(target.parent)


# -- migrations ---------------------------------------------------------------------------------
def _v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
    """One model folder and flat settings -> a run list and the settings at the top."""
    settings = dict(raw.get("settings") or {})
    kind = raw.get("kind")
    path = raw.get("dataset_path")
    model_key = {"images": "image_model", "audio": "audio_model"}.get(str(kind), "mlp")
    pre_key = {"images": "image_preprocess", "audio": "audio_preprocess"}.get(
        str(kind), "preprocess"
    )
    runs = []
    last = raw.get("last_run")
    if isinstance(last, dict):
        runs.append(
            {
                "id": "run-001",
                "name": "Run 1",
                "created": raw.get("saved") or "",
                "kind": kind or "tabular",
                "task": raw.get("task") or "",
                "dataset": Path(str(path)).name if path else "",
                "settings": {
                    "preprocess": settings.get(pre_key),
                    "model": settings.get(model_key),
                    "training": settings.get("training"),
                    "search": None,
                },
                "history": dict(last.get("history") or {}),
                "metrics": dict(last.get("metrics") or {}),
                "folder": last.get("folder") or "model",
            }
        )
    return {
        "format": PROJECT_FORMAT,
        "version": 2,
        "name": raw.get("name") or "",
        "kind": kind,
        "dataset": {"path": str(path), "kind": kind} if path else None,
        "target": raw.get("target"),
        "task": raw.get("task"),
        "preprocess": settings.get("preprocess"),
        "mlp": dict(settings.get("mlp") or {}),
        "training": dict(settings.get("training") or {}),
        "image_preprocess": dict(settings.get("image_preprocess") or {}),
        "image_model": dict(settings.get("image_model") or {}),
        "audio_preprocess": dict(settings.get("audio_preprocess") or {}),
        "audio_model": dict(settings.get("audio_model") or {}),
        "runs": runs,
        "current_run": runs[-1]["id"] if runs else None,
        "created": raw.get("created") or "",
        "saved": raw.get("saved") or "",
    }


def _v2_to_v3(raw: dict[str, Any]) -> dict[str, Any]:
    """Adds the search settings, the window's state and each run's summary, phases, note."""
    out = {**raw, "version": 3, "search": raw.get("search"), "ui": dict(raw.get("ui") or {})}
    out["runs"] = [
        {"summary": {}, "phases": [], "note": "", **dict(run)} for run in raw.get("runs") or []
    ]
    return out


#: version N -> a function taking a version-N dict to version N + 1 (pure: no files read)
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` (a project file's JSON) brought up to FORMAT_VERSION step by step (a new dict).

    Raises:
        ProjectError: the version is unknown or newer than this app's.
    """
    data = copy.deepcopy(raw)
    version = data.get("version")
    if not isinstance(version, int) or version < 1:
        raise ProjectError(f"Unknown project format version {version!r}.", "Restore a backup.")
    if version > FORMAT_VERSION:
        raise ProjectError(
            f"Project format {version} is newer than this app's ({FORMAT_VERSION}).",
            "Update the app to open it.",
        )
    while version < FORMAT_VERSION:
        data = MIGRATIONS[version](data)
        if data.get("version") != version + 1:
            raise ProjectError(f"Migration from format {version} failed.", "Report this bug.")
        version += 1
    return data

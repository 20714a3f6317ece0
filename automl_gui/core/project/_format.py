"""The project file's format: its version, the migrations from older versions, reading it
strictly (:func:`read_project_file`: size, nesting, keys written twice, the type of every
field), crash-safe JSON writing. Private to :mod:`automl_gui.core.project` (which re-exports
the public names; the format history is in its docstring). TensorFlow-free, Qt-free.
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Callable
from dataclasses import asdict
from enum import Enum
from pathlib import Path
from typing import Any

from automl_gui.core.base.files import atomic_write
from automl_gui.core.kinds import kind_names
from automl_gui.core.project._json import MB, JsonProblem, read_json
from automl_gui.core.project._runs import RUN_ID_RE, ProjectError

FORMAT_VERSION = 4
#: the "format" value of a project file
PROJECT_FORMAT = "automl-gui-project"
#: a larger file is not a project file (a long search's every curve takes a few MB)
MAX_PROJECT_BYTES = 64 * MB
#: deeper nesting is not a project file (real ones are under 10 levels deep)
MAX_DEPTH = 64
_FIX = "Restore it from a backup, or correct it in a text editor; nothing was changed."


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


def write_json_atomic(target: Path, raw: dict[str, Any], limit: int | None = None) -> None:
    """Write ``raw`` as JSON onto ``target`` durably (``files.atomic_write``).

    Text is written as UTF-8; when it holds half a character (a file name whose bytes are
    not UTF-8, as Python spells it) the file is written with ``\\u`` escapes instead, so
    it reads back the same.

    Raises:
        ProjectError: the file would be larger than ``limit`` bytes (it could not be opened
            again); nothing was written.
        OSError: it cannot be written (the previous file is unchanged).
    """

    def write(tmp: Path) -> None:
        try:
            size = _dump(tmp, raw, ascii_only=False)
        except UnicodeEncodeError:
            size = _dump(tmp, raw, ascii_only=True)
        if limit is not None and size > limit:
            raise ProjectError(
                f"The project file would be {_size(size)}, more than this app opens "
                f"({_size(limit)}); it was not saved.",
                "Delete runs you no longer need from the run history (their curves take the "
                "space), then save again; the previous project file is unchanged.",
            )

    atomic_write(target, write, durable=True)


def _size(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n} bytes"


def _dump(path: Path, raw: dict[str, Any], ascii_only: bool) -> int:
    """Write ``raw`` as JSON into ``path``; returns its size in bytes."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(raw, fh, indent=1, ensure_ascii=ascii_only, allow_nan=False)
        fh.write("\n")
        fh.flush()
        return os.fstat(fh.fileno()).st_size


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


#: where format 3 kept each kind's settings (preprocessing, model), one field each
_V3_SETTINGS = {
    "tabular": {"model": "mlp"},
    "images": {"preprocess": "image_preprocess", "model": "image_model"},
    "audio": {"preprocess": "audio_preprocess", "model": "audio_model"},
}


def _v3_to_v4(raw: dict[str, Any]) -> dict[str, Any]:
    """A field per kind and setting (``mlp``, ``image_model``, ...) -> ``settings``: kind name
    -> {"preprocess", "model"}, so a new kind of data needs no new field (nor a format step)."""
    out = {k: v for k, v in raw.items() if k not in {"mlp"} | _V3_FIELDS}
    out["version"] = 4
    out["settings"] = {
        kind: {part: {} if raw.get(name) is None else raw[name] for part, name in parts.items()}
        for kind, parts in _V3_SETTINGS.items()
    }
    return out


_V3_FIELDS = {name for parts in _V3_SETTINGS.values() for name in parts.values()}

#: version N -> a function taking a version-N dict to version N + 1 (pure: no files read)
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
}


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


# -- reading ------------------------------------------------------------------------------------
def read_project_file(target: Path) -> dict[str, Any]:
    """The project file ``target``'s values: read strictly, migrated to FORMAT_VERSION and
    every field's type checked (:func:`check_project`).

    Raises:
        ProjectError: unreadable, too large, not JSON, a key written twice, nested too deep,
            not a project file, of a newer or unknown version, or a field of the wrong type.
    """
    name = target.name
    try:
        raw = read_json(target, MAX_PROJECT_BYTES, MAX_DEPTH)
    except JsonProblem as exc:
        hint = _FIX
        if "twice" in str(exc):
            hint = (
                "It was edited by hand or by another program: open it in a text editor and "
                "keep only one of the two (the app would use the last one and lose what the "
                "first held), or restore it from a backup. Nothing was changed."
            )
        raise ProjectError(f"The project file {name} is damaged: {exc}.", hint) from None
    except OSError as exc:
        raise ProjectError(
            f"Could not read {target}: {exc.strerror or exc}.", "Check that you can read it."
        ) from None
    if not isinstance(raw, dict) or raw.get("format") != PROJECT_FORMAT:
        raise ProjectError(
            f"{name} is not an automl-gui project file.",
            "Choose a project folder saved by this app.",
        )
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProjectError(
            f"The project file {name} is damaged (its version is {version!r}).", _FIX
        )
    if version > FORMAT_VERSION:
        raise ProjectError(
            f"This project was saved by a newer automl-gui (project format {version}; this "
            f"version reads up to {FORMAT_VERSION}).",
            "Update the app to open it.",
        )
    try:
        migrated = migrate(raw)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ProjectError(
            f"The project file {name} is damaged: it is not laid out as a project of format "
            f"{version} ({type(exc).__name__}: {exc}).",
            _FIX,
        ) from None
    return check_project(migrated, name)


class _Bad(ValueError):
    """A field of the wrong type (the message says where and what)."""


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


_WANTED = {
    "text": "text",
    "text?": "text or null",
    "object": "an object",
    "object?": "an object or null",
    "list": "a list",
}


def _field(
    obj: dict[str, Any], key: str, where: str, wanted: str, *, required: bool = False
) -> Any:
    """``obj[key]`` checked against ``wanted`` ("text", "text?", "object", "object?", "list";
    "?": null allowed); a missing value is its empty default, null an empty object/list."""
    place = f"{where}.{key}" if where else key
    if key not in obj:
        if required:
            raise _Bad(f"{place} is missing")
        return {"text": "", "object": {}, "list": []}.get(wanted)
    value = obj[key]
    if value is None and wanted != "text":
        return {"object": {}, "list": []}.get(wanted)
    types = {"text": str, "text?": str, "object": dict, "object?": dict, "list": list}[wanted]
    if not isinstance(value, types):
        raise _Bad(f"{place} should be {_WANTED[wanted]}, not {_kind_of(value)}")
    return value


#: what a project keeps of each kind's settings (``settings``: kind name -> these parts)
SETTING_PARTS = ("preprocess", "model")

#: every field of a project file (format 4) and the kind of value it holds
_TOP = {
    **dict.fromkeys(("name", "id", "created", "saved"), "text"),
    **dict.fromkeys(("target", "task", "current_run", "kind"), "text?"),
    **dict.fromkeys(("dataset", "preprocess", "search"), "object?"),
    **dict.fromkeys(("settings", "training", "ui"), "object"),
    "runs": "list",
}
_RUN_REQUIRED = dict.fromkeys(("id", "name", "created", "kind", "task"), "text")
_RUN = {
    **dict.fromkeys(("dataset", "note"), "text"),
    "folder": "text?",
    **dict.fromkeys(("settings", "metrics", "summary", "history", "edits"), "object"),
    "phases": "list",
}


def check_project(raw: dict[str, Any], name: str) -> dict[str, Any]:
    """``raw`` (a migrated project file) with every field of the right type (a new dict; a
    missing field is its default, null where an object or a list goes is an empty one).

    Raises:
        ProjectError: a field of the wrong type, a run without an id, name, time, kind or task,
            an id that is not like run-001, two runs with one id, an unknown kind.
    """
    try:
        return _checked(raw)
    except _Bad as bad:
        raise ProjectError(f"The project file {name} is damaged: {bad}.", _FIX) from None


def _checked(raw: dict[str, Any]) -> dict[str, Any]:
    out = dict(raw)
    for key, kind in _TOP.items():
        out[key] = _field(raw, key, "", kind)
    if out["kind"] is not None and out["kind"] not in kind_names():
        raise _Bad(f"kind is '{out['kind']}', not one of {', '.join(kind_names())}")
    if out["dataset"] is not None:
        for key in ("path", "kind"):
            _field(out["dataset"], key, "dataset", "text?")
    settings = {}
    for name, parts in out["settings"].items():  # a kind this app lacks is kept as it is
        where = f"settings.{name}"
        if not isinstance(parts, dict):
            raise _Bad(f"{where} should be an object, not {_kind_of(parts)}")
        checked = {p: _field(parts, p, where, "object") for p in SETTING_PARTS if p in parts}
        settings[name] = {**parts, **checked}
    out["settings"] = settings
    runs, seen = [], set()
    for i, run in enumerate(out["runs"]):
        where = f"runs[{i}]"
        if not isinstance(run, dict):
            raise _Bad(f"{where} should be an object, not {_kind_of(run)}")
        runs.append(_checked_run(run, where))
        if runs[-1]["id"] in seen:
            raise _Bad(f"two runs have the id {runs[-1]['id']}")
        seen.add(runs[-1]["id"])
    out["runs"] = runs
    return out


def _checked_run(run: dict[str, Any], where: str) -> dict[str, Any]:
    out = dict(run)
    for key, kind in _RUN_REQUIRED.items():
        out[key] = _field(run, key, where, kind, required=True)
    if not RUN_ID_RE.match(out["id"]):
        raise _Bad(f"{where}.id '{out['id']}' is not a run id like run-001")
    for key, kind in _RUN.items():
        out[key] = _field(run, key, where, kind)
    history = {}
    for key, values in out["history"].items():
        values = [] if values is None else values
        if not isinstance(values, list) or not all(
            v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in values
        ):
            raise _Bad(f"{where}.history.{key} should be a list of numbers")
        history[key] = values
    out["history"] = history
    for phase in out["phases"]:
        if not (
            isinstance(phase, list)
            and len(phase) == 2
            and isinstance(phase[0], str)
            and isinstance(phase[1], int)
            and not isinstance(phase[1], bool)
        ):
            raise _Bad(f"{where}.phases should be pairs [name, first epoch], not {phase!r:.40}")
    return out

"""QSettings helpers: window geometry, last folder, recent files, first launch, last settings.

The window passes its ``QSettings`` to :func:`use`; pages read it with :func:`current`. Tests
pass ``QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)`` so nothing touches the user's
real settings. Lists and configs are stored as JSON strings: the INI and native back ends then
round-trip them identically (a one-item QStringList would otherwise come back as a str).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import fields
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from automl_gui.core.base.resources import resource_path

ORGANIZATION = "automl-gui"
APPLICATION = "automl-gui"
MAX_RECENT = 10

KEY_GEOMETRY = "window/geometry"
KEY_WINDOW_STATE = "window/state"
KEY_LAST_FOLDER = "paths/last_folder"
KEY_FORCE_CPU = "training/force_cpu"
KEY_RECENT = "paths/recent"
KEY_RECENT_PROJECTS = "paths/recent_projects"
KEY_LAST_PROJECT_FOLDER = "paths/last_project_folder"  # where Open/Save Project dialogs start
KEY_FIRST_LAUNCH_DONE = "app/first_launch_done"
KEY_TRAINING = "model/last_training"
KEY_SEARCH = "search/{kind}"  # the Auto search settings of each data kind (tabular, images, ...)
KEY_DATA_DIR = "paths/data_dir"  # where searches are kept (default: the app's data folder)
ENV_DATA_DIR = "AUTOML_GUI_DATA_DIR"  # overrides both (tests, portable installs)

_current: QSettings | None = None


def use(settings: QSettings | None) -> QSettings:
    """Make ``settings`` the one pages read (None: the application's default store)."""
    global _current
    _current = settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)
    return _current


def current() -> QSettings:
    """The settings store in use (the default store until :func:`use` is called)."""
    return _current if _current is not None else use(None)


def _get_json(settings: QSettings, key: str, default: Any) -> Any:
    raw = settings.value(key, "")
    if not raw:
        return default
    try:
        return json.loads(str(raw))
    except (TypeError, ValueError):
        return default


def recent_files(settings: QSettings, key: str = KEY_RECENT) -> list[str]:
    """Recent dataset paths (``key``: or projects), newest first; paths that no longer exist
    are pruned (and saved)."""
    paths = _get_json(settings, key, [])
    if not isinstance(paths, list):
        paths = []
    kept = [str(p) for p in paths if isinstance(p, str) and Path(p).exists()][:MAX_RECENT]
    if kept != paths:
        settings.setValue(key, json.dumps(kept))
    return kept


def add_recent_file(settings: QSettings, path: str, key: str = KEY_RECENT) -> list[str]:
    """Put ``path`` first in the recent list (deduplicated, at most ``MAX_RECENT``)."""
    path = str(Path(path).resolve())
    paths = [p for p in recent_files(settings, key) if p != path]
    paths = [path, *paths][:MAX_RECENT]
    settings.setValue(key, json.dumps(paths))
    return paths


def clear_recent_files(settings: QSettings, key: str = KEY_RECENT) -> None:
    """Forget every recent file (``key``: or project)."""
    settings.setValue(key, json.dumps([]))


def recent_projects(settings: QSettings) -> list[str]:
    """Recently opened or saved project folders, newest first (missing ones pruned)."""
    return recent_files(settings, KEY_RECENT_PROJECTS)


def add_recent_project(settings: QSettings, folder: str) -> list[str]:
    """Put the project ``folder`` first in File → Open Recent Project."""
    return add_recent_file(settings, folder, KEY_RECENT_PROJECTS)


def clear_recent_projects(settings: QSettings) -> None:
    clear_recent_files(settings, KEY_RECENT_PROJECTS)


def last_folder(settings: QSettings, key: str = KEY_LAST_FOLDER) -> str:
    """The folder a file dialog last used (``key`` per purpose; home folder when unknown
    or since removed)."""
    folder = str(settings.value(key, "") or "")
    return folder if folder and Path(folder).is_dir() else str(Path.home())


def set_last_folder(settings: QSettings, path: str, key: str = KEY_LAST_FOLDER) -> None:
    """Remember the folder of ``path`` (or ``path`` itself when it is a folder)."""
    p = Path(path)
    settings.setValue(key, str(p if p.is_dir() else p.parent))


def force_cpu(settings: QSettings) -> bool:
    """Train → Train on the CPU Only (off by default)."""
    return str(settings.value(KEY_FORCE_CPU, "false")).lower() in ("true", "1")


def set_force_cpu(settings: QSettings, value: bool) -> None:
    settings.setValue(KEY_FORCE_CPU, "true" if value else "false")


def is_first_launch(settings: QSettings) -> bool:
    """True until :func:`mark_launched` has been called once."""
    return str(settings.value(KEY_FIRST_LAUNCH_DONE, "false")).lower() not in {"true", "1"}


def mark_launched(settings: QSettings) -> None:
    """Record that the welcome panel has been offered."""
    settings.setValue(KEY_FIRST_LAUNCH_DONE, "true")


def window_geometry(settings: QSettings) -> tuple[QByteArray | None, QByteArray | None]:
    """Saved ``(geometry, state)`` of the main window, or None for each that is missing."""
    geometry = settings.value(KEY_GEOMETRY)
    state = settings.value(KEY_WINDOW_STATE)
    return (
        geometry if isinstance(geometry, QByteArray) else None,
        state if isinstance(state, QByteArray) else None,
    )


def save_window_geometry(settings: QSettings, geometry: QByteArray, state: QByteArray) -> None:
    """Remember the main window's geometry and dock/toolbar state."""
    settings.setValue(KEY_GEOMETRY, geometry)
    settings.setValue(KEY_WINDOW_STATE, state)


def load_dataclass(settings: QSettings, key: str, cls: type) -> Any | None:
    """Rebuild a config dataclass saved with :func:`save_dataclass`; None when absent or bad.

    Unknown keys (from another version) are ignored; the rest go through the class's
    ``from_dict`` where it has one, so settings remembered by an older version read as a
    project of that version does (missing keys: what that version did, e.g. AdamW's weight
    decay before it was a setting), else the class defaults.
    """
    from automl_gui.core.base.errors import ConfigError

    data = _get_json(settings, key, None)
    if not isinstance(data, dict):
        return None
    names = {f.name for f in fields(cls)}
    known = {k: v for k, v in data.items() if k in names}
    try:
        return cls.from_dict(known) if hasattr(cls, "from_dict") else cls(**known)
    except (TypeError, ValueError, ConfigError):
        return None


def save_dataclass(settings: QSettings, key: str, obj: Any) -> None:
    """Store a config dataclass with a ``to_dict()`` as JSON under ``key``."""
    settings.setValue(key, json.dumps(obj.to_dict()))


# -- the AutoML search: its settings and its folders ------------------------------------------
def load_search(settings: QSettings, kind: str) -> Any:
    """The ``SearchConfig`` remembered for ``kind``'s Model page (the defaults, with a
    5-minute budget, when nothing or something unreadable is stored). Whether the search is
    on is not remembered: a new dataset starts with one model (an older "on" is ignored)."""
    from automl_gui.core.kinds import kind_named
    from automl_gui.core.tune.search.space import SearchConfig

    data = _get_json(settings, KEY_SEARCH.format(kind=kind), {})
    default = SearchConfig(time_budget=300.0)
    epochs = kind_named(kind).search_epochs()  # files: as many as one training
    if epochs:
        default.max_epochs = int(epochs)
    if not isinstance(data, dict):
        return default
    saved = data.get("config")
    names = {f.name for f in fields(SearchConfig)}
    config = default
    if isinstance(saved, dict):
        try:
            config = SearchConfig(**{k: v for k, v in saved.items() if k in names})
            config.validate()
        except Exception:  # noqa: BLE001 - an unreadable or invalid entry: the defaults
            config = default
    return config


def save_search(settings: QSettings, kind: str, config: Any) -> None:
    """Remember the search settings of ``kind``'s Model page."""
    value = json.dumps({"config": config.to_dict()})
    settings.setValue(KEY_SEARCH.format(kind=kind), value)


def data_dir(settings: QSettings | None = None) -> Path:
    """Where the app keeps its own files (searches): ``$AUTOML_GUI_DATA_DIR``, else the
    ``paths/data_dir`` setting, else the platform's application data folder."""
    env = os.environ.get(ENV_DATA_DIR, "")
    if env:
        return Path(env)
    store = settings if settings is not None else current()
    chosen = str(store.value(KEY_DATA_DIR, "") or "")
    if chosen:
        return Path(chosen)
    location = QStandardPaths.StandardLocation.AppDataLocation
    folder = QStandardPaths.writableLocation(location)
    return Path(folder) if folder else Path.home() / f".{APPLICATION}"


def search_folder(key: str, settings: QSettings | None = None) -> Path:
    """The folder of the search for ``key`` (kind, dataset and target, see
    ``pages/_search_run.search_key``): ``<data dir>/searches/<hash of key>``. Not created."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return data_dir(settings) / "searches" / digest


# -- bundled sample data ---------------------------------------------------------------------
def sample_dataset_path() -> Path | None:
    """The demo CSV offered on first launch (the first ``resources/samples/*.csv``), or None."""
    folder = resource_path("samples")
    found = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    return found[0] if found else None


def sample_paths() -> list[Path]:
    """Every bundled demo dataset that is installed (they never go into the recent list)."""
    from automl_gui.core.kinds import all_kinds

    found = (sample_dataset_path(), *(kind.sample_path() for kind in all_kinds()))
    return list(dict.fromkeys(p for p in found if p is not None))

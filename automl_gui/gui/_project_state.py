"""The window's state as a project, and a project's settings back into the window.

:func:`capture` turns what the window holds (:class:`~automl_gui.gui.state.AppState` plus the
page the user is on) into a :class:`~automl_gui.core.project.ProjectData`; :func:`apply_settings`
puts a project's settings back into the state *and* the pages that show them (the pages keep
widgets that must be refilled; the media pages refill themselves on the state's signals).
The asynchronous part of reopening (loading the dataset, choosing the target, loading the
current run) is in :mod:`automl_gui.gui._project`.
"""

from __future__ import annotations

import copy
from dataclasses import fields
from pathlib import Path
from typing import Any

from automl_gui.core.kinds import DataKind, all_kinds, kind_named
from automl_gui.core.project import ProjectData

# what may differ between two captures of the same project (times, the version written)
VOLATILE = ("created", "saved", "version", "notices")


def dataset_ref(state: Any) -> dict[str, Any] | None:
    """``{"path", "kind", "name", ...}`` of the loaded dataset (None when nothing is loaded).

    The table loader detects how to read a file by itself (format, delimiter, encoding,
    decimal comma): what it found is kept too, with the table's size, so reopening can say
    when the file changed since. A folder keeps its number of files and its classes.
    """
    dataset = state.dataset
    if dataset is None:
        return None
    if state.kind.file_based:
        return {
            "path": str(Path(dataset.root).resolve()),
            "kind": state.kind.name,
            "name": Path(dataset.root).name,
            "items": len(dataset),
            "classes": list(dataset.class_names),
        }
    source = dataset.source
    rows, cols = dataset.df.shape
    return {
        "path": str(Path(source.path).resolve()),
        "kind": state.kind.name,
        "name": Path(source.path).name,
        "format": source.format,
        "delimiter": source.delimiter,
        "encoding": source.encoding,
        "decimal": source.decimal,
        "rows": int(rows),
        "columns": int(cols),
    }


#: how a notice names a part of a kind's kept settings
_PART_WORDS = {"preprocess": "preprocessing", "model": "model"}


def _dict(config: Any) -> dict[str, Any]:
    return copy.deepcopy(config.to_dict()) if config is not None else {}


def capture(
    state: Any,
    page: str = "data",
    task_choice: str | None = None,
    detached: ProjectData | None = None,
) -> ProjectData:
    """The project the window shows now.

    Args:
        state: the window's AppState.
        page: the step on screen ("data", "train", ...).
        task_choice: what the Data page's Task box says (None: Auto).
        detached: the project opened without its dataset: while no dataset is loaded, its
            dataset reference, target and preprocessing are kept as they were.
    """
    data = ProjectData(
        name=Path(state.project_path).name if state.project_path else "",
        search=_dict(state.search) if state.search is not None else None,
        runs=list(state.runs),
        current_run=state.current_run_id,
        ui={"page": page},
    )
    for kind in all_kinds():
        kept = state.settings(kind)
        data.settings[kind.name] = {part: _dict(getattr(kept, part)) for part in kind.kept_parts}
    data.training = _dict(state.training)
    if state.has_dataset:
        data.kind = state.kind.name
        data.dataset = dataset_ref(state)
        if not state.kind.file_based:  # a table: its target and the preprocessing built for it
            data.target, data.task = state.target, state.task
            preprocess = state.settings().preprocess
            data.preprocess = _dict(preprocess) if preprocess is not None else None
            data.ui["task_choice"] = task_choice
    elif detached is not None:
        data.kind, data.dataset = detached.kind, copy.deepcopy(detached.dataset)
        data.target, data.task = detached.target, detached.task
        data.preprocess = copy.deepcopy(detached.preprocess)
        if "task_choice" in detached.ui:
            data.ui["task_choice"] = detached.ui["task_choice"]
    return data


def comparable(data: ProjectData, ui: bool = True) -> dict[str, Any]:
    """``data`` as a dict without what differs between two saves of the same state (times;
    with ``ui=False`` also the page on screen, which alone is no unsaved change)."""
    out = data.to_dict()
    for key in VOLATILE:
        out.pop(key, None)
    if not ui:
        out.pop("ui", None)
    return out


# -- a project's settings back into the window -------------------------------------------------
def make_config(cls: type, data: dict[str, Any] | None, notices: list[str], what: str) -> Any:
    """``cls.from_dict(data)`` ignoring keys this version does not know; the defaults (with a
    notice) when the stored values cannot be used."""
    if not data:
        return cls()
    known = {f.name for f in fields(cls)}
    try:
        return cls.from_dict({k: v for k, v in data.items() if k in known})
    except Exception:  # noqa: BLE001 - a damaged or foreign entry: the defaults, said so
        notices.append(f"The project's {what} settings could not be read; the defaults are used.")
        return cls()


def copy_into(target: Any, source: Any) -> None:
    """Give the dataclass ``target`` every field value of ``source`` (same class), in place:
    pages holding ``target`` see the new values."""
    for f in fields(source):
        setattr(target, f.name, getattr(source, f.name))


def apply_kept(window: Any, data: ProjectData, notices: list[str]) -> None:
    """Every kind's kept settings into the state (the table's model; the image and audio
    preprocessing and model); the pages built show them."""
    st = window.state
    for kind in all_kinds():
        kept = st.settings(kind)
        stored = data.settings.get(kind.name) or {}
        for part in kind.kept_parts:
            if stored.get(part):
                current = getattr(kept, part)
                what = f"{_PART_WORDS[part]} ({kind.title.lower()})"
                setattr(kept, part, make_config(type(current), stored[part], notices, what))


def apply_settings(
    window: Any, data: ProjectData, notices: list[str], everything: bool = True
) -> None:
    """Put ``data``'s settings into the state and the pages (the dataset and the target are
    already loaded, or the project opens without data).

    The table pages keep their own widgets and objects: the Preprocess page the automatic
    configuration (for "Reset to automatic"), the Model page its TrainConfig; the configs are
    changed in place so both stay the objects those pages hold, and the pages are refilled.
    With ``everything`` False only the table's preprocessing is applied (a dataset opened
    after the project opened without it).
    """
    from automl_gui.core.preprocess.config import PreprocessConfig
    from automl_gui.core.train.config import TrainConfig
    from automl_gui.core.tune.search.space import SearchConfig

    st = window.state
    kind = kind_named(data.kind) if data.kind else st.kind
    if everything:
        apply_kept(window, data, notices)
    # a table: its preprocessing, only onto the same target and task
    preprocess = st.settings().preprocess
    if st.kind is kind and st.dataset is not None and data.preprocess and preprocess is not None:
        saved = make_config(PreprocessConfig, data.preprocess, notices, "preprocessing")
        if saved.target == preprocess.target and saved.task == preprocess.task:
            known = {str(c) for c in st.dataset.df.columns}
            missing = [c.name for c in saved.columns if c.name not in known]
            if missing:
                notices.append(
                    "The dataset no longer has the column(s) "
                    + ", ".join(f"“{m}”" for m in missing[:5])
                    + ": their preprocessing settings were dropped."
                )
                saved.columns = [c for c in saved.columns if c.name in known]
            copy_into(preprocess, saved)
        _refresh(_page(window, "preprocess", kind))
    if not everything:
        st.notify_preprocess_changed()
        return
    training = make_config(TrainConfig, data.training, notices, "training")
    model_page = _page(window, "model", kind)
    if data.training:
        use = getattr(model_page, "use_training", None)
        if use is not None:
            use(training)  # the page keeps it and installs it while its kind is loaded
        else:
            st.training = training
    _refresh(model_page)
    search = make_config(SearchConfig, data.search, notices, "search") if data.search else None
    box = getattr(model_page, "search_box", None)
    if box is not None:
        box.set_search(search is not None, search)
    else:
        st.search = search
    if kind.file_based:
        st.notify_preprocess_changed()  # the pages of files refill from the state's settings
    st.notify_model_changed()


def _page(window: Any, step: str, kind: DataKind) -> Any:
    """``kind``'s page of ``step`` when it is built (None when not)."""
    host = window.hosts.get(step)
    return host.page(kind.pages) if host is not None and host.is_built(kind.pages) else None


def _refresh(page: Any) -> None:
    """Refill ``page`` from the state (its ``show_state()``, when it has one)."""
    show = getattr(page, "show_state", None)
    if show is not None:
        show()


def build_kind_pages(window: Any, kind: DataKind) -> None:
    """Build ``kind``'s Preprocess and Model pages now (they read remembered settings when
    built: a project's settings must come after that)."""
    for step in ("preprocess", "model"):
        host = window.hosts.get(step)
        if host is not None:
            host.page(kind.pages)

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

from automl_gui.core.project import ProjectData

# what may differ between two captures of the same project (times, the version written)
VOLATILE = ("created", "saved", "version", "notices")


def dataset_ref(state: Any) -> dict[str, Any] | None:
    """``{"path", "kind", "name", ...}`` of the loaded dataset (None when nothing is loaded).

    The table loader detects how to read a file by itself (format, delimiter, encoding,
    decimal comma): what it found is kept too, with the table's size, so reopening can say
    when the file changed since.
    """
    if state.kind == "tabular" and state.table is not None:
        source = state.table.source
        rows, cols = state.table.df.shape
        return {
            "path": str(Path(source.path).resolve()),
            "kind": "tabular",
            "name": Path(source.path).name,
            "format": source.format,
            "delimiter": source.delimiter,
            "encoding": source.encoding,
            "decimal": source.decimal,
            "rows": int(rows),
            "columns": int(cols),
        }
    dataset = state.images if state.kind == "images" else state.audio
    if state.kind in ("images", "audio") and dataset is not None:
        return {
            "path": str(Path(dataset.root).resolve()),
            "kind": state.kind,
            "name": Path(dataset.root).name,
            "items": len(dataset),
            "classes": list(dataset.class_names),
        }
    return None


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
        mlp=_dict(state.mlp),
        image_preprocess=_dict(state.image_preprocess),
        image_model=_dict(state.image_model),
        audio_preprocess=_dict(state.audio_preprocess),
        audio_model=_dict(state.audio_model),
        search=_dict(state.search) if state.search is not None else None,
        runs=list(state.runs),
        current_run=state.current_run_id,
        ui={"page": page},
    )
    data.training = _dict(state.training)
    if state.has_dataset:
        data.kind = state.kind
        data.dataset = dataset_ref(state)
        if state.kind == "tabular":
            data.target, data.task = state.target, state.task
            data.preprocess = _dict(state.preprocess) if state.preprocess is not None else None
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


def apply_media(window: Any, data: ProjectData, notices: list[str]) -> None:
    """The image and audio configs into the state; their pages (when built) show them."""
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig

    st = window.state
    if data.image_preprocess:
        st.image_preprocess = make_config(
            ImagePreprocessConfig, data.image_preprocess, notices, "image preprocessing"
        )
    if data.image_model:
        st.image_model = make_config(ImageModelConfig, data.image_model, notices, "image model")
    if data.audio_preprocess:
        st.audio_preprocess = make_config(
            AudioPreprocessConfig, data.audio_preprocess, notices, "audio preprocessing"
        )
    if data.audio_model:
        st.audio_model = make_config(ImageModelConfig, data.audio_model, notices, "audio model")


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
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.preprocess.config import PreprocessConfig
    from automl_gui.core.train.config import TrainConfig
    from automl_gui.core.tune.search.space import SearchConfig

    st = window.state
    kind = data.kind or st.kind
    if everything:
        apply_media(window, data, notices)
    # tables: preprocessing (only onto the same target and task), the MLP, training settings
    if kind == "tabular" and st.table is not None and data.preprocess and st.preprocess:
        saved = make_config(PreprocessConfig, data.preprocess, notices, "preprocessing")
        if saved.target == st.preprocess.target and saved.task == st.preprocess.task:
            known = {str(c) for c in st.table.df.columns}
            missing = [c.name for c in saved.columns if c.name not in known]
            if missing:
                notices.append(
                    "The dataset no longer has the column(s) "
                    + ", ".join(f"“{m}”" for m in missing[:5])
                    + ": their preprocessing settings were dropped."
                )
                saved.columns = [c for c in saved.columns if c.name in known]
            copy_into(st.preprocess, saved)
        _refresh(window.pages.get("preprocess"), "_reload")
    if not everything:
        st.notify_preprocess_changed()
        return
    st.mlp = make_config(MLPConfig, data.mlp, notices, "model") if data.mlp else st.mlp
    training = make_config(TrainConfig, data.training, notices, "training")
    _apply_training(window, kind, training if data.training else None)
    search = make_config(SearchConfig, data.search, notices, "search") if data.search else None
    box = _search_box(window, kind)
    if box is not None:
        box.set_search(search is not None, search)
    else:
        st.search = search
    if kind in ("images", "audio"):
        st.notify_preprocess_changed()  # the media pages refill from the state's configs
    st.notify_model_changed()


def _apply_training(window: Any, kind: str, training: Any) -> None:
    """``training`` (None: keep the current settings) into the state and the Model page."""
    st = window.state
    if kind == "tabular":
        page = window.pages.get("model")
        held = getattr(page, "_training", None)  # the object the table Model page keeps
        if training is None:
            pass
        elif held is not None:
            copy_into(held, training)
            st.training = held
        else:
            st.training = training
        show = getattr(page, "show_state", None)
        if show is not None:
            show()
        elif hasattr(page, "_show"):
            page._show(st.mlp, st.training)
        return
    if training is not None:
        st.training = training  # the image/audio Model page takes it on model_changed


def _search_box(window: Any, kind: str) -> Any:
    """The AutoML search box of ``kind``'s Model page (None when that page is not built)."""
    if kind == "tabular":
        page = window.pages.get("model")
    else:
        host = window.hosts.get("model")
        page = host.page(kind) if host is not None and host.is_built(kind) else None
    return getattr(page, "search_box", None)


def _refresh(page: Any, fallback: str) -> None:
    """Refill ``page`` from the state: its ``show_state()`` when it has one, else the private
    method that does it today (``fallback``)."""
    if page is None:
        return
    show = getattr(page, "show_state", None) or getattr(page, fallback, None)
    if show is not None:
        show()


def build_kind_pages(window: Any, kind: str) -> None:
    """Build ``kind``'s Preprocess and Model pages now (they read remembered settings when
    built: a project's settings must come after that)."""
    if kind in getattr(window, "media_pages", {}):
        for step in ("preprocess", "model"):
            window.media_pages[kind][step]

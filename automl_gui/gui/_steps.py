"""Which steps of Data → Preprocess → Model → Train → Evaluate → Predict are open, and why
not (the window's navigation and menus)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from automl_gui.gui.state import AppState


def step_blocker(state: AppState, name: str) -> str:
    """Why step ``name`` is not available yet with ``state`` ('' when it is): the reason the
    navigation, the View menu and Train → Start show."""
    st = state
    if name in ("data", "predict"):
        return ""
    if st.kind.file_based:
        if st.dataset is None:
            word = st.kind.dataset_noun.title()
            return f"Open a dataset first (File → Open {word}… or drop a folder here)."
        if name == "evaluate" and st.run is None:
            return "Train a model first (Train page)."
        return ""
    if st.dataset is None:
        return "Open a dataset first (File → Open Dataset… or drop a file on the window)."
    if st.settings().preprocess is None:
        return "Choose a target column on the Data page first."
    if name == "preprocess":
        return ""
    errors = [w for w in st.warnings if w.severity == "error"]
    if errors and name in ("model", "train"):
        return f"The target “{st.target}” cannot be trained on: {errors[0].message}"
    if name == "evaluate" and st.run is None:
        return "Train a model first (Train page)."
    return ""

"""Opening the comparison-study dialog, which loads on first use (Tools → Compare Settings…
and the Model pages' "Compare settings…" button)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget


def open_study(state: Any, parent: QWidget | None) -> ImportError | None:
    """Open the study dialog for ``state`` over ``parent``; the ImportError when this
    installation lacks the studies (the caller says so in its own way), else None."""
    try:
        from automl_gui.gui.dialogs.study import open_study_dialog
    except ImportError as exc:
        return exc
    open_study_dialog(state, parent)
    return None


def open_study_or_say_why(state: Any, parent: QWidget | None) -> None:
    """Open the study dialog, or say in a box that studies are missing."""
    if open_study(state, parent) is not None:
        from automl_gui.gui.dialogs.messages import show_error

        show_error(
            parent,
            "Comparison studies",
            "Comparison studies are not available in this installation yet.",
            "Use the AutoML search, or `automl-gui study` on the command line when it is "
            "installed.",
        )

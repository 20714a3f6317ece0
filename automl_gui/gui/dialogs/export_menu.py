"""File → Export Model ▸ and the window's way into the export dialog."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QMenu

from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs import _export_formats as fx
from automl_gui.gui.dialogs._export_formats import formats

if TYPE_CHECKING:
    from automl_gui.gui.dialogs.export import ExportDialog


def open_export_dialog(window: Any, fmt: str | None = None) -> ExportDialog:
    """Open the export dialog over ``window`` (window-modal, returns at once) with ``fmt``
    chosen, or the last used format. ``window`` needs a ``state`` (AppState)."""
    from automl_gui.gui.dialogs.export import ExportDialog

    dialog = ExportDialog(window.state, window, fmt)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.export_dialog = dialog  # the tests and the window can find the open one
    dialog.open()
    return dialog


def export_menu(window: Any) -> QMenu:
    """File → Export Model ▸: "Export…" (Ctrl+E, last used format) and one action per format.

    The actions are disabled, with the reason as tooltip, while there is no model or training
    runs; the menu keeps itself up to date through the window's ``state`` signals.
    """
    menu = QMenu("Export &Model", window)
    menu.setToolTipsVisible(True)
    menu.setIcon(QIcon(str(app_settings.resource_path("icons") / "export.svg")))
    state = window.state
    descriptions = formats()
    export_any = QAction("&Export…", menu)
    export_any.setShortcut(QKeySequence("Ctrl+E"))
    export_any.setToolTip("Export the model in the last used format, verified (Ctrl+E)")
    export_any.setStatusTip(export_any.toolTip())
    export_any.triggered.connect(lambda: open_export_dialog(window))
    menu.addAction(export_any)
    actions: list[QAction] = [export_any]
    for _title, keys in fx.grouped():
        menu.addSeparator()
        for fmt in keys:
            action = QAction(f"{fx.label(fmt)}…", menu)
            action.setToolTip(descriptions.get(fmt, ""))
            action.setStatusTip(descriptions.get(fmt, ""))
            action.setData(fmt)
            action.triggered.connect(lambda _=False, f=fmt: open_export_dialog(window, f))
            menu.addAction(action)
            actions.append(action)
    tips = {a: a.toolTip() for a in actions}

    def refresh() -> None:
        reason = fx.blocker(state)
        for a in actions:
            a.setEnabled(not reason)
            a.setToolTip(reason or tips[a])

    for signal in (
        state.run_finished,
        state.run_started,
        state.runs_changed,
        state.dataset_changed,
    ):
        signal.connect(refresh)
    menu.aboutToShow.connect(refresh)
    menu.export_actions = actions  # type: ignore[attr-defined]
    menu.refresh_actions = refresh  # type: ignore[attr-defined]  # e.g. when training starts
    refresh()
    return menu

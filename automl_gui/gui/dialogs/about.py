"""Help → About: versions, detected devices and the training plan."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

import automl_gui
from automl_gui.gui.state import AppState


def _describe_device(device: Any) -> str:
    for attr in ("description", "label", "name"):
        value = getattr(device, attr, None)
        if value:
            kind = getattr(device, "kind", None) or getattr(device, "device_type", None)
            return f"{value} ({kind})" if kind and str(kind) not in str(value) else str(value)
    return str(device)


def about_html(state: AppState, devices: list[Any] | None = None) -> str:
    """The About text as HTML (a function so tests can check it without a dialog)."""
    from automl_gui.core import hardware

    versions: dict[str, str] = {}
    try:  # package metadata only: opening About imports nothing heavy on the UI thread
        versions.update({str(k): str(v) for k, v in hardware.versions().items()})
    except Exception as exc:  # noqa: BLE001 - the About box must always open
        versions["versions"] = f"unknown ({exc})"
    if not state.engine_ready:
        versions["engine"] = "TensorFlow is still loading (or not loaded in this session)"
    rows = "".join(
        f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>"
        for k, v in versions.items()
    )
    parts = [
        f"<h3>automl-gui {html.escape(automl_gui.__version__)}</h3>",
        "<p>Desktop AutoML for Keras: load a table, train a model live, judge it on held-out "
        "data and export it.</p>",
        f"<table cellspacing='4'>{rows}</table>",
    ]
    plan = state.hardware_plan
    if devices:
        items = "".join(f"<li>{html.escape(_describe_device(d))}</li>" for d in devices)
        parts.append(f"<p><b>Detected devices</b></p><ul>{items}</ul>")
    elif state.engine_ready:
        parts.append("<p><b>Detected devices:</b> CPU only</p>")
    if plan is not None:
        label = html.escape(str(getattr(plan, "device_label", "")))
        reason = html.escape(str(getattr(plan, "reason", "")))
        parts.append(f"<p><b>Training plan:</b> {label}<br>{reason}</p>")
    return "".join(parts)


class AboutDialog(QDialog):
    """A small dialog with :func:`about_html`."""

    def __init__(
        self, state: AppState, devices: list[Any] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("About automl-gui")
        self.label = QLabel(about_html(state, devices))
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setMinimumWidth(420)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)

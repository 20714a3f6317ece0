"""A form field's value and edit signal, whatever the widget: the file Model pages show and
read their settings through a table of (widget, config field) pairs (``ImageModelPage.fields``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from automl_gui.gui.widgets.training_settings import select


def put_value(widget: QWidget, value: Any) -> None:
    """Show ``value`` in a form's combo (by its data), check box or spin box."""
    if isinstance(widget, QComboBox):
        select(widget, value)
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    else:
        widget.setValue(value)  # type: ignore[attr-defined]


def read_value(widget: QWidget) -> Any:
    """What a form's combo (its data), check box or spin box holds."""
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    return widget.value()  # type: ignore[attr-defined]


def edited_signal(widget: QWidget) -> Any:
    """The signal a form's combo, check box or spin box sends when the user changes it."""
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QCheckBox):
        return widget.toggled
    return widget.valueChanged  # type: ignore[attr-defined]

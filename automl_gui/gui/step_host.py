"""A navigation step that holds one page per data kind (table, image and audio pages)."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

log = logging.getLogger(__name__)


def load_class(spec: str) -> type:
    """The class named by ``"package.module:Class"`` (pages load without import cycles)."""
    import importlib

    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


class UnavailablePage(QWidget):
    """Stands in for a page whose module could not be loaded (a broken or partial install):
    the step says so instead of the window failing to open."""

    def __init__(self, name: str, title: str, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.title = title
        self.reason = reason
        heading = QLabel(title)
        heading.setProperty("role", "title")
        text = QLabel(
            f"This page is not available in this installation ({reason}). "
            "Reinstall automl-gui to get it back; the other steps still work."
        )
        text.setWordWrap(True)
        text.setProperty("role", "muted")
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addStretch(1)


def load_page(spec: str, state: Any, parent: QWidget | None, name: str, title: str) -> QWidget:
    """An instance of the page class ``spec`` (``"module:Class"``), or an
    :class:`UnavailablePage` saying why when its module cannot be imported."""
    try:
        cls = load_class(spec)
    except (ImportError, AttributeError) as exc:
        log.warning("page %s not loaded: %s", spec, exc)
        return UnavailablePage(name, title, f"{spec.split(':')[0]}: {exc}", parent)
    return cls(state, parent)


class StepHost(QStackedWidget):
    """One step of the navigation: its table page and, where it differs, the page for image
    or audio datasets.

    ``show_kind`` switches to the page for the loaded dataset's kind; drops and waiting for
    background jobs go to the pages themselves.
    """

    def __init__(self, pages: dict[str, QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_pages = pages
        first = pages["tabular"]
        self.name = first.name
        self.title = first.title
        for page in pages.values():
            self.addWidget(page)

    def show_kind(self, kind: str) -> None:
        self.setCurrentWidget(self.kind_pages.get(kind, self.kind_pages["tabular"]))

    def accept_drop(self, path: str) -> bool:
        accept = getattr(self.currentWidget(), "accept_drop", None)
        return bool(accept is not None and accept(path))

    def wait_idle(self) -> None:
        for page in self.kind_pages.values():
            wait_idle = getattr(page, "wait_idle", None)
            if wait_idle is not None:
                wait_idle()

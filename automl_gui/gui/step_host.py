"""A navigation step that holds one page per data kind (table pages, image pages)."""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QWidget


def load_class(spec: str) -> type:
    """The class named by ``"package.module:Class"`` (pages load without import cycles)."""
    import importlib

    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


class StepHost(QStackedWidget):
    """One step of the navigation: its table page and, where it differs, its image page.

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

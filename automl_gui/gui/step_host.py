"""A navigation step that holds one page per data kind (table, image and audio pages)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from automl_gui.gui.widgets.banner import Banner, BannerGroup

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

    The table page is built with the window; the other kinds' pages are built on first need
    (:meth:`show_kind` or :meth:`page`) by their factories, so the window opens without them.
    ``show_kind`` switches to the page for the loaded dataset's kind; drops and waiting for
    background jobs go to the pages themselves. The step's banners (its pages' and the
    window's while it speaks for this step) are one :class:`BannerGroup`: one at a time.

    Args:
        pages: pages built already, by kind (``DataKind.pages``); the first one also shows
            the step for a kind without its own page.
        factories: ``kind -> callable()`` returning that kind's page, called once, on first need.
    """

    def __init__(
        self,
        pages: dict[str, QWidget],
        factories: Mapping[str, Callable[[], QWidget]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind_pages: dict[str, QWidget] = {}  # the pages built so far
        self.banners = BannerGroup()
        self.factories = dict(factories or {})
        first = self.default_page = next(iter(pages.values()))
        self.name = first.name
        self.title = first.title
        for kind, page in pages.items():
            self._add(kind, page)

    def _add(self, kind: str, page: QWidget) -> None:
        self.kind_pages[kind] = page
        self.addWidget(page)
        for banner in page.findChildren(Banner):
            self.banners.add(banner)

    @property
    def kinds(self) -> list[str]:
        """Every kind this step has a page for, built or not."""
        return list(dict.fromkeys([*self.kind_pages, *self.factories]))

    def has_kind(self, kind: str) -> bool:
        return kind in self.kind_pages or kind in self.factories

    def is_built(self, kind: str) -> bool:
        return kind in self.kind_pages

    def page(self, kind: str) -> QWidget:
        """The page for ``kind``, built now if it was not yet (the step's first page for a kind
        it does not distinguish)."""
        built = self.kind_pages.get(kind)
        if built is not None:
            return built
        factory = self.factories.get(kind)
        if factory is None:
            return self.default_page
        page = factory()
        self._add(kind, page)
        return page

    def show_kind(self, kind: str) -> None:
        self.setCurrentWidget(self.page(kind))

    def accept_drop(self, path: str) -> bool:
        accept = getattr(self.currentWidget(), "accept_drop", None)
        return bool(accept is not None and accept(path))

    def wait_idle(self) -> None:
        """Join the background jobs of the pages built so far (one never built has none)."""
        for page in list(self.kind_pages.values()):
            wait_idle = getattr(page, "wait_idle", None)
            if wait_idle is not None:
                wait_idle()


class KindPages(Mapping[str, QWidget]):
    """One kind's pages by step (``window.image_pages["model"]``), built on first access.

    Only the steps that have a page of this kind are keys; reading one builds it.
    """

    def __init__(self, hosts: Mapping[str, StepHost], kind: str) -> None:
        self._hosts = hosts
        self.kind = kind

    def _steps(self) -> list[str]:
        return [name for name, host in self._hosts.items() if host.has_kind(self.kind)]

    def __getitem__(self, step: str) -> QWidget:
        host = self._hosts.get(step)
        if host is None or not host.has_kind(self.kind):
            raise KeyError(step)
        return host.page(self.kind)

    def __iter__(self) -> Iterator[str]:
        return iter(self._steps())

    def __len__(self) -> int:
        return len(self._steps())

    def built(self) -> dict[str, QWidget]:
        """The pages of this kind built so far, by step (builds none)."""
        return {
            name: host.kind_pages[self.kind]
            for name, host in self._hosts.items()
            if host.is_built(self.kind)
        }

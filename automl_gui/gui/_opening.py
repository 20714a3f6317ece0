"""The main window's ways in: opening datasets (menus, samples, recent files) and drops.

:class:`DatasetOpening` is a mixin of :class:`~automl_gui.gui.main_window.MainWindow`; it
uses the window's ``state``, ``settings``, ``banner``, ``hosts`` (the steps), ``data_page``,
``media_pages`` (the other kinds' pages per step), ``stack``, ``recent_menu`` and ``go_to``.
Every way in ends in :meth:`DatasetOpening.open_path`, which asks ``kind_for_path`` what the
path holds and hands it to that kind's Data page.

The other kinds' pages are built on first need (:meth:`DatasetOpening._make_kind_page`,
the steps' factories): a folder's Data page when a folder of that kind is opened, the other
steps' pages when such a dataset is loaded. A page built late shows the current state.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QIcon, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

from automl_gui.core.base.errors import describe
from automl_gui.core.base.resources import resource_path
from automl_gui.core.kinds import DataKind, kind_for_path
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs import messages
from automl_gui.gui.pages.registry import kind_window, own_pages, ways_in
from automl_gui.gui.step_host import load_page

TABLE_FILTER = "Tables and image lists (*.csv *.tsv *.txt *.tab *.parquet *.pq);;All files (*)"


def local_paths(mime: Any) -> list[str]:
    """Local file/folder paths in drag-and-drop data (empty when any URL is not local)."""
    if mime is None or not mime.hasUrls():
        return []
    urls = mime.urls()
    if not urls or not all(u.isLocalFile() for u in urls):
        return []
    return [u.toLocalFile() for u in urls]


class DatasetOpening:
    """Open datasets from File menu actions, samples, recent files and drops."""

    # provided by the window
    state: Any
    settings: Any
    banner: Any
    show_banner: Any  # the window's banner, for the step shown now
    hosts: dict[str, Any]
    data_page: Any
    media_pages: dict[str, dict[str, Any]]
    stack: Any
    recent_menu: Any
    action_clear_recent: Any
    projects: Any  # the window's ProjectController
    make_action: Any  # the window's QAction maker (text, tip, slot, shortcut)

    def _build_file_menu(self, bar: Any) -> Any:
        """File menu: the ways to open a dataset (the window adds Export and Quit)."""
        icons = resource_path("icons")
        file_menu = bar.addMenu("&File")
        self.projects.build_menu(file_menu)  # New/Open/Save Project first
        self.action_open = self.make_action(
            "&Open Dataset…", "Open a CSV, TSV or Parquet file", self.open_dialog, QKeySequence.Open
        )
        self.action_open.setIcon(QIcon(str(icons / "open.svg")))
        # each kind of files: open a folder of it, open its bundled sample (by DataKind.pages)
        self.open_actions: dict[str, QAction] = {}
        self.sample_actions: dict[str, QAction] = {}
        for kind, ways in ways_in():
            self.open_actions[kind.pages] = self.make_action(
                ways.open_text,
                ways.open_tip,
                partial(self.open_folder_dialog, kind=kind),
                QKeySequence(ways.shortcut),
            )
            action = self.make_action(
                ways.sample_text, ways.sample_tip, partial(self.open_kind_sample, kind)
            )
            action.setEnabled(kind.sample_path() is not None)
            self.sample_actions[kind.pages] = action
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.action_clear_recent = self.make_action(
            "&Clear Recent", "Forget the recently opened files", self.clear_recent
        )
        sample = app_settings.sample_dataset_path()
        self.action_open_sample = self.make_action(
            "Open &Table Sample", "Open the bundled demo table (customer churn)", self.open_sample
        )
        self.action_open_sample.setEnabled(sample is not None)
        file_menu.addAction(self.action_open)
        for action in self.open_actions.values():
            file_menu.addAction(action)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.action_open_sample)
        for action in self.sample_actions.values():
            file_menu.addAction(action)
        self._fill_recent_menu()
        return file_menu

    # -- the other kinds' pages, built on first need -----------------------------------------
    def _make_kind_page(self, kind: DataKind, step: str, title: str) -> Any:
        """Build ``step``'s page for ``kind`` datasets (an UnavailablePage saying why when its
        module cannot be loaded); a Data page's signals are connected to the window."""
        page = load_page(own_pages(kind)[step], self.state, self, step, title)  # type: ignore[arg-type]
        if step == "data":
            for signal, slot in (
                ("loaded", self._on_dataset_loaded),
                ("open_requested", partial(self.open_folder_dialog, kind=kind)),
                ("load_failed", partial(self._on_kind_load_failed, kind)),
                ("busy_changed", partial(self._on_kind_busy, kind)),
            ):
                if hasattr(page, signal):  # not on a page that could not be loaded
                    getattr(page, signal).connect(slot)
        return page

    def data_page_of(self, kind: DataKind) -> Any:
        """``kind``'s Data page (built now if it was not yet)."""
        return self.hosts["data"].page(kind.pages)

    def open_path(self, path: str | Path, *, ask: bool = True) -> bool:
        """Open a dataset (File → Open, recent, sample and drops all come here); with ``ask``,
        unsaved changes to the loaded one are saved or discarded first (the user says which).

        Returns:
            True when loading started; False when the path is not a usable dataset (the reason
            is shown in the banner, the status bar and a message box).
        """
        from automl_gui.core.project import is_project

        path = str(path)
        name = Path(path).name or path
        if is_project(path):  # a project folder or file (dropped, recent, command line)
            return self.open_project(path)
        try:
            kind = kind_for_path(path)
        except Exception as exc:  # noqa: BLE001 - DataError or a file-system error
            message, hint = describe(exc)
            self.show_problem(f"Cannot open “{name}”: {message}", hint)
            return False
        page = self.data_page_of(kind)
        if not hasattr(page, "load"):  # the page's module could not be loaded
            self.show_problem(
                f"“{name}” is a folder of {kind} files, which this installation cannot open.",
                getattr(page, "reason", "") or "Reinstall automl-gui.",
            )
            return False
        if ask:
            return self.after_unsaved_question(lambda: self._load(kind, page, path))
        return self._load(kind, page, path)

    def _load(self, kind: DataKind, page: Any, path: str) -> bool:
        self.banner.dismiss()
        app_settings.set_last_folder(self.settings, path)
        self.go_to("data")
        self.hosts["data"].show_kind(kind.pages)
        page.load(path)
        return True

    def after_unsaved_question(self, replace: Callable[[], bool]) -> bool:
        """Call ``replace()`` (which opens another dataset in place of the loaded one) once the
        unsaved changes are saved or discarded: the Save / Discard / Cancel question that New,
        Open Project and quitting ask. False when cancelled (or ``replace`` says so); True
        when saving first (``replace`` runs once it is saved)."""
        if not self.state.has_dataset:  # nothing replaced (a project without its data attaches)
            return replace()
        started: list[bool] = []
        if not self.projects.maybe_save(lambda: started.append(replace())):
            return False
        return started[0] if started else True

    def open_project(self, path: str | Path) -> bool:
        """Open a project folder (or its project file): the command line, drops, menus.
        True when reopening started (``projects.opened`` says when it is done)."""
        return self.projects.open_project(path)

    def _on_kind_load_failed(self, kind: DataKind, message: str, hint: str) -> None:
        """A folder scan failed: a dataset of another kind loaded before stays on screen."""
        if self.state.has_dataset and self.state.kind is not kind:
            self.hosts["data"].show_kind(self.state.kind.pages)
            self.show_banner(message, hint, "error")
            self.statusBar().showMessage(message)

    def _on_kind_busy(self, kind: DataKind, busy: bool) -> None:
        if not busy and self.state.has_dataset and self.state.kind is not kind:
            self.hosts["data"].show_kind(self.state.kind.pages)  # cancelled or failed: it stays

    def _show_kind_pages(self) -> None:
        """Each step shows the page for the loaded dataset's kind."""
        for host in self.hosts.values():
            host.show_kind(self.state.kind.pages)

    def show_problem(self, message: str, hint: str = "", level: str = "error") -> None:
        """Tell the user why something could not be done (banner, status bar, message box)."""
        self.show_banner(message, hint, level)
        self.statusBar().showMessage(message)
        messages.show_error(self, "automl-gui", message, hint)

    def open_dialog(self) -> None:
        """File → Open Dataset…"""
        path, _ = QFileDialog.getOpenFileName(
            self, "Open dataset", app_settings.last_folder(self.settings), TABLE_FILTER
        )
        if path:
            self.open_path(path)

    def open_folder_dialog(self, _checked: bool = False, *, kind: DataKind) -> None:
        """File → Open Image Folder… (Open Audio Folder…, …): a folder of ``kind`` (or what
        the kind's own ``WaysIn.ask_path`` asks for: a text dataset is a file or a folder)."""
        start = app_settings.last_folder(self.settings)
        ask = kind_window(kind).ways_in.ask_path
        if ask is not None:
            path = ask(self, start)
        else:
            path = QFileDialog.getExistingDirectory(self, f"Open {kind.dataset_noun}", start)
        if path:
            self.open_path(path)

    def open_sample(self) -> None:
        """File → Open Table Sample (also the welcome panel's button)."""
        sample = app_settings.sample_dataset_path()
        if sample is None:
            self.show_problem("No sample dataset is installed.", "Open your own file instead.")
            return
        self.open_path(str(sample))

    def open_kind_sample(self, kind: DataKind) -> None:
        """File → Open Image Sample (Open Audio Sample, …; also the welcome panel's buttons)."""
        sample = kind.sample_path()
        if sample is None:
            word = kind_window(kind).ways_in.sample_word
            self.show_problem(f"No sample {word} folder is installed.", "Open your own folder.")
            return
        self.open_path(str(sample))

    def _on_dataset_loaded(self, path: str) -> None:
        if all(Path(path).resolve() != s.resolve() for s in app_settings.sample_paths()):
            app_settings.add_recent_file(self.settings, path)
        self._fill_recent_menu()
        self.banner.dismiss()

    def recent_files(self) -> list[str]:
        return app_settings.recent_files(self.settings)

    def clear_recent(self) -> None:
        app_settings.clear_recent_files(self.settings)
        self._fill_recent_menu()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent_files()
        for i, path in enumerate(paths, start=1):
            action = self.recent_menu.addAction(f"&{i % 10}  {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _c=False, p=path: self.open_path(p))
        if not paths:
            self.recent_menu.addAction("No recent files").setEnabled(False)
        self.recent_menu.addSeparator()
        self.recent_menu.addAction(self.action_clear_recent)
        self.action_clear_recent.setEnabled(bool(paths))

    # -- drag and drop -------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = local_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.handle_drop(paths)

    def handle_drop(self, paths: list[str]) -> bool:
        """Route dropped paths: the current page's ``accept_drop`` first, else open a dataset."""
        if not paths:
            return False
        path = paths[0]
        from automl_gui.core.project import is_project

        if is_project(path):  # before a page that takes any folder (the image Data page)
            return self.open_project(path)
        page = self.stack.currentWidget()
        host_page = getattr(page, "currentWidget", lambda: page)()
        many = getattr(host_page, "accept_drops", None)
        if len(paths) > 1 and many is not None and many(paths):
            return True
        accept = getattr(page, "accept_drop", None)
        if accept is not None and page is self.hosts["data"] and Path(path).is_dir():
            # a folder Data page scans the folder itself: the same question first
            return self.after_unsaved_question(
                lambda: accept(path) or self.open_path(path, ask=False)
            )
        if accept is not None and accept(path):
            return True
        if len(paths) > 1:
            self.statusBar().showMessage(f"{len(paths)} items dropped: opening the first one.")
        return self.open_path(path)

"""The main window's ways in: opening datasets (menus, samples, recent files) and drops.

:class:`DatasetOpening` is a mixin of :class:`~automl_gui.gui.main_window.MainWindow`; it
uses the window's ``state``, ``settings``, ``banner``, ``hosts`` (the steps), ``data_page``,
``media_pages`` (image and audio pages per step), ``stack``, ``recent_menu`` and ``go_to``.
Every way in ends in :meth:`DatasetOpening.open_path`, which asks ``detect_kind`` what the
path holds and hands it to that kind's Data page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog

from automl_gui.core.errors import describe
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs import messages

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
    hosts: dict[str, Any]
    data_page: Any
    media_pages: dict[str, dict[str, Any]]
    stack: Any
    recent_menu: Any
    action_clear_recent: Any

    def open_path(self, path: str | Path) -> bool:
        """Open a dataset (File → Open, recent, sample and drops all come here).

        Returns:
            True when loading started; False when the path is not a usable dataset (the reason
            is shown in the banner, the status bar and a message box).
        """
        from automl_gui.core.data.detect import detect_kind

        path = str(path)
        name = Path(path).name or path
        try:
            kind = detect_kind(path)
        except Exception as exc:  # noqa: BLE001 - DataError or a file-system error
            message, hint = describe(exc)
            self.show_problem(f"Cannot open “{name}”: {message}", hint)
            return False
        page = self.data_page if kind == "tabular" else self.media_pages[kind]["data"]
        if not hasattr(page, "load"):  # the page's module could not be loaded
            self.show_problem(
                f"“{name}” is a folder of {kind} files, which this installation cannot open.",
                getattr(page, "reason", "") or "Reinstall automl-gui.",
            )
            return False
        self.banner.dismiss()
        app_settings.set_last_folder(self.settings, path)
        self.go_to("data")
        self.hosts["data"].show_kind(kind)
        page.load(path)
        return True

    def _on_media_load_failed(self, kind: str, message: str, hint: str) -> None:
        """A folder scan failed: a dataset of another kind loaded before stays on screen."""
        if self.state.has_dataset and self.state.kind != kind:
            self.hosts["data"].show_kind(self.state.kind)
            self.banner.show_message(message, hint, "error")
            self.statusBar().showMessage(message)

    def _on_media_busy(self, kind: str, busy: bool) -> None:
        if not busy and self.state.has_dataset and self.state.kind != kind:
            self.hosts["data"].show_kind(self.state.kind)  # cancelled or failed: it stays

    def _show_kind_pages(self) -> None:
        """Each step shows the page for the loaded dataset's kind."""
        for host in self.hosts.values():
            host.show_kind(self.state.kind)

    def show_problem(self, message: str, hint: str = "", level: str = "error") -> None:
        """Tell the user why something could not be done (banner, status bar, message box)."""
        self.banner.show_message(message, hint, level)
        self.statusBar().showMessage(message)
        messages.show_error(self, "automl-gui", message, hint)

    def open_dialog(self) -> None:
        """File → Open Dataset…"""
        path, _ = QFileDialog.getOpenFileName(
            self, "Open dataset", app_settings.last_folder(self.settings), TABLE_FILTER
        )
        if path:
            self.open_path(path)

    def open_folder_dialog(self, _checked: bool = False, what: str = "image") -> None:
        """File → Open Image Folder… (and, with ``what="audio"``, Open Audio Folder…)."""
        path = QFileDialog.getExistingDirectory(
            self, f"Open {what} folder", app_settings.last_folder(self.settings)
        )
        if path:
            self.open_path(path)

    def open_audio_folder_dialog(self) -> None:
        """File → Open Audio Folder…"""
        self.open_folder_dialog(what="audio")

    def open_sample(self) -> None:
        """File → Open Sample (also the welcome panel's button)."""
        sample = app_settings.sample_dataset_path()
        if sample is None:
            self.show_problem("No sample dataset is installed.", "Open your own file instead.")
            return
        self.open_path(str(sample))

    def open_image_sample(self) -> None:
        """File → Open Image Sample."""
        self._open_sample_folder(app_settings.image_sample_path(), "image")

    def open_audio_sample(self) -> None:
        """File → Open Audio Sample (also the welcome panel's "Open sample sounds")."""
        self._open_sample_folder(app_settings.audio_sample_path(), "sound")

    def _open_sample_folder(self, sample: Path | None, what: str) -> None:
        if sample is None:
            self.show_problem(f"No sample {what} folder is installed.", "Open your own folder.")
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
        page = self.stack.currentWidget()
        host_page = getattr(page, "currentWidget", lambda: page)()
        many = getattr(host_page, "accept_drops", None)
        if len(paths) > 1 and many is not None and many(paths):
            return True
        accept = getattr(page, "accept_drop", None)
        if accept is not None and accept(path):
            return True
        if len(paths) > 1:
            self.statusBar().showMessage(f"{len(paths)} items dropped: opening the first one.")
        return self.open_path(path)

"""Projects in the window: File → New / Open / Save / Save As / Open Recent Project.

:class:`ProjectController` is held by the main window (``window.projects``). It builds the
project entries of the File menu, keeps the window title ("name* — automl-gui"), asks
Save / Discard / Cancel before unsaved changes would be lost (New, Open, closing), saves in a
worker thread (run models are written) and reopens a project in steps: the dataset loads
through its Data page as if the user opened it, the target is chosen, then every setting, the
run history and the current run come back and the saved page is shown (:class:`_Reopening`).

What is saved is :func:`automl_gui.gui._project_state.capture`; "unsaved" means the state
differs from what was last saved or opened (the state's ``dirty`` flag, checked against that
snapshot so a page re-announcing the same settings marks nothing).
"""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from automl_gui.core.base.errors import describe
from automl_gui.core.kinds import DataKind, kind_named
from automl_gui.core.project import PROJECT_FILE, SEARCH_DIR, ProjectData
from automl_gui.gui import _project_questions as questions
from automl_gui.gui import settings as app_settings
from automl_gui.gui._project_reopen import Reopening
from automl_gui.gui._project_state import capture, comparable
from automl_gui.gui.workers import JobWorker

APP = "automl-gui"


def _save_job(
    folder: str,
    data: ProjectData,
    run_objects: dict[str, Any],
    source: str | None,
    search_from: Path | None,
    on_event: Any = None,
    cancel: Any = None,
) -> str:
    """Write the project (worker thread); a search kept outside the project moves in with it."""
    from automl_gui.core.project import save_project

    path = save_project(folder, data, run_objects, source=source)
    search_to = Path(folder) / SEARCH_DIR
    if search_from is not None and search_from.is_dir() and not search_to.exists():
        if search_from.resolve() != search_to.resolve():
            shutil.copytree(search_from, search_to)
    return str(path)


class ProjectController(QObject):
    """The window's project: menus, title, unsaved prompt, save, reopen.

    Args:
        window: the MainWindow (its ``state``, ``settings``, pages, ``banner``, ``go_to``).
    """

    opened = Signal(str)  # the project folder, once every page shows it
    saved = Signal(str)  # the project folder, once written
    failed = Signal(str, str)  # message, hint (also shown to the user)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.state = window.state
        self.detached: ProjectData | None = None  # opened without its dataset
        self.created = ""  # the open project's creation time (kept on save)
        # the open project's id and the file it was opened from or saved to: a Save there
        # replaces it as the same project (a new one saved over it would be refused)
        self.identity: tuple[str, str] = ("", "")
        self.reopening: Reopening | None = None
        self._snapshot: dict[str, Any] | None = None
        self._worker: JobWorker | None = None
        self._after_save: list[Any] = []
        self._closing_ok = False
        self._attach_pending: ProjectData | None = None
        self.state.project_changed.connect(self._on_project_changed)
        self.state.dataset_changed.connect(self._on_dataset_changed)

    # -- menus -------------------------------------------------------------------------------
    def build_menu(self, menu: QMenu) -> None:
        """Add the project entries to the File menu (before the dataset entries)."""
        act = self.window.make_action
        self.action_new = act(
            "&New Project",
            "Start an empty project (asks to save unsaved changes first)",
            self.new_project,
            QKeySequence("Ctrl+N"),
        )
        self.action_open = act(
            "Open Pro&ject…",
            "Open a saved project: its dataset, settings, runs and results come back",
            self.open_dialog,
            QKeySequence("Ctrl+Shift+P"),
        )
        self.recent_menu = QMenu("Open Rec&ent Project", self.window)
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.setToolTip("Projects you opened or saved lately")
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        self.action_clear_recent = act(
            "&Clear Recent Projects", "Forget the recently opened projects", self.clear_recent
        )
        self.action_save = act(
            "&Save Project",
            "Save the dataset reference, settings and every run into the project folder",
            self.save,
            QKeySequence("Ctrl+S"),
        )
        self.action_save_as = act(
            "Sa&ve Project As…",
            "Save the project into another folder (an empty or new folder)",
            self.save_as,
            QKeySequence("Ctrl+Shift+S"),
        )
        for action in (self.action_new, self.action_open):
            menu.addAction(action)
        menu.addMenu(self.recent_menu)
        menu.addAction(self.action_save)
        menu.addAction(self.action_save_as)
        menu.addSeparator()
        self.fill_recent_menu()

    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = app_settings.recent_projects(self.window.settings)
        for i, path in enumerate(paths, start=1):
            action = QAction(f"&{i % 10}  {Path(path).name}", self.recent_menu)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _c=False, p=path: self.open_project(p))
            self.recent_menu.addAction(action)
        if not paths:
            self.recent_menu.addAction("No recent projects").setEnabled(False)
        self.recent_menu.addSeparator()
        self.recent_menu.addAction(self.action_clear_recent)
        self.action_clear_recent.setEnabled(bool(paths))

    def recent_projects(self) -> list[str]:
        return app_settings.recent_projects(self.window.settings)

    def clear_recent(self) -> None:
        app_settings.clear_recent_projects(self.window.settings)
        self.fill_recent_menu()

    # -- what is saved, and whether it changed -----------------------------------------------
    def capture(self) -> ProjectData:
        """The project as the window shows it now."""
        task_choice = self.window.data_page.task_choice()
        page = self.window.current_page_name()
        return capture(self.state, page, task_choice, self.detached)

    def mark_saved(self, folder: str | None) -> None:
        """The window now matches the project in ``folder`` (None: no project)."""
        if folder is None:
            self.state.project_path = None
        self.state.mark_saved(folder)
        self._snapshot = comparable(self.capture(), ui=False)
        self.update_title()

    def _on_project_changed(self) -> None:
        st = self.state
        if st.dirty and self.reopening is None and self._snapshot is not None:
            if comparable(self.capture(), ui=False) == self._snapshot:
                st.mark_saved()  # the same settings announced again: nothing to save
                return
        self.update_title()

    def _on_dataset_changed(self) -> None:
        """A dataset opened after the project opened without its own replaces the reference;
        a table with the project's target gets its target and preprocessing once loaded."""
        if not self.state.has_dataset or self.reopening is not None or self.detached is None:
            return
        detached, self.detached = self.detached, None
        if self.state.kind.name == detached.kind and detached.target:  # a table, its target
            if self._attach_pending is None:
                self.window.data_page_of(self.state.kind).loaded.connect(self._attach)
            self._attach_pending = detached

    def _attach(self, path: str) -> None:
        data, self._attach_pending = self._attach_pending, None
        st = self.state
        if data is not None:
            self.window.data_page_of(kind_named(data.kind)).loaded.disconnect(self._attach)
        if data is None or st.dataset is None or not st.project_path or self.reopening is not None:
            return
        if data.target not in {str(c) for c in st.dataset.df.columns}:
            return
        self.reopening = Reopening(self, st.project_path, data, path, attach=True)
        self.reopening.attach_loaded(path)

    def finish_attach(self, notices: list[str]) -> None:
        """Called by :class:`Reopening` when a table got the project's target and
        preprocessing (the project stays unsaved unless nothing differs from the file)."""
        self.reopening = None
        data_name = self.state.dataset_name
        self.window.show_banner(
            f"The project's target “{self.state.target}” and preprocessing were applied to "
            f"{data_name}.",
            " ".join(notices),
            "info",
        )
        self._on_project_changed()

    @property
    def name(self) -> str:
        path = self.state.project_path
        return Path(path).name if path else "Untitled"

    def update_title(self) -> None:
        st = self.state
        if not st.project_path and not st.dirty:
            self.window.setWindowTitle(APP)
        else:
            self.window.setWindowTitle(f"{self.name}{'*' if st.dirty else ''} — {APP}")
        busy = self.busy
        for action in (getattr(self, "action_save", None), getattr(self, "action_save_as", None)):
            if action is not None:  # None while the window is still being built
                action.setEnabled(not busy)

    @property
    def busy(self) -> bool:
        """Saving or reopening right now."""
        return self._worker is not None or self.reopening is not None

    def needs_saving(self) -> bool:
        """Unsaved changes worth a question (an untouched empty window has none)."""
        st = self.state
        return st.dirty and bool(st.project_path or st.has_dataset or st.runs)

    def maybe_save(self, then: Any) -> bool:
        """Ask Save / Discard / Cancel when there are unsaved changes, then call ``then``
        (after the save, for Save). False when the user cancelled or saving failed to start."""
        if not self.needs_saving():
            then()
            return True
        answer = questions.ask_save_changes(self.window, self.name)
        if answer == "cancel":
            return False
        if answer == "discard":
            then()
            return True
        return self.save(then=then)

    def _refuse_while_busy(self, what: str) -> bool:
        if self.window.training_running:
            self.window.show_problem(
                f"Cannot {what} while training runs.", "Stop training first (Train → Stop).", "info"
            )
            return True
        if self.busy:
            self.window.statusBar().showMessage(
                f"Cannot {what}: the project is being saved or opened."
            )
            return True
        return False

    # -- new ---------------------------------------------------------------------------------
    def new_project(self) -> bool:
        """File → New Project: an empty window (settings stay), after the unsaved question."""
        if self._refuse_while_busy("start a new project"):
            return False
        return self.maybe_save(self._new_now)

    def _new_now(self) -> None:
        w, st = self.window, self.state
        w.data_page.cancel_load()
        st.runs, st.run_objects = [], {}
        st.current_run_id, st.run_loader = None, None
        st.set_dataset(st.kind, None)
        st.runs_changed.emit()
        self.detached, self.created, self.identity = None, "", ("", "")
        w.banner.dismiss()
        w.go_to("data")
        self.mark_saved(None)
        w.statusBar().showMessage("New project.")

    # -- open --------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        """File → Open Project…"""
        start = app_settings.last_folder(self.window.settings, app_settings.KEY_LAST_PROJECT_FOLDER)
        path = questions.choose_project(self.window, start)
        if path:
            self.open_project(path)

    def open_project(self, path: str | Path) -> bool:
        """Open the project at ``path`` (its folder or its file), asking first about unsaved
        changes. True when reopening started (``opened`` is emitted when it is done)."""
        if self._refuse_while_busy("open a project"):
            return False
        started: list[bool] = []
        self.maybe_save(lambda: started.append(self._open_now(str(path))))
        return bool(started and started[0])

    def _open_now(self, path: str) -> bool:
        from automl_gui.core.project import load_project

        w = self.window
        try:
            data = load_project(path)
        except Exception as exc:  # noqa: BLE001 - ProjectError, or a file-system error
            message, hint = describe(exc)
            self._fail(f"Cannot open the project “{Path(path).name}”: {message}", hint)
            return False
        folder = Path(path)
        if folder.name == PROJECT_FILE or folder.is_file():
            folder = folder.parent
        dataset_path = self._dataset_to_load(data)
        if dataset_path is None:
            return False  # cancelled
        app_settings.set_last_folder(w.settings, str(folder), app_settings.KEY_LAST_PROJECT_FOLDER)
        self.reopening = Reopening(self, str(folder.resolve()), data, dataset_path)
        self.update_title()
        self.reopening.start()
        return True

    def _dataset_to_load(self, data: ProjectData) -> str | None:
        """The dataset path to load ('' for none); asks when it is missing (None: cancel)."""
        ref = data.dataset or {}
        path = str(ref.get("path") or "")
        if not path or Path(path).exists():
            return path
        answer = questions.ask_missing_dataset(self.window, path)
        if answer == "cancel":
            return None
        if answer == "without":
            return ""
        start = str(Path(path).parent if Path(path).parent.is_dir() else Path.home())
        found = questions.choose_dataset(self.window, ref_kind(ref), path, start)
        return found or None

    def finish_reopening(self, folder: str, notices: list[str], located: bool = False) -> None:
        """Called by :class:`Reopening` at its end; ``located``: the dataset was found in a
        new place, which the project file does not say yet (so it stays unsaved)."""
        w = self.window
        self.reopening = None
        self.mark_saved(folder)
        if located:
            self._snapshot = None  # differs from the file until saved
            self.state.mark_dirty()
        app_settings.add_recent_project(w.settings, folder)
        self.fill_recent_menu()
        if notices:
            w.show_banner(notices[0], " ".join(notices[1:]), "warning")
        else:
            w.banner.dismiss()
        w.statusBar().showMessage(f"Opened project {Path(folder).name}.")
        self.opened.emit(folder)

    def _fail(self, message: str, hint: str) -> None:
        self.window.show_problem(message, hint)
        self.failed.emit(message, hint)

    # -- save --------------------------------------------------------------------------------
    def save(self, _checked: bool = False, then: Any = None) -> bool:
        """File → Save Project (Save As… when there is no project folder yet)."""
        if self.state.project_path:
            return self.save_to(self.state.project_path, then)
        return self.save_as(then=then)

    def save_as(self, _checked: bool = False, then: Any = None) -> bool:
        """File → Save Project As…: ask for a folder (empty or new; not another project)."""
        w = self.window
        start = app_settings.last_folder(w.settings, app_settings.KEY_LAST_PROJECT_FOLDER)
        chosen = questions.choose_project_folder(w, start)
        if not chosen:
            return False
        folder = Path(chosen)
        if folder.name == PROJECT_FILE:
            folder = folder.parent
        message, hint = questions.folder_problem(folder, self.state.project_path)
        if message:
            self._fail(f"Cannot save the project there: {message}", hint)
            return False
        return self.save_to(str(folder), then)

    def save_to(self, folder: str, then: Any = None) -> bool:
        """Write the project into ``folder`` in a worker thread; ``then()`` after success."""
        if self._worker is not None:
            if then is not None:
                self._after_save.append(then)
            return True
        if self.reopening is not None:
            self.window.statusBar().showMessage("Wait until the project has opened to save it.")
            return False
        from automl_gui.gui.pages._search_run import search_key

        st = self.state
        folder = str(Path(folder).absolute())
        same = bool(st.project_path) and Path(st.project_path).resolve() == Path(folder).resolve()
        data = self.capture()
        data.name = Path(folder).name
        data.created = self.created if same else ""
        if same:
            data.id, data.opened_from = self.identity
        key = search_key(st)
        search_from = st.work_folder(SEARCH_DIR, key) if key and not same else None
        source = None if same else st.project_path
        job = partial(_save_job, folder, data, dict(st.run_objects), source, search_from)
        worker = JobWorker(job)
        self._worker = worker
        self._after_save = [then] if then is not None else []
        worker.finished.connect(lambda _path: self._on_saved(folder, data))
        worker.failed.connect(self._on_save_failed)
        worker.done.connect(self._on_save_done)
        self.update_title()
        w = self.window
        w.statusBar().showMessage(f"Saving project {Path(folder).name}…")
        app_settings.set_last_folder(w.settings, folder, app_settings.KEY_LAST_PROJECT_FOLDER)
        worker.start()
        return True

    def _on_saved(self, folder: str, data: ProjectData) -> None:
        w = self.window
        self.created, self.identity = data.created, (data.id, data.opened_from)
        self._worker = None
        self.mark_saved(folder)
        app_settings.add_recent_project(w.settings, folder)
        self.fill_recent_menu()
        w.statusBar().showMessage(f"Saved project {Path(folder).name} ({folder}).")
        self.saved.emit(folder)
        then, self._after_save = self._after_save, []
        for callback in then:
            callback()

    def _on_save_failed(self, message: str, hint: str) -> None:
        self._worker = None
        self._after_save = []  # closing, New or Open wait for a save that failed: they stop
        self.update_title()
        self._fail(f"The project was not saved: {message}", hint)

    def _on_save_done(self) -> None:
        self._worker = None
        self.update_title()

    def wait_idle(self, msecs: int = 60000) -> bool:
        """Join a save in progress (the window calls this when it closes)."""
        ok = self.reopening.wait_idle(msecs) if self.reopening is not None else True
        worker = self._worker
        return (worker.wait(msecs) if worker is not None else True) and ok

    # -- closing -----------------------------------------------------------------------------
    def may_close(self) -> bool:
        """closeEvent asks here: True to close now; False to stay open (cancelled, or a save
        runs first and closes the window when it is done)."""
        if self._closing_ok:
            return True
        if self._worker is not None:  # a save is running: close when it is done
            self._after_save.append(self._close_after_save)
            return False
        if not self.needs_saving():
            return True
        answer = questions.ask_save_changes(self.window, self.name)
        if answer == "discard":
            self._closing_ok = True
            return True
        if answer == "save":
            self.save(then=self._close_after_save)
        return False

    def _close_after_save(self) -> None:
        self._closing_ok = True
        self.window.close()


def ref_kind(ref: dict[str, Any]) -> DataKind | None:
    """The kind a project's dataset reference names (None: none this version knows)."""
    from automl_gui.core.base.errors import ConfigError

    try:
        return kind_named(str(ref.get("kind") or "tabular"))
    except ConfigError:
        return None

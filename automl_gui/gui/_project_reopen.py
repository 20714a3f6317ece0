"""Reopening a project, step by step, without blocking the window.

1. The dataset loads through its Data page, as if the user opened it (a background job;
   the page's ``loaded`` or ``load_failed`` says when it is done).
2. Tables: the saved target and task are chosen (the Data page checks them in the
   background; ``state.target_changed`` says when).
3. Every setting goes back into the state and the pages (``_project_state.apply_settings``),
   then the run history; the current run's model loads in a worker thread and becomes the
   run Evaluate, Predict and Export show. The Train page shows its curves.
4. The saved page is shown and the controller is told (``finish_reopening``).

A dataset that cannot be loaded (moved and not located, or unreadable now) does not stop the
project: it opens without data, keeping its settings, runs and the dataset reference. A table
opened later that has the project's target gets the project's target and preprocessing
(``attach``: steps 2 and the preprocessing of 3 only).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer

from automl_gui.core.kinds import kind_named
from automl_gui.core.project import ProjectData
from automl_gui.gui._project_state import apply_settings, build_kind_pages
from automl_gui.gui.workers import JobWorker


class Reopening(QObject):
    """One project being reopened into the window (see the module docstring).

    Args:
        controller: the window's ProjectController (``finish_reopening`` is called at the end).
        folder: the project folder.
        data: the loaded project.
        dataset_path: the dataset to load ('' for none: open without data).
    """

    def __init__(
        self,
        controller: Any,
        folder: str,
        data: ProjectData,
        dataset_path: str,
        attach: bool = False,
    ) -> None:
        super().__init__(controller)
        self.attach = attach  # only the target and preprocessing, onto a table just opened
        self.controller = controller
        self.window = controller.window
        self.state = controller.state
        self.folder = folder
        self.data = data
        self.dataset_path = dataset_path
        self.notices: list[str] = [] if attach else list(getattr(data, "notices", None) or [])
        ref = data.dataset or {}
        self.kind = kind_named(data.kind or str(ref.get("kind") or "tabular"))
        self.located = bool(dataset_path) and dataset_path != str(ref.get("path") or "")
        self._page: Any = None
        self._waiting_target = False
        self._worker: JobWorker | None = None

    # -- 1. the dataset ----------------------------------------------------------------------
    def start(self) -> None:
        w, st = self.window, self.state
        w.data_page.cancel_load()
        st.runs, st.run_objects = [], {}
        st.current_run_id, st.run_loader = None, None
        st.project_path = self.folder  # searches and checkpoints are the project's from now
        self.controller.detached = None
        self.controller.created = self.data.created
        self.controller.identity = (self.data.id, self.data.opened_from)
        build_kind_pages(w, self.kind)
        if not self.dataset_path:
            ref = self.data.dataset or {}
            if ref.get("path"):
                self.notices.insert(
                    0,
                    f"The project opened without its dataset ({ref['path']}): its settings "
                    "and runs are shown. Open the dataset (File menu) to train or evaluate again.",
                )
            self._without_data()
            return
        page = w.data_page_of(self.kind)
        if not hasattr(page, "load"):
            self.notices.append(
                f"This installation cannot open {self.kind} datasets: the project opens "
                "without its data."
            )
            self._without_data()
            return
        self._page = page
        page.loaded.connect(self._on_loaded)
        page.load_failed.connect(self._on_load_failed)
        w.hosts["data"].show_kind(self.kind.pages)
        w.go_to("data")
        if self.located:
            self.notices.append(
                f"The dataset was found at {self.dataset_path}: save the project to remember "
                "the new place."
            )
        page.load(self.dataset_path)

    def _disconnect_page(self) -> None:
        if self._page is not None:
            self._page.loaded.disconnect(self._on_loaded)
            self._page.load_failed.disconnect(self._on_load_failed)
            self._page = None

    def _on_load_failed(self, message: str, hint: str) -> None:
        self._disconnect_page()
        name = Path(self.dataset_path).name
        self.notices.insert(
            0,
            f"The dataset “{name}” could not be loaded ({message}): the project opened "
            f"without its data. {hint}".strip(),
        )
        self._without_data()

    def _without_data(self) -> None:
        """Clear whatever was loaded; the project keeps its dataset reference."""
        self.state.set_dataset(self.kind, None)
        self.controller.detached = self.data if self.data.dataset else None
        self._apply()

    # -- 2. the target -----------------------------------------------------------------------
    def _on_loaded(self, _path: str) -> None:
        self._disconnect_page()
        st, data = self.state, self.data
        if not data.target or st.dataset is None:  # a project of files has no target column
            self._apply()
            return
        if data.target not in {str(c) for c in st.dataset.df.columns}:
            self.notices.append(
                f"The dataset no longer has the column “{data.target}” the project predicted: "
                "choose a target on the Data page."
            )
            self._apply()
            return
        if st.target == data.target and st.task == data.task:
            self._apply()
            return
        self._waiting_target = True
        st.target_changed.connect(self._on_target)
        page = self.window.data_page_of(self.kind)
        page.busy_changed.connect(self._on_busy)
        page.set_target(data.target, data.task)

    def _stop_waiting(self) -> bool:
        if not self._waiting_target:
            return False
        self._waiting_target = False
        self.state.target_changed.disconnect(self._on_target)
        self.window.data_page_of(self.kind).busy_changed.disconnect(self._on_busy)
        return True

    def _on_target(self) -> None:
        if self._stop_waiting():
            self._apply()

    def _on_busy(self, busy: bool) -> None:
        if not busy:  # the analysis ended; its target_changed comes right after, if any
            QTimer.singleShot(0, self._target_failed)

    def _target_failed(self) -> None:
        if self._stop_waiting():
            self.notices.append(
                f"The target “{self.data.target}” could not be checked again: see the Data page."
            )
            self._apply()

    # -- 3. settings and runs ----------------------------------------------------------------
    def _apply(self) -> None:
        w, st, data = self.window, self.state, self.data
        show_task = getattr(w.data_page_of(self.kind), "show_task_choice", None)
        if show_task is not None and st.dataset is not None:  # a table's Task box
            show_task(data.ui.get("task_choice"))
        apply_settings(w, data, self.notices, everything=not self.attach)
        if self.attach:
            self.controller.finish_attach(self.notices)
            return
        from automl_gui.core.project import load_run

        st.runs = list(data.runs)
        st.run_loader = partial(load_run, self.folder)
        st.runs_changed.emit()
        record = data.run(data.current_run)
        if record is None:
            self._complete()
            return
        self._show_curves(record)
        worker = JobWorker(lambda _e, _c: load_run(self.folder, record))
        self._worker = worker
        worker.finished.connect(lambda run: self._on_run_loaded(record, run))
        worker.failed.connect(lambda m, h: self._on_run_failed(record, m, h))
        self.window.statusBar().showMessage(f"Loading {record.name}…")
        worker.start()

    def _on_run_loaded(self, record: Any, run: Any) -> None:
        self._worker = None
        st = self.state
        st.run_objects[record.id] = run
        try:
            st.select_run(record.id)
        except Exception as exc:  # noqa: BLE001 - shown as a notice, the project stays open
            from automl_gui.core.base.errors import describe

            message, hint = describe(exc)
            self.notices.append(f"The run “{record.name}” could not be shown: {message} {hint}")
        self._complete()

    def _on_run_failed(self, record: Any, message: str, hint: str) -> None:
        self._worker = None
        self.notices.append(f"The run “{record.name}” could not be loaded: {message} {hint}")
        self._complete()

    def _show_curves(self, record: Any) -> None:
        """The Train page shows the run's curves (its own method when it has one)."""
        page = self.window.train_page
        show = getattr(page, "show_finished_run", None)
        if show is not None:
            show(record)
            return
        plots = getattr(page, "plots", None)
        if plots is not None and record.history:
            best = (record.summary or {}).get("best_epoch")
            plots.load_history(record.history, task=record.task or None, best_epoch=best)

    # -- 4. the page, and done ---------------------------------------------------------------
    def _complete(self) -> None:
        w = self.window
        page = str(self.data.ui.get("page") or "data")
        if not w.go_to(page):
            w.go_to("data")
        train = w.train_page
        refresh = getattr(train, "refresh", None)
        if refresh is not None:
            refresh()  # the search's resume banner looks in the project's folder now
        resume = getattr(train, "check_resume_training", None)
        if resume is not None:
            resume()
        self.controller.finish_reopening(self.folder, self.notices, self.located)

    def wait_idle(self, msecs: int = 30000) -> bool:
        worker = self._worker
        return worker.wait(msecs) if worker is not None else True

    def attach_loaded(self, path: str) -> None:
        """Attach mode: the table at ``path`` is loaded; choose the project's target and
        apply its preprocessing."""
        self._on_loaded(path)

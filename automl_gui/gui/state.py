"""The window's shared state: one QObject every page reads and updates.

Pages never talk to each other directly; they change :class:`AppState` through its setters,
and the setters emit signals the other pages listen to. Core objects are held as they are
(LoadedTable, TableProfile, PreprocessConfig, ...), so the GUI adds no parallel model.

One dataset is loaded at a time: ``state.kind`` (a ``core.kinds.DataKind``) and
``state.dataset``. Each kind keeps its own settings (:class:`KindSettings`: preprocessing and
model) while another kind is loaded: ``state.settings(kind)``, ``state.settings()`` for the
loaded kind's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from automl_gui.core.data.schema import DataWarning, TableProfile
from automl_gui.core.kinds import DataKind, all_kinds, kind_named
from automl_gui.core.preprocess.config import PreprocessConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.tune.search.space import SearchConfig


@dataclass
class KindSettings:
    """One kind's settings, kept while another kind is loaded.

    Attributes:
        preprocess: the kind's preprocessing settings (tables: a ``PreprocessConfig`` built
            for the loaded table once its target is chosen, else None).
        model: the kind's model settings (``MLPConfig``, ``ImageModelConfig``).
    """

    preprocess: Any = None
    model: Any = None


def _first_settings(kind: DataKind) -> KindSettings:
    """What a kind starts with: its default model, and its default preprocessing when that
    does not depend on a dataset (files; a table's waits for the table and its target)."""
    return KindSettings(
        preprocess=kind.default_preprocess(None) if kind.file_based else None,
        model=kind.default_model(),
    )


class AppState(QObject):
    """Current dataset, settings and results, with change signals."""

    dataset_changed = Signal()  # the dataset was replaced (new one loaded or cleared)
    target_changed = Signal()  # target or task changed (preprocess config rebuilt)
    preprocess_changed = Signal()  # user edited preprocessing
    model_changed = Signal()  # user edited model/training settings
    run_started = Signal()
    run_finished = Signal()  # self.run holds the finished run (or None after failure)
    engine_ready_changed = Signal(bool)
    status = Signal(str)  # a short line for the status bar ("Loading data.csv…")
    page_requested = Signal(str)  # ask the window to show a page: "data", "train", ...
    runs_changed = Signal()  # a run was added, renamed, removed or made current
    run_selected = Signal(str)  # a kept run was made current (select_run): its id
    project_changed = Signal()  # project opened/saved/closed, or its unsaved flag changed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kind: DataKind = kind_named("tabular")  # which kind's pages the steps show
        # the loaded dataset of ``kind``: a LoadedTable, ImageDataset or AudioDataset (None:
        # nothing loaded)
        self.dataset: Any = None
        self._settings: dict[DataKind, KindSettings] = {k: _first_settings(k) for k in all_kinds()}
        # what "auto" resolves to on this computer ("cnn" or a backbone whose weights are
        # here), once the Model page has looked; None until then
        self.auto_architecture: str | None = None
        # the loaded table's analysis: its profile, what the Data page found, the target and
        # its task (None for other kinds, and until a target is chosen)
        self.profile: TableProfile | None = None
        self.warnings: list[DataWarning] = []
        self.target: str | None = None
        self.task: str | None = None  # Task value
        self.training = TrainConfig()
        # the AutoML search the Train page runs instead of one model; None: search off. The
        # Model page of the loaded kind installs its own (widgets/search_settings.py) and
        # calls notify_model_changed() when it changes
        self.search: SearchConfig | None = None
        self.run: Any = None  # the current run (core.jobs.Run) once trained
        self.training_active = False
        self.engine_ready = False
        self.hardware_plan: Any = None  # core.hardware.HardwarePlan once the engine is ready
        self.engine_process: Any = None  # core.jobs.process.EngineProcess that runs training
        # run history (core.project.RunRecord per kept run, oldest first); the run objects in
        # memory by id (a reopened project's runs load from its folder on first use through
        # ``run_loader(record)``); the id of the run Evaluate/Predict/Export use
        self.runs: list[Any] = []
        self.run_objects: dict[str, Any] = {}
        self.current_run_id: str | None = None
        self.run_loader: Any = None  # Callable[[RunRecord], run] set by the project code
        # the open project's folder (None: no project yet) and whether it has unsaved changes
        self.project_path: str | None = None
        self.dirty = False
        for signal in (
            self.dataset_changed,
            self.target_changed,
            self.preprocess_changed,
            self.model_changed,
            self.runs_changed,
        ):
            signal.connect(self.mark_dirty)

    # -- the dataset and each kind's settings ------------------------------------------------
    def settings(self, kind: DataKind | None = None) -> KindSettings:
        """The settings ``kind`` keeps (the loaded kind's when None)."""
        return self._settings[self.kind if kind is None else kind]

    def loaded(self, kind: DataKind) -> Any:
        """The loaded dataset when it is of ``kind``, else None."""
        return self.dataset if self.kind is kind else None

    def set_dataset(
        self, kind: DataKind, dataset: Any, profile: TableProfile | None = None
    ) -> None:
        """``dataset`` of ``kind`` (None: nothing) replaces whatever was loaded; every kind's
        settings are kept, the old dataset's analysis and results go. ``profile``: what
        profiling a table found."""
        self.kind = kind
        self.dataset = dataset
        self.profile = profile
        self.warnings = []
        self.target = self.task = None
        for k, kept in self._settings.items():
            if not k.file_based:  # preprocessing built for one table's columns
                kept.preprocess = None
        self.run = None
        self.current_run_id = None  # the run history stays (the project keeps every run)
        self.search = None  # a new dataset starts with one model (widgets/search_settings.py)
        self.dataset_changed.emit()

    def job_data(self) -> Any:
        """The loaded dataset as the engine's jobs take it: a table's DataFrame, a folder's
        scanned dataset."""
        return self.dataset if self.kind.file_based else self.dataset.df

    def job_task(self) -> str:
        """What the loaded data is trained for: a table's task (its preprocessing's), else
        multiclass classification of files."""
        return "multiclass" if self.kind.file_based else self.settings().preprocess.task

    @property
    def has_dataset(self) -> bool:
        return self.dataset is not None

    def set_target(
        self,
        target: str,
        task: str,
        preprocess: PreprocessConfig,
        warnings: list[DataWarning],
    ) -> None:
        """The loaded table's target, its task and the preprocessing built for them."""
        self.target, self.task = target, task
        self.settings().preprocess = preprocess
        self.warnings = list(warnings)
        self.target_changed.emit()

    def notify_preprocess_changed(self) -> None:
        self.preprocess_changed.emit()

    def notify_model_changed(self) -> None:
        self.model_changed.emit()

    def set_run(self, run: Any) -> None:
        """``run`` becomes the current run (None after a failure); a new finished run is also
        kept in the run history."""
        self.run = run
        if run is not None and not any(obj is run for obj in self.run_objects.values()):
            self.add_run(run)
        self.run_finished.emit()

    # -- run history -----------------------------------------------------------------------
    def add_run(self, run: Any, *, dataset: str | None = None, search: Any = None) -> Any:
        """Keep ``run`` in the history (it becomes current); returns its RunRecord.
        ``dataset``, ``search``: what it was trained on and chosen by, given for a run made
        elsewhere (default: the loaded dataset and the window's search settings)."""
        from automl_gui.core.project import next_run_id, record_for_run

        run_id = next_run_id([r.id for r in self.runs], self.project_path)
        outside = dataset is not None
        record = record_for_run(
            run,
            run_id,
            dataset=dataset if outside else self.dataset_name,
            search=search if outside else self.search,
        )
        self.runs.append(record)
        self.run_objects[run_id] = run
        self.current_run_id = run_id
        self.runs_changed.emit()
        return record

    def run_record(self, run_id: str | None) -> Any:
        """The RunRecord with ``run_id`` (None when absent)."""
        return next((r for r in self.runs if r.id == run_id), None)

    def run_object(self, run_id: str) -> Any:
        """The run object of ``run_id``, loaded through ``run_loader`` on first use.

        Raises:
            KeyError: no such run. Whatever ``run_loader`` raises (ModelError...).
        """
        if run_id in self.run_objects:
            return self.run_objects[run_id]
        record = self.run_record(run_id)
        if record is None or self.run_loader is None:
            raise KeyError(run_id)
        run = self.run_loader(record)
        self.run_objects[run_id] = run
        return run

    def select_run(self, run_id: str) -> None:
        """Make a kept run the current one: Evaluate, Predict and Export show it."""
        run = self.run_object(run_id)
        self.current_run_id = run_id
        self.run = run
        self.run_finished.emit()
        self.runs_changed.emit()
        self.run_selected.emit(run_id)

    def rename_run(self, run_id: str, name: str) -> None:
        record = self.run_record(run_id)
        if record is not None and name.strip() and name != record.name:
            record.name = name.strip()
            self.runs_changed.emit()

    def remove_run(self, run_id: str) -> None:
        """Forget a run (its folder goes when the project is next saved)."""
        record = self.run_record(run_id)
        if record is None:
            return
        self.runs.remove(record)
        run = self.run_objects.pop(run_id, None)
        if self.current_run_id == run_id:
            self.current_run_id = None
            if run is not None and run is self.run:
                self.run = None
                self.run_finished.emit()
        self.runs_changed.emit()

    # -- the project -----------------------------------------------------------------------
    def mark_dirty(self) -> None:
        """Something a project saves changed (no-op while already marked)."""
        if not self.dirty:
            self.dirty = True
            self.project_changed.emit()

    def mark_saved(self, project_path: str | None = None) -> None:
        """The state now matches the project at ``project_path`` (or the current one)."""
        if project_path is not None:
            self.project_path = project_path
        self.dirty = False
        self.project_changed.emit()

    def work_folder(self, name: str, key: str) -> Any:
        """Where a resumable job for ``key`` keeps its files (``name``: "search" or
        "checkpoints"): inside the open project, else in the app's data folder under a hash
        of ``key``. Not created."""
        import hashlib
        from pathlib import Path

        if self.project_path:
            return Path(self.project_path) / name
        from automl_gui.gui import settings as app_settings

        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
        folder = {"search": "searches"}.get(name, name)
        return app_settings.data_dir() / folder / digest

    def set_engine_ready(self, ready: bool, plan: Any = None) -> None:
        self.engine_ready = ready
        self.hardware_plan = plan
        self.engine_ready_changed.emit(ready)

    @property
    def dataset_name(self) -> str:
        """The loaded dataset's file or folder name ("" when nothing is loaded)."""
        from pathlib import Path

        if self.dataset is None:
            return ""
        source = getattr(self.dataset, "source", None)  # a table read from a file
        return Path(source.path if source is not None else self.dataset.root).name

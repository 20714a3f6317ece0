"""Data page: load a table off the UI thread, preview it, profile it, pick the target."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.base.events import Progress
from automl_gui.core.data.schema import Task
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.gui import settings as app_settings
from automl_gui.gui._gc import paused
from automl_gui.gui.pages.registry import ways_in
from automl_gui.gui.pages.tabular._data_jobs import Analysis, LoadResult, analyze_target, load_job
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import Banner
from automl_gui.gui.widgets.dataframe_model import DataFrameModel
from automl_gui.gui.widgets.frame_table import FrameTable
from automl_gui.gui.widgets.page_layout import BusyRow, page_column
from automl_gui.gui.widgets.profile_view import ProfileView
from automl_gui.gui.widgets.warnings_view import WarningsView
from automl_gui.gui.workers import JobWorker, cancel_and_join

TASK_CHOICES = [
    (None, "Auto"),
    (Task.BINARY.value, "Binary classification"),
    (Task.MULTICLASS.value, "Multiclass classification"),
    (Task.REGRESSION.value, "Regression"),
]


class DataPage(QWidget):
    """Step 1: the dataset, its columns, the target and what may go wrong."""

    name = "data"
    title = "Data"

    loaded = Signal(str)  # path of a table that loaded successfully
    load_failed = Signal(str, str)  # message, hint
    busy_changed = Signal(bool)
    sample_requested = Signal()
    kind_sample_requested = Signal(object)  # the DataKind whose bundled sample to open
    open_requested = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._load_worker: JobWorker | None = None
        self._analysis_worker: JobWorker | None = None
        self._workers: set[JobWorker] = set()  # alive until their thread ends
        self._load_gen = 0  # stale results of replaced jobs are ignored
        self._analysis_gen = 0
        self._detected_task = ""
        self._selecting_target = False
        self._build()
        state.dataset_changed.connect(self._on_dataset_changed)
        state.target_changed.connect(self._on_target_changed)

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title_label = QLabel("Data")
        self.title_label.setProperty("role", "title")
        self.info_label = QLabel("No dataset loaded.")
        self.info_label.setProperty("role", "muted")
        self.info_label.setWordWrap(True)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner = Banner()

        self.busy_box = BusyRow(
            "Reading and profiling the file in the background",
            "Stop loading this file (the current dataset stays)",
            160,
        )
        self.busy_bar, self.busy_label = self.busy_box.bar, self.busy_box.label
        self.busy_bar.setRange(0, 0)
        self.cancel_button = self.busy_box.cancel_button
        self.cancel_button.clicked.connect(self.cancel_load)

        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_welcome())
        self.stack.addWidget(self._build_content())

        page_column(self, self.title_label, self.info_label, self.banner, self.busy_box, self.stack)

    def _build_welcome(self) -> QWidget:
        panel = QWidget()
        self.welcome_title = QLabel("Welcome to automl-gui")
        self.welcome_title.setProperty("role", "title")
        self.welcome_text = QLabel(
            "Train a Keras model in a few clicks: load a CSV, TSV or Parquet table, a folder "
            "of images, a folder of sound clips, or texts to classify (a table with a text "
            "column, or a folder of .txt files); or drop it anywhere on this window. Check "
            "what was found, review the automatic preprocessing and model, then train and "
            "watch it learn live."
        )
        self.welcome_text.setWordWrap(True)
        self.sample_button = QPushButton("Open Table Sample")  # as in the File menu
        self.sample_button.setProperty("primary", True)
        self.sample_button.clicked.connect(self.sample_requested)
        sample = app_settings.sample_dataset_path()
        self.sample_button.setEnabled(sample is not None)
        self.sample_button.setToolTip(
            f"Load the bundled demo table ({sample.name}) to try the app"
            if sample
            else "No sample dataset is installed"
        )
        self.sample_buttons: dict[str, QPushButton] = {}  # each kind of files', by pages key
        for kind, ways in ways_in():
            button = QPushButton(ways.sample_text.replace("&", ""))  # the File menu's words
            button.clicked.connect(partial(self.kind_sample_requested.emit, kind))
            button.setEnabled(kind.sample_path() is not None)
            button.setToolTip(ways.welcome_tip)
            self.sample_buttons[kind.pages] = button
        self.own_button = QPushButton("Open your own…")
        self.own_button.setToolTip("Choose a CSV, TSV or Parquet file (Ctrl+O)")
        self.own_button.clicked.connect(self.open_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sample_button)
        for button in self.sample_buttons.values():
            buttons.addWidget(button)
        buttons.addWidget(self.own_button)
        buttons.addStretch(1)
        hint = QLabel("Tip: drop a file or a folder anywhere on the window to open it.")
        hint.setProperty("role", "muted")
        self.welcome_text.setFixedWidth(560)
        # a fixed-width wrapped label does not ask for its wrapped height: seen clipped to
        # two of its three lines on a screenshot
        self.welcome_text.setMinimumHeight(self.welcome_text.heightForWidth(560) + 4)
        layout = QVBoxLayout(panel)
        layout.addStretch(1)
        layout.addWidget(self.welcome_title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(6)
        layout.addWidget(self.welcome_text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(14)
        layout.addLayout(buttons)
        layout.addSpacing(10)
        layout.addWidget(hint, 0, Qt.AlignmentFlag.AlignHCenter)
        self.welcome_text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return panel

    def _build_content(self) -> QWidget:
        self.target_combo = QComboBox()
        self.target_combo.setMinimumWidth(180)
        # sized by a length, not by measuring every column name (20,000 of them), and the
        # popup's rows share one height
        self.target_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.target_combo.setMinimumContentsLength(18)
        self.target_combo.view().setUniformItemSizes(True)
        self.target_combo.setToolTip(
            "The column the model learns to predict. The app guesses one (a column named "
            "target, label, class, y…, else the last column); change it here."
        )
        self.target_combo.currentTextChanged.connect(self._on_target_picked)
        self.task_combo = QComboBox()  # grows with "Auto (multiclass classification)"
        self.task_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for value, label in TASK_CHOICES:
            self.task_combo.addItem(label, value)
        self.task_combo.setToolTip(
            "Auto detects the task from the target: two values → binary classification, a "
            "few values or text → multiclass, many numbers → regression. Override it here."
        )
        self.task_combo.currentIndexChanged.connect(self._on_task_picked)
        self.task_label = QLabel()
        self.task_label.setProperty("role", "muted")
        row = QHBoxLayout()
        row.addWidget(QLabel("Target:"))
        row.addWidget(self.target_combo)
        row.addSpacing(16)
        row.addWidget(QLabel("Task:"))
        row.addWidget(self.task_combo)
        row.addSpacing(8)
        row.addWidget(self.task_label, 1)

        self.model = DataFrameModel()
        self.table = FrameTable()  # columns fitted as they come into view
        self.table.setModel(self.model)
        self.table.setToolTip("A preview of every row (scroll freely: only visible rows are read)")
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        vheader = self.table.verticalHeader()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(22)
        hheader = self.table.horizontalHeader()
        hheader.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hheader.setDefaultSectionSize(110)
        hheader.setResizeContentsPrecision(50)

        self.profile_view = ProfileView()
        self.profile_view.column_selected.connect(self._on_column_selected)
        self.warnings_view = WarningsView()
        warn_box = _titled("Findings", self.warnings_view)
        warn_box.setMinimumWidth(300)
        prof_box = _titled("Columns", self.profile_view)

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.table)
        top.addWidget(warn_box)
        top.setStretchFactor(0, 5)
        top.setStretchFactor(1, 2)
        top.setSizes([700, 380])
        top.setChildrenCollapsible(False)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(prof_box)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([330, 370])
        split.setChildrenCollapsible(False)

        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(row)
        layout.addWidget(split, 1)
        return panel

    # -- welcome -----------------------------------------------------------------------------
    def show_welcome(self, first_launch: bool) -> None:
        """Words for the empty page: a welcome on first launch, a short hint afterwards."""
        if first_launch:
            self.welcome_title.setText("Welcome to automl-gui")
        else:
            self.welcome_title.setText("Open a dataset to begin")
        if self.state.loaded(TABULAR) is None:
            self.stack.setCurrentIndex(0)

    # -- loading -----------------------------------------------------------------------------
    @property
    def is_busy(self) -> bool:
        return self._load_worker is not None or self._analysis_worker is not None

    def load(self, path: str | Path) -> None:
        """Read, profile and analyze ``path`` in the background; the current data stays
        until the new one is ready (and stays if the new one fails)."""
        path = str(path)
        self.cancel_load()
        self._cancel_analysis()  # its result would belong to the table being replaced
        self._load_gen += 1
        worker = JobWorker(paused(partial(load_job, path)))
        self._load_worker = worker
        gen = self._load_gen
        worker.progress.connect(self._on_progress)
        worker.finished.connect(lambda result: self._on_loaded(gen, result))
        worker.failed.connect(lambda m, h: self._on_load_failed(gen, path, m, h))
        worker.cancelled.connect(lambda: self._on_load_cancelled(gen))
        self._track(worker)
        self.banner.dismiss()
        self._set_busy(True, f"Loading {Path(path).name}…")
        self.state.status.emit(f"Loading {Path(path).name}…")
        worker.start()

    def cancel_load(self) -> None:
        """Cancel a load in progress (no-op when idle)."""
        if self._load_worker is not None:
            self._load_worker.cancel()
            self._load_worker = None
            self._set_busy(False)

    def _track(self, worker: JobWorker) -> None:
        self._workers.add(worker)
        worker.done.connect(lambda w=worker: self._workers.discard(w))

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Cancel and join background jobs (the window calls this when it closes)."""
        return cancel_and_join(self._workers, msecs)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy_box.setVisible(busy)
        self.busy_label.setText(text)
        self.cancel_button.setVisible(self._load_worker is not None)
        self.target_combo.setEnabled(not busy)
        self.task_combo.setEnabled(not busy)
        self.busy_changed.emit(busy)

    def _on_progress(self, event: Progress) -> None:
        if event.message:
            self.busy_label.setText(event.message)

    def _cancel_analysis(self) -> None:
        if self._analysis_worker is not None:
            self._analysis_worker.cancel()
            self._analysis_worker = None
        self._analysis_gen += 1

    def _on_loaded(self, gen: int, result: LoadResult) -> None:
        if gen != self._load_gen:
            return
        self._load_worker = None
        self._set_busy(False)
        self.state.set_dataset(TABULAR, result.table, result.profile)
        if result.analysis is not None:
            self._apply(result.analysis)
        rows, cols = result.table.df.shape
        self.state.status.emit(f"Loaded {Path(result.path).name}: {rows:,} rows × {cols:,} columns")
        self.loaded.emit(result.path)

    def _on_load_failed(self, gen: int, path: str, message: str, hint: str) -> None:
        if gen != self._load_gen:
            return
        self._load_worker = None
        self._set_busy(False)
        kept = ""
        if self.state.loaded(TABULAR) is not None:
            kept = f" The previous dataset ({self.state.dataset_name}) is still loaded."
        self.banner.show_message(f"Could not load {Path(path).name}: {message}", hint + kept)
        self.state.status.emit(f"Could not load {Path(path).name}: {message}")
        self.load_failed.emit(message, hint)

    def _on_load_cancelled(self, gen: int) -> None:
        if gen == self._load_gen:
            self._load_worker = None
            self._set_busy(False)
            self.state.status.emit("Loading cancelled.")

    # -- target / task -----------------------------------------------------------------------
    def task_choice(self) -> str | None:
        """What the Task box says (None: Auto)."""
        return self.task_combo.currentData()

    def show_task_choice(self, choice: str | None) -> None:
        """Show ``choice`` (a reopened project's; None: Auto) in the Task box without
        analysing the target again."""
        index = 0 if choice is None else self.task_combo.findData(choice)
        self.task_combo.blockSignals(True)
        self.task_combo.setCurrentIndex(max(index, 0))
        self.task_combo.blockSignals(False)

    def set_target(self, target: str, task: str | None = None) -> None:
        """Choose ``target`` (and a task, None: detect) and re-run the checks in the background."""
        if self.state.loaded(TABULAR) is None or self.state.profile is None:
            return
        df, profile = self.state.loaded(TABULAR).df, self.state.profile
        if target not in df.columns:
            return
        self._cancel_analysis()
        gen = self._analysis_gen
        worker = JobWorker(
            paused(lambda on_event, cancel: analyze_target(df, profile, target, task))
        )
        self._analysis_worker = worker
        worker.finished.connect(lambda analysis: self._on_analyzed(gen, analysis))
        worker.failed.connect(lambda m, h: self._on_analysis_failed(gen, m, h))
        self._track(worker)
        self._set_busy(True, f"Checking target “{target}”…")
        worker.start()

    def _on_analyzed(self, gen: int, analysis: Analysis) -> None:
        if gen != self._analysis_gen:
            return
        self._analysis_worker = None
        self._set_busy(False)
        self._apply(analysis)

    def _on_analysis_failed(self, gen: int, message: str, hint: str) -> None:
        if gen != self._analysis_gen:
            return
        self._analysis_worker = None
        self._set_busy(False)
        self.banner.show_message(message, hint)

    def _apply(self, analysis: Analysis) -> None:
        self._detected_task = analysis.detected_task
        self.state.set_target(analysis.target, analysis.task, analysis.config, analysis.warnings)
        if analysis.error:
            self.state.status.emit(f"Target “{analysis.target}” cannot be used: {analysis.error}")

    def _on_target_picked(self, name: str) -> None:
        if name and name != self.state.target:
            self.task_combo.blockSignals(True)
            self.task_combo.setCurrentIndex(0)
            self.task_combo.blockSignals(False)
            self.set_target(name, None)

    def _on_task_picked(self, index: int) -> None:
        if self.state.target:
            self.set_target(self.state.target, self.task_combo.itemData(index))

    def _on_column_selected(self, name: str) -> None:
        if self._selecting_target:
            return  # the target is selected for its plot; keep the preview where it is
        frame = self.model.frame
        if frame is None or name not in frame.columns:
            return
        where = frame.columns.get_loc(name)
        if isinstance(where, slice):  # a repeated name: its first column
            where = where.start
        elif not isinstance(where, int):
            where = int(where.argmax())
        self.table.scrollTo(self.model.index(0, where))

    # -- reacting to state -------------------------------------------------------------------
    def _on_dataset_changed(self) -> None:
        table, profile = self.state.loaded(TABULAR), self.state.profile
        self.model.set_frame(table.df if table is not None else None)
        self.profile_view.set_profile(profile)
        self.warnings_view.set_warnings([])
        self.target_combo.blockSignals(True)
        self.target_combo.clear()
        if table is not None:
            self.target_combo.addItems([str(c) for c in table.df.columns])
        self.target_combo.setCurrentIndex(-1)
        self.target_combo.blockSignals(False)
        if table is None:
            self.info_label.setText("No dataset loaded.")
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        rows, cols = table.df.shape
        text = f"<b>{self.state.dataset_name}</b> — {rows:,} rows × {cols:,} columns"
        if profile is not None and profile.duplicate_rows:
            text += f" · {profile.duplicate_rows:,} duplicate rows"
        for notice in table.notices:
            text += f"<br>ⓘ {notice}"
        self.info_label.setText(text)
        self.info_label.setToolTip(table.source.path)
        self.table.resizeColumnsToContents()  # the columns in view (capped at 240 px)

    def _on_target_changed(self) -> None:
        target, task = self.state.target, self.state.task
        self.target_combo.blockSignals(True)
        self.target_combo.setCurrentText(target or "")
        self.target_combo.blockSignals(False)
        detected = self._detected_task or task or ""
        self.task_combo.setItemText(0, f"Auto ({_task_words(detected)})" if detected else "Auto")
        self.task_label.setText(f"Training a {_task_words(task)} model." if task else "")
        self.warnings_view.set_warnings(self.state.warnings)
        if target:
            self._selecting_target = True
            self.profile_view.select_column(target)
            self._selecting_target = False


def _titled(title: str, widget: QWidget) -> QWidget:
    """``widget`` under a bold section title."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 4, 0, 0)
    label = QLabel(title)
    label.setStyleSheet("font-weight: 600;")
    layout.addWidget(label)
    layout.addWidget(widget, 1)
    return box


def _task_words(task: str | None) -> str:
    return {
        "binary": "binary classification",
        "multiclass": "multiclass classification",
        "regression": "regression",
    }.get(task or "", task or "")

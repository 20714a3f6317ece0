"""File → Export Training Job…: the open project's training as a folder for a cluster.

The dialog builds :class:`~automl_gui.core.cluster.job_export.JobSettings` from the window
(the data's path and kind, the target, and the Model and Train pages' settings through
:func:`~automl_gui.core.cluster.job_export.train_args_for`) and a
:class:`~automl_gui.core.cluster.job_export.JobTarget` from its own fields (train one model
across workers or search across workers, how many workers, the hosts and port of a plain
multi-host launch, whether the data is copied, the container image), shows the command every
process runs and what the command line cannot carry, and writes the folder with
:func:`~automl_gui.core.cluster.job_export.export_job` in a worker thread (copying data may
take a while). Then it lists the files and offers to open the folder. Its fields are
remembered (QSettings ``cluster/job``), as the app's other dialogs remember theirs.

The finished run comes back with File → Open Run Folder… (:mod:`.open_run`).
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from automl_gui.gui import settings as app_settings
from automl_gui.gui.workers import JobWorker

KEY_JOB = "cluster/job"
EXPORT_JOB_TIP = (
    "Write this project's training as a folder for other machines: the settings, the data "
    "(or where it is) and launch files for plain hosts, Slurm and Kubernetes"
)
SHORTCUT = "Ctrl+Shift+J"
#: said under the command when the Train page's epochs are Auto (no --epochs)
AUTO_EPOCHS_NOTE = (
    "Epochs: Auto, as on the Train page: the command line sets them from the data's size, "
    "and early stopping usually ends sooner. Set epochs on the Train page to fix the length."
)
#: the container image when the field is left empty (JobTarget's own default)
DEFAULT_IMAGE = "automl-gui:latest"
#: (mode, what the box says, its tooltip)
MODES = (
    (
        "train",
        "Train one model on several workers",
        "Every worker trains the same model on its share of the data "
        "(tf.distribute.MultiWorkerMirroredStrategy); the first writes the run",
    ),
    (
        "search",
        "Search on several workers",
        "An AutoML search: a chief runs Keras Tuner's oracle and keeps the leaderboard, "
        "the workers run trials",
    ),
)
DATA_CHOICES = (
    (False, "Refer to it (the cluster reads it from a shared disk)"),
    (True, "Copy it into the job folder"),
)


def blocker(window: Any) -> str:
    """Why no job can be exported now ("" when one can): what Train needs."""
    return window.step_blocker("train")


def job_action(window: Any) -> Any:
    """The File menu's "Export Training Job…" action (Ctrl+Shift+J), disabled with the
    reason as tooltip until the data is ready to train."""
    action = window.make_action(
        "Export Training Jo&b…",
        EXPORT_JOB_TIP,
        lambda: open_job_dialog(window),
        QKeySequence(SHORTCUT),
    )

    def refresh() -> None:
        reason = blocker(window)
        action.setEnabled(not reason)
        action.setToolTip(reason or EXPORT_JOB_TIP)

    st = window.state
    for signal in (st.dataset_changed, st.target_changed, st.preprocess_changed):
        signal.connect(refresh)
    action.refresh = refresh  # type: ignore[attr-defined]
    refresh()
    return action


def open_job_dialog(window: Any) -> TrainingJobDialog:
    """Open the dialog over ``window`` (window-modal; returns at once)."""
    dialog = TrainingJobDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.job_dialog = dialog  # tests find the open one here
    dialog.open()
    return dialog


def window_settings(window: Any, mode: str) -> dict[str, Any]:
    """The window's settings as ``train_args_for`` takes them; ``mode`` "search" uses the
    window's search (or the Model page's remembered one when the search is off)."""
    from automl_gui.gui._project_state import dataset_ref

    state = window.state
    kept = state.settings()
    search = None
    if mode == "search":
        search = state.search or app_settings.load_search(window.settings, state.kind.name)
    ref = dataset_ref(state) or {}
    dataset = state.dataset
    return {
        "kind": state.kind.name,
        "data": ref.get("path", ""),
        "target": state.target or getattr(dataset, "label_column", None),
        "task": state.task,
        "text_column": getattr(dataset, "text_column", None),
        "preprocess": kept.preprocess.to_dict() if kept.preprocess is not None else None,
        "model": kept.model.to_dict() if kept.model is not None else None,
        "training": state.training.to_dict(),
        "search": search.to_dict() if search is not None else None,
    }


def default_folder() -> str:
    """Where jobs go unless the user chose a place before: the app's data folder's jobs/."""
    return str(app_settings.data_dir() / "jobs")


def _spin(low: int, high: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setToolTip(tip)
    return box


class TrainingJobDialog(QDialog):
    """Mode, workers, hosts, port, data, image and where: then Export writes the job.

    Attributes:
        written: the files the last export wrote (empty until then).
        folder: the job folder written (None until then).
    """

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window_ = window
        self.state = window.state
        self.written: list[Path] = []
        self.folder: Path | None = None
        self.worker: JobWorker | None = None
        self.setWindowTitle("Export Training Job")
        self.setMinimumWidth(560)
        self._build()
        self._restore()
        self._update_preview()

    # -- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        intro = QLabel(
            "A folder with everything other machines need to run this project's training: "
            "the settings, the data (or where it is) and launch files for plain hosts, Slurm "
            "and Kubernetes. When it has run, open its output/run folder here with File → "
            "Open Run Folder…"
        )
        intro.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setToolTip(
            "The job's name: its folder, Slurm's job name and the Kubernetes objects' names"
        )
        self.mode = QComboBox()
        for i, (key, text, tip) in enumerate(MODES):
            self.mode.addItem(text, key)
            self.mode.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        self.mode.setToolTip("Train one model across workers, or run an AutoML search on them")
        self.workers = _spin(1, 512, "")
        self.hosts = QLineEdit()
        self.hosts.setPlaceholderText("host1, host2, … (empty: placeholders to fill in)")
        self.hosts.setToolTip(
            "For the plain multi-host launch (run-on-hosts.sh): one host per process, the "
            "first writes the run; a host named twice gets the next port, and a host may "
            "carry its own (node1:2222). Slurm and Kubernetes find their hosts themselves."
        )
        self.port = _spin(1024, 65535 - 512, "The port each process listens on")
        self.copy_data = QComboBox()
        for value, text in DATA_CHOICES:
            self.copy_data.addItem(text, value)
        self.copy_data.setToolTip(
            "Copy the data into the job folder (self-contained, larger), or refer to it: "
            "data.txt says where the job expects it"
        )
        self.image = QLineEdit()
        self.image.setPlaceholderText(DEFAULT_IMAGE)
        self.image.setToolTip(
            "The container image the Kubernetes files run (the project's Dockerfile builds "
            f"one); empty: {DEFAULT_IMAGE}. Plain hosts and Slurm do not use it."
        )
        self.where = QLineEdit()
        self.where.setToolTip("The folder the job's folder is written into")
        browse = QPushButton("Browse…")
        browse.setToolTip("Choose the folder the job's folder goes into")
        browse.clicked.connect(self._browse)
        where_row = QHBoxLayout()
        where_row.setContentsMargins(0, 0, 0, 0)
        where_row.addWidget(self.where, 1)
        where_row.addWidget(browse)
        where_box = QWidget()
        where_box.setLayout(where_row)

        form = QFormLayout()
        form.addRow("Job name:", self.name)
        form.addRow("Run:", self.mode)
        self.workers_label = QLabel("Workers:")
        form.addRow(self.workers_label, self.workers)
        form.addRow("Hosts:", self.hosts)
        form.addRow("Port:", self.port)
        form.addRow("Data:", self.copy_data)
        form.addRow("Container image:", self.image)
        form.addRow("Save in:", where_box)

        self.command = QLabel()
        self.command.setWordWrap(True)
        self.command.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.command.setToolTip("What every process of the job runs (paths inside the job folder)")
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setProperty("muted", True)
        self.taken = QLabel()  # the job folder exists already: Export waits for a new name
        self.taken.setWordWrap(True)
        self.taken.hide()
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton(
            "&Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setToolTip("Write the job folder")
        self.open_button = self.buttons.addButton(
            "&Open Folder", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_button.setToolTip("Show the job folder in the file manager")
        self.open_button.hide()
        self.export_button.clicked.connect(self.export)
        self.open_button.clicked.connect(self.open_folder)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Command</b>"))
        layout.addWidget(self.command)
        layout.addWidget(self.notes)
        layout.addWidget(self.taken)
        layout.addWidget(self.result)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.mode.currentIndexChanged.connect(self._update_preview)
        for box in (self.workers, self.port):
            box.valueChanged.connect(self._update_preview)
        for line in (self.name, self.hosts, self.image, self.where):
            line.textChanged.connect(self._update_preview)

    # -- remembered fields -----------------------------------------------------------------
    def _restore(self) -> None:
        try:
            saved = json.loads(str(self.window_.settings.value(KEY_JOB, "") or "{}"))
        except ValueError:
            saved = {}
        saved = saved if isinstance(saved, dict) else {}
        mode = saved.get("mode") if self.state.search is None else "search"
        self.mode.setCurrentIndex(max(0, self.mode.findData(mode or "train")))
        self.workers.setValue(_int(saved.get("workers"), 2))
        self.hosts.setText(str(saved.get("hosts") or ""))
        self.port.setValue(_int(saved.get("port"), 12345))
        self.copy_data.setCurrentIndex(1 if saved.get("copy_data") is True else 0)
        self.image.setText(str(saved.get("image") or DEFAULT_IMAGE))
        self.where.setText(str(saved.get("where") or default_folder()))
        from automl_gui.core.cluster.job_export import job_name

        self.name.setText(job_name(f"{Path(self.state.dataset_name).stem}-{self.mode_key}"))

    def _remember(self) -> None:
        values = {
            "mode": self.mode_key,
            "workers": self.workers.value(),
            "hosts": self.hosts.text().strip(),
            "port": self.port.value(),
            "copy_data": bool(self.copy_data.currentData()),
            "image": self.image.text().strip(),
            "where": self.where.text().strip(),
        }
        self.window_.settings.setValue(KEY_JOB, json.dumps(values))

    @property
    def mode_key(self) -> str:
        return str(self.mode.currentData())

    # -- what is written -------------------------------------------------------------------
    def job(self) -> tuple[Any, Any]:
        """(JobSettings, JobTarget) from the window and the fields.

        Raises:
            ConfigError: the settings cannot be a command line (a search with no budget).
        """
        from automl_gui.core.cluster.job_export import JobSettings, JobTarget, train_args_for

        values = window_settings(self.window_, self.mode_key)
        notes: list[str] = []
        args = train_args_for(values, left_out=notes)
        settings = JobSettings(
            data=Path(values["data"]),
            kind=values["kind"],
            train_args=args,
            name=self.name.text().strip() or "job",
            notes=notes,
        )
        hosts = [h for h in self.hosts.text().replace(",", " ").split() if h]
        target = JobTarget(
            mode=self.mode_key,
            workers=self.workers.value(),
            hosts=hosts,
            port=self.port.value(),
            copy_data=bool(self.copy_data.currentData()),
            image=self.image.text().strip() or DEFAULT_IMAGE,
        )
        return settings, target

    def out_folder(self) -> Path:
        """The job folder Export writes: the job's (sanitized) name in "Save in"."""
        from automl_gui.core.cluster.job_export import job_name

        where = Path(self.where.text().strip() or default_folder()).expanduser()
        return where / job_name(self.name.text().strip() or "job")

    def _update_preview(self) -> None:
        from automl_gui.core.base.errors import describe

        searching = self.mode_key == "search"
        self.workers_label.setText("Search workers:" if searching else "Workers:")
        self.workers.setToolTip(
            "Processes running trials (the chief, which runs the oracle, is one more)"
            if searching
            else "Processes training the model together, one per machine"
        )
        old = self.name.text()
        for key, _text, _tip in MODES:  # a name this dialog made follows the mode
            if old.endswith(f"-{key}") and key != self.mode_key:
                self.name.setText(old[: -len(key)] + self.mode_key)  # previews again
                return
        from automl_gui.core.cluster.job_export import plan_job

        try:
            settings, target = self.job()
            plan = plan_job(settings, target)  # checked as the export checks it
        except Exception as exc:  # noqa: BLE001 - shown, and Export stays off
            message, hint = describe(exc)
            self.command.setText(f"⚠ {_escape(message)} {_escape(hint)}".strip())
            self.notes.setText("")
            self.export_button.setEnabled(False)
            return
        self.command.setText(f"<code>{_escape(shlex.join(plan.command))}</code>")
        notes = (
            ["Not carried (the command line uses its own): " + "; ".join(settings.notes) + "."]
            if settings.notes
            else []
        )
        if not searching and "--epochs" not in settings.train_args:
            notes.append(AUTO_EPOCHS_NOTE)
        self.notes.setText("<br>".join(_escape(n) for n in notes))
        out = self.out_folder()
        taken = out.exists()
        just_written = out == self.folder  # the result line below says so already
        self.taken.setText(f"⚠ {_escape(str(out))} exists: change the job name.")
        self.taken.setVisible(taken and not just_written)
        self.export_button.setEnabled(self.worker is None and not taken)
        self.export_button.setToolTip(
            "Write the job folder" if not taken else f"{out} exists: change the job name"
        )

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Where to write the job", self.where.text() or default_folder()
        )
        if folder:
            self.where.setText(folder)

    def export(self) -> None:
        """Write the job folder (worker thread); the result or the problem shows below."""
        from automl_gui.core.base.errors import describe
        from automl_gui.core.cluster.job_export import export_job

        try:
            settings, target = self.job()
        except Exception as exc:  # noqa: BLE001 - shown in the dialog
            self._show_problem(*describe(exc))
            return
        out = self.out_folder()
        where = out.parent
        self._remember()

        def job(on_event: Any, cancel: Any) -> list[Path]:
            where.mkdir(parents=True, exist_ok=True)
            return export_job(settings, target, out)

        self.worker = JobWorker(job, self)
        self.worker.finished.connect(lambda files: self._written(out, files))
        self.worker.failed.connect(self._show_problem)
        self.worker.done.connect(self._worker_done)
        self.export_button.setEnabled(False)
        self.result.setText(f"Writing {out}…")
        self.worker.start()

    def _worker_done(self) -> None:
        self.worker = None
        self._update_preview()  # Export stays off while the folder written is named

    def _written(self, out: Path, files: list[Path]) -> None:
        self.folder, self.written = out, list(files)
        names = ", ".join(p.name for p in files)
        self.result.setText(
            f"Wrote {len(files)} files into {out}: {names}.\nREADME.txt there says which "
            "launch file to use; the chief writes output/run, which File → Open Run "
            "Folder… opens here. To write another job, change the job name."
        )
        self.result.setProperty("error", False)
        self.open_button.show()
        self.state.status.emit(f"Training job written to {out}")

    def _show_problem(self, message: str, hint: str = "") -> None:
        self.result.setText(f"⚠ {message} {hint}".strip())
        self.open_button.hide()

    def open_folder(self) -> None:
        if self.folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""The Runs window's panel under the runs list: the selected run in a few lines, and its note.

The note is the RunRecord's ``note`` (kept in the project file); editing it marks the project
as changed.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from automl_gui.core.base.units import format_duration
from automl_gui.gui import runs_data as data

OPTIMIZER_WORDS = {"adam": "Adam", "rmsprop": "RMSprop", "sgd": "SGD", "adamax": "Adamax"}
KEY_METRICS = {
    "regression": ("r2", "mae", "rmse"),
    "": ("accuracy", "f1_macro", "roc_auc", "log_loss"),
}


def describe(record: Any, current: bool) -> str:
    """Rich text: the run's name, what it trained, its test metrics and how training went."""
    esc = html.escape
    tag = " <span style='color:#2E7D32'>(current)</span>" if current else ""
    lines = [f"<b>{esc(record.name)}</b>{tag} <span style='color:#868e96'>{esc(record.id)}</span>"]
    task = record.task or "?"
    on = f" on {esc(record.dataset)}" if record.dataset else ""
    lines.append(
        f"{esc(data.model_words(record))} · {esc(task)}{on} · "
        f"finished {esc(data.created_text(record.created))}"
    )
    keys = KEY_METRICS["regression" if record.task == "regression" else ""]
    metrics = record.metrics or {}
    parts = [
        f"{data.metric_label(k)} {data.fmt_metric(metrics.get(k))}"
        for k in keys
        if data.number(metrics.get(k)) is not None
    ]
    lines.append("Test: " + (" · ".join(parts) if parts else "no test metrics recorded"))
    summary = record.summary or {}
    training = (record.settings or {}).get("training") or {}
    figures = []
    epochs = data.epochs_run(record)
    if epochs is not None:
        best = data.best_epoch(record)
        figures.append(f"{epochs} epochs" + (f" (best {best})" if best else ""))
    reason = summary.get("stopped_reason")
    if reason:
        figures.append(data.STOP_WORDS.get(str(reason), str(reason)))
    if data.number(summary.get("seconds")) is not None:
        figures.append(f"time {format_duration(summary.get('seconds'))}")
    if summary.get("batch_size"):
        figures.append(f"batch {summary['batch_size']}")
    if training.get("optimizer"):
        opt = str(training["optimizer"])
        figures.append(OPTIMIZER_WORDS.get(opt, opt))
    if data.number(training.get("learning_rate")) is not None:
        figures.append(f"learning rate {data.fmt(training['learning_rate'])}")
    if data.number(training.get("weight_decay")):
        figures.append(f"weight decay {data.fmt(training['weight_decay'])}")
    if training.get("refit"):
        figures.append("refit on all data")
    lines.append("Training: " + (", ".join(figures) if figures else "no figures recorded"))
    spread = distribution_words(summary.get("distribution"))
    if spread:
        lines.append(esc(spread))
    return "<br>".join(lines)


def distribution_words(recorded: Any) -> str:
    """How a run trained on several workers or devices, in one line ("Across 2 workers:
    MultiWorkerMirroredStrategy, 2 replicas, global batch 16"); "" for one worker with one
    replica, or when not recorded (``metadata["distribution"]``)."""
    if not isinstance(recorded, dict):
        return ""
    workers = data.number(recorded.get("workers")) or 1
    replicas = data.number(recorded.get("replicas")) or 1
    if workers <= 1 and replicas <= 1:
        return ""
    where = f"Across {int(workers)} workers" if workers > 1 else "On one machine"
    parts = [str(recorded.get("strategy") or "")] if recorded.get("strategy") != "none" else []
    parts.append(f"{int(replicas)} replica{'s' if replicas != 1 else ''}")
    if data.number(recorded.get("global_batch_size")):
        parts.append(f"global batch {int(recorded['global_batch_size'])}")
    return f"{where}: " + ", ".join(p for p in parts if p)


class RunDetails(QGroupBox):
    """The selected run's summary and its editable note."""

    note_edited = Signal(str, str)  # run id, note

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Selected run", parent)
        self.run_id: str | None = None
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setToolTip("The run selected in the list: what it trained and how it did")
        self.note = QLineEdit()
        self.note.setPlaceholderText("A note about this run (kept in the project)")
        self.note.setToolTip(
            "Your note about this run, e.g. what you changed and why; saved with the project"
        )
        self.note.setClearButtonEnabled(True)
        self.note.editingFinished.connect(self._on_note)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        note_label = QLabel("&Note:")
        note_label.setBuddy(self.note)
        form.addRow(note_label, self.note)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(form)
        layout.addStretch(1)
        self.show_run(None, False)

    def show_run(self, record: Any, current: bool) -> None:
        """Describe ``record`` (None: say to select one)."""
        self.run_id = None if record is None else record.id
        self.note.setEnabled(record is not None)
        if record is None:
            self.text.setText("Select a run in the list to see its details.")
            self.note.setText("")
            return
        self.text.setText(describe(record, current))
        if not self.note.hasFocus():
            self.note.setText(record.note or "")

    def _on_note(self) -> None:
        if self.run_id is not None:
            self.note_edited.emit(self.run_id, self.note.text().strip())

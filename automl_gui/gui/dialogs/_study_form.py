"""The comparison study dialog's settings form: the study kind, its values, the epochs.

:meth:`StudyForm.values_dict` turns what the user typed into the fields of a
``core.tune.studies.StudyConfig`` and raises ``ConfigError`` (message and hint) for bad text;
:meth:`StudyForm.saved` / :meth:`StudyForm.restore` remember the form between sessions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.base.errors import ConfigError
from automl_gui.gui.widgets.banner import muted_label


@dataclass(frozen=True)
class StudyType:
    """One kind of comparison study, as the dialog offers and reports it.

    Attributes:
        question: the choice in plain words; ``explanation``: what the study does.
        scored: a best score is named when it ends (a devices study trains the same model on
            each device: only the times differ).
        timed: time is part of the answer (the fastest row is named).
        on_gpus: compares devices (the dialog says when there is no GPU to compare).
        values_field: the form's text field of values to compare (None: no typed values).
        compared: what the trainings differ in, for the data line ("the optimizer");
            ``varies``: the training setting that changes ("optimizer", "batch_size"; "" when
            it is the data or the device), left out of the settings every training shares.
    """

    question: str
    explanation: str
    scored: bool = True
    timed: bool = False
    on_gpus: bool = False
    values_field: str | None = None
    compared: str = ""
    varies: str = ""


STUDY_TYPES: dict[str, StudyType] = {
    "optimizers": StudyType(
        "Which optimizer learns best?",
        "Trains the same model once per optimizer and compares the final validation score "
        "and how many iterations each needs to converge.",
        compared="the optimizer",
        varies="optimizer",
    ),
    "batch-sizes": StudyType(
        "Which batch size?",
        "Trains once per batch size: smaller batches take more steps per epoch, larger ones "
        "are faster per epoch but may generalize worse.",
        timed=True,
        values_field="batch_edit",
        compared="the batch size",
        varies="batch_size",
    ),
    "learning-curve": StudyType(
        "How much data do I need? (learning curve)",
        "Trains on growing parts of the training data and scores each on the same test rows: "
        "if the curve still rises at 100 %, more data would help.",
        values_field="sizes_edit",
        compared="the number of training examples",
    ),
    "devices": StudyType(
        "CPU or GPU?",
        "Trains the same model on each device and compares the time per epoch and in total.",
        scored=False,
        timed=True,
        on_gpus=True,
        compared="the device",
    ),
}

OPTIMIZERS: dict[str, str] = {
    "sgd": "SGD with momentum 0.9: the classic; steady but often needs more epochs.",
    "adam": "Adam: an adaptive step size per weight; a safe default.",
    "adadelta": "Adadelta: adapts its steps from past updates; often slow at the default rate.",
    "rmsprop": "RMSprop: scales each step by the recent size of its gradients.",
    "adamax": "Adamax: Adam's variant using the largest recent gradient; robust to outliers.",
}
OPTIMIZER_NAMES = {
    "sgd": "SGD",
    "adam": "Adam",
    "adadelta": "Adadelta",
    "rmsprop": "RMSprop",
    "adamax": "Adamax",
}
DEFAULT_BATCH_SIZES = (8, 16, 32, 64)
DEFAULT_SIZES = (0.1, 0.25, 0.5, 0.75, 1.0)
DEFAULT_EPOCHS = 30
NO_GPU = "No GPU on this computer: the study times the CPU only."


def parse_numbers(text: str, what: str, example: str) -> list[float]:
    """Comma (or space) separated numbers; ConfigError naming the bad piece otherwise."""
    pieces = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    if not pieces:
        raise ConfigError(f"Enter at least one {what}.", f"For example: {example}.")
    values = []
    for piece in pieces:
        try:
            value = float(piece.strip().rstrip("%"))
        except ValueError:
            raise ConfigError(
                f"“{piece.strip()}” is not a number in the {what} list.",
                f"Separate numbers with commas, for example: {example}.",
            ) from None
        if piece.strip().endswith("%"):
            value /= 100
        if not math.isfinite(value) or value <= 0:
            raise ConfigError(
                f"“{piece.strip()}” in the {what} list must be above zero.",
                f"For example: {example}.",
            )
        values.append(value)
    return values


def parse_batch_sizes(text: str) -> tuple[int, ...]:
    """'8, 16, 32' → (8, 16, 32): whole numbers ≥ 1, sorted, duplicates dropped."""
    example = "8, 16, 32, 64"
    values = parse_numbers(text, "batch size", example)
    for value in values:
        if value != int(value):
            raise ConfigError(
                f"Batch size “{value:g}” is not a whole number.", f"For example: {example}."
            )
        if value > 1_000_000:
            raise ConfigError(f"Batch size {value:g} is too large.", f"For example: {example}.")
    return tuple(sorted({int(v) for v in values}))


def parse_sizes(text: str) -> tuple[float, ...]:
    """'0.1, 50%, 200' → (0.1, 0.5, 200): fractions (≤ 1) or whole row counts (> 1)."""
    example = "0.1, 0.25, 0.5, 1 (fractions) or 100, 200, 400 (rows)"
    values = parse_numbers(text, "training-set size", example)
    for value in values:
        if value > 1 and value != int(value):
            raise ConfigError(
                f"Size “{value:g}” is neither a fraction (0 to 1) nor a whole number of rows.",
                f"Use fractions of the training data or row counts, e.g. {example}.",
            )
    return tuple(sorted(set(values)))


def _join(values: Any) -> str:
    return ", ".join(f"{float(v):g}" for v in values)


class StudyForm(QWidget):
    """What to compare: the study kind, its values, and the epochs per training."""

    kind_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        kinds = QVBoxLayout()
        kinds.setSpacing(2)
        for i, (kind, study) in enumerate(STUDY_TYPES.items()):
            button = QRadioButton(study.question)
            button.setToolTip(study.explanation)
            button.setProperty("kind", kind)
            self.kind_group.addButton(button, i)
            self.kind_buttons[kind] = button
            kinds.addWidget(button)
        self.kind_buttons["optimizers"].setChecked(True)
        self.description = muted_label()
        kinds.addWidget(self.description)
        kinds.addStretch(1)

        self.optimizer_boxes: dict[str, QCheckBox] = {}
        opt_page = QWidget()
        grid = QGridLayout(opt_page)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, (name, tip) in enumerate(OPTIMIZERS.items()):
            box = QCheckBox(OPTIMIZER_NAMES[name])
            box.setToolTip(tip)
            box.setChecked(True)
            self.optimizer_boxes[name] = box
            grid.addWidget(box, i // 3, i % 3)
        grid.addWidget(muted_label("Each optimizer uses the learning rate from the Model page."))
        grid.setRowStretch(3, 1)

        self.batch_edit = QLineEdit(_join(DEFAULT_BATCH_SIZES))
        self.batch_edit.setToolTip("Batch sizes to compare, separated by commas")
        self.batch_edit.setPlaceholderText("8, 16, 32, 64")
        batch_page = self._edit_page(
            "Batch sizes", self.batch_edit, "Whole numbers separated by commas."
        )
        self.sizes_edit = QLineEdit(_join(DEFAULT_SIZES))
        self.sizes_edit.setToolTip(
            "Parts of the training data: fractions (0.25 or 25%) or numbers of rows (200)"
        )
        self.sizes_edit.setPlaceholderText("0.1, 0.25, 0.5, 0.75, 1")
        sizes_page = self._edit_page(
            "Training-set sizes",
            self.sizes_edit,
            "Fractions of the training data (0.25 or 25%) or row counts (200); the "
            "validation and test rows stay the same.",
        )
        self.devices_note = muted_label()
        devices_page = QWidget()
        dev_layout = QVBoxLayout(devices_page)
        dev_layout.setContentsMargins(0, 0, 0, 0)
        dev_layout.addWidget(self.devices_note)
        dev_layout.addStretch(1)

        self.values = QStackedWidget()
        self._pages = {
            "optimizers": opt_page,
            "batch-sizes": batch_page,
            "learning-curve": sizes_page,
            "devices": devices_page,
        }
        for page in self._pages.values():
            self.values.addWidget(page)

        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 10_000)
        self.epochs_spin.setValue(DEFAULT_EPOCHS)
        self.epochs_spin.setToolTip(
            "The most epochs each training runs (early stopping from the Model page may end "
            "it sooner)"
        )
        epochs_row = QHBoxLayout()
        epochs_label = QLabel("&Epochs per training:")
        epochs_label.setBuddy(self.epochs_spin)
        epochs_row.addWidget(epochs_label)
        epochs_row.addWidget(self.epochs_spin)
        epochs_row.addStretch(1)

        right = QVBoxLayout()
        right.addWidget(self.values, 1)
        right.addLayout(epochs_row)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(kinds, 3)
        layout.addLayout(right, 2)

        self.kind_group.buttonToggled.connect(self._kind_toggled)
        self.set_gpu_available(None)
        self._show_kind()

    @staticmethod
    def _edit_page(title: str, edit: QLineEdit, help_text: str) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        label = QLabel(f"{title}:")
        label.setBuddy(edit)
        form.addRow(label, edit)
        form.addRow(muted_label(help_text))
        return page

    # -- kind ---------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        button = self.kind_group.checkedButton()
        return str(button.property("kind")) if button is not None else "optimizers"

    def set_kind(self, kind: str) -> None:
        if kind in self.kind_buttons:
            self.kind_buttons[kind].setChecked(True)

    def _kind_toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked:
            self._show_kind()
            self.kind_changed.emit(self.kind)

    def _show_kind(self) -> None:
        self.values.setCurrentWidget(self._pages[self.kind])
        self.description.setText(STUDY_TYPES[self.kind].explanation)

    def set_gpu_available(self, available: bool | None) -> None:
        """What the devices study will time (None: the engine has not looked yet)."""
        if available is None:
            text = "The engine is still looking for devices."
        elif available:
            text = "Times the same training on the CPU and on each GPU."
        else:
            text = NO_GPU
        self.devices_note.setText(text)

    def focus_values(self) -> None:
        """Put the keyboard focus on the current kind's values (after a bad entry)."""
        field = STUDY_TYPES[self.kind].values_field
        if field is not None:
            edit = getattr(self, field)
            edit.setFocus()
            edit.selectAll()

    # -- values -------------------------------------------------------------------------------
    def values_dict(self) -> dict[str, Any]:
        """The StudyConfig fields for the chosen kind; ConfigError for bad or missing values."""
        values: dict[str, Any] = {"kind": self.kind, "epochs": self.epochs_spin.value()}
        read = {
            "optimizers": self._optimizers,
            "batch-sizes": lambda: {"batch_sizes": parse_batch_sizes(self.batch_edit.text())},
            "learning-curve": lambda: {"sizes": parse_sizes(self.sizes_edit.text())},
        }.get(self.kind)
        if read is not None:
            values.update(read())
        return values

    def _optimizers(self) -> dict[str, Any]:
        chosen = tuple(n for n, box in self.optimizer_boxes.items() if box.isChecked())
        if not chosen:
            raise ConfigError("No optimizer is ticked.", "Tick at least two optimizers to compare.")
        return {"optimizers": chosen}

    def saved(self) -> dict[str, Any]:
        """Everything the user set, for the settings store (text as typed)."""
        return {
            "kind": self.kind,
            "optimizers": [n for n, box in self.optimizer_boxes.items() if box.isChecked()],
            "batch_sizes": self.batch_edit.text(),
            "sizes": self.sizes_edit.text(),
            "epochs": self.epochs_spin.value(),
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Show what :meth:`saved` returned (unknown or bad entries are ignored)."""
        if not isinstance(data, dict):
            return
        self.set_kind(str(data.get("kind", "")))
        optimizers = data.get("optimizers")
        if isinstance(optimizers, list) and optimizers:
            for name, box in self.optimizer_boxes.items():
                box.setChecked(name in optimizers)
        for key, edit in (("batch_sizes", self.batch_edit), ("sizes", self.sizes_edit)):
            if isinstance(data.get(key), str) and data[key].strip():
                edit.setText(data[key])
        epochs = data.get("epochs")
        if isinstance(epochs, int) and epochs > 0:
            self.epochs_spin.setValue(epochs)

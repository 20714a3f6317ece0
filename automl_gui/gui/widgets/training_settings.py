"""The training-settings form (optimizer, learning rate, weight decay, batch size, epochs,
stopping, refit on all data, budget).

Shared by the tabular and the image Model pages: the form shows a :class:`TrainConfig`, writes
edits back into one with :meth:`TrainingSettingsForm.read_into`, and emits ``edited`` after
each user change (never while :meth:`TrainingSettingsForm.show_config` fills it in).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from automl_gui.core.train.config import TrainConfig

OPTIMIZERS = [
    ("adam", "Adam"),
    ("adamw", "AdamW"),
    ("sgd", "SGD with momentum"),
    ("rmsprop", "RMSprop"),
    ("adadelta", "Adadelta"),
    ("adamax", "Adamax"),
    ("nadam", "Nadam"),
]
SCHEDULES = [
    ("constant", "Constant"),
    ("plateau", "Reduce on plateau"),
    ("cosine", "Cosine decay"),
]
CLASS_WEIGHTS = [
    ("auto", "Auto (balanced if imbalanced)"),
    ("none", "None"),
    ("balanced", "Balanced"),
]


def combo(items: list[tuple[str, str]], tip: str) -> QComboBox:
    """A combo box of ``(value, label)`` items; the value is the item data."""
    box = QComboBox()
    for value, label in items:
        box.addItem(label, value)
    box.setToolTip(tip)
    return box


def select(box: QComboBox, value: object) -> None:
    """Select the item whose data is ``value`` (the first item when there is none)."""
    i = box.findData(value)
    box.setCurrentIndex(i if i >= 0 else 0)


class CompactSpinBox(QDoubleSpinBox):
    """A double spin box that shows 0.001 or 1e-05 instead of 0.001000 (accepts both)."""

    def textFromValue(self, value: float) -> str:  # noqa: N802
        return f"{value:g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        stripped = text.strip()
        if any(ch not in "0123456789.eE+-" for ch in stripped):
            return QValidator.State.Invalid, text, pos
        try:
            value = float(stripped)
        except ValueError:
            return QValidator.State.Intermediate, text, pos  # "1e-" while typing
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


def dspin(
    low: float, high: float, decimals: int, step: float, tip: str, compact: bool = False
) -> QDoubleSpinBox:
    """A double spin box with range, precision, step and tooltip (compact: 1e-05 style)."""
    spin = CompactSpinBox() if compact else QDoubleSpinBox()
    if compact:  # steps scale with the value: 0.001 → 0.0011, 0.01 → 0.011
        spin.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
    spin.setRange(low, high)
    spin.setDecimals(decimals)
    spin.setSingleStep(step)
    spin.setToolTip(tip)
    return spin


def spin(low: int, high: int, tip: str) -> QSpinBox:
    """An integer spin box with range and tooltip."""
    box = QSpinBox()
    box.setRange(low, high)
    box.setToolTip(tip)
    return box


class TrainingSettingsForm(QGroupBox):
    """A "Training" group box editing a :class:`TrainConfig`.

    Args:
        title: the group title.
        epochs_label: the row label of the epochs spin box (the image page says which phase).
        batch_unit: what one batch holds, for the tooltip ("rows", "images").
        auto_epochs: epochs may be 0, shown "Auto": the job picks them from the data's size
            (``kind.epochs_for``); for kinds whose default training says so.
        epochs_tip: the epochs spin box's tooltip (what Auto means is added to it).
    """

    edited = Signal()

    def __init__(
        self,
        title: str = "Training",
        parent: QWidget | None = None,
        *,
        epochs_label: str = "Epochs",
        batch_unit: str = "rows",
        auto_epochs: bool = False,
        epochs_tip: str = "Maximum passes over the training data.",
    ) -> None:
        super().__init__(title, parent)
        self._updating = False
        self.optimizer_combo = combo(
            OPTIMIZERS,
            "How weights are updated. Adam works well almost always; SGD with momentum can "
            "generalize slightly better with tuning.",
        )
        self.lr_spin = dspin(
            1e-6,
            1.0,
            6,
            1e-4,
            "Step size of each update. Too high: loss jumps around; too "
            "low: training crawls. 0.001 suits Adam.",
            True,
        )
        self.weight_decay_spin = dspin(
            0.0,
            1.0,
            6,
            1e-4,
            'Decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight Decay '
            'Regularization"): each update shrinks every weight a little toward zero '
            "(learning rate × this), so the network does not memorize the training "
            f"{batch_unit}. AdamW is Adam with it; the other optimizers apply it the same way. "
            "0 = off; 1e-4 to 0.05 is typical.",
            True,
        )
        self.schedule_combo = combo(
            SCHEDULES,
            "How the learning rate changes: constant, lowered when validation loss stalls "
            "(reduce on plateau), or smoothly decayed to zero (cosine).",
        )
        self.batch_spin = spin(
            0,
            65536,
            f"{batch_unit.capitalize()} per update. Auto picks one from the device and the "
            "data size.",
        )
        self.batch_spin.setSpecialValueText("Auto")
        self.epochs_spin = spin(1, 100000, epochs_tip)
        if auto_epochs:
            self.epochs_spin.setMinimum(0)
            self.epochs_spin.setSpecialValueText("Auto")
            self.epochs_spin.setToolTip(
                f"{epochs_tip} Auto: enough for the number of training {batch_unit} (more "
                "epochs for a small set); early stopping usually ends sooner."
            )
        self.early_check = QCheckBox("Early stopping")
        self.early_check.setToolTip(
            "Stop when validation loss has not improved for 'patience' epochs."
        )
        self.patience_spin = spin(1, 10000, "Epochs without improvement before stopping.")
        self.restore_check = QCheckBox("Keep the best epoch's weights")
        self.restore_check.setToolTip(
            "At the end (also on Stop) keep the weights of the epoch with the lowest "
            "validation loss, not the last ones."
        )
        self.refit_check = QCheckBox("Refit on all data after evaluation")
        self.refit_check.setToolTip(
            "After training and the test evaluation, train the same settings once more from "
            f"scratch on the training and validation {batch_unit} together, for the epochs "
            "validation chose (up to and including the best epoch); that model becomes the run's model and the test "
            "score shown is its own (the first model's is kept beside it). More data usually "
            "helps a little; the cost: about twice the training time, and the refit has no "
            "validation split, so no validation curve or early stopping of its own."
        )
        self.class_weight_combo = combo(
            CLASS_WEIGHTS,
            "Balanced weighs each class by n / (classes × its count), so the model does not "
            "ignore rare classes. Auto does when the largest class has 3× the rows of the "
            "smallest or more (the Data page's imbalance warning) and says so in the log. "
            "Classification only.",
        )
        self.seed_spin = spin(0, 2**31 - 1, "Random seed for weights and shuffling.")
        self.budget_spin = spin(
            0, 7 * 24 * 3600, "Stop after this many seconds (checked after each epoch)."
        )
        self.budget_spin.setSpecialValueText("No limit")
        self.budget_spin.setSuffix(" s")
        patience_row = QHBoxLayout()
        patience_row.addWidget(self.early_check)
        patience_row.addWidget(QLabel("patience"))
        patience_row.addWidget(self.patience_spin)
        patience_row.addStretch(1)
        form = QFormLayout(self)
        form.addRow("Optimizer", self.optimizer_combo)
        form.addRow("Learning rate", self.lr_spin)
        form.addRow("Weight decay", self.weight_decay_spin)
        form.addRow("Schedule", self.schedule_combo)
        form.addRow("Batch size", self.batch_spin)
        form.addRow(epochs_label, self.epochs_spin)
        # what Auto epochs become for the loaded data (a file kind's Model page says it)
        self.epochs_hint = QLabel()
        self.epochs_hint.setProperty("role", "muted")
        self.epochs_hint.setWordWrap(True)
        form.addRow("", self.epochs_hint)
        form.addRow("", patience_row)
        form.addRow("", self.restore_check)
        form.addRow("", self.refit_check)
        form.addRow("Class weights", self.class_weight_combo)
        form.addRow("Seed", self.seed_spin)
        form.addRow("Time budget", self.budget_spin)
        self.form = form
        form.setRowVisible(self.epochs_hint, False)

        for box in (self.optimizer_combo, self.schedule_combo, self.class_weight_combo):
            box.currentIndexChanged.connect(self._on_edit)
        for s in (
            self.lr_spin,
            self.weight_decay_spin,
            self.batch_spin,
            self.epochs_spin,
            self.patience_spin,
            self.seed_spin,
            self.budget_spin,
        ):
            s.valueChanged.connect(self._on_edit)
        for check in (self.early_check, self.restore_check, self.refit_check):
            check.toggled.connect(self._on_edit)

    def show_config(self, training: TrainConfig) -> None:
        """Fill the form from ``training`` (emits nothing)."""
        self._updating = True
        try:
            select(self.optimizer_combo, training.optimizer)
            self.lr_spin.setValue(training.learning_rate)
            self.weight_decay_spin.setValue(training.weight_decay)
            select(self.schedule_combo, training.schedule)
            self.batch_spin.setValue(training.batch_size)
            self.epochs_spin.setValue(training.epochs)
            self.early_check.setChecked(training.early_stopping)
            self.patience_spin.setValue(training.patience)
            self.restore_check.setChecked(training.restore_best)
            self.refit_check.setChecked(training.refit)
            select(self.class_weight_combo, training.class_weights)
            self.seed_spin.setValue(training.seed)
            self.budget_spin.setValue(int(training.time_budget))
        finally:
            self._updating = False
        self.update_enabled()

    def read_into(self, training: TrainConfig) -> None:
        """Write the form's values into ``training`` (in place)."""
        training.optimizer = self.optimizer_combo.currentData()
        training.learning_rate = self.lr_spin.value()
        training.weight_decay = self.weight_decay_spin.value()
        training.schedule = self.schedule_combo.currentData()
        training.batch_size = self.batch_spin.value()
        training.epochs = self.epochs_spin.value()
        training.early_stopping = self.early_check.isChecked()
        training.patience = self.patience_spin.value()
        training.restore_best = self.restore_check.isChecked()
        training.refit = self.refit_check.isChecked()
        training.class_weights = self.class_weight_combo.currentData()
        training.seed = self.seed_spin.value()
        training.time_budget = float(self.budget_spin.value())

    def set_epochs_hint(self, text: str) -> None:
        """Show ``text`` under the epochs ("" hides the line)."""
        self.epochs_hint.setText(text)
        self.form.setRowVisible(self.epochs_hint, bool(text))

    def set_class_weights_enabled(self, enabled: bool) -> None:
        """Class weights mean nothing for regression: grey them out there."""
        self.class_weight_combo.setEnabled(enabled)

    def update_enabled(self) -> None:
        self.patience_spin.setEnabled(self.early_check.isChecked())

    def _on_edit(self, *_args: object) -> None:
        if self._updating:
            return
        self.update_enabled()
        self.edited.emit()

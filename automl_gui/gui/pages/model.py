"""Model page: the network (Auto or a hand-built MLP) and how it is trained."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.models.config import ACTIVATIONS, MLPConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui import settings as app_settings
from automl_gui.gui.state import AppState

FAMILIES = [
    ("auto", "Auto (MLP sized to the data)"),
    ("mlp", "MLP (multilayer perceptron)"),
]
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
CLASS_WEIGHTS = [("none", "None"), ("balanced", "Balanced")]
_LAYERS_RE = QRegularExpression(r"^\s*\d{0,5}(\s*,\s*\d{0,5})*\s*,?\s*$")


def parse_hidden_units(text: str) -> list[int]:
    """Parse "64, 32" into ``[64, 32]``.

    Raises:
        ValueError: when a layer is not a whole number between 1 and 65536 or none is given.
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise ValueError("Give at least one layer size, e.g. 64, 32.")
    units = []
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= 65536:
            raise ValueError(f"“{part}” is not a layer size (a whole number from 1 to 65536).")
        units.append(int(part))
    return units


def _combo(items: list[tuple[str, str]], tip: str) -> QComboBox:
    combo = QComboBox()
    for value, label in items:
        combo.addItem(label, value)
    combo.setToolTip(tip)
    return combo


def _select(combo: QComboBox, value: str) -> None:
    i = combo.findData(value)
    combo.setCurrentIndex(i if i >= 0 else 0)


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


def _dspin(
    low: float, high: float, decimals: int, step: float, tip: str, compact: bool = False
) -> QDoubleSpinBox:
    spin = CompactSpinBox() if compact else QDoubleSpinBox()
    if compact:  # steps scale with the value: 0.001 → 0.0011, 0.01 → 0.011
        spin.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
    spin.setRange(low, high)
    spin.setDecimals(decimals)
    spin.setSingleStep(step)
    spin.setToolTip(tip)
    return spin


def _spin(low: int, high: int, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setToolTip(tip)
    return spin


class ModelPage(QWidget):
    """Step 3: model family, MLP shape and regularization, optimizer and training settings."""

    name = "model"
    title = "Model"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._updating = False
        saved = app_settings.load_dataclass(
            app_settings.current(), app_settings.KEY_TRAINING, TrainConfig
        )
        if saved is not None:
            state.training = saved
        self._build()
        self._show(state.mlp, state.training)
        state.target_changed.connect(self._on_task_changed)
        state.dataset_changed.connect(self._on_task_changed)
        self._on_task_changed()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        title = QLabel("Model")
        title.setProperty("role", "title")
        intro = QLabel(
            "Auto builds a multilayer perceptron sized to your data and is a good start. "
            "Hover any setting for what it does."
        )
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)

        self.family_combo = _combo(
            FAMILIES,
            "Auto picks the layer sizes from the number of rows and inputs. MLP lets you set "
            "the layers and regularization yourself.",
        )
        self.layers_edit = QLineEdit()
        self.layers_edit.setValidator(QRegularExpressionValidator(_LAYERS_RE, self))
        self.layers_edit.setPlaceholderText("e.g. 64, 32")
        self.layers_edit.setToolTip(
            "Units per hidden layer, first to last, separated by commas. More or wider layers "
            "can learn more complex patterns but overfit small data sooner."
        )
        self.layers_error = QLabel()
        self.layers_error.setStyleSheet("color: #B71C1C;")
        self.layers_error.setWordWrap(True)
        self.layers_error.hide()
        self.auto_note = QLabel(
            "Auto sizes the layers when training starts, from the encoded inputs and the rows; "
            "the training log says what it built. It uses the settings shown below; choose MLP "
            "to change them."
        )
        self.auto_note.setProperty("role", "muted")
        self.auto_note.setWordWrap(True)
        self.activation_combo = _combo(
            [(a, a) for a in ACTIVATIONS],
            "The non-linearity after each hidden layer. relu is a safe default.",
        )
        self.dropout_spin = _dspin(
            0.0,
            0.9,
            2,
            0.05,
            "Share of units switched off at random while training: fights "
            "overfitting. 0 = off, 0.1–0.3 is typical.",
        )
        self.l1_spin = _dspin(
            0.0, 1.0, 6, 1e-4, "L1 penalty on weights: pushes useless weights to exactly 0.", True
        )
        self.l2_spin = _dspin(
            0.0,
            1.0,
            6,
            1e-4,
            "L2 penalty (weight decay) on weights: keeps them small, "
            "reducing overfitting. 1e-4 is typical.",
            True,
        )
        self.batchnorm_check = QCheckBox("Batch normalization")
        self.batchnorm_check.setToolTip(
            "Normalize each hidden layer's outputs per batch: can speed up and stabilize "
            "training of deeper networks."
        )
        model_box = QGroupBox("Network")
        mform = QFormLayout(model_box)
        mform.addRow("Model family", self.family_combo)
        mform.addRow("Hidden layers", self.layers_edit)
        mform.addRow("", self.layers_error)
        mform.addRow("", self.auto_note)
        mform.addRow("Activation", self.activation_combo)
        mform.addRow("Dropout", self.dropout_spin)
        mform.addRow("L1", self.l1_spin)
        mform.addRow("L2", self.l2_spin)
        mform.addRow("", self.batchnorm_check)

        self.optimizer_combo = _combo(
            OPTIMIZERS,
            "How weights are updated. Adam works well almost always; SGD with momentum can "
            "generalize slightly better with tuning.",
        )
        self.lr_spin = _dspin(
            1e-6,
            1.0,
            6,
            1e-4,
            "Step size of each update. Too high: loss jumps around; too "
            "low: training crawls. 0.001 suits Adam.",
            True,
        )
        self.schedule_combo = _combo(
            SCHEDULES,
            "How the learning rate changes: constant, lowered when validation loss stalls "
            "(reduce on plateau), or smoothly decayed to zero (cosine).",
        )
        self.batch_spin = _spin(
            0, 65536, "Rows per update. Auto picks one from the device and the data size."
        )
        self.batch_spin.setSpecialValueText("Auto")
        self.epochs_spin = _spin(1, 100000, "Maximum passes over the training data.")
        self.early_check = QCheckBox("Early stopping")
        self.early_check.setToolTip(
            "Stop when validation loss has not improved for 'patience' epochs."
        )
        self.patience_spin = _spin(1, 10000, "Epochs without improvement before stopping.")
        self.restore_check = QCheckBox("Keep the best epoch's weights")
        self.restore_check.setToolTip(
            "At the end (also on Stop) keep the weights of the epoch with the lowest "
            "validation loss, not the last ones."
        )
        self.class_weight_combo = _combo(
            CLASS_WEIGHTS,
            "Balanced gives rare classes more weight so the model does not ignore them "
            "(classification only).",
        )
        self.seed_spin = _spin(0, 2**31 - 1, "Random seed for weights and shuffling.")
        self.budget_spin = _spin(
            0, 7 * 24 * 3600, "Stop after this many seconds (checked after each epoch)."
        )
        self.budget_spin.setSpecialValueText("No limit")
        self.budget_spin.setSuffix(" s")
        patience_row = QHBoxLayout()
        patience_row.addWidget(self.early_check)
        patience_row.addWidget(QLabel("patience"))
        patience_row.addWidget(self.patience_spin)
        patience_row.addStretch(1)
        train_box = QGroupBox("Training")
        tform = QFormLayout(train_box)
        tform.addRow("Optimizer", self.optimizer_combo)
        tform.addRow("Learning rate", self.lr_spin)
        tform.addRow("Schedule", self.schedule_combo)
        tform.addRow("Batch size", self.batch_spin)
        tform.addRow("Epochs", self.epochs_spin)
        tform.addRow("", patience_row)
        tform.addRow("", self.restore_check)
        tform.addRow("Class weights", self.class_weight_combo)
        tform.addRow("Seed", self.seed_spin)
        tform.addRow("Time budget", self.budget_spin)

        self.defaults_button = QPushButton("Restore defaults")
        self.defaults_button.setToolTip("Set every model and training setting back to default.")
        self.defaults_button.clicked.connect(self.restore_defaults)

        boxes = QHBoxLayout()
        boxes.addWidget(model_box, 1)
        boxes.addWidget(train_box, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.defaults_button)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(16, 12, 16, 12)
        inner_layout.addWidget(title)
        inner_layout.addWidget(intro)
        inner_layout.addLayout(boxes)
        inner_layout.addLayout(buttons)
        inner_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        scroll.viewport().setAutoFillBackground(False)  # keep the window's background
        inner.setAutoFillBackground(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        for combo in (
            self.family_combo,
            self.activation_combo,
            self.optimizer_combo,
            self.schedule_combo,
            self.class_weight_combo,
        ):
            combo.currentIndexChanged.connect(self._on_edit)
        for spin in (
            self.dropout_spin,
            self.l1_spin,
            self.l2_spin,
            self.lr_spin,
            self.batch_spin,
            self.epochs_spin,
            self.patience_spin,
            self.seed_spin,
            self.budget_spin,
        ):
            spin.valueChanged.connect(self._on_edit)
        for check in (self.batchnorm_check, self.early_check, self.restore_check):
            check.toggled.connect(self._on_edit)
        self.layers_edit.textEdited.connect(self._on_edit)

    # -- config -> widgets -------------------------------------------------------------------
    def _show(self, mlp: MLPConfig, training: TrainConfig) -> None:
        self._updating = True
        _select(self.family_combo, "auto" if mlp.auto else "mlp")
        self.layers_edit.setText(", ".join(str(u) for u in mlp.hidden_units))
        _select(self.activation_combo, mlp.activation)
        self.dropout_spin.setValue(mlp.dropout)
        self.l1_spin.setValue(mlp.l1)
        self.l2_spin.setValue(mlp.l2)
        self.batchnorm_check.setChecked(mlp.batch_norm)
        _select(self.optimizer_combo, training.optimizer)
        self.lr_spin.setValue(training.learning_rate)
        _select(self.schedule_combo, training.schedule)
        self.batch_spin.setValue(training.batch_size)
        self.epochs_spin.setValue(training.epochs)
        self.early_check.setChecked(training.early_stopping)
        self.patience_spin.setValue(training.patience)
        self.restore_check.setChecked(training.restore_best)
        _select(self.class_weight_combo, training.class_weights)
        self.seed_spin.setValue(training.seed)
        self.budget_spin.setValue(int(training.time_budget))
        self._updating = False
        self._update_enabled()

    def _update_enabled(self) -> None:
        manual = self.family_combo.currentData() == "mlp"
        for w in (
            self.layers_edit,
            self.activation_combo,
            self.dropout_spin,
            self.l1_spin,
            self.l2_spin,
            self.batchnorm_check,
        ):
            w.setEnabled(manual)
        self.layers_error.setVisible(manual and bool(self.layers_error.text()))
        self.auto_note.setVisible(not manual)
        self.patience_spin.setEnabled(self.early_check.isChecked())
        task = self.state.task
        self.class_weight_combo.setEnabled(task is None or task != "regression")

    def _on_task_changed(self) -> None:
        if self.state.task == "regression" and self.state.training.class_weights != "none":
            self.state.training.class_weights = "none"
            self._show(self.state.mlp, self.state.training)
        self._update_enabled()

    # -- widgets -> config -------------------------------------------------------------------
    def _on_edit(self, *_args: object) -> None:
        if self._updating:
            return
        mlp, tr = self.state.mlp, self.state.training
        mlp.auto = self.family_combo.currentData() == "auto"
        try:
            mlp.hidden_units = parse_hidden_units(self.layers_edit.text())
            self.layers_error.setText("")
        except ValueError as exc:
            self.layers_error.setText(f"{exc} The last valid layers are kept.")
        mlp.activation = self.activation_combo.currentData()
        mlp.dropout = self.dropout_spin.value()
        mlp.l1 = self.l1_spin.value()
        mlp.l2 = self.l2_spin.value()
        mlp.batch_norm = self.batchnorm_check.isChecked()
        tr.optimizer = self.optimizer_combo.currentData()
        tr.learning_rate = self.lr_spin.value()
        tr.schedule = self.schedule_combo.currentData()
        tr.batch_size = self.batch_spin.value()
        tr.epochs = self.epochs_spin.value()
        tr.early_stopping = self.early_check.isChecked()
        tr.patience = self.patience_spin.value()
        tr.restore_best = self.restore_check.isChecked()
        tr.class_weights = self.class_weight_combo.currentData()
        tr.seed = self.seed_spin.value()
        tr.time_budget = float(self.budget_spin.value())
        self._update_enabled()
        app_settings.save_dataclass(app_settings.current(), app_settings.KEY_TRAINING, tr)
        self.state.notify_model_changed()

    @property
    def layers_valid(self) -> bool:
        """False while the hidden-layers text cannot be parsed."""
        return not self.layers_error.text()

    def restore_defaults(self) -> None:
        """Reset model and training settings to the dataclass defaults."""
        self.state.mlp = MLPConfig()
        self.state.training = TrainConfig()
        self._show(self.state.mlp, self.state.training)
        app_settings.save_dataclass(
            app_settings.current(), app_settings.KEY_TRAINING, self.state.training
        )
        self.state.notify_model_changed()

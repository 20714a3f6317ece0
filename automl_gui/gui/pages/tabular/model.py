"""Model page: one network (Auto or a hand-built MLP, its numeric embedding and ensemble)
and how it is trained, or an AutoML search for the best one (``widgets/search_settings.py``).
"""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.models.config import (
    ACTIVATIONS,
    MAX_BINS,
    MAX_ENSEMBLE,
    NUMERIC_EMBEDDINGS,
    MLPConfig,
)
from automl_gui.core.models.mlp import auto_hidden_units
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs.study_open import open_study_or_say_why
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.page_layout import scrolling_page
from automl_gui.gui.widgets.search_settings import SearchSettingsBox
from automl_gui.gui.widgets.training_settings import CompactSpinBox, TrainingSettingsForm
from automl_gui.gui.widgets.training_settings import combo as _combo
from automl_gui.gui.widgets.training_settings import dspin as _dspin
from automl_gui.gui.widgets.training_settings import select as _select
from automl_gui.gui.widgets.training_settings import spin as _spin

__all__ = ["CompactSpinBox", "ModelPage", "parse_hidden_units"]

FAMILIES = [
    ("auto", "Auto (MLP sized to the data)"),
    ("mlp", "MLP (multilayer perceptron)"),
]
#: the numeric embeddings (``MLPConfig.numeric_embedding``) as the page names them
EMBEDDING_WORDS = {
    "auto": "Auto",
    "none": "None (scaled numbers)",
    "piecewise": "Piecewise-linear",
    "periodic": "Periodic",
}
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


#: the network settings Auto may decide (``MLPConfig.auto_fields``) as the "Auto chose" line
#: names them before a table is loaded
AUTO_WORDS = {
    "hidden_units": "the hidden layers",
    "numeric_embedding": "the numeric embedding",
    "n_bins": "its bins",
    "ensemble_size": "the ensemble members",
}


def auto_choice_text(mlp: MLPConfig, n_rows: int | None = None, n_numeric: int = 0) -> str:
    """What Auto makes of ``mlp``'s numeric embedding, bins and ensemble members for a table
    of ``n_rows`` training rows and ``n_numeric`` numeric columns (``MLPConfig.resolved``):
    "Auto chose for 7,000 training rows and 5 numeric columns: 2 hidden layers (...),
    piecewise-linear embedding with up to 48 bins, 8 ensemble members." "" when none of them
    is Auto; before a table is
    loaded (``n_rows`` None), that Auto decides when training starts."""
    autos = [f for f in AUTO_WORDS if f in mlp.auto_fields()]
    if not autos:
        return ""
    if n_rows is None:
        words = [AUTO_WORDS[f] for f in autos]
        said = " and ".join(filter(None, (", ".join(words[:-1]), words[-1])))
        return f"Auto chooses {said} from the table when training starts."
    chosen = mlp.resolved(n_rows, n_numeric)
    parts = []
    if "hidden_units" in autos:  # the depth follows the rows; the width the encoded inputs,
        # which only the fitted preprocessing knows (the training log gives the layers)
        depth = len(auto_hidden_units(0, n_rows))
        layers = "1 hidden layer" if depth == 1 else f"{depth} hidden layers"
        halving = ", each next one half as wide" if depth > 1 else ""
        parts.append(f"{layers} (2 units per encoded input, 16 to 256{halving})")
    if "numeric_embedding" in autos or "n_bins" in autos:
        if n_numeric == 0:
            parts.append("no numeric columns to embed")
        elif chosen.numeric_embedding == "piecewise":
            parts.append(f"piecewise-linear embedding with up to {chosen.n_bins} bins")
        elif chosen.numeric_embedding == "periodic":
            parts.append("periodic embedding")
        else:
            parts.append("the scaled numbers (no embedding)")
    if "ensemble_size" in autos:
        k = chosen.ensemble_size
        parts.append("one network (no ensemble)" if k == 1 else f"{k} ensemble members")
    columns = "numeric column" if n_numeric == 1 else "numeric columns"
    return f"Auto chose for {n_rows:,} training rows and {n_numeric} {columns}: {', '.join(parts)}."


class ModelPage(QWidget):
    """Step 3: model family, MLP shape and regularization, optimizer and training settings."""

    name = "model"
    title = "Model"
    kind = TABULAR

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._updating = False
        saved = app_settings.load_dataclass(
            app_settings.current(), app_settings.KEY_TRAINING, TrainConfig
        )
        state.training = saved or self.kind.default_training()
        # Tables and images keep their own training settings (an MLP trains ~100 epochs, an
        # image head ~20): this page puts its TrainConfig back into the state whenever a
        # table is loaded; the image Model page does the same for image folders.
        self._training = state.training
        self._build()
        self._show(state.settings(TABULAR).model, state.training)
        state.target_changed.connect(self._on_task_changed)
        state.dataset_changed.connect(self._on_task_changed)
        state.preprocess_changed.connect(self._show_auto_choice)  # column types, split
        self._on_task_changed()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        title = QLabel("Model")
        title.setProperty("role", "title")
        intro = QLabel(
            "Auto builds a multilayer perceptron sized to your data and is a good start; the "
            "AutoML search tries many and keeps the best. Hover any setting for what it does."
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
            "the training log says what it built. It uses the activation, dropout and "
            "penalties shown below (choose MLP to change them) and the numeric embedding and "
            "ensemble you choose."
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
        self.embedding_combo = _combo(
            [(e, EMBEDDING_WORDS.get(e, e)) for e in NUMERIC_EMBEDDINGS],
            "How each numeric column reaches the network (category, text and date columns are "
            "not affected).\n• None: the scaled number itself.\n• Piecewise-linear: the number "
            "becomes a short vector saying which of its quantile bins it falls in and how far "
            'along (Gorishniy et al. 2022, "On Embeddings for Numerical Features in Tabular '
            'Deep Learning"). Helps where the target jumps or turns as a number grows, which '
            "trees capture easily and a plain network does not; costs one input per bin.\n"
            "• Periodic: sines and cosines of learned frequencies, then a small layer per "
            "column (same paper); similar gains with fewer inputs, a little slower.\n"
            "• Auto: chosen from the data, as the line below says.",
        )
        self.bins_spin = _spin(
            0,
            MAX_BINS,
            "Quantile bins per numeric column for the piecewise-linear embedding, taken from "
            "the training rows. More bins: finer steps, more inputs, and small tables overfit "
            "sooner. Auto: chosen from the data (fewer for a column with few distinct values). "
            "Only used by Piecewise-linear.",
        )
        self.bins_spin.setSpecialValueText("Auto")
        self.ensemble_spin = _spin(
            0,
            MAX_ENSEMBLE,
            "Train several networks at once that share their weights, each with its own small "
            "scaling of every layer and its own output; the answer is their average (TabM, "
            'Gorishniy et al. 2024, "TabM: Advancing Tabular Deep Learning with Parameter-'
            'Efficient Ensembling"). Usually more accurate and steadier than one network. '
            "The cost: training and answering take up to that many times the computation of "
            "the hidden layers; the model file grows only a little. 1 = one network; Auto: "
            "chosen from the size of the table.",
        )
        self.ensemble_spin.setSpecialValueText("Auto")
        self.auto_choice = QLabel()  # what Auto picks for the numeric embedding and ensemble
        self.auto_choice.setProperty("role", "muted")
        self.auto_choice.setWordWrap(True)

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
        mform.addRow("Numeric embedding", self.embedding_combo)
        mform.addRow("Bins", self.bins_spin)
        mform.addRow("Ensemble members", self.ensemble_spin)
        mform.addRow("", self.auto_choice)

        self.training_form = TrainingSettingsForm(
            "Training", auto_epochs=self.kind.default_training().epochs == 0
        )
        train_box = self.training_form
        f = self.training_form  # its controls keep their names on the page (tests, shortcuts)
        self.optimizer_combo, self.lr_spin = f.optimizer_combo, f.lr_spin
        self.schedule_combo, self.batch_spin = f.schedule_combo, f.batch_spin
        self.epochs_spin, self.early_check = f.epochs_spin, f.early_check
        self.patience_spin, self.restore_check = f.patience_spin, f.restore_check
        self.class_weight_combo, self.seed_spin = f.class_weight_combo, f.seed_spin
        self.budget_spin = f.budget_spin
        self.weight_decay_spin, self.refit_check = f.weight_decay_spin, f.refit_check

        self.defaults_button = QPushButton("Restore defaults")
        self.defaults_button.setToolTip("Set every model and training setting back to default.")
        self.defaults_button.clicked.connect(self.restore_defaults)

        boxes = QHBoxLayout()
        boxes.addWidget(model_box, 1)
        boxes.addWidget(train_box, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.defaults_button)
        self.search_box = SearchSettingsBox(self.state, self.kind)
        self.search_box.study_requested.connect(
            lambda: open_study_or_say_why(self.state, self.window())
        )
        # what TabularSpace sets for every trial: the whole network (activation and L1 at
        # their defaults, its numeric embedding and ensemble), the optimizer, learning rate,
        # weight decay, batch size, epochs (per trial) and the time budget (the search's)
        self.search_box.set_overridden(
            (
                self.family_combo,
                *self._mlp_widgets(),
                self.embedding_combo,
                self.ensemble_spin,
                self.optimizer_combo,
                self.lr_spin,
                self.weight_decay_spin,
                self.refit_check,  # the search keeps its best trial as trained
                self.batch_spin,
                self.epochs_spin,
                self.budget_spin,
            )
        )
        self.search_box.mode_changed.connect(lambda _on: self._update_enabled())
        scrolling_page(self, title, intro, self.search_box, boxes, buttons, stretch=True)

        for box in (self.family_combo, self.activation_combo, self.embedding_combo):
            box.currentIndexChanged.connect(self._on_edit)
        for sp in (
            self.dropout_spin,
            self.l1_spin,
            self.l2_spin,
            self.bins_spin,
            self.ensemble_spin,
        ):
            sp.valueChanged.connect(self._on_edit)
        self.batchnorm_check.toggled.connect(self._on_edit)
        self.training_form.edited.connect(self._on_edit)
        self.layers_edit.textEdited.connect(self._on_edit)

    # -- config -> widgets -------------------------------------------------------------------
    def use_training(self, training: TrainConfig) -> None:
        """``training`` (a reopened project's) becomes this page's: copied into the object it
        keeps, which the state uses."""
        for f in fields(training):
            setattr(self._training, f.name, getattr(training, f.name))
        self.state.training = self._training

    def show_state(self) -> None:
        """Refill the page from the state's model settings and its training settings."""
        self._show(self.state.settings(self.kind).model, self._training)

    def _show(self, mlp: MLPConfig, training: TrainConfig) -> None:
        self._updating = True
        _select(self.family_combo, "auto" if mlp.auto else "mlp")
        self.layers_edit.setText(", ".join(str(u) for u in mlp.hidden_units))
        _select(self.activation_combo, mlp.activation)
        self.dropout_spin.setValue(mlp.dropout)
        self.l1_spin.setValue(mlp.l1)
        self.l2_spin.setValue(mlp.l2)
        self.batchnorm_check.setChecked(mlp.batch_norm)
        _select(self.embedding_combo, mlp.numeric_embedding)
        self.bins_spin.setValue(mlp.n_bins)
        self.ensemble_spin.setValue(mlp.ensemble_size)
        self.training_form.show_config(training)
        self._updating = False
        self._update_enabled()

    def _mlp_widgets(self) -> tuple:
        """The settings only the MLP family takes (Auto decides them): greyed under Auto, and
        set by the search for every trial."""
        return (
            self.layers_edit,
            self.activation_combo,
            self.dropout_spin,
            self.l1_spin,
            self.l2_spin,
            self.batchnorm_check,
        )

    def _update_enabled(self) -> None:
        manual = self.family_combo.currentData() == "mlp"
        searching = self.search_box.on  # the search sets the network: no Auto or MLP notes
        self.training_form.update_enabled()  # then the search's greying over its own
        self.search_box.grey_overridden({w: manual for w in self._mlp_widgets()})
        self.bins_spin.setEnabled(self.embedding_combo.currentData() in ("auto", "piecewise"))
        self.layers_error.setVisible(manual and not searching and bool(self.layers_error.text()))
        self.auto_note.setVisible(not manual and not searching)
        self._show_auto_choice()
        task = self.state.task
        self.training_form.set_class_weights_enabled(task is None or task != "regression")

    def _show_auto_choice(self) -> None:
        """ "Auto chose …": what the Auto numeric embedding, bins and ensemble become for the
        loaded table (``MLPConfig.resolved``); hidden when none is Auto or the search sets
        them."""
        text = auto_choice_text(self.state.settings(self.kind).model, *self._table_counts())
        self.auto_choice.setText(text)
        self.auto_choice.setVisible(bool(text) and not self.search_box.on)

    def _table_counts(self) -> tuple[int, int] | tuple[()]:
        """(training rows, numeric feature columns) of the loaded table; () before one is
        loaded with a target."""
        st = self.state
        pre = st.settings(self.kind).preprocess
        if st.kind is not self.kind or st.dataset is None or pre is None:
            return ()
        rows = round(len(st.dataset.df) * pre.split.train)
        return rows, sum(c.type == "numeric" for c in pre.feature_columns())

    def _on_task_changed(self) -> None:
        if self.state.kind is self.kind and self.state.training is not self._training:
            self.state.training = self._training
            self._show(self.state.settings(self.kind).model, self._training)
        if self.state.task == "regression" and self._training.class_weights == "balanced":
            self._training.class_weights = "auto"  # back to balanced on an imbalanced table
            self._show(self.state.settings(self.kind).model, self._training)
        self._update_enabled()

    # -- widgets -> config -------------------------------------------------------------------
    def _on_edit(self, *_args: object) -> None:
        if self._updating:
            return
        mlp, tr = self.state.settings(self.kind).model, self._training
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
        mlp.numeric_embedding = self.embedding_combo.currentData()
        mlp.n_bins = self.bins_spin.value()
        mlp.ensemble_size = self.ensemble_spin.value()
        self.training_form.read_into(tr)
        self._update_enabled()
        app_settings.save_dataclass(app_settings.current(), app_settings.KEY_TRAINING, tr)
        self.state.notify_model_changed()

    @property
    def layers_valid(self) -> bool:
        """False while the hidden-layers text cannot be parsed."""
        return not self.layers_error.text()

    def restore_defaults(self) -> None:
        """Reset model and training settings to the dataclass defaults."""
        self.state.settings(self.kind).model = self.kind.default_model()
        self._training = self.kind.default_training()
        if self.state.kind is self.kind:
            self.state.training = self._training
        self._show(self.state.settings(self.kind).model, self._training)
        app_settings.save_dataclass(
            app_settings.current(), app_settings.KEY_TRAINING, self._training
        )
        self.state.notify_model_changed()

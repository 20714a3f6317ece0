"""Text Model page: which network reads the texts, its size, a pretrained KerasHub model's
folder, and the shared training settings.

The image Model page (``pages/images/model.py``) with text's settings
(``state.settings(TEXT).model``, a ``TextModelConfig``; its own training settings and
remembered keys): it remembers and restores them, installs its training settings while texts
are loaded and holds the AutoML search box. What differs is the form: the networks (Auto,
n-gram MLP, sepCNN, Transformer, a pretrained KerasHub model from a folder), their sizes, and
Auto's rule shown with this dataset's numbers (Google's text-classification guide: texts /
words per text below 1,500 → the n-gram MLP, else the sepCNN). Nothing is looked up in the
background: a pretrained text model is a KerasHub preset folder the user chooses (its
``weights_path``; no download), checked as it is shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.kinds.text import TEXT
from automl_gui.core.models.text_config import TextModelConfig
from automl_gui.gui.pages.images._networks import short_path
from automl_gui.gui.pages.images.model import ImageModelPage
from automl_gui.gui.pages.text._settings_words import auto_architecture_for
from automl_gui.gui.pages.text._words import ARCHITECTURES, EXPLAIN, NAMES
from automl_gui.gui.widgets.banner import muted_label
from automl_gui.gui.widgets.training_settings import (
    TrainingSettingsForm,
    combo,
    dspin,
    spin,
)

KEY_TEXT_MODEL = "text/model"
KEY_TEXT_TRAINING = "text/training"
KEY_PRESET_FOLDER = "text/preset_folder"  # where the folder dialog starts
UNITS_NETWORKS = ("ngram_mlp", "transformer")  # TextModelConfig.units: their dense widths


class TextModelPage(ImageModelPage):
    """Step 3 for texts: network, its size, a pretrained model's folder, training."""

    kind = TEXT
    model_key = KEY_TEXT_MODEL
    training_key = KEY_TEXT_TRAINING
    config_cls = TextModelConfig
    unit = "texts"
    explain = EXPLAIN
    intro = (
        "The network that reads the texts, and how it trains. Hover any setting for what it does."
    )
    publish_auto = False  # state.auto_architecture is the image pages' (their Auto size)
    weights_follow_network = False  # the preset folder is kept while trying other networks
    # the pretrained model's KerasHub preset folder: the job uses it as is
    # (core.models._presets.check_preset)
    folder_field = "weights_path"
    folder_key = KEY_PRESET_FOLDER
    fields = (
        ("arch_combo", "architecture"),
        ("units_spin", "units"),
        ("embedding_spin", "embedding_dim"),
        ("dropout_spin", "dropout"),
        ("ft_epochs_spin", "fine_tune_epochs"),
        ("lr_factor_spin", "fine_tune_lr_factor"),
    )

    def __init__(self, state: Any, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        state.preprocess_changed.connect(self._update_texts)  # the split moves Auto's ratio

    @property
    def config(self) -> TextModelConfig:  # type: ignore[override]
        return self.state.settings(self.kind).model

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.arch_combo = combo(
            ARCHITECTURES,
            "The network to train. The n-gram MLP and the sepCNN are Google's two "
            "recommendations; the Transformer and a pretrained model need more time.",
        )
        self.arch_explain = muted_label()
        self.auto_choice = muted_label()
        self.units_spin = spin(
            4,
            4096,
            "Width of the n-gram MLP's hidden layers (and of the Transformer's "
            "classifier layer). 64 suits most datasets.",
        )
        self.embedding_spin = spin(
            8,
            1024,
            "Size of the vector learned for each word by the sepCNN and the "
            "Transformer. 64 is plenty for a few thousand texts; 200 for large corpora.",
        )
        self.dropout_spin = dspin(
            0.0,
            0.9,
            2,
            0.05,
            "Share of the network's values switched off at random while training: fights "
            "overfitting. 0.2 is the guide's value.",
        )
        for box in (self.units_spin, self.embedding_spin, self.dropout_spin):
            box.setMaximumWidth(150)
        net_box = self._network_box(
            ("Hidden units", self.units_spin),
            ("Embedding size", self.embedding_spin),
            ("Dropout", self.dropout_spin),
        )

        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        self.folder_label.setToolTip(
            "A KerasHub preset folder (the files of keras_hub's preset, e.g. a DistilBERT "
            "classifier saved with save_to_preset): its tokenizer and network are used"
        )
        self.choose_folder_button = QPushButton("Choose folder…")
        self.choose_folder_button.setToolTip("Choose the folder of a KerasHub text model")
        self.choose_folder_button.clicked.connect(self.choose_folder)
        self.clear_folder_button = QPushButton("Clear")
        self.clear_folder_button.setToolTip("Forget the chosen folder")
        self.clear_folder_button.clicked.connect(self.clear_folder)
        self.ft_epochs_spin = spin(
            0,
            100000,
            "Epochs of phase 2, fine-tuning the whole pretrained network. Off = "
            "train the new classifier only.",
        )
        self.ft_epochs_spin.setSpecialValueText("Off")
        self.lr_factor_spin = dspin(
            0.001,
            1.0,
            3,
            0.01,
            "Phase 2 learning rate = the training learning rate × this. Small, so fine-tuning "
            "does not wipe out what the network learned before.",
            True,
        )
        for box in (self.ft_epochs_spin, self.lr_factor_spin):
            box.setMaximumWidth(150)
        # the folder's line on its own (it wraps), its buttons under it: a wrapped label
        # beside buttons in a form row is given one line's height and clipped
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.choose_folder_button)
        buttons.addWidget(self.clear_folder_button)
        buttons.addStretch(1)
        folder_row = QVBoxLayout()
        folder_row.setSpacing(4)
        folder_row.addWidget(self.folder_label)
        folder_row.addLayout(buttons)
        self.pretrained_note = muted_label(
            "Only for “Pretrained”: nothing is downloaded. Phase 1 trains a new classifier on "
            "the frozen network, phase 2 fine-tunes it at a lower learning rate."
        )
        self.pretrained_box = QGroupBox("Pretrained model (KerasHub)")
        pform = QFormLayout(self.pretrained_box)
        pform.addRow(self.pretrained_note)
        pform.addRow("Folder", folder_row)
        pform.addRow("Fine-tune epochs", self.ft_epochs_spin)
        pform.addRow("Learning-rate factor", self.lr_factor_spin)

        self.training_form = TrainingSettingsForm(
            "Training",
            batch_unit=self.unit,
            auto_epochs=self.kind.default_training().epochs == 0,  # the kind sizes them
            epochs_tip="Maximum passes over the training texts.",
        )
        self._assemble(net_box, self.pretrained_box)

    # -- config -> widgets -------------------------------------------------------------------
    def _update_texts(self) -> None:
        c = self.config
        arch = c.architecture
        self.arch_explain.setText(self.explain.get(arch, ""))
        resolved = self.resolved_architecture()
        pretrained = arch == "pretrained"
        own = {
            self.units_spin: resolved in UNITS_NETWORKS or arch == "auto",
            self.embedding_spin: reads_sequences(resolved) or arch == "auto",
            self.ft_epochs_spin: pretrained,
            self.lr_factor_spin: pretrained and c.fine_tune_epochs > 0,
            self.choose_folder_button: pretrained,
        }
        for widget, enabled in own.items():
            widget.setEnabled(enabled)
        self.search_box.grey_overridden(own)
        text, colour = preset_status(c.weights_path)
        self.folder_label.setText(text)
        self.folder_label.setStyleSheet(f"color: {colour};" if pretrained else "")
        self.clear_folder_button.setEnabled(bool(c.weights_path))
        self._update_status()

    def _update_status(self) -> None:
        """What Auto picks for the loaded texts, with the rule's numbers."""
        auto = self.config.architecture == "auto"
        choice = auto_architecture_for(self.state) if auto else None
        # once texts are loaded Auto's sentence gives the rule with their numbers: said once
        self.arch_explain.setVisible(not auto or choice is None)
        self.auto_choice.setVisible(auto)
        if not auto:
            return
        if choice is None:
            self.auto_choice.setText(
                "Auto will use: the n-gram MLP or the sepCNN, decided from the texts once they "
                "are loaded."
            )
            return
        reason = choice[1].replace("Auto chose", "Auto will use", 1)
        self.auto_choice.setText(reason or f"Auto will use: {NAMES[choice[0]]}.")

    def resolved_architecture(self) -> str:
        """The network that will be trained: the chosen one, or Auto's for the loaded texts
        ("auto" while none are loaded)."""
        arch = self.config.architecture
        if arch != "auto":
            return arch
        choice = auto_architecture_for(self.state)
        return choice[0] if choice is not None else "auto"

    def search_overridden(self) -> tuple[QWidget, ...]:
        """The fields the text search sets for every trial: the network and its sizes, the
        learning rate and the time budget (the search's)."""
        f = self.training_form
        return (
            self.arch_combo,
            self.units_spin,
            self.embedding_spin,
            self.dropout_spin,
            f.lr_spin,
            f.epochs_spin,
            f.budget_spin,
        )

    # -- state -------------------------------------------------------------------------------
    def _on_dataset_changed(self) -> None:
        super()._on_dataset_changed()
        self._update_texts()  # Auto's choice follows the texts

    def check_weights(self) -> None:
        """Nothing to look up in the background: the chosen folder is checked as shown."""
        self._looked_up_folder = self.config.weights_folder
        self._update_status()


def reads_sequences(architecture: str) -> bool:
    """True for the networks that read token ids in order (word embeddings: sepCNN,
    Transformer), as ``core.preprocess.text`` feeds them."""
    from automl_gui.core.preprocess.text import ARCHITECTURE_MODES
    from automl_gui.core.preprocess.text_config import SEQUENCE_MODES

    return ARCHITECTURE_MODES.get(architecture) == SEQUENCE_MODES


def preset_status(folder: str) -> tuple[str, str]:
    """(what the folder line says, its colour) for the chosen preset folder."""
    if not folder:
        return (
            "none chosen: a KerasHub preset under models/pretrained/ is used if there is one",
            "#616E7C",
        )
    from pathlib import Path

    from automl_gui.core.models._presets import preset_problem

    problem = preset_problem(Path(folder))
    if problem is not None:
        return f"✗ {short_path(folder)} {problem}", "#B71C1C"
    return f"✓ {short_path(folder)} (a KerasHub preset)", "#1B5E20"

"""Image Model page: which network, its pretrained weights, fine-tuning and training settings.

Edits change ``state.settings(IMAGES).model`` and the page's own ``TrainConfig`` (installed as
``state.training`` while an image folder is loaded: images and tables keep separate training
settings), are remembered in QSettings and call ``state.notify_model_changed()``. Whether each
backbone's pretrained weights are on this computer is looked up by
``core.models.weights.find_weights`` in a :class:`JobWorker` (it hashes ~100 MB files).

The page is parametrized by its class attributes (which config on the state, settings keys,
words, what Auto picks): the audio Model page (``pages/audio/model.py``) is a subclass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.models.image_config import BACKBONES, ImageModelConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs.study_open import open_study_or_say_why
from automl_gui.gui.pages._auto_epochs import auto_epochs_text
from automl_gui.gui.pages._serial_job import BackgroundPage, SerialJob
from automl_gui.gui.pages.images._fields import edited_signal, put_value, read_value
from automl_gui.gui.pages.images._networks import (
    ARCHITECTURES,
    EXPLAIN,
    NAMES,
    PHASES,
    ask_weights_file,
    ask_weights_folder,
    build_weights_box,
    lookup_weights,
    short_path,
    status_text,
)
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import muted_label
from automl_gui.gui.widgets.columns import stacking_columns
from automl_gui.gui.widgets.page_layout import scrolling_page
from automl_gui.gui.widgets.search_settings import SearchSettingsBox
from automl_gui.gui.widgets.training_settings import (
    TrainingSettingsForm,
    combo,
    dspin,
    spin,
)

KEY_IMAGE_MODEL = "images/model"
KEY_IMAGE_TRAINING = "images/training"
KEY_WEIGHTS_FOLDER = "images/weights_folder"  # where the folder dialog starts
KEY_WEIGHTS_FILE = "paths/weights_file"  # where the file dialog starts (as the weights dialog)


class ImageModelPage(BackgroundPage):
    """Step 3 for image folders: network, pretrained weights, fine-tuning, training.

    Subclasses for other kinds of files change the class attributes below and, where Auto
    means something else, :meth:`resolve_auto`.
    """

    name = "model"
    title = "Model"
    kind = IMAGES  # whose model settings (on the state) and training settings this page holds
    model_key = KEY_IMAGE_MODEL
    training_key = KEY_IMAGE_TRAINING
    config_cls: type = ImageModelConfig  # the kind's model settings (text: TextModelConfig)
    config_defaults: dict[str, Any] = {}  # config_cls(**these) is the default
    unit = "images"  # what the dataset holds, in texts
    explain = EXPLAIN
    intro = (
        "Auto uses a pretrained network when its weights are on this computer, else a CNN "
        "trained from scratch. Hover any setting for what it does."
    )
    publish_auto = True  # tell the state what Auto resolves to (the Preprocess page's size)
    weights_follow_network = True  # choosing another network forgets the weights file
    folder_field = "weights_folder"  # the config's folder that Choose folder… sets: searched
    folder_key = KEY_WEIGHTS_FOLDER  # first for weights; where its dialog starts
    # (widget attribute, config field): what _show puts in the form and _on_edit reads back
    fields: tuple[tuple[str, str], ...] = (
        ("arch_combo", "architecture"),
        ("dropout_spin", "dropout"),
        ("download_check", "allow_download"),
        ("layers_spin", "fine_tune_layers"),
        ("ft_epochs_spin", "fine_tune_epochs"),
        ("lr_factor_spin", "fine_tune_lr_factor"),
    )

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._lookup = SerialJob(self.check_weights)
        self._lookup_gen = 0
        self.weights_status: dict[str, dict[str, Any]] | None = None
        self._looked_up_folder = ""
        store = app_settings.current()
        saved = app_settings.load_dataclass(store, self.model_key, self.config_cls)
        if saved is not None:
            if saved.weights_path and not Path(saved.weights_path).is_file():
                saved.weights_path = ""  # moved or deleted since
            state.settings(self.kind).model = saved
        training = app_settings.load_dataclass(store, self.training_key, TrainConfig)
        self.training = training or self.kind.default_training()
        self._build()
        self._show()
        state.dataset_changed.connect(self._on_dataset_changed)
        state.model_changed.connect(self._on_model_changed)
        state.preprocess_changed.connect(self._show_auto_epochs)  # the split's fractions
        state.engine_ready_changed.connect(lambda _ready: self._update_status())
        self._on_dataset_changed()
        self.check_weights()

    @property
    def config(self) -> ImageModelConfig:
        return self.state.settings(self.kind).model

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.arch_combo = combo(
            ARCHITECTURES,
            "The network to train. Pretrained networks (ResNet50, InceptionV3) reach high "
            f"accuracy with few {self.unit}; the Compact CNN needs no weights file.",
        )
        self.arch_explain = muted_label()
        self.auto_choice = muted_label()
        self.dropout_spin = dspin(
            0.0,
            0.9,
            2,
            0.05,
            "Share of features switched off at random before the classifier while training: "
            "fights overfitting. 0.2 is typical.",
        )
        self.dropout_spin.setMaximumWidth(150)
        net_box = self._network_box(("Dropout", self.dropout_spin))

        weights_box = build_weights_box(self)

        self.layers_spin = spin(
            -1,
            1000,
            "Backbone layers to unfreeze in phase 2, counted from the top. Auto: more with "
            f"more {self.unit} (none for very small datasets). 0 = train the head only.",
        )
        self.layers_spin.setSpecialValueText("Auto")
        self.ft_epochs_spin = spin(
            0, 100000, "Epochs of phase 2 (fine-tuning). Off = stop after the head."
        )
        self.ft_epochs_spin.setSpecialValueText("Off")
        self.lr_factor_spin = dspin(
            0.001,
            1.0,
            3,
            0.01,
            "Phase 2 learning rate = the training learning rate × this. Small (0.1 or less) so "
            "fine-tuning does not wipe out what the network learned on ImageNet.",
            True,
        )
        self.ft_note = muted_label(PHASES)
        ft_box = QGroupBox("Fine-tuning (pretrained networks)")
        fform = QFormLayout(ft_box)
        fform.addRow(self.ft_note)
        for box in (self.layers_spin, self.ft_epochs_spin, self.lr_factor_spin):
            box.setMaximumWidth(150)
        fform.addRow("Layers to unfreeze", self.layers_spin)
        fform.addRow("Fine-tune epochs", self.ft_epochs_spin)
        fform.addRow("Learning-rate factor", self.lr_factor_spin)

        self.training_form = TrainingSettingsForm(
            "Training",
            epochs_label="Head / CNN epochs",
            batch_unit=self.unit,
            auto_epochs=self.kind.default_training().epochs == 0,  # the kind sizes them
            epochs_tip=f"Maximum passes over the training {self.unit}: the whole Compact CNN, "
            "or phase 1 (the new head) of a pretrained network.",
        )
        self.training_form.batch_spin.setToolTip(
            f"{self.unit.capitalize()} per update. Auto picks one from the device and the data "
            "size (smaller for big networks on the CPU); an out-of-memory error on the GPU "
            "halves it and retries."
        )
        self._assemble(net_box, weights_box, ft_box)

    def _network_box(self, *rows: tuple[str, QWidget]) -> QGroupBox:
        """The Network box: the architecture with its explanation and Auto's choice, then
        ``rows`` (label, field) of this kind's network settings."""
        arch_field = QVBoxLayout()
        arch_field.setSpacing(4)
        arch_field.addWidget(self.arch_combo)
        arch_field.addWidget(self.arch_explain)
        arch_field.addWidget(self.auto_choice)
        net_box = QGroupBox("Network")
        form = QFormLayout(net_box)
        form.addRow("Architecture", arch_field)
        for label, field_widget in rows:
            form.addRow(label, field_widget)
        return net_box

    def _assemble(self, *boxes: QWidget) -> None:
        """Lay the page out around the kind's ``boxes`` (the left column): the training
        settings and Restore defaults on the right, the search box above both; and make every
        field of :attr:`fields` (``self.training_form`` built already) commit its edits."""
        title = QLabel("Model")
        title.setProperty("role", "title")
        self.defaults_button = QPushButton("Restore defaults")
        self.defaults_button.setToolTip("Set every model and training setting back to default.")
        self.defaults_button.clicked.connect(self.restore_defaults)
        left = QVBoxLayout()
        for box in boxes:
            left.addWidget(box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.training_form)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.defaults_button)
        right.addLayout(buttons)
        right.addStretch(1)
        columns = self.columns = stacking_columns((left, 3), (right, 2))
        self.search_box = SearchSettingsBox(self.state, self.kind)  # one model or a search
        self.search_box.study_requested.connect(
            lambda: open_study_or_say_why(self.state, self.window())
        )
        self.search_box.set_overridden(self.search_overridden())
        self.search_box.mode_changed.connect(lambda _on: self._update_texts())
        scrolling_page(self, title, muted_label(self.intro), self.search_box, columns)
        # one above the other where they do not fit side by side (a 1024-pixel window)
        columns.follow(self.findChild(QScrollArea))

        self.arch_combo.currentIndexChanged.connect(self._on_arch_changed)
        for name, _field in self.fields:
            widget = getattr(self, name)
            if widget is not self.arch_combo:
                edited_signal(widget).connect(self._on_edit)
        self.training_form.edited.connect(self._on_edit)

    # -- config -> widgets -------------------------------------------------------------------
    def _show(self) -> None:
        c = self.config
        self._updating = True
        try:
            for widget, field in self.fields:
                put_value(getattr(self, widget), getattr(c, field))
            self.training_form.show_config(self.training)
        finally:
            self._updating = False
        self._update_texts()

    def _update_texts(self) -> None:
        c = self.config
        arch = c.architecture
        self.arch_explain.setText(self.explain.get(arch, ""))
        backbone = arch in BACKBONES
        phase2 = c.fine_tune_layers != 0 and c.fine_tune_epochs > 0
        own = {  # a search may fine-tune whatever is chosen here: its factor applies then
            self.layers_spin: arch != "cnn",
            self.ft_epochs_spin: arch != "cnn",
            self.lr_factor_spin: arch != "cnn" and phase2 or self.search_box.on,
        }
        for widget, enabled in own.items():
            widget.setEnabled(enabled)
        self.search_box.grey_overridden(own)  # greys what the search sets
        if arch == "cnn":
            self.ft_note.setText("The Compact CNN trains in one phase: nothing to fine-tune.")
        elif arch == "auto":
            self.ft_note.setText(PHASES + " Used when Auto picks a pretrained network.")
        else:
            self.ft_note.setText(PHASES)
        self.choose_button.setEnabled(backbone)
        self.choose_button.setToolTip(
            "Use a weights file you have (an include_top=False .h5 file for "
            f"{NAMES[arch]}), e.g. one downloaded on another computer."
            if backbone
            else "Choose ResNet50 or InceptionV3 first: a weights file belongs to one network."
        )
        self.file_label.setText(short_path(c.weights_path) if c.weights_path else "none chosen")
        self.clear_file_button.setEnabled(bool(c.weights_path))
        self.folder_label.setText(
            short_path(c.weights_folder)
            if c.weights_folder
            else "none (models/pretrained/ and the Keras cache are searched)"
        )
        self.clear_folder_button.setEnabled(bool(c.weights_folder))
        self._update_status()

    def _update_status(self) -> None:
        c = self.config
        status = self.weights_status
        for arch, label in self.status_labels.items():
            if c.weights_path and arch == c.architecture:
                ok = Path(c.weights_path).is_file()
                mark = "✓ your file" if ok else "✗ your file is missing"
                label.setText(f"{mark}: {short_path(c.weights_path)}")
            else:
                entry = None if status is None else status.get(arch)
                label.setText(status_text(entry, c.allow_download))
                label.setToolTip("\n".join((entry or {}).get("skipped") or []))
            text = label.text()
            colour = "#1B5E20" if text.startswith("✓") else "#616E7C"
            if text.startswith(("✗", "could not")) or "downloading is off" in text:
                colour = "#B71C1C"
            label.setStyleSheet(f"color: {colour};")
        self._show_auto_epochs()
        if c.architecture != "auto":
            self.auto_choice.setVisible(False)
            return
        self.auto_choice.setVisible(True)
        if status is None:
            self.auto_choice.setText("Auto will use: checking which weights are here…")
            return
        found = [a for a in BACKBONES if status.get(a, {}).get("path")]
        resolved, text = self.resolve_auto(found)
        if self.publish_auto and self.state.auto_architecture != resolved:
            self.state.auto_architecture = resolved  # the Preprocess page shows Auto's size
            self.state.notify_model_changed()
        self.auto_choice.setText(text)
        self._show_auto_epochs()

    def _show_auto_epochs(self) -> None:
        """ "Auto: at most E epochs for N training images" under the epochs, for the loaded
        folder (hidden when the epochs are set, or the search sets them)."""
        text = auto_epochs_text(self.state, self.kind, self.training, self.config.architecture)
        self.training_form.set_epochs_hint("" if self.search_box.on else text)

    def search_overridden(self) -> tuple[QWidget, ...]:
        """The fields the search sets for every trial (``ImageSpace``): the network, its
        dropout, the layers to fine-tune and the epochs of each phase, the learning rate
        and the time budget (the search's); it keeps its best trial as trained (no refit)."""
        f = self.training_form
        return (
            self.arch_combo,
            self.dropout_spin,
            self.layers_spin,
            self.ft_epochs_spin,
            f.lr_spin,
            f.epochs_spin,
            f.budget_spin,
            f.refit_check,
        )

    def resolve_auto(self, found: list[str]) -> tuple[str, str]:
        """What Auto picks given the backbones whose weights ``found`` here, and a line
        saying so: the first of them, else the Compact CNN."""
        if found:
            return found[0], f"Auto will use: {NAMES[found[0]]} (its weights are on this computer)."
        return "cnn", "Auto will use: the Compact CNN (no pretrained weights on this computer)."

    # -- widgets -> config -------------------------------------------------------------------
    def _on_arch_changed(self, *_args: object) -> None:
        if self._updating:
            return
        arch = self.arch_combo.currentData()
        if (
            self.weights_follow_network
            and arch != self.config.architecture
            and self.config.weights_path
        ):
            self.config.weights_path = ""  # a weights file belongs to one network
        self.config.architecture = arch
        self._on_edit()

    def _on_edit(self, *_args: object) -> None:
        if self._updating:
            return
        for widget, field in self.fields:
            setattr(self.config, field, read_value(getattr(self, widget)))
        self.training_form.read_into(self.training)
        self._update_texts()
        self._commit()

    def _commit(self) -> None:
        store = app_settings.current()
        app_settings.save_dataclass(store, self.model_key, self.config)
        app_settings.save_dataclass(store, self.training_key, self.training)
        self._emitting = True  # our own change: the widgets already show it
        try:
            self.state.notify_model_changed()
        finally:
            self._emitting = False

    def choose_file(self) -> None:
        """Ask for the chosen backbone's weights file (sets ``weights_path``)."""
        store = app_settings.current()
        path = ask_weights_file(self, app_settings.last_folder(store, KEY_WEIGHTS_FILE))
        if not path:
            return
        app_settings.set_last_folder(store, path, KEY_WEIGHTS_FILE)
        self.config.weights_path = path
        self._update_texts()
        self._commit()

    def clear_file(self) -> None:
        self.config.weights_path = ""
        self._update_texts()
        self._commit()

    def choose_folder(self) -> None:
        """Ask for the folder of :attr:`folder_field` (the dialog starts at the one chosen,
        else where the last one was) and check the weights it gives."""
        store = app_settings.current()
        start = getattr(self.config, self.folder_field) or app_settings.last_folder(
            store, self.folder_key
        )
        folder = ask_weights_folder(self, start)
        if not folder:
            return
        app_settings.set_last_folder(store, folder, self.folder_key)
        setattr(self.config, self.folder_field, folder)
        self._update_texts()
        self._commit()
        self.check_weights()

    def clear_folder(self) -> None:
        setattr(self.config, self.folder_field, "")
        self._update_texts()
        self._commit()
        self.check_weights()

    def restore_defaults(self) -> None:
        """Model and training settings back to their defaults (the chosen folder stays)."""
        folder = self.config.weights_folder
        defaults = self.config_cls(**self.config_defaults, weights_folder=folder)
        self.state.settings(self.kind).model = defaults
        self.training = self.kind.default_training()
        if self.state.kind is self.kind:
            self.state.training = self.training
        self._show()
        self._commit()

    # -- state -------------------------------------------------------------------------------
    def _on_model_changed(self) -> None:
        """Others change the config too (the weights dialog: a file, or the CNN instead)."""
        if self._updating or self._emitting:
            return
        if self.training is not self.state.training and self.state.kind is self.kind:
            self.training = self.state.training  # replaced wholesale (e.g. a test, a project)
        self._show()
        store = app_settings.current()  # remembered as if edited here
        app_settings.save_dataclass(store, self.model_key, self.config)
        app_settings.save_dataclass(store, self.training_key, self.training)
        if self.config.weights_folder != self._looked_up_folder:
            self.check_weights()

    def _on_dataset_changed(self) -> None:
        """A dataset of this page's kind is loaded: training uses this page's settings."""
        if self.state.kind is self.kind and self.state.training is not self.training:
            self.state.training = self.training
        self._show_auto_epochs()

    # -- weights lookup ----------------------------------------------------------------------
    def check_weights(self) -> None:
        """Look the weights up in the background; the labels say "checking…" meanwhile."""
        self._lookup_gen += 1
        self.weights_status = None
        self._update_status()
        if self._lookup.queue_if_busy():  # go again when the running lookup ends
            return
        folder = self._looked_up_folder = self.config.weights_folder
        gen = self._lookup_gen
        self._lookup.start(
            self._workers,
            lambda: lookup_weights(folder),
            lambda result: self._on_lookup(gen, result),
            lambda m, _h: self._on_lookup(gen, None, m),
        )

    def _on_lookup(self, gen: int, result: Any, error: str = "") -> None:
        if gen != self._lookup_gen:
            return  # the folder changed meanwhile
        if result is None:
            result = {a: {"path": None, "error": error} for a in BACKBONES}
        self.weights_status = result
        self._update_status()

    @property
    def lookup_busy(self) -> bool:
        return self._lookup.busy

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Join the weights lookup (the window calls this when it closes)."""
        self._lookup.pending = False
        return super().wait_idle(msecs)

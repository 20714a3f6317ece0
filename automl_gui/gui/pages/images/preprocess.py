"""Image Preprocess page: input size and colour, augmentation with a live preview, the split.

Edits change ``state.settings(IMAGES).preprocess`` in place, are remembered in QSettings and call
``state.notify_preprocess_changed()``. The preview grid shows sample images of the dataset as
loaded (first column) and augmented as in training (the others); it is computed by
``core.preprocess.images`` in a :class:`JobWorker` ~300 ms after the last edit, and a result
that an edit made stale is dropped.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.base.units import format_bytes
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.models.image_config import DEFAULT_SIZES
from automl_gui.core.preprocess.image_config import (
    MAX_IMAGE_SIZE,
    MIN_IMAGE_SIZE,
    ImagePreprocessConfig,
)
from automl_gui.gui.pages._files_preprocess import (  # noqa: F401 - NOT_READY etc. kept here
    NOT_READY,
    PREVIEW_DEBOUNCE_MS,
    PreviewPage,
    SplitBox,
    augment_layout,
    load_nested_config,
    pick_samples,
    strength_row,
)
from automl_gui.gui.pages.images._preview import PREVIEW_AUGMENTED, TILE, preview_images, to_pixmap
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import muted_label
from automl_gui.gui.widgets.training_settings import combo, select, spin

KEY_IMAGE_PREPROCESS = "images/preprocess"
PREVIEW_ROWS = 3  # sample images (from different classes where possible)
PREVIEW_MAX_SIZE = 128  # px the preview is computed at (smaller when the model's size is)

COLOR_MODES = [
    ("auto", "Auto (grayscale if all gray)"),
    ("rgb", "RGB (colour)"),
    ("grayscale", "Grayscale"),
]
FLIPS = [
    ("none", "No flipping"),
    ("horizontal", "Left ↔ right"),
    ("vertical", "Up ↔ down"),
    ("both", "Both"),
]
NORMALIZATION = {
    "cnn": "Pixel values scaled to 0…1 (Compact CNN)",
    "resnet50": "ResNet50's own: RGB→BGR, ImageNet mean subtracted",
    "inceptionv3": "InceptionV3's own: pixel values scaled to −1…1",
    "auto": "Follows the network Auto picks (a backbone's own, or 0…1)",
}
STRENGTHS = {  # name: (maximum, step, tooltip)
    "rotation": (
        0.5,
        0.01,
        "Turns each training image by a random angle. The value is a fraction of a full "
        "turn: 0.05 = up to ±18°, 0.25 = up to ±90°. Keep it small when orientation "
        "matters (digits, text).",
    ),
    "zoom": (
        0.5,
        0.01,
        "Zooms in or out at random: 0.1 = up to 10 % closer or farther. Helps when objects "
        "appear at different sizes.",
    ),
    "translation": (
        0.5,
        0.01,
        "Shifts the image at random: 0.1 = up to 10 % of its width and height in any "
        "direction. Helps when objects are not centred.",
    ),
    "contrast": (
        1.0,
        0.05,
        "Changes the contrast at random: 0.1 = up to ±10 %. Helps with photos taken in "
        "different light.",
    ),
    "brightness": (
        1.0,
        0.05,
        "Makes the image lighter or darker at random: 0.1 = up to ±10 % of the value range "
        "(±26 of 255).",
    ),
}


def strength_text(name: str, value: float) -> str:
    """What a strength does, in plain words ("up to ±18°")."""
    if value <= 0:
        return "off"
    pct = f"{value * 100:.0f} %"
    return {
        "rotation": f"up to ±{value * 360:.0f}°",
        "zoom": f"up to ±{pct} size",
        "translation": f"shift up to {pct}",
        "contrast": f"up to ±{pct}",
        "brightness": f"up to ±{pct} (±{value * 255:.0f} levels)",
    }[name]


def load_config(store: Any) -> ImagePreprocessConfig | None:
    """The remembered settings (None when absent or unreadable: another version)."""
    return load_nested_config(store, KEY_IMAGE_PREPROCESS, ImagePreprocessConfig)


class ImagePreprocessPage(PreviewPage):
    """Step 2 for image folders: model input, augmentation (with preview) and the split."""

    name = "preprocess"
    title = "Preprocess"
    empty_text = "Open an image folder on the Data page to preview it here."
    kind = IMAGES
    settings_key = KEY_IMAGE_PREPROCESS
    config_cls = ImagePreprocessConfig
    intro = (
        "How images are fed to the network. Everything here becomes part of the saved "
        "model, so it later accepts images of any size. Hover a setting for what it does."
    )
    preview_stretch = 0  # the preview column as wide as its tiles

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._cnn_auto_size: int | None = None  # computed in the background per dataset
        self._size_gen = 0
        self.preview_paths: list[str] = []
        self._start()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.size_spin = spin(
            0, MAX_IMAGE_SIZE, ""
        )  # tooltip and "Auto" text follow the model (_update_auto_texts)
        self.size_spin.setSingleStep(16)
        self.size_spin.setSuffix(" px")
        self.color_combo = combo(
            COLOR_MODES,
            "Auto trains in grayscale when every image is stored gray, else in RGB. RGB keeps "
            "colour. Grayscale drops it: use it when colour carries no information (scans, "
            "X-rays); a pretrained network then gets the grey image on all 3 channels.",
        )
        self.norm_edit = QLineEdit()
        self.norm_edit.setReadOnly(True)
        self.norm_edit.setMinimumWidth(260)
        self.norm_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.norm_edit.setToolTip(
            "How pixel values are scaled before the network: set by the chosen network "
            "(Model page). ResNet50 and InceptionV3 need the scaling they were trained with."
        )
        input_box = QGroupBox("Model input")
        iform = QFormLayout(input_box)
        iform.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.size_spin.setMinimumWidth(150)
        iform.addRow("Image size", self.size_spin)
        iform.addRow("Colour", self.color_combo)
        iform.addRow("Normalization", self.norm_edit)

        self.augment_check = QCheckBox("Augment training images")
        self.augment_check.setToolTip(
            "Show the network randomly changed copies of the training images (flipped, "
            "turned, zoomed…) so it learns the object, not the exact picture. Only during "
            "training; validation, test and predictions use the images as they are."
        )
        self.flip_combo = combo(
            FLIPS,
            "Mirror images at random. Left ↔ right suits most photos; up ↔ down only when "
            "images have no 'up' (microscopy, satellite images).",
        )
        self.strength_spins: dict[str, QDoubleSpinBox] = {}
        self.strength_labels: dict[str, QLabel] = {}
        aug_form = QFormLayout()
        aug_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        aug_form.addRow("", self.augment_check)
        aug_form.addRow("Flip", self.flip_combo)
        for name, (high, step, tip) in STRENGTHS.items():
            box, label, row = strength_row(0.0, high, step, tip)
            self.strength_spins[name] = box
            self.strength_labels[name] = label
            aug_form.addRow(name.capitalize(), row)
        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.setToolTip("Set the augmentation back to its default strengths.")
        self.reset_button.clicked.connect(self.reset_augmentation)
        self.speed_note = muted_label(
            "Tip: with augmentation off, ResNet50 and InceptionV3 compute the backbone's "
            "features once and train the new head on them — much faster."
        )
        aug_box = QGroupBox("Augmentation (training only)")
        augment_layout(aug_box, aug_form, self.reset_button, self.speed_note)

        split_box = self.split_box = SplitBox(
            "images",
            "Cache decoded images in memory",
            "Keep images decoded and resized in memory after the first epoch: later epochs "
            "skip reading and decoding the files (much faster, above all from slow disks). "
            "Only for datasets that fit in memory; leave it off for large ones, which then "
            "stream from disk.",
        )
        self.val_spin, self.test_spin = split_box.val_spin, split_box.test_spin
        self.seed_spin, self.cache_check = split_box.seed_spin, split_box.cache_check
        self.split_note, self.cache_note = split_box.split_note, split_box.cache_note

        preview_box = QGroupBox("Preview")
        grid = QGridLayout()
        grid.setSpacing(6)
        heads = ["As loaded"] + [f"Augmented {i + 1}" for i in range(PREVIEW_AUGMENTED)]
        for col, text in enumerate(heads):
            head = muted_label(text)
            head.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(head, 0, col)
        self.tiles: list[list[QLabel]] = []
        for row in range(PREVIEW_ROWS):
            tiles = []
            for col in range(1 + PREVIEW_AUGMENTED):
                tile = QLabel()
                tile.setFixedSize(TILE + 2, TILE + 2)
                tile.setAlignment(Qt.AlignmentFlag.AlignCenter)
                tile.setFrameShape(QFrame.Shape.StyledPanel)
                tile.setProperty("role", "muted")
                grid.addWidget(tile, row + 1, col)
                tiles.append(tile)
            self.tiles.append(tiles)
        self.preview_status = muted_label()
        self.new_samples_button = QPushButton("New samples")
        self.new_samples_button.setToolTip("Preview other images of the dataset.")
        self.new_samples_button.clicked.connect(self.new_samples)
        status_row = QHBoxLayout()
        status_row.addWidget(self.preview_status, 1)
        status_row.addWidget(self.new_samples_button)
        pv = QVBoxLayout(preview_box)
        pv.addLayout(grid)
        pv.addLayout(status_row)
        pv.addStretch(1)

        left = QVBoxLayout()
        left.addWidget(input_box)
        left.addWidget(aug_box)
        left.addWidget(split_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(preview_box)
        right.addStretch(1)
        self._lay_out(left, right)

        for box in (self.color_combo, self.flip_combo):
            box.currentIndexChanged.connect(self._on_edit)
        self.size_spin.valueChanged.connect(self._on_edit)
        for box in self.strength_spins.values():
            box.valueChanged.connect(self._on_edit)
        self.augment_check.toggled.connect(self._on_edit)
        split_box.connect_edits(self._on_edit)
        self.size_spin.editingFinished.connect(self._snap_size)

    # -- config -> widgets -------------------------------------------------------------------
    def _show_fields(self, config: ImagePreprocessConfig) -> None:
        self.size_spin.setValue(config.image_size)
        select(self.color_combo, config.color_mode)
        aug = config.augment
        self.augment_check.setChecked(aug.enabled)
        select(self.flip_combo, aug.flip)
        for name, box in self.strength_spins.items():
            box.setValue(getattr(aug, name))

    def _update_texts(self) -> None:
        """Enabled states and the explanations that follow the values."""
        aug = self.config.augment
        for name, box in self.strength_spins.items():
            box.setEnabled(aug.enabled)
            self.strength_labels[name].setText(strength_text(name, box.value()))
        self.flip_combo.setEnabled(aug.enabled)
        arch = self.state.settings(IMAGES).model.architecture
        self.speed_note.setVisible(aug.active and arch != "cnn")
        self.norm_edit.setText(NORMALIZATION.get(arch, NORMALIZATION["auto"]))
        self.norm_edit.setCursorPosition(0)
        self._update_auto_texts()
        self._update_split()
        self._update_cache_note()

    def _update_auto_texts(self) -> None:
        arch = self.state.settings(IMAGES).model.architecture
        if arch == "auto" and self.state.auto_architecture:
            arch = self.state.auto_architecture  # what Auto picks on this computer
        cnn = (
            f"{self._cnn_auto_size} px for these images"
            if self._cnn_auto_size
            else "from the images' sizes (32–128 px)"
        )
        if arch in DEFAULT_SIZES:
            special = f"Auto ({DEFAULT_SIZES[arch]} px)"
            auto = f"{DEFAULT_SIZES[arch]} px, the size {arch_name(arch)} was trained at"
        elif arch == "cnn":
            special = f"Auto ({self._cnn_auto_size} px)" if self._cnn_auto_size else "Auto"
            auto = cnn
        else:
            special = "Auto"
            auto = f"224 px for ResNet50, 299 px for InceptionV3, {cnn} for the Compact CNN"
        self.size_spin.setSpecialValueText(special)
        self._show_auto_colour()
        self.size_spin.setToolTip(
            "Side of the square images the network sees (images are resized; the saved "
            f"model does this itself). Auto: {auto}. Smaller trains faster; larger keeps "
            f"detail. {MIN_IMAGE_SIZE}–{MAX_IMAGE_SIZE} px."
        )

    def resolved_colour(self) -> str:
        """The colour mode training will use: Auto resolved for the loaded folder as the job
        does (``resolve_color_mode``: grayscale when every image is stored gray)."""
        from automl_gui.core.preprocess.images import resolve_color_mode

        data = self.state.loaded(IMAGES)
        if data is None or not len(data):
            return self.config.color_mode
        return resolve_color_mode(self.config, data)[0]

    def _show_auto_colour(self) -> None:
        """The Auto entry says what it resolves to for the loaded folder, as Image size's
        Auto does: "Auto (grayscale: all 300 images are gray)"."""
        from automl_gui.core.preprocess.images import resolve_color_mode

        data = self.state.loaded(IMAGES)
        text = dict(COLOR_MODES)["auto"]
        if data is not None and len(data):
            auto = dataclasses.replace(self.config, color_mode="auto")
            n, gray = len(data), data.gray_count()
            if resolve_color_mode(auto, data)[0] == "grayscale":
                text = f"Auto (grayscale: all {n:,} images are gray)"
            else:
                text = f"Auto (RGB: {n - gray:,} of {n:,} images in colour)"
        self.color_combo.setItemText(self.color_combo.findData("auto"), text)

    def _update_split(self) -> None:
        data = self.state.loaded(IMAGES)
        self.split_box.update_split(data is not None and data.has_split)

    def _update_cache_note(self) -> None:
        data = self.state.loaded(IMAGES)
        if data is None or not len(data):
            self.cache_note.setText("")
            return
        size = self.effective_size()
        need = len(data) * size * size * 3 * 4  # float32 after resizing
        self.cache_note.setText(
            f"Caching {len(data):,} images at {size} px needs about {format_bytes(need, base=1000)} of memory."
        )

    def effective_size(self) -> int:
        """The size training will use (the chosen one, or Auto's for the chosen network)."""
        if self.config.image_size:
            return self.config.image_size
        arch = self.state.settings(IMAGES).model.architecture
        if arch in DEFAULT_SIZES:
            return DEFAULT_SIZES[arch]
        if arch == "auto":
            resolved = self.state.auto_architecture
            if resolved == "cnn":
                return self._cnn_auto_size or 64
            return DEFAULT_SIZES.get(resolved or "resnet50", DEFAULT_SIZES["resnet50"])
        return self._cnn_auto_size or 64

    # -- widgets -> config -------------------------------------------------------------------
    def _read_fields(self, c: ImagePreprocessConfig, sender: object) -> None:
        size = self.size_spin.value()
        c.image_size = max(size, MIN_IMAGE_SIZE) if size else 0
        c.color_mode = self.color_combo.currentData()
        aug = c.augment
        aug.enabled = self.augment_check.isChecked()
        aug.flip = self.flip_combo.currentData()
        for name, box in self.strength_spins.items():
            setattr(aug, name, round(box.value(), 4))

    def _snap_size(self) -> None:
        """1–15 px typed: show the minimum the config uses."""
        if 0 < self.size_spin.value() < MIN_IMAGE_SIZE:
            self.size_spin.setValue(MIN_IMAGE_SIZE)

    # -- state signals -----------------------------------------------------------------------
    def _on_dataset_changed(self) -> None:
        self._cnn_auto_size = None
        self.preview_paths = []
        self._size_gen += 1
        data = self.state.loaded(IMAGES)
        if data is not None and len(data):  # size statistics take ~0.2 s at 50,000 images
            gen = self._size_gen
            self.run_in_background(
                lambda: cnn_auto_size(data), lambda size: self._on_auto_size(gen, size)
            )
        self._update_texts()
        self.schedule_preview()

    def _on_auto_size(self, gen: int, size: int | None) -> None:
        if gen != self._size_gen:
            return  # another dataset since
        before = self.effective_size()
        self._cnn_auto_size = size
        self._update_texts()
        if self.effective_size() != before:
            self.schedule_preview()

    def _on_model_changed(self) -> None:
        before = self.effective_size()
        self._show(self.config)  # the size may have been reset with the model (CNN instead)
        self._save()
        if self.effective_size() != before:
            self.schedule_preview()

    # -- preview -----------------------------------------------------------------------------
    def new_samples(self) -> None:
        """Preview other images (right away)."""
        self._sample_seed += 1
        self.preview_paths = []
        self.refresh_preview()

    def preview_data(self) -> Any:
        return self.state.loaded(IMAGES)

    def preview_job(self, data: Any) -> Any:
        if not self.preview_paths:
            self.preview_paths = pick_samples(data, PREVIEW_ROWS, self._sample_seed)
        paths = list(self.preview_paths)
        augment = copy.deepcopy(self.config.augment)
        size = min(self.effective_size(), PREVIEW_MAX_SIZE)
        gray = self.resolved_colour() == "grayscale"
        seed = self.config.seed + self._sample_seed
        return lambda: preview_images(paths, augment, size, seed, gray)

    def show_preview(self, result: tuple[np.ndarray, np.ndarray]) -> None:
        originals, augmented = result
        n = len(originals)
        active = self.config.augment.active  # off: copies of the originals, not worth showing
        for row in range(PREVIEW_ROWS):
            for col in range(1 + PREVIEW_AUGMENTED):
                tile = self.tiles[row][col]
                k = (col - 1) * n + row
                if row >= n or (col and (k >= len(augmented) or not active)):
                    tile.clear()
                    if row < n and not active:
                        tile.setText("augmentation\noff")
                    continue
                image = originals[row] if col == 0 else augmented[k]
                tile.setPixmap(to_pixmap(image))
                tile.setToolTip(self.preview_paths[row] if row < len(self.preview_paths) else "")
        size = originals.shape[1] if n else 0
        what = (
            "augmented as in training"
            if active
            else "augmentation off: training sees them as loaded"
        )
        self.preview_status.setText(f"{n} sample images at {size} px, {what}.")

    def clear_preview(self, message: str) -> None:
        for row in self.tiles:
            for tile in row:
                tile.clear()
                tile.setToolTip("")
        self.preview_status.setText(message)


def arch_name(arch: str) -> str:
    return {"resnet50": "ResNet50", "inceptionv3": "InceptionV3", "cnn": "the Compact CNN"}.get(
        arch, arch
    )


def cnn_auto_size(data: Any) -> int | None:
    """The CNN's automatic size for ``data`` (None while core cannot say)."""
    try:
        from automl_gui.core.models.images import auto_image_size

        return int(auto_image_size("cnn", data.size_stats()))
    except Exception:  # noqa: BLE001 - a hint in a tooltip; never worth an error
        return None

"""Image Preprocess page: input size and colour, augmentation with a live preview, the split.

Edits change ``state.image_preprocess`` in place, are remembered in QSettings and call
``state.notify_preprocess_changed()``. The preview grid shows sample images of the dataset as
loaded (first column) and augmented as in training (the others); it is computed by
``core.preprocess.images`` in a :class:`JobWorker` ~300 ms after the last edit, and a result
that an edit made stale is dropped.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap, QShowEvent
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

from automl_gui.core.models.image_config import DEFAULT_SIZES
from automl_gui.core.preprocess.image_config import (
    MAX_IMAGE_SIZE,
    MIN_IMAGE_SIZE,
    AugmentConfig,
    ImagePreprocessConfig,
)
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs.messages import muted_label
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.page_layout import scrolling_page
from automl_gui.gui.widgets.training_settings import combo, select, spin
from automl_gui.gui.workers import JobWorker

KEY_IMAGE_PREPROCESS = "images/preprocess"
PREVIEW_ROWS = 3  # sample images (from different classes where possible)
PREVIEW_AUGMENTED = 3  # augmented versions of each, beside the original
PREVIEW_DEBOUNCE_MS = 300
PREVIEW_MAX_SIZE = 128  # px the preview is computed at (smaller when the model's size is)
TILE = 100  # px a preview tile is shown at
NOT_READY = "Preview available once the engine has loaded."

COLOR_MODES = [("rgb", "RGB (colour)"), ("grayscale", "Grayscale")]
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
    raw = store.value(KEY_IMAGE_PREPROCESS, "")
    try:
        data = json.loads(str(raw)) if raw else None
        if not isinstance(data, dict):
            return None
        names = set(ImagePreprocessConfig.__dataclass_fields__)
        augment = data.get("augment") or {}
        aug_names = set(AugmentConfig.__dataclass_fields__)
        data = {k: v for k, v in data.items() if k in names}
        data["augment"] = {k: v for k, v in augment.items() if k in aug_names}
        return ImagePreprocessConfig.from_dict(data)
    except (TypeError, ValueError, AttributeError):
        return None


def preview_job(
    paths: list[str], augment: AugmentConfig, size: int, seed: int, grayscale: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Originals (n, s, s, 3) and PREVIEW_AUGMENTED augmented versions of each (uint8).

    ``augmented[k]`` is a version of ``paths[k % n]`` (core cycles the paths).
    """
    from automl_gui.core.preprocess import images

    originals = np.clip(images.load_images(paths, size), 0, 255).astype(np.uint8)
    augmented = images.augment_preview(
        paths, augment, size, count=len(paths) * PREVIEW_AUGMENTED, seed=seed
    )
    augmented = np.clip(augmented, 0, 255).astype(np.uint8)
    if grayscale:  # what a grayscale model sees (luma as in tf.image.rgb_to_grayscale)
        weights = np.array([0.2989, 0.587, 0.114], dtype="float32")
        originals, augmented = (
            np.repeat((a @ weights)[..., None], 3, axis=-1).astype(np.uint8)
            for a in (originals, augmented)
        )
    return originals, augmented


def to_pixmap(image: np.ndarray, side: int = TILE) -> QPixmap:
    """An (h, w, 3) uint8 array as a pixmap scaled to ``side`` (nearest: pixels stay visible)."""
    image = np.ascontiguousarray(image)
    h, w = image.shape[:2]
    qimage = QImage(image.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    mode = Qt.TransformationMode.FastTransformation
    return QPixmap.fromImage(qimage).scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio, mode)


class ImagePreprocessPage(QWidget):
    """Step 2 for image folders: model input, augmentation (with preview) and the split."""

    name = "preprocess"
    title = "Preprocess"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._updating = False
        self._emitting = False
        self._workers: set[JobWorker] = set()
        self._preview_worker: JobWorker | None = None
        self._preview_gen = 0
        self._preview_pending = False
        self._preview_dirty = True
        self._sample_seed = 0
        self._cnn_auto_size: int | None = None  # computed in the background per dataset
        self._size_gen = 0
        self.preview_paths: list[str] = []
        saved = load_config(app_settings.current())
        if saved is not None:
            state.image_preprocess = saved
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(PREVIEW_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh_preview)
        self._build()
        self._show(state.image_preprocess)
        state.dataset_changed.connect(self._on_dataset_changed)
        state.model_changed.connect(self._on_model_changed)
        state.preprocess_changed.connect(self._on_preprocess_changed)
        state.engine_ready_changed.connect(lambda _ready: self.schedule_preview())
        self._on_dataset_changed()

    @property
    def config(self) -> ImagePreprocessConfig:
        return self.state.image_preprocess

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        title = QLabel("Preprocess")
        title.setProperty("role", "title")
        intro = muted_label(
            "How images are fed to the network. Everything here becomes part of the saved "
            "model, so it later accepts images of any size. Hover a setting for what it does."
        )

        self.size_spin = spin(
            0, MAX_IMAGE_SIZE, ""
        )  # tooltip and "Auto" text follow the model (_update_auto_texts)
        self.size_spin.setSingleStep(16)
        self.size_spin.setSuffix(" px")
        self.color_combo = combo(
            COLOR_MODES,
            "RGB keeps colour. Grayscale drops it: use it when colour carries no information "
            "(scans, X-rays); a pretrained network then gets the grey image on all 3 channels.",
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
            box = QDoubleSpinBox()
            box.setRange(0.0, high)
            box.setDecimals(2)
            box.setSingleStep(step)
            box.setSpecialValueText("Off")
            box.setToolTip(tip)
            label = muted_label()
            label.setMinimumWidth(150)
            row = QHBoxLayout()
            row.addWidget(box)
            row.addWidget(label, 1)
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
        aug_layout = QVBoxLayout(aug_box)
        aug_layout.addLayout(aug_form)
        reset_row = QHBoxLayout()
        reset_row.addStretch(1)
        reset_row.addWidget(self.reset_button)
        aug_layout.addLayout(reset_row)
        aug_layout.addWidget(self.speed_note)

        self.val_spin = spin(5, 45, "Share of the images held out to watch overfitting and stop.")
        self.test_spin = spin(
            5, 45, "Share of the images kept aside for the final, unbiased evaluation."
        )
        for box in (self.val_spin, self.test_spin):
            box.setSuffix(" %")
        self.seed_spin = spin(0, 2**31 - 1, "Random seed of the split and the augmentation.")
        self.split_note = muted_label()
        self.cache_check = QCheckBox("Cache decoded images in memory")
        self.cache_check.setToolTip(
            "Keep images decoded and resized in memory after the first epoch: later epochs "
            "skip reading and decoding the files (much faster, above all from slow disks). "
            "Only for datasets that fit in memory; leave it off for large ones, which then "
            "stream from disk."
        )
        self.cache_note = muted_label()
        split_box = QGroupBox("Split and loading")
        sform = QFormLayout(split_box)
        sform.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for box in (self.val_spin, self.test_spin, self.seed_spin):
            box.setMaximumWidth(150)
        sform.addRow("Validation", self.val_spin)
        sform.addRow("Test", self.test_spin)
        sform.addRow("Seed", self.seed_spin)
        sform.addRow("", self.split_note)
        sform.addRow("", self.cache_check)
        sform.addRow("", self.cache_note)

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
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 0)
        scrolling_page(self, title, intro, columns)

        for box in (self.color_combo, self.flip_combo):
            box.currentIndexChanged.connect(self._on_edit)
        for box in (self.size_spin, self.val_spin, self.test_spin, self.seed_spin):
            box.valueChanged.connect(self._on_edit)
        for box in self.strength_spins.values():
            box.valueChanged.connect(self._on_edit)
        for check in (self.augment_check, self.cache_check):
            check.toggled.connect(self._on_edit)
        self.size_spin.editingFinished.connect(self._snap_size)

    # -- config -> widgets -------------------------------------------------------------------
    def _show(self, config: ImagePreprocessConfig) -> None:
        self._updating = True
        try:
            self.size_spin.setValue(config.image_size)
            select(self.color_combo, config.color_mode)
            aug = config.augment
            self.augment_check.setChecked(aug.enabled)
            select(self.flip_combo, aug.flip)
            for name, box in self.strength_spins.items():
                box.setValue(getattr(aug, name))
            self.val_spin.setValue(round(config.validation_fraction * 100))
            self.test_spin.setValue(round(config.test_fraction * 100))
            self.seed_spin.setValue(config.seed)
            self.cache_check.setChecked(config.cache)
        finally:
            self._updating = False
        self._update_texts()

    def _update_texts(self) -> None:
        """Enabled states and the explanations that follow the values."""
        aug = self.config.augment
        for name, box in self.strength_spins.items():
            box.setEnabled(aug.enabled)
            self.strength_labels[name].setText(strength_text(name, box.value()))
        self.flip_combo.setEnabled(aug.enabled)
        arch = self.state.image_model.architecture
        self.speed_note.setVisible(aug.active and arch != "cnn")
        self.norm_edit.setText(NORMALIZATION.get(arch, NORMALIZATION["auto"]))
        self.norm_edit.setCursorPosition(0)
        self._update_auto_texts()
        self._update_split()
        self._update_cache_note()

    def _update_auto_texts(self) -> None:
        arch = self.state.image_model.architecture
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
        self.size_spin.setToolTip(
            "Side of the square images the network sees (images are resized; the saved "
            f"model does this itself). Auto: {auto}. Smaller trains faster; larger keeps "
            f"detail. {MIN_IMAGE_SIZE}–{MAX_IMAGE_SIZE} px."
        )

    def _update_split(self) -> None:
        data = self.state.images
        fixed = data is not None and data.has_split
        for box in (self.val_spin, self.test_spin):
            box.setEnabled(not fixed)
        if fixed:
            self.split_note.setText(
                "The folder is already split into train / validation / test folders: that "
                "split is used, so these fractions do not apply."
            )
        else:
            train = 100 - self.val_spin.value() - self.test_spin.value()
            self.split_note.setText(
                f"Training gets the other {train} %. Each class is split in these shares."
            )

    def _update_cache_note(self) -> None:
        data = self.state.images
        if data is None or not len(data):
            self.cache_note.setText("")
            return
        size = self.effective_size()
        need = len(data) * size * size * 3 * 4  # float32 after resizing
        self.cache_note.setText(
            f"Caching {len(data):,} images at {size} px needs about {format_bytes(need)} of memory."
        )

    def effective_size(self) -> int:
        """The size training will use (the chosen one, or Auto's for the chosen network)."""
        if self.config.image_size:
            return self.config.image_size
        arch = self.state.image_model.architecture
        if arch in DEFAULT_SIZES:
            return DEFAULT_SIZES[arch]
        if arch == "auto":
            resolved = self.state.auto_architecture
            if resolved == "cnn":
                return self._cnn_auto_size or 64
            return DEFAULT_SIZES.get(resolved or "resnet50", DEFAULT_SIZES["resnet50"])
        return self._cnn_auto_size or 64

    # -- widgets -> config -------------------------------------------------------------------
    def _on_edit(self, *_args: object) -> None:
        if self._updating:
            return
        c = self.config
        size = self.size_spin.value()
        c.image_size = max(size, MIN_IMAGE_SIZE) if size else 0
        c.color_mode = self.color_combo.currentData()
        aug = c.augment
        aug.enabled = self.augment_check.isChecked()
        aug.flip = self.flip_combo.currentData()
        for name, box in self.strength_spins.items():
            setattr(aug, name, round(box.value(), 4))
        val, test = self.val_spin.value(), self.test_spin.value()
        if val + test > 60:  # keep at least 40 % for training: lower the other one
            self._updating = True
            if self.sender() is self.val_spin:
                test = 60 - val
                self.test_spin.setValue(test)
            else:
                val = 60 - test
                self.val_spin.setValue(val)
            self._updating = False
        c.validation_fraction = val / 100
        c.test_fraction = test / 100
        c.seed = self.seed_spin.value()
        c.cache = self.cache_check.isChecked()
        self._update_texts()
        self._save()
        self._notify()
        if self.sender() not in (self.val_spin, self.test_spin, self.cache_check):
            self.schedule_preview()

    def _notify(self) -> None:
        self._emitting = True  # our own change: the widgets already show it
        try:
            self.state.notify_preprocess_changed()
        finally:
            self._emitting = False

    def _snap_size(self) -> None:
        """1–15 px typed: show the minimum the config uses."""
        if 0 < self.size_spin.value() < MIN_IMAGE_SIZE:
            self.size_spin.setValue(MIN_IMAGE_SIZE)

    def _save(self) -> None:
        app_settings.current().setValue(KEY_IMAGE_PREPROCESS, json.dumps(self.config.to_dict()))

    def reset_augmentation(self) -> None:
        """Augmentation back to the defaults (the other settings stay)."""
        self.config.augment = AugmentConfig()
        self._show(self.config)
        self._save()
        self._notify()
        self.schedule_preview()

    # -- state signals -----------------------------------------------------------------------
    def _on_dataset_changed(self) -> None:
        self._cnn_auto_size = None
        self.preview_paths = []
        self._size_gen += 1
        data = self.state.images
        if data is not None and len(data):  # size statistics take ~0.2 s at 50,000 images
            gen = self._size_gen
            worker = JobWorker(lambda _e, _c: cnn_auto_size(data))
            self._workers.add(worker)
            worker.finished.connect(lambda size: self._on_auto_size(gen, size))
            worker.done.connect(lambda w=worker: self._workers.discard(w))
            worker.start()
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

    def _on_preprocess_changed(self) -> None:
        """Show changes made elsewhere (this page's own edits change nothing here)."""
        if not self._updating and not self._emitting:
            self._show(self.config)
            self._save()

    # -- preview -----------------------------------------------------------------------------
    def new_samples(self) -> None:
        """Preview other images (right away)."""
        self._sample_seed += 1
        self.preview_paths = []
        self.refresh_preview()

    def schedule_preview(self) -> None:
        """Refresh the preview ~300 ms after the last call (edits come in bursts)."""
        self._preview_gen += 1  # whatever is computing now is stale
        self._debounce.start()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._preview_dirty:
            self.schedule_preview()

    def refresh_preview(self) -> None:
        """Compute the preview now (in the background); hidden pages wait until shown."""
        self._debounce.stop()
        self._preview_gen += 1
        data = self.state.images
        if data is None or not len(data):
            self._clear_tiles("Open an image folder on the Data page to preview it here.")
            self._preview_dirty = False
            return
        if not self.state.engine_ready:
            self._clear_tiles(NOT_READY)
            self._preview_dirty = True
            return
        if not self.isVisible():
            self._preview_dirty = True
            return
        self._preview_dirty = False
        if self._preview_worker is not None:  # one at a time: go again when it is done
            self._preview_pending = True
            return
        if not self.preview_paths:
            self.preview_paths = pick_samples(data, PREVIEW_ROWS, self._sample_seed)
        paths = list(self.preview_paths)
        augment = copy.deepcopy(self.config.augment)
        size = min(self.effective_size(), PREVIEW_MAX_SIZE)
        gray = self.config.color_mode == "grayscale"
        seed = self.config.seed + self._sample_seed
        gen = self._preview_gen
        worker = JobWorker(lambda _e, _c: preview_job(paths, augment, size, seed, gray))
        self._preview_worker = worker
        self._workers.add(worker)
        worker.finished.connect(lambda result: self._on_preview(gen, result))
        worker.failed.connect(lambda m, h: self._on_preview_failed(gen, m, h))
        worker.done.connect(lambda w=worker: self._on_preview_done(w))
        self.preview_status.setText("Updating the preview…")
        worker.start()

    def _on_preview(self, gen: int, result: tuple[np.ndarray, np.ndarray]) -> None:
        if gen != self._preview_gen:
            return  # an edit came after this one started
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

    def _on_preview_failed(self, gen: int, message: str, hint: str) -> None:
        if gen == self._preview_gen:
            self._clear_tiles(f"No preview: {message} {hint}".strip())

    def _on_preview_done(self, worker: JobWorker) -> None:
        self._workers.discard(worker)
        if self._preview_worker is worker:
            self._preview_worker = None
        if self._preview_pending:
            self._preview_pending = False
            self.refresh_preview()

    def _clear_tiles(self, message: str) -> None:
        for row in self.tiles:
            for tile in row:
                tile.clear()
                tile.setToolTip("")
        self.preview_status.setText(message)

    @property
    def preview_busy(self) -> bool:
        return self._preview_worker is not None or self._debounce.isActive()

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Stop the debounce timer and join the preview job (the window calls it on close)."""
        self._debounce.stop()
        self._preview_pending = False
        ok = True
        for worker in list(self._workers):
            worker.cancel()
            ok = worker.wait(msecs) and ok
        return ok


def arch_name(arch: str) -> str:
    return {"resnet50": "ResNet50", "inceptionv3": "InceptionV3", "cnn": "the Compact CNN"}.get(
        arch, arch
    )


def format_bytes(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} GB"  # pragma: no cover


def cnn_auto_size(data: Any) -> int | None:
    """The CNN's automatic size for ``data`` (None while core cannot say)."""
    try:
        from automl_gui.core.models.images import auto_image_size

        return int(auto_image_size("cnn", data.size_stats()))
    except Exception:  # noqa: BLE001 - a hint in a tooltip; never worth an error
        return None


def pick_samples(data: Any, n: int, seed: int) -> list[str]:
    """Up to ``n`` image paths, from different classes where possible (fast at 50,000)."""
    rng = random.Random(seed)
    items = data.items
    picked: dict[str, str] = {}
    for i in rng.sample(range(len(items)), min(len(items), 50 * n)):
        item = items[i]
        if item.label not in picked:
            picked[item.label] = item.path
            if len(picked) == n:
                break
    paths = list(picked.values())
    if len(paths) < n:  # fewer classes than rows: fill with other images
        rest = [i.path for i in rng.sample(items, min(len(items), 4 * n)) if i.path not in paths]
        paths += rest[: n - len(paths)]
    return paths

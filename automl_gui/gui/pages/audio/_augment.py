"""The audio Preprocess page's augmentation settings: noise at an SNR range, gain, time shift
and SpecAugment masks, each with what it does in plain words beside it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from automl_gui.core.preprocess.audio_config import AudioAugmentConfig
from automl_gui.gui.pages._files_preprocess import augment_layout, strength_row
from automl_gui.gui.widgets.banner import muted_label
from automl_gui.gui.widgets.training_settings import dspin, spin

SPEED_NOTE = (
    "Tip: with augmentation off, ResNet50 and InceptionV3 compute the backbone's features "
    "once and train the new head on them — much faster."
)
PERCENT = ("shift", "time_mask", "freq_mask")  # fractions in the config, % on screen
STRENGTHS = {  # name: (row label, maximum, step, decimals, suffix, tooltip)
    "gain_db": (
        "Gain",
        24.0,
        1.0,
        1,
        " dB",
        "Makes each training clip louder or quieter at random, by up to this many decibels: "
        "helps when recordings have different levels. 6 dB = ×2 or ×½.",
    ),
    "shift": (
        "Time shift",
        50.0,
        5.0,
        0,
        " %",
        "Shifts each training clip in time at random (what falls off one end comes back at "
        "the other), by up to this share of the clip: helps when sounds do not start at the "
        "same moment.",
    ),
    "time_mask": (
        "Time mask",
        50.0,
        5.0,
        0,
        " %",
        "SpecAugment: hides a random stretch of time in the spectrogram, up to this share of "
        "the frames, so the network cannot rely on one moment.",
    ),
    "freq_mask": (
        "Frequency mask",
        50.0,
        5.0,
        0,
        " %",
        "SpecAugment: hides a random range of frequency bands, up to this share of the bands, "
        "so the network cannot rely on one pitch range.",
    ),
}


def gain_text(db: float) -> str:
    if db <= 0:
        return "off"
    return f"up to ±{db:g} dB (loudness ×{10 ** (-db / 20):.2f} to ×{10 ** (db / 20):.2f})"


def share_text(fraction: float, of: str, detail: str = "") -> str:
    """What a shift or mask width means: "up to 10 % of the frames (9 frames)"."""
    if fraction <= 0:
        return "off"
    text = f"up to {fraction * 100:.0f} % of the {of}"
    return f"{text} ({detail})" if detail else text


class AudioAugmentBox(QGroupBox):
    """Edits an :class:`AudioAugmentConfig` (the page connects :meth:`connect_edits`, shows
    a config with :meth:`show_config` and reads it back with :meth:`read_into`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Augmentation (training only)", parent)
        self.augment_check = QCheckBox("Augment training clips")
        self.augment_check.setToolTip(
            "Let the network hear randomly changed copies of the training clips (noise, "
            "louder or quieter, shifted, parts hidden) so it learns the sound, not the "
            "recording. Only during training; validation, test and predictions use the clips "
            "as they are."
        )
        self.noise_check = QCheckBox("Add background noise")
        self.noise_check.setToolTip(
            "Mix white noise into each training clip at a random signal-to-noise ratio from "
            "the range below: the network learns to ignore hiss and background sounds."
        )
        snr_tip = (
            "Signal-to-noise ratio range in dB: how much quieter the noise is than the clip. "
            "Lower = noisier: 10 dB is clearly audible noise, 40 dB barely."
        )
        self.snr_min_spin = dspin(0.0, 80.0, 0, 5.0, snr_tip)
        self.snr_max_spin = dspin(0.0, 80.0, 0, 5.0, snr_tip)
        for box in (self.snr_min_spin, self.snr_max_spin):
            box.setSuffix(" dB")
            box.setMaximumWidth(110)
        self.snr_label = muted_label()
        snr_row = QHBoxLayout()
        snr_row.addWidget(self.snr_min_spin)
        snr_row.addWidget(QLabel("to"))
        snr_row.addWidget(self.snr_max_spin)
        snr_row.addWidget(self.snr_label, 1)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("", self.augment_check)
        form.addRow("", self.noise_check)
        form.addRow("Noise SNR", snr_row)
        self.strength_spins: dict[str, QDoubleSpinBox] = {}
        self.strength_labels: dict[str, QLabel] = {}
        for name, (text, high, step, decimals, suffix, tip) in STRENGTHS.items():
            box, label, row = strength_row(0.0, high, step, tip, decimals)
            box.setSuffix(suffix)
            box.setMaximumWidth(110)
            self.strength_spins[name], self.strength_labels[name] = box, label
            form.addRow(text, row)
        self.masks_spin = spin(
            1, 5, "How many time masks and how many frequency masks each training clip gets."
        )
        self.masks_spin.setMaximumWidth(110)
        form.addRow("Masks", self.masks_spin)
        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.setToolTip("Set the augmentation back to its default strengths.")
        self.speed_note = muted_label(SPEED_NOTE)
        augment_layout(self, form, self.reset_button, self.speed_note)

    def connect_edits(self, slot: Callable[..., None]) -> None:
        """Call ``slot`` after each change of a control (the sender is the control)."""
        for box in (self.snr_min_spin, self.snr_max_spin, self.masks_spin):
            box.valueChanged.connect(slot)
        for box in self.strength_spins.values():
            box.valueChanged.connect(slot)
        for check in (self.augment_check, self.noise_check):
            check.toggled.connect(slot)

    def show_config(self, aug: AudioAugmentConfig) -> None:
        """Show ``aug`` (the caller guards against the edits this emits)."""
        self.augment_check.setChecked(aug.enabled)
        self.noise_check.setChecked(aug.noise)
        self.snr_min_spin.setValue(aug.snr_min_db)
        self.snr_max_spin.setValue(aug.snr_max_db)
        self.strength_spins["gain_db"].setValue(aug.gain_db)
        for name in PERCENT:
            self.strength_spins[name].setValue(getattr(aug, name) * 100)
        self.masks_spin.setValue(max(1, aug.masks))

    def read_into(self, aug: AudioAugmentConfig, changed: object = None) -> None:
        """Write the controls into ``aug``; an SNR range upside down: the end not just
        ``changed`` gives way."""
        low, high = self.snr_min_spin.value(), self.snr_max_spin.value()
        if low > high:
            if changed is self.snr_min_spin:
                high = low
                with QSignalBlocker(self.snr_max_spin):
                    self.snr_max_spin.setValue(high)
            else:
                low = high
                with QSignalBlocker(self.snr_min_spin):
                    self.snr_min_spin.setValue(low)
        aug.enabled = self.augment_check.isChecked()
        aug.noise = self.noise_check.isChecked()
        aug.snr_min_db, aug.snr_max_db = low, high
        aug.gain_db = round(self.strength_spins["gain_db"].value(), 1)
        for name in PERCENT:
            setattr(aug, name, round(self.strength_spins[name].value() / 100, 4))
        aug.masks = self.masks_spin.value()

    def update_texts(
        self,
        aug: AudioAugmentConfig,
        seconds: float | None,
        shape: tuple[int, int] | None,
        backbone: bool,
    ) -> None:
        """Enabled states and explanations: shift in seconds and mask widths in frames and
        bands once the clip length and feature shape are known."""
        for w in (self.noise_check, *self.strength_spins.values()):
            w.setEnabled(aug.enabled)
        for w in (self.snr_min_spin, self.snr_max_spin):
            w.setEnabled(aug.enabled and aug.noise)
        self.masks_spin.setEnabled(aug.enabled and (aug.time_mask > 0 or aug.freq_mask > 0))
        self.snr_label.setText("noisier ← lower SNR" if aug.enabled and aug.noise else "off")
        self.speed_note.setVisible(aug.active and backbone)
        frames, bands = shape if shape else (None, None)
        labels = self.strength_labels
        labels["gain_db"].setText(gain_text(aug.gain_db))
        shift = "" if seconds is None else f"±{aug.shift * seconds:.2f} s"
        labels["shift"].setText(share_text(aug.shift, "clip", shift))
        wide = "" if frames is None else f"{int(aug.time_mask * frames):,} frames"
        labels["time_mask"].setText(share_text(aug.time_mask, "frames", wide))
        high = "" if bands is None else f"{int(aug.freq_mask * bands)} bands"
        labels["freq_mask"].setText(share_text(aug.freq_mask, "bands", high))

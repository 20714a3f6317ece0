"""The audio Preprocess page's augmentation preview: one clip as the model gets it and
augmented versions, each as the features the network sees and with a Play button.

:func:`preview_job` runs in a worker (TensorFlow, decoding, resampling);
:class:`AugmentPreviewBox` shows its :class:`AudioPreview` on the UI thread.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.preprocess.audio_config import AudioAugmentConfig, AudioPreprocessConfig
from automl_gui.gui.format import format_rate
from automl_gui.gui.widgets.audio_player import PlayButton, shared_player
from automl_gui.gui.widgets.audio_view import SpectrogramView
from automl_gui.gui.widgets.banner import muted_label

PREVIEW_AUGMENTED = 3  # augmented versions shown beside the clip as loaded
CLIPS_PER_CLASS = 12  # clips offered by name in the preview's list, per class
MAX_LISTED_CLIPS = 240
PREVIEW_HEIGHT = 150  # px of each spectrogram: four fit beside the settings
MFCC_SPAN = 80.0  # MFCCs are spread over this many "dB" of the view's colour range


def row_title(k: int) -> str:
    return "As loaded" if k == 0 else f"Augmented {k}"


@dataclass
class AudioPreview:
    """One clip as the model gets it, and augmented versions (what the preview shows)."""

    path: str
    sample_rate: int
    wave: np.ndarray  # (n_samples,) float32
    features: np.ndarray  # (frames, bands)
    augmented_waves: np.ndarray  # (k, n_samples); k = 0 with augmentation off
    augmented_features: np.ndarray  # (k, frames, bands)


def preview_job(
    path: str, config: AudioPreprocessConfig, n_samples: int, seed: int
) -> AudioPreview:
    """Load ``path`` (mono, resampled, centred crop/pad) and augment it as training does."""
    from automl_gui.core.models import audio as audio_models
    from automl_gui.core.preprocess import audio as core_audio

    waves = core_audio.load_clips([path], config.sample_rate, n_samples)
    plain = copy.deepcopy(config)
    plain.augment = AudioAugmentConfig(enabled=False)  # the features, unchanged
    _, features = audio_models.augment_preview(waves, plain, n_samples, count=1, seed=seed)
    features = np.asarray(features)[0, 0]
    if config.augment.active:
        aug_waves, aug_features = audio_models.augment_preview(
            waves, config, n_samples, count=PREVIEW_AUGMENTED, seed=seed
        )
        aug_waves, aug_features = np.asarray(aug_waves)[0], np.asarray(aug_features)[0]
    else:
        aug_waves = np.zeros((0, n_samples), dtype="float32")
        aug_features = np.zeros((0, *features.shape), dtype="float32")
    wave = np.asarray(waves, dtype="float32")[0]
    return AudioPreview(path, config.sample_rate, wave, features, aug_waves, aug_features)


def listed_clips(data: Any) -> list[tuple[str, str]]:
    """(path, "class / name") of a few clips per class for the preview's list (fast at 50,000:
    one pass keeps the first clips of each class)."""
    per_class: dict[str, int] = {}
    out: list[tuple[str, str]] = []
    enough = min(MAX_LISTED_CLIPS, CLIPS_PER_CLASS * max(1, len(data.class_names)))
    for item in data.items:
        if per_class.get(item.label, 0) >= CLIPS_PER_CLASS:
            continue
        per_class[item.label] = per_class.get(item.label, 0) + 1
        out.append((item.path, f"{item.label} / {Path(item.path).name}"))
        if len(out) >= enough:  # every class full: the rest need not be looked at
            break
    return sorted(out, key=lambda pair: pair[1].lower())


def mfcc_display(
    coefficients: np.ndarray, reference: np.ndarray, span: float = MFCC_SPAN
) -> np.ndarray:
    """MFCCs ``(frames, n)`` standardized per coefficient with the mean and spread of
    ``reference`` (the clip as loaded; the model normalizes per band too), ±3 spreads mapped
    onto [-span, 0]: the view's colour range. Else the first coefficient (overall loudness)
    takes all the colours and the others look flat."""
    ref = np.asarray(reference, dtype=np.float64)
    mean, std = ref.mean(axis=0), ref.std(axis=0)
    z = (np.asarray(coefficients, dtype=np.float64) - mean) / np.maximum(std, 1e-6)
    return ((np.clip(z, -3.0, 3.0) - 3.0) / 6.0 * span).astype(np.float32)


class AugmentPreviewBox(QGroupBox):
    """Clip choice, four spectrograms with Play buttons, and a status line.

    The page connects ``clip_combo`` and ``new_clip_button`` and calls :meth:`set_clips`,
    :meth:`show_result` and :meth:`clear`.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Augmentation preview", parent)
        self.clip_combo = QComboBox()
        self.clip_combo.setToolTip(
            "The clip to preview: a random one, or one of the first clips of each class."
        )
        self.clip_combo.setMinimumContentsLength(24)
        self.clip_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.new_clip_button = QPushButton("&Another clip")
        self.new_clip_button.setToolTip("Preview another random clip of the dataset (Alt+A).")
        pick_row = QHBoxLayout()
        pick_row.addWidget(QLabel("Clip"))
        pick_row.addWidget(self.clip_combo, 1)
        pick_row.addWidget(self.new_clip_button)
        self.views: list[SpectrogramView] = []
        self.play_buttons: list[PlayButton] = []
        rows = QVBoxLayout()
        rows.setSpacing(4)
        for k in range(1 + PREVIEW_AUGMENTED):
            view = SpectrogramView(row_title(k))
            view.setFixedHeight(PREVIEW_HEIGHT)
            if k < PREVIEW_AUGMENTED:  # one time axis label, under the last plot
                view.plot.getAxis("bottom").showLabel(False)
            button = PlayButton()
            row = QHBoxLayout()
            row.addWidget(view, 1)
            row.addWidget(button)
            rows.addLayout(row)
            self.views.append(view)
            self.play_buttons.append(button)
        self.status = muted_label()
        self.play_note = muted_label()  # why a clip does not play (no audio output, ...)
        player = shared_player()
        player.error.connect(self.play_note.setText)
        player.playing_changed.connect(self._on_playing)
        layout = QVBoxLayout(self)
        layout.addLayout(pick_row)
        layout.addLayout(rows)
        layout.addWidget(self.status)
        layout.addWidget(self.play_note)

    def set_clips(self, data: Any) -> None:
        """Offer "Random clip" and a few clips per class of ``data`` (None: only random).
        Emits no signal: the page previews after a dataset change anyway."""
        combo = self.clip_combo
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem("Random clip", "")
            for path, text in listed_clips(data) if data is not None else []:
                combo.addItem(text, path)
                combo.setItemData(combo.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
        finally:
            combo.blockSignals(False)

    def show_result(self, result: AudioPreview, config: AudioPreprocessConfig) -> None:
        """Draw the clip and its augmented versions as ``config``'s features."""
        hop = config.hop_ms / 1000
        mel = config.features != "mfcc"
        top = config.fmax or result.sample_rate / 2
        name = Path(result.path).name
        series = [(result.wave, result.features)]
        series += list(zip(result.augmented_waves, result.augmented_features, strict=True))
        for k, (view, button) in enumerate(zip(self.views, self.play_buttons, strict=True)):
            if k >= len(series):
                view.clear(f"{row_title(k)}: augmentation is off")
                button.clear()
                continue
            wave, features = series[k]
            features = np.asarray(features, dtype="float32")
            if not mel:  # coefficients, not dB: spread them over the view's colour range
                features = mfcc_display(features, result.features)
            view.set_spectrogram(
                features,
                hop,
                max_hz=top if mel else None,
                min_hz=config.fmin if mel else 0.0,
                title=f"{row_title(k)}: {name}",
            )
            view.colorbar.axis.setStyle(showValues=mel)
            view.colorbar.getAxis("left").setLabel("dB" if mel else "low → high")
            if not mel:
                view.plot.setLabel("left", "MFCC coefficient")
            button.set_wave(np.asarray(wave), result.sample_rate, f"{name} ({row_title(k)})")
        seconds = len(result.wave) / result.sample_rate
        what = (
            "and augmented as in training"
            if len(result.augmented_waves)
            else "(augmentation off: training hears it as loaded)"
        )
        self.status.setText(
            f"{name}: {seconds:g} s at {format_rate(result.sample_rate)}, mono, as the model "
            f"gets it {what}. Press Play to listen."
        )

    def clear(self, message: str) -> None:
        for k, (view, button) in enumerate(zip(self.views, self.play_buttons, strict=True)):
            view.clear(row_title(k))
            button.clear()
        self.status.setText(message)

    def _on_playing(self, playing: bool, _name: str) -> None:
        if playing:
            self.play_note.setText("")

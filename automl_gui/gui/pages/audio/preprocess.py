"""Audio Preprocess page: sample rate, clip length, spectrogram features, augmentation with a
preview you can listen to, and the split.

Edits change ``state.audio_preprocess`` in place, are remembered in QSettings and call
``state.notify_preprocess_changed()``. The preview shows one clip of the dataset as the model
gets it (mono, resampled, cropped or padded) and three augmented versions, each as the
features the network sees and with a Play button. It is computed by
``core.models.audio.augment_preview`` in a :class:`JobWorker` ~300 ms after the last edit
(the scheduling is :class:`PreviewPage`'s, shared with the image page).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.preprocess.audio_config import (
    AUTO_CLIP_PERCENTILE,
    MAX_CLIP_SECONDS,
    AudioAugmentConfig,
    AudioPreprocessConfig,
)
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs.messages import muted_label
from automl_gui.gui.pages._files_preprocess import (
    PreviewPage,
    SplitBox,
    format_bytes,
    load_nested_config,
    pick_samples,
    strength_row,
)
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.audio_player import PlayButton, shared_player
from automl_gui.gui.widgets.audio_view import SpectrogramView
from automl_gui.gui.widgets.page_layout import scrolling_page
from automl_gui.gui.widgets.training_settings import combo, dspin, select, spin

KEY_AUDIO_PREPROCESS = "audio/preprocess"
PREVIEW_AUGMENTED = 3  # augmented versions shown beside the clip as loaded
CLIPS_PER_CLASS = 12  # clips offered by name in the preview's list, per class
MAX_LISTED_CLIPS = 240
PREVIEW_HEIGHT = 150  # px of each spectrogram: four fit beside the settings
RATES = [
    (8000, "8 kHz (telephone speech)"),
    (16000, "16 kHz (speech, most sounds)"),
    (22050, "22.05 kHz"),
    (44100, "44.1 kHz (music, CD quality)"),
    (48000, "48 kHz (video, studio)"),
]
FEATURES = [("log-mel", "Log-mel spectrogram"), ("mfcc", "MFCC")]
SPEED_NOTE = (
    "Tip: with augmentation off, ResNet50 and InceptionV3 compute the backbone's features "
    "once and train the new head on them — much faster."
)


def load_config(store: Any) -> AudioPreprocessConfig | None:
    """The remembered settings (None when absent or unreadable: another version)."""
    return load_nested_config(store, KEY_AUDIO_PREPROCESS, AudioPreprocessConfig)


def rate_text(hz: float) -> str:
    """16000 → "16 kHz", 22050 → "22.05 kHz"."""
    return f"{hz / 1000:g} kHz"


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
    if config.augment.active:
        aug_waves, aug_features = audio_models.augment_preview(
            waves, config, n_samples, count=PREVIEW_AUGMENTED, seed=seed
        )
        aug_waves, aug_features = np.asarray(aug_waves)[0], np.asarray(aug_features)[0]
    else:
        aug_waves = np.zeros((0, n_samples), dtype="float32")
        aug_features = np.zeros((0, *np.asarray(features).shape[2:]), dtype="float32")
    return AudioPreview(
        path,
        config.sample_rate,
        np.asarray(waves, dtype="float32")[0],
        np.asarray(features)[0, 0],
        aug_waves,
        aug_features,
    )


def listed_clips(data: Any) -> list[tuple[str, str]]:
    """(path, "class / name") of a few clips per class for the preview's list (fast at 50,000:
    the items are sorted by split, class and path, so one pass keeps the first of each)."""
    per_class: dict[str, int] = {}
    out: list[tuple[str, str]] = []
    for item in data.items:
        if per_class.get(item.label, 0) >= CLIPS_PER_CLASS:
            continue
        per_class[item.label] = per_class.get(item.label, 0) + 1
        out.append((item.path, f"{item.label} / {Path(item.path).name}"))
        if len(out) >= MAX_LISTED_CLIPS:
            break
    return sorted(out, key=lambda pair: pair[1].lower())


class AudioPreprocessPage(PreviewPage):
    """Step 2 for audio folders: how clips become model inputs, augmentation, the split."""

    name = "preprocess"
    title = "Preprocess"
    empty_text = "Open an audio folder on the Data page to preview its clips here."

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.preview_path = ""  # the random clip picked (the list's choice wins)
        self.preview: AudioPreview | None = None
        saved = load_config(app_settings.current())
        if saved is not None:
            state.audio_preprocess = saved
        self._build()
        self._show(state.audio_preprocess)
        state.dataset_changed.connect(self._on_dataset_changed)
        state.preprocess_changed.connect(self._on_preprocess_changed)
        state.model_changed.connect(self._update_texts)
        state.engine_ready_changed.connect(lambda _ready: self.schedule_preview())
        self._on_dataset_changed()

    @property
    def config(self) -> AudioPreprocessConfig:
        return self.state.audio_preprocess

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        title = QLabel("Preprocess")
        title.setProperty("role", "title")
        intro = muted_label(
            "How clips are fed to the network. Resampling, cropping and the spectrogram become "
            "part of the saved model, so it later takes raw waveforms of any length. Hover a "
            "setting for what it does."
        )
        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self._build_input())
        left.addWidget(self._build_features())
        left.addWidget(self._build_augmentation())
        self.split_box = SplitBox(
            "clips",
            "Cache decoded clips in memory",
            "Keep clips decoded and resampled in memory after the first epoch: later epochs "
            "skip reading the files (much faster, above all for MP3 and OGG, which are slow "
            "to decode). Only for datasets that fit in memory; leave it off for large ones, "
            "which then stream from disk.",
        )
        left.addWidget(self.split_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self._build_preview())
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        scrolling_page(self, title, intro, columns)

        for box in (self.rate_combo, self.features_combo):
            box.currentIndexChanged.connect(self._on_edit)
        spins = [self.clip_spin, self.mels_spin, self.mfcc_spin, self.window_spin, self.hop_spin]
        spins += [self.snr_min_spin, self.snr_max_spin, self.masks_spin]
        spins += list(self.strength_spins.values())
        for box in spins:
            box.valueChanged.connect(self._on_edit)
        for check in (self.augment_check, self.noise_check):
            check.toggled.connect(self._on_edit)
        self.split_box.connect_edits(self._on_edit)

    def _build_input(self) -> QGroupBox:
        self.rate_combo = combo(
            [(hz, text) for hz, text in RATES],
            "Every clip is mixed down to mono and resampled to this rate; the saved model "
            "takes waveforms at this rate. Sounds up to half the rate are kept: 16 kHz keeps "
            "up to 8 kHz (enough for speech and most sounds), 44.1 kHz everything audible. "
            "Higher rates cost memory and time.",
        )
        self.rates_note = muted_label()
        self.clip_spin = dspin(0.0, MAX_CLIP_SECONDS, 2, 0.1, "")  # tooltip: _update_clip_texts
        self.clip_spin.setSuffix(" s")
        self.clip_spin.setMinimumWidth(150)
        self.clip_note = muted_label()
        box = QGroupBox("Model input")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Sample rate", self.rate_combo)
        form.addRow(self.rates_note)
        form.addRow("Clip length", self.clip_spin)
        form.addRow(self.clip_note)
        return box

    def _build_features(self) -> QGroupBox:
        self.features_combo = combo(
            FEATURES,
            "What the network sees. Log-mel spectrogram: loudness of each frequency band over "
            "time, on the mel scale (like hearing); the usual choice. MFCC: a compressed "
            "summary of the spectrogram's shape (timbre), classic for speech and small "
            "models.",
        )
        self.mels_spin = spin(
            8,
            256,
            "Frequency bands of the mel spectrogram. More bands = finer pitch detail and a "
            "bigger input; 64 suits most sounds, 128 music.",
        )
        self.mfcc_spin = spin(
            2,
            256,
            "MFCC coefficients kept (the first ones describe the broad shape of the "
            "spectrum). 13–20 is typical. Only used with MFCC features.",
        )
        self.window_spin = dspin(
            5.0,
            200.0,
            1,
            5.0,
            "Length of each analysis window. Longer windows separate pitches better, shorter "
            "ones follow fast changes; 25 ms is standard for speech.",
        )
        self.hop_spin = dspin(
            1.0,
            100.0,
            1,
            1.0,
            "Time between the starts of two windows (one spectrogram frame each). Smaller = "
            "more frames per second: finer in time, bigger input; 10 ms is standard.",
        )
        for box in (self.mels_spin, self.mfcc_spin, self.window_spin, self.hop_spin):
            box.setMaximumWidth(150)
        self.window_spin.setSuffix(" ms")
        self.hop_spin.setSuffix(" ms")
        self.shape_note = muted_label()
        box = QGroupBox("Features (computed inside the model)")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Features", self.features_combo)
        form.addRow("Mel bands", self.mels_spin)
        form.addRow("MFCC coefficients", self.mfcc_spin)
        form.addRow("Window", self.window_spin)
        form.addRow("Hop", self.hop_spin)
        form.addRow(self.shape_note)
        return box

    def _build_augmentation(self) -> QGroupBox:
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
        strengths = {  # name: (high, step, decimals, suffix, tooltip)
            "gain_db": (
                24.0,
                1.0,
                1,
                " dB",
                "Makes each training clip louder or quieter at random, by up to this many "
                "decibels: helps when recordings have different levels. 6 dB = ×2 or ×½.",
            ),
            "shift": (
                50.0,
                5.0,
                0,
                " %",
                "Shifts each training clip in time at random (what falls off one end comes "
                "back at the other), by up to this share of the clip: helps when sounds do "
                "not start at the same moment.",
            ),
            "time_mask": (
                50.0,
                5.0,
                0,
                " %",
                "SpecAugment: hides a random stretch of time in the spectrogram, up to this "
                "share of the frames, so the network cannot rely on one moment.",
            ),
            "freq_mask": (
                50.0,
                5.0,
                0,
                " %",
                "SpecAugment: hides a random range of frequency bands, up to this share of the "
                "bands, so the network cannot rely on one pitch range.",
            ),
        }
        self.strength_spins: dict[str, QDoubleSpinBox] = {}
        self.strength_labels: dict[str, QLabel] = {}
        rows: dict[str, QHBoxLayout] = {}
        for name, (high, step, decimals, suffix, tip) in strengths.items():
            box, label, row = strength_row(0.0, high, step, tip, decimals)
            box.setSuffix(suffix)
            box.setMaximumWidth(110)
            self.strength_spins[name], self.strength_labels[name], rows[name] = box, label, row
        self.masks_spin = spin(
            1,
            5,
            "How many time masks and how many frequency masks each training clip gets.",
        )
        self.masks_spin.setMaximumWidth(110)
        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.setToolTip("Set the augmentation back to its default strengths.")
        self.reset_button.clicked.connect(self.reset_augmentation)
        self.speed_note = muted_label(SPEED_NOTE)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("", self.augment_check)
        form.addRow("", self.noise_check)
        form.addRow("Noise SNR", snr_row)
        form.addRow("Gain", rows["gain_db"])
        form.addRow("Time shift", rows["shift"])
        form.addRow("Time mask", rows["time_mask"])
        form.addRow("Frequency mask", rows["freq_mask"])
        form.addRow("Masks", self.masks_spin)
        box = QGroupBox("Augmentation (training only)")
        layout = QVBoxLayout(box)
        layout.addLayout(form)
        reset_row = QHBoxLayout()
        reset_row.addStretch(1)
        reset_row.addWidget(self.reset_button)
        layout.addLayout(reset_row)
        layout.addWidget(self.speed_note)
        return box

    def _build_preview(self) -> QGroupBox:
        self.clip_combo = QComboBox()
        self.clip_combo.setToolTip(
            "The clip to preview: a random one, or one of the first clips of each class."
        )
        self.clip_combo.setMinimumContentsLength(24)
        self.clip_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.clip_combo.currentIndexChanged.connect(self._on_clip_chosen)
        self.new_clip_button = QPushButton("&Another clip")
        self.new_clip_button.setToolTip("Preview another random clip of the dataset (Alt+A).")
        self.new_clip_button.clicked.connect(self.new_clip)
        pick_row = QHBoxLayout()
        pick_row.addWidget(QLabel("Clip"))
        pick_row.addWidget(self.clip_combo, 1)
        pick_row.addWidget(self.new_clip_button)
        self.views: list[SpectrogramView] = []
        self.play_buttons: list[PlayButton] = []
        rows = QVBoxLayout()
        rows.setSpacing(4)
        for k in range(1 + PREVIEW_AUGMENTED):
            view = SpectrogramView(self.row_title(k))
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
        self.preview_status = muted_label()
        self.play_note = muted_label()
        player = shared_player()
        player.error.connect(self.play_note.setText)
        player.playing_changed.connect(self._on_playing)
        box = QGroupBox("Augmentation preview")
        layout = QVBoxLayout(box)
        layout.addLayout(pick_row)
        layout.addLayout(rows)
        layout.addWidget(self.preview_status)
        layout.addWidget(self.play_note)
        return box

    @staticmethod
    def row_title(k: int) -> str:
        return "As loaded" if k == 0 else f"Augmented {k}"

    # -- config -> widgets -------------------------------------------------------------------
    def _show(self, config: AudioPreprocessConfig) -> None:
        self._updating = True
        try:
            if self.rate_combo.findData(config.sample_rate) < 0:  # e.g. from the command line
                self.rate_combo.addItem(rate_text(config.sample_rate), config.sample_rate)
            select(self.rate_combo, config.sample_rate)
            self.clip_spin.setValue(config.clip_seconds)
            select(self.features_combo, config.features)
            self.mels_spin.setValue(config.n_mels)
            self.mfcc_spin.setMaximum(config.n_mels)
            self.mfcc_spin.setValue(config.n_mfcc)
            self.window_spin.setValue(config.window_ms)
            self.hop_spin.setValue(config.hop_ms)
            aug = config.augment
            self.augment_check.setChecked(aug.enabled)
            self.noise_check.setChecked(aug.noise)
            self.snr_min_spin.setValue(aug.snr_min_db)
            self.snr_max_spin.setValue(aug.snr_max_db)
            self.strength_spins["gain_db"].setValue(aug.gain_db)
            for name in ("shift", "time_mask", "freq_mask"):
                self.strength_spins[name].setValue(getattr(aug, name) * 100)
            self.masks_spin.setValue(max(1, aug.masks))
            self.split_box.show_config(config)
        finally:
            self._updating = False
        self._update_texts()

    def clip_seconds(self) -> float | None:
        """The clip length training will use (the setting, or Auto's for this dataset; None
        for Auto with no dataset)."""
        if self.config.clip_seconds > 0:
            return float(self.config.clip_seconds)
        data = self.state.audio
        if data is None or not len(data):
            return None
        from automl_gui.core.preprocess.audio import clip_seconds_for

        return float(clip_seconds_for(data, self.config))

    def _update_texts(self) -> None:
        """Enabled states and the explanations that follow the values."""
        c = self.config
        aug = c.augment
        self.mfcc_spin.setEnabled(c.features == "mfcc")
        for w in (self.noise_check, self.masks_spin, *self.strength_spins.values()):
            w.setEnabled(aug.enabled)
        for w in (self.snr_min_spin, self.snr_max_spin):
            w.setEnabled(aug.enabled and aug.noise)
        masking = aug.time_mask > 0 or aug.freq_mask > 0
        self.masks_spin.setEnabled(aug.enabled and masking)
        self.snr_label.setText("noisier ← lower SNR" if aug.enabled and aug.noise else "off")
        arch = self.state.audio_model.architecture
        self.speed_note.setVisible(aug.active and arch != "cnn")
        seconds = self.clip_seconds()
        shape = self._update_clip_texts(seconds)
        frames, bands = shape if shape else (None, None)
        self.strength_labels["gain_db"].setText(gain_text(aug.gain_db))
        shift = "" if seconds is None else f"±{aug.shift * seconds:.2f} s"
        self.strength_labels["shift"].setText(share_text(aug.shift, "clip", shift))
        wide = "" if frames is None else f"{int(aug.time_mask * frames):,} frames"
        self.strength_labels["time_mask"].setText(share_text(aug.time_mask, "frames", wide))
        high = "" if bands is None else f"{int(aug.freq_mask * bands)} bands"
        self.strength_labels["freq_mask"].setText(share_text(aug.freq_mask, "bands", high))
        data = self.state.audio
        self.split_box.update_split(data is not None and data.has_split)
        self._update_cache_note()

    def _update_clip_texts(self, seconds: float | None) -> tuple[int, int] | None:
        """Clip length, sample rate and feature-shape texts; returns (frames, bands) or None."""
        c = self.config
        data = self.state.audio
        durations = np.asarray(data.durations() if data is not None else [], dtype=float)
        if data is not None and len(data):
            rates: dict[int, int] = {}
            for item in data.items:
                rates[item.sample_rate] = rates.get(item.sample_rate, 0) + 1
            seen = ", ".join(
                f"{rate_text(r)} ({n:,})"
                for r, n in sorted(rates.items(), key=lambda x: (-x[1], x[0]))
            )
            self.rates_note.setText(f"The clips are recorded at {seen}.")
        else:
            self.rates_note.setText("")
        auto = c.clip_seconds == 0
        if auto and seconds is not None:
            self.clip_spin.setSpecialValueText(f"Auto ({seconds:g} s)")
            auto_text = (
                f"Auto: {seconds:g} s for these clips, the {AUTO_CLIP_PERCENTILE}th percentile "
                "of their durations (rounded up to 0.1 s)"
            )
        else:
            self.clip_spin.setSpecialValueText("Auto")
            auto_text = (
                f"Auto: the {AUTO_CLIP_PERCENTILE}th percentile of the clips' durations, so "
                f"{AUTO_CLIP_PERCENTILE} % of them fit whole"
            )
        self.clip_spin.setToolTip(
            "Every clip is cut or padded with silence to this length (longer clips: a random "
            "window in training, the middle one when evaluating and predicting). "
            f"{auto_text}. Longer keeps more of each sound; shorter trains faster."
        )
        if seconds is None:
            self.clip_note.setText("")
            self.shape_note.setText(self._shape_text(None))
            return None
        n = c.n_samples(seconds)
        note = f"{seconds:g} s = {n:,} samples at {rate_text(c.sample_rate)}."
        if durations.size:
            longer = float(np.mean(durations > seconds + 1e-9)) * 100
            shorter = float(np.mean(durations < seconds - 1e-9)) * 100
            note += (
                f" {longer:.0f} % of the clips are longer (cropped), {shorter:.0f} % shorter "
                "(padded with silence)."
            )
        self.clip_note.setText(note)
        shape = self._feature_shape(n)
        self.shape_note.setText(self._shape_text(shape, n))
        return shape if isinstance(shape, tuple) else None

    def _feature_shape(self, n_samples: int) -> tuple[int, int] | str:
        """(frames, bands), or why the settings give none."""
        from automl_gui.core.errors import describe
        from automl_gui.core.models.audio import feature_shape

        try:
            frames, bands = feature_shape(self.config, n_samples)
            return int(frames), int(bands)
        except Exception as exc:  # noqa: BLE001 - shown under the settings, never a crash
            message, hint = describe(exc)
            return f"{message} {hint}".strip()

    def _shape_text(self, shape: tuple[int, int] | str | None, n_samples: int = 0) -> str:
        c = self.config
        what = "MFCC coefficients" if c.features == "mfcc" else "mel bands"
        warn = ""
        if c.hop_ms > c.window_ms:
            warn = " The hop is longer than the window: parts of each clip are skipped."
        if isinstance(shape, str):
            return f"⚠ {shape}"
        if shape is None:
            per_second = 1000 / c.hop_ms
            bands = c.n_mfcc if c.features == "mfcc" else c.n_mels
            return f"About {per_second:.0f} frames per second × {bands} {what}.{warn}"
        frames, bands = shape
        return f"Each clip becomes {frames:,} frames × {bands} {what}.{warn}"

    def _update_cache_note(self) -> None:
        data = self.state.audio
        if data is None or not len(data):
            self.split_box.cache_note.setText("")
            return
        total = float(np.sum(data.durations()))  # full-length clips are cached, before the crop
        need = total * self.config.sample_rate * 4  # float32 samples
        hours = total / 3600
        length = f"{hours:.1f} hours" if hours >= 1 else f"{total / 60:.1f} minutes"
        self.split_box.cache_note.setText(
            f"Caching {len(data):,} clips ({length} at {rate_text(self.config.sample_rate)}) "
            f"needs about {format_bytes(need)} of memory."
        )

    # -- widgets -> config -------------------------------------------------------------------
    def _on_edit(self, *_args: object) -> None:
        if self._updating:
            return
        sender = self.sender()
        c = self.config
        c.sample_rate = int(self.rate_combo.currentData())
        c.clip_seconds = round(self.clip_spin.value(), 2)
        c.features = self.features_combo.currentData()
        c.n_mels = self.mels_spin.value()
        self._updating = True  # no coefficients beyond the bands (may lower the value)
        self.mfcc_spin.setMaximum(c.n_mels)
        self._updating = False
        c.n_mfcc = self.mfcc_spin.value()
        c.window_ms = round(self.window_spin.value(), 1)
        c.hop_ms = round(self.hop_spin.value(), 1)
        aug = c.augment
        aug.enabled = self.augment_check.isChecked()
        aug.noise = self.noise_check.isChecked()
        low, high = self.snr_min_spin.value(), self.snr_max_spin.value()
        if low > high:  # the one not just edited gives way
            if sender is self.snr_min_spin:
                high = low
            else:
                low = high
            self._updating = True
            self.snr_min_spin.setValue(low)
            self.snr_max_spin.setValue(high)
            self._updating = False
        aug.snr_min_db, aug.snr_max_db = low, high
        aug.gain_db = round(self.strength_spins["gain_db"].value(), 1)
        for name in ("shift", "time_mask", "freq_mask"):
            setattr(aug, name, round(self.strength_spins[name].value() / 100, 4))
        aug.masks = self.masks_spin.value()
        self.split_box.read_into(c, sender)
        self._update_texts()
        self._save()
        self._notify()
        if sender not in self.split_box.controls or sender is self.split_box.seed_spin:
            self.schedule_preview()

    def _save(self) -> None:
        app_settings.save_dataclass(app_settings.current(), KEY_AUDIO_PREPROCESS, self.config)

    def reset_augmentation(self) -> None:
        """Augmentation back to the defaults (the other settings stay)."""
        self.config.augment = AudioAugmentConfig()
        self._show(self.config)
        self._save()
        self._notify()
        self.schedule_preview()

    # -- state signals -----------------------------------------------------------------------
    def _on_dataset_changed(self) -> None:
        self.preview_path = ""
        self.preview = None
        data = self.state.audio
        self._updating = True
        try:
            self.clip_combo.clear()
            self.clip_combo.addItem("Random clip", "")
            for path, text in listed_clips(data) if data is not None else []:
                self.clip_combo.addItem(text, path)
                tip = Qt.ItemDataRole.ToolTipRole
                self.clip_combo.setItemData(self.clip_combo.count() - 1, path, tip)
        finally:
            self._updating = False
        self._update_texts()
        self.schedule_preview()

    def _on_preprocess_changed(self) -> None:
        """Show changes made elsewhere (this page's own edits change nothing here)."""
        if not self._updating and not self._emitting:
            self._show(self.config)
            self._save()
            self.schedule_preview()

    # -- preview -----------------------------------------------------------------------------
    def _on_clip_chosen(self, *_args: object) -> None:
        if not self._updating:
            self.refresh_preview()

    def new_clip(self) -> None:
        """Preview another random clip (right away)."""
        self._sample_seed += 1
        self.preview_path = ""
        self._updating = True
        self.clip_combo.setCurrentIndex(0)
        self._updating = False
        self.refresh_preview()

    def preview_data(self) -> Any:
        return self.state.audio

    def preview_job(self, data: Any) -> Any:
        path = self.clip_combo.currentData() or self.preview_path
        if not path:
            path = self.preview_path = pick_samples(data, 1, self._sample_seed)[0]
        config = copy.deepcopy(self.config)
        n_samples = config.n_samples(self.clip_seconds())
        seed = config.seed + self._sample_seed
        return lambda: preview_job(path, config, n_samples, seed)

    def show_preview(self, result: AudioPreview) -> None:
        self.preview = result
        c = self.config
        hop = c.hop_ms / 1000
        mel = c.features != "mfcc"
        top = c.fmax or result.sample_rate / 2
        name = Path(result.path).name
        series = [(result.wave, result.features)]
        series += list(zip(result.augmented_waves, result.augmented_features, strict=True))
        for k, (view, button) in enumerate(zip(self.views, self.play_buttons, strict=True)):
            if k >= len(series):
                view.clear("Augmented: augmentation is off")
                button.clear()
                continue
            wave, features = series[k]
            features = np.asarray(features, dtype="float32")
            if not mel:  # coefficients, not dB: spread them over the view's colour range
                features = mfcc_display(features)
            view.set_spectrogram(
                features,
                hop,
                max_hz=top if mel else None,
                min_hz=c.fmin if mel else 0.0,
                title=f"{self.row_title(k)}: {name}",
            )
            if not mel:
                view.plot.setLabel("left", "MFCC coefficient")
            button.set_wave(np.asarray(wave), result.sample_rate, f"{name} ({self.row_title(k)})")
        seconds = len(result.wave) / result.sample_rate
        what = (
            "and augmented as in training"
            if len(result.augmented_waves)
            else "(augmentation off: training hears it as loaded)"
        )
        self.preview_status.setText(
            f"{name}: {seconds:g} s at {rate_text(result.sample_rate)}, mono, as the model "
            f"gets it {what}. Press Play to listen."
        )

    def clear_preview(self, message: str) -> None:
        self.preview = None
        for k, (view, button) in enumerate(zip(self.views, self.play_buttons, strict=True)):
            view.clear(self.row_title(k))
            button.clear()
        self.preview_status.setText(message)

    def _on_playing(self, playing: bool, _name: str) -> None:
        if playing:
            self.play_note.setText("")


def mfcc_display(coefficients: np.ndarray, span: float = 80.0) -> np.ndarray:
    """MFCCs mapped linearly onto [-span, 0], so the spectrogram view's colours (a dB range
    below the loudest value) show the whole range of each coefficient image."""
    low, high = float(np.min(coefficients)), float(np.max(coefficients))
    if high - low < 1e-12:
        return np.zeros_like(coefficients)
    return (coefficients - high) / (high - low) * span

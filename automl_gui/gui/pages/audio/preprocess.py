"""Audio Preprocess page: sample rate, clip length, spectrogram features, augmentation with a
preview you can listen to, and the split.

Edits change ``state.settings(AUDIO).preprocess`` in place, are remembered in QSettings and call
``state.notify_preprocess_changed()``. The preview shows one clip of the dataset as the model
gets it (mono, resampled, cropped or padded) and three augmented versions, each as the
features the network sees and with a Play button. It is computed by
``core.models.audio.augment_preview`` in a :class:`JobWorker` ~300 ms after the last edit
(the scheduling is :class:`PreviewPage`'s, shared with the image page).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.base.units import format_bytes, format_rate
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.preprocess.audio_config import (
    AUTO_CLIP_PERCENTILE,
    MAX_CLIP_SECONDS,
    AudioPreprocessConfig,
)
from automl_gui.gui.pages._files_preprocess import (
    PreviewPage,
    SplitBox,
    load_nested_config,
    pick_samples,
)
from automl_gui.gui.pages.audio._augment import AudioAugmentBox
from automl_gui.gui.pages.audio._preview import (
    AudioPreview,
    AugmentPreviewBox,
    preview_job,
)
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import muted_label
from automl_gui.gui.widgets.training_settings import combo, dspin, select, spin

KEY_AUDIO_PREPROCESS = "audio/preprocess"
RATES = [
    (0, "Auto (the recordings' own rate, at most 16 kHz)"),
    (8000, "8 kHz (telephone speech)"),
    (16000, "16 kHz (speech, most sounds)"),
    (22050, "22.05 kHz"),
    (44100, "44.1 kHz (music, CD quality)"),
    (48000, "48 kHz (video, studio)"),
]
FEATURES = [("log-mel", "Log-mel spectrogram"), ("mfcc", "MFCC")]


def load_config(store: Any) -> AudioPreprocessConfig | None:
    """The remembered settings (None when absent or unreadable: another version)."""
    return load_nested_config(store, KEY_AUDIO_PREPROCESS, AudioPreprocessConfig)


class AudioPreprocessPage(PreviewPage):
    """Step 2 for audio folders: how clips become model inputs, augmentation, the split."""

    name = "preprocess"
    title = "Preprocess"
    empty_text = "Open an audio folder on the Data page to preview its clips here."
    kind = AUDIO
    settings_key = KEY_AUDIO_PREPROCESS
    config_cls = AudioPreprocessConfig
    config: AudioPreprocessConfig
    intro = (
        "How clips are fed to the network. Resampling, cropping and the spectrogram become "
        "part of the saved model, so it later takes raw waveforms of any length. Hover a "
        "setting for what it does."
    )

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.preview_path = ""  # the random clip picked (the list's choice wins)
        self.preview: AudioPreview | None = None
        self._start()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        left = QVBoxLayout()
        left.addWidget(self._build_input())
        left.addWidget(self._build_features())
        aug = self.augment_box = AudioAugmentBox()
        self.augment_check, self.noise_check = aug.augment_check, aug.noise_check
        self.snr_min_spin, self.snr_max_spin = aug.snr_min_spin, aug.snr_max_spin
        self.strength_spins, self.strength_labels = aug.strength_spins, aug.strength_labels
        self.masks_spin, self.reset_button = aug.masks_spin, aug.reset_button
        self.reset_button.clicked.connect(self.reset_augmentation)
        left.addWidget(aug)
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
        box = self.preview_box = AugmentPreviewBox()
        self.clip_combo, self.new_clip_button = box.clip_combo, box.new_clip_button
        self.views, self.play_buttons = box.views, box.play_buttons
        self.preview_status, self.play_note = box.status, box.play_note
        self.clip_combo.currentIndexChanged.connect(self._on_clip_chosen)
        self.new_clip_button.clicked.connect(self.new_clip)
        right.addWidget(box)
        right.addStretch(1)
        self._lay_out(left, right)

        for box in (self.rate_combo, self.features_combo):
            box.currentIndexChanged.connect(self._on_edit)
        for spin_box in (
            self.clip_spin,
            self.mels_spin,
            self.mfcc_spin,
            self.window_spin,
            self.hop_spin,
        ):
            spin_box.valueChanged.connect(self._on_edit)
        self.augment_box.connect_edits(self._on_edit)
        self.split_box.connect_edits(self._on_edit)

    def _build_input(self) -> QGroupBox:
        self.rate_combo = combo(
            [(hz, text) for hz, text in RATES],
            "Every clip is mixed down to mono and resampled to this rate; the saved model "
            "takes waveforms at this rate. Auto: the recordings' most common own rate, at most "
            "16 kHz (a higher rate than the recordings' adds nothing but time). "
            "Sounds up to half the rate are kept: 16 kHz keeps "
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

    # -- config -> widgets -------------------------------------------------------------------
    def _show_fields(self, config: AudioPreprocessConfig) -> None:
        if self.rate_combo.findData(config.sample_rate) < 0:  # e.g. from the command line
            self.rate_combo.addItem(format_rate(config.sample_rate), config.sample_rate)
        select(self.rate_combo, config.sample_rate)
        self.clip_spin.setValue(config.clip_seconds)
        select(self.features_combo, config.features)
        self.mels_spin.setValue(config.n_mels)
        self.mfcc_spin.setMaximum(config.n_mels)
        self.mfcc_spin.setValue(config.n_mfcc)
        self.window_spin.setValue(config.window_ms)
        self.hop_spin.setValue(config.hop_ms)
        self.augment_box.show_config(config.augment)

    def _resolved(self) -> AudioPreprocessConfig:
        """The settings with an Auto sample rate replaced by the one training will use."""
        from automl_gui.core.preprocess.audio_config import resolve_rate

        return resolve_rate(self.state.loaded(AUDIO), self.config)

    def clip_seconds(self) -> float | None:
        """The clip length training will use (the setting, or Auto's for this dataset; None
        for Auto with no dataset)."""
        if self.config.clip_seconds > 0:
            return float(self.config.clip_seconds)
        data = self.state.loaded(AUDIO)
        if data is None or not len(data):
            return None
        from automl_gui.core.preprocess.audio import clip_seconds_for

        return float(clip_seconds_for(data, self.config))

    def _update_texts(self) -> None:
        """Enabled states and the explanations that follow the values."""
        c = self.config
        self.mfcc_spin.setEnabled(c.features == "mfcc")
        seconds = self.clip_seconds()
        shape = self._update_clip_texts(seconds)
        backbone = self.state.settings(AUDIO).model.architecture != "cnn"
        self.augment_box.update_texts(c.augment, seconds, shape, backbone)
        data = self.state.loaded(AUDIO)
        self.split_box.update_split(data is not None and data.has_split)
        self._update_cache_note()

    def _update_clip_texts(self, seconds: float | None) -> tuple[int, int] | None:
        """Clip length, sample rate and feature-shape texts; returns (frames, bands) or None."""
        c = self.config
        data = self.state.loaded(AUDIO)
        durations = np.asarray(data.durations() if data is not None else [], dtype=float)
        if data is not None and len(data):
            rates: dict[int, int] = {}
            for item in data.items:
                rates[item.sample_rate] = rates.get(item.sample_rate, 0) + 1
            seen = ", ".join(
                f"{format_rate(r)} ({n:,})"
                for r, n in sorted(rates.items(), key=lambda x: (-x[1], x[0]))
            )
            from automl_gui.core.preprocess.audio_config import sample_rate_words

            words = sample_rate_words(data, c)
            self.rates_note.setText(f"The clips are recorded at {seen}. {words}.")
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
                f"{AUTO_CLIP_PERCENTILE} % of them fit in one window"
            )
        self.clip_spin.setToolTip(
            "The model's window: shorter clips are padded with silence to it; a longer clip "
            "trains on a random window each epoch and is answered (evaluation, prediction, "
            "the exported model) with the mean of its half-overlapping windows. "
            f"{auto_text}. Longer keeps more of each sound; shorter trains faster."
        )
        if seconds is None:
            self.clip_note.setText("")
            self.shape_note.setText(self._shape_text(None))
            return None
        c = self._resolved()
        n = c.n_samples(seconds)
        note = f"{seconds:g} s = {n:,} samples at {format_rate(c.sample_rate)}."
        if durations.size:
            longer = float(np.mean(durations > seconds + 1e-9)) * 100
            shorter = float(np.mean(durations < seconds - 1e-9)) * 100
            note += (
                f" {longer:.0f} % of the clips are longer (windows averaged), {shorter:.0f} % shorter "
                "(padded with silence)."
            )
        self.clip_note.setText(note)
        shape = self._feature_shape(n)
        self.shape_note.setText(self._shape_text(shape, n))
        return shape if isinstance(shape, tuple) else None

    def _feature_shape(self, n_samples: int) -> tuple[int, int] | str:
        """(frames, bands), or why the settings give none."""
        from automl_gui.core.base.errors import describe
        from automl_gui.core.models.audio import feature_shape

        try:
            frames, bands = feature_shape(self._resolved(), n_samples)
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
        data = self.state.loaded(AUDIO)
        if data is None or not len(data):
            self.split_box.cache_note.setText("")
            return
        total = float(np.sum(data.durations()))  # full-length clips are cached, before the crop
        rate = self._resolved().sample_rate
        need = total * rate * 4  # float32 samples
        hours = total / 3600
        length = f"{hours:.1f} hours" if hours >= 1 else f"{total / 60:.1f} minutes"
        self.split_box.cache_note.setText(
            f"Caching {len(data):,} clips ({length} at {format_rate(rate)}) "
            f"needs about {format_bytes(need, base=1000)} of memory."
        )

    # -- widgets -> config -------------------------------------------------------------------
    def _read_fields(self, c: AudioPreprocessConfig, sender: object) -> None:
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
        self.augment_box.read_into(c.augment, sender)

    # -- state signals -----------------------------------------------------------------------
    def _on_dataset_changed(self) -> None:
        self.preview_path = ""
        self.preview = None
        self.preview_box.set_clips(self.state.loaded(AUDIO))
        self._update_texts()
        self.schedule_preview()

    def _on_model_changed(self) -> None:
        self._update_texts()  # the speed tip follows the network

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
        return self.state.loaded(AUDIO)

    def preview_job(self, data: Any) -> Any:
        path = self.clip_combo.currentData() or self.preview_path
        if not path:
            path = self.preview_path = pick_samples(data, 1, self._sample_seed)[0]
        config = copy.deepcopy(self._resolved())
        n_samples = config.n_samples(self.clip_seconds())
        seed = config.seed + self._sample_seed
        return lambda: preview_job(path, config, n_samples, seed)

    def show_preview(self, result: AudioPreview) -> None:
        self.preview = result
        self.preview_box.show_result(result, self.config)

    def clear_preview(self, message: str) -> None:
        self.preview = None
        self.preview_box.clear(message)

"""Audio classifiers on spectrograms computed inside the model.

Input contract: float32 mono waveforms ``(n, samples)`` at the preprocess sample rate, values
in [-1, 1], any length. Inside the model: the clip cut into windows of the clip length (one,
centred and padded, for a clip up to it; else evenly spread half-overlapping windows,
``_audio_ops.clip_windows``) → waveform
augmentation (noise at an SNR, gain, time shift; ``TrainingOnly``) → log-mel spectrogram
(or MFCCs) → per-band normalization fitted on training clips → SpecAugment masks
(``TrainingOnly``) → network → float32 softmax → the mean of each clip's windows'
probabilities. Training feeds crops of exactly the clip length (one window each), so the
model trained is the model that answers for long clips. The front end is Keras's own layers and
``keras.ops`` nodes (``_audio_ops``), so a saved model loads with plain Keras in safe mode;
the augmentation layers (``audio_layers``) are left out of saved models.

Networks: a compact 2D CNN on the (frames, bands) spectrogram sized to it and to the number
of training clips; ResNet50 / InceptionV3 on the spectrogram resized to the backbone's input
with 3 channels, two-phase like images (``ImageModel`` with ``feature_model`` / ``head``
sharing layers with ``model``, ``unfreeze_top``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.models.image_config import DEFAULT_SIZES, ImageModelConfig
from automl_gui.core.models.images import (
    CNN_BASE_FILTERS,
    CNN_FINAL_SIDE,
    DISPLAY_NAMES,
    MIN_SIZES,
    ImageModel,
    build_backbone_model,
    check_architecture,
    cnn_plan,
    cnn_top,
    conv_blocks,
)
from automl_gui.core.preprocess.audio_config import (
    FEATURES,
    MAX_SAMPLE_RATE,
    MIN_SAMPLE_RATE,
    AudioAugmentConfig,
    AudioPreprocessConfig,
)

#: The audio CNN stops halving after this many blocks (long clips: global pooling over time
#: does the rest), so a 30 s clip does not get a 9-block network.
CNN_MAX_BLOCKS = 4
#: The audio CNN's widest block has this many times its first block's filters.
CNN_WIDTH_GROWTH = 4
#: Mel bands allowed (the Preprocess page offers far fewer).
MAX_MELS = 256
#: Most SpecAugment masks of each kind per clip.
MAX_MASKS = 10


@dataclass(frozen=True)
class _Sizes:
    """STFT sizes in samples and the front end's output shape."""

    frame_length: int
    frame_step: int
    fft_length: int
    frames: int
    bands: int


def _check_preprocess(preprocess: AudioPreprocessConfig) -> None:
    rate = int(preprocess.sample_rate)
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise ConfigError(
            f"Sample rate {rate} Hz is outside {MIN_SAMPLE_RATE:,}–{MAX_SAMPLE_RATE:,} Hz.",
            "Use e.g. 16,000 Hz.",
        )
    if preprocess.features not in FEATURES:
        raise ConfigError(
            f"Unknown audio features '{preprocess.features}'.", f"Use one of {', '.join(FEATURES)}."
        )
    if not 1 <= int(preprocess.n_mels) <= MAX_MELS:
        raise ConfigError(
            f"{preprocess.n_mels} mel bands is out of range.", f"Use 1 to {MAX_MELS} (e.g. 64)."
        )
    if preprocess.features == "mfcc" and not 1 <= int(preprocess.n_mfcc) <= int(preprocess.n_mels):
        raise ConfigError(
            f"{preprocess.n_mfcc} MFCCs from {preprocess.n_mels} mel bands is not possible.",
            "Keep between 1 and the number of mel bands coefficients (e.g. 20 of 64).",
        )
    if not preprocess.window_ms > 0 or not preprocess.hop_ms > 0:
        raise ConfigError(
            f"Window {preprocess.window_ms:g} ms and hop {preprocess.hop_ms:g} ms must be > 0.",
            "Use e.g. a 25 ms window and a 10 ms hop.",
        )
    nyquist = rate / 2.0
    fmax = float(preprocess.fmax) or nyquist
    if not 0 <= float(preprocess.fmin) < fmax <= nyquist:
        raise ConfigError(
            f"Mel range {preprocess.fmin:g}–{fmax:g} Hz does not fit a {rate:,} Hz sample rate.",
            f"Use 0 ≤ lowest < highest ≤ {nyquist:g} Hz (highest 0 = half the sample rate).",
        )


def _check_augment(augment: AudioAugmentConfig) -> None:
    if augment.snr_min_db > augment.snr_max_db:
        raise ConfigError(
            f"Noise SNR range {augment.snr_min_db:g}–{augment.snr_max_db:g} dB is reversed.",
            "Set the lowest SNR below the highest (e.g. 10–40 dB).",
        )
    if augment.gain_db < 0 or not 0 <= augment.shift < 1:
        raise ConfigError(
            f"Gain ±{augment.gain_db:g} dB / shift {augment.shift:g} is out of range.",
            "Use a gain of 0 dB or more and a shift from 0 to under 1 (a fraction of the clip).",
        )
    masks_ok = 0 <= augment.time_mask <= 1 and 0 <= augment.freq_mask <= 1
    if not masks_ok or not 0 <= int(augment.masks) <= MAX_MASKS:
        raise ConfigError(
            f"SpecAugment masks ({augment.masks} of up to {augment.time_mask:g} of the time "
            f"and {augment.freq_mask:g} of the bands) are out of range.",
            f"Use mask widths from 0 to 1 (fractions) and 0 to {MAX_MASKS} masks.",
        )


def _sizes(preprocess: AudioPreprocessConfig, n_samples: int) -> _Sizes:
    """Validated STFT sizes and output shape (ConfigError for unusable settings)."""
    _check_preprocess(preprocess)
    rate = int(preprocess.sample_rate)
    frame_length = max(2, int(round(rate * float(preprocess.window_ms) / 1000.0)))
    frame_step = max(1, int(round(rate * float(preprocess.hop_ms) / 1000.0)))
    fft_length = 1 << (frame_length - 1).bit_length()
    n = int(n_samples)
    if n < frame_length:
        raise ConfigError(
            f"A clip of {n / rate * 1000:.0f} ms is shorter than one "
            f"{preprocess.window_ms:g} ms window: no spectrogram frames.",
            "Use a longer clip length or a shorter window.",
        )
    frames = 1 + (n - frame_length) // frame_step
    mfcc = preprocess.features == "mfcc"
    bands = int(preprocess.n_mfcc) if mfcc else int(preprocess.n_mels)
    return _Sizes(frame_length, frame_step, fft_length, frames, bands)


def feature_shape(preprocess: AudioPreprocessConfig, n_samples: int) -> tuple[int, int]:
    """(frames, bands) of the front end's output for clips of ``n_samples``.

    Frames: ``1 + (n_samples - window) // hop`` (no centre padding); bands: ``n_mels`` for
    log-mel, ``n_mfcc`` for MFCC.

    Raises:
        ConfigError: unusable settings, or a clip shorter than one window.
    """
    sizes = _sizes(preprocess, n_samples)
    return sizes.frames, sizes.bands


def _frontend_layers(preprocess: AudioPreprocessConfig, sizes: _Sizes, n_samples: int) -> Any:
    """(crop or pad, [feature steps]) of the front end: built-in layers and ``keras.ops``
    steps (``_audio_ops``), callables on waveforms."""
    from automl_gui.core.base import lazy
    from automl_gui.core.models import _audio_ops

    keras, p = lazy.keras(), preprocess
    crop = _audio_ops.crop_or_pad(keras, int(n_samples))
    sizes_args = (sizes.frame_length, sizes.frame_step, sizes.fft_length, int(p.n_mels))
    features = [
        _audio_ops.log_mel(
            keras, int(p.sample_rate), *sizes_args, fmin=float(p.fmin), fmax=float(p.fmax)
        )
    ]
    if preprocess.features == "mfcc":
        features.append(_audio_ops.mfcc(keras, int(preprocess.n_mels), int(preprocess.n_mfcc)))
    return crop, features


def _apply(layers: list[Any], x: Any) -> Any:
    for layer in layers:
        x = layer(x)
    return x


def _waveform_input() -> Any:
    from automl_gui.core.base import lazy

    return lazy.keras().Input(shape=(None,), dtype="float32", name="waveform")


def build_frontend(preprocess: AudioPreprocessConfig, n_samples: int) -> Any:
    """keras.Model: waveforms ``(n, any)`` → features ``(n, frames, bands)`` (crop/pad and
    log-mel/MFCC; no augmentation, no normalization). Used for band statistics and plots.

    Raises:
        ConfigError: unusable settings (see :func:`feature_shape`).
    """
    from automl_gui.core.base import lazy

    sizes = _sizes(preprocess, n_samples)
    crop, features = _frontend_layers(preprocess, sizes, n_samples)
    inputs = _waveform_input()
    return lazy.keras().Model(inputs, _apply(features, crop(inputs)), name="audio_frontend")


def band_statistics(
    preprocess: AudioPreprocessConfig, n_samples: int, batches: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Per-band (mean, variance) of the front end's features over ``batches`` (an iterable of
    waveform arrays/tensors ``(b, n_samples)``, e.g. a capped pass over the training clips).

    Each (frame, band) value counts once; batches are merged exactly (Chan's parallel
    formula in float64), so the result does not depend on how the clips are batched. A
    ``(waves, labels)`` tuple is accepted as a batch (a labelled ``tf.data`` dataset).

    Raises:
        ConfigError: unusable settings.
        DataError: no clips in ``batches``.
    """
    frontend = build_frontend(preprocess, n_samples)
    count, mean, m2 = 0, None, None
    for batch in batches:
        waves = batch[0] if isinstance(batch, (tuple, list)) else batch
        waves = np.asarray(waves, dtype=np.float32)
        if waves.ndim != 2 or not len(waves):
            continue
        feats = np.asarray(frontend(waves, training=False), dtype=np.float64)
        values = feats.reshape(-1, feats.shape[-1])
        n_b, mean_b = len(values), values.mean(axis=0)
        m2_b = ((values - mean_b) ** 2).sum(axis=0)
        if mean is None:
            count, mean, m2 = n_b, mean_b, m2_b
            continue
        total = count + n_b
        delta = mean_b - mean
        mean = mean + delta * (n_b / total)
        m2 = m2 + m2_b + delta**2 * (count * n_b / total)
        count = total
    if mean is None:
        raise DataError(
            "No clips to compute the per-band normalization from.",
            "Check that the training split has readable clips.",
        )
    return mean.astype(np.float32), (m2 / count).astype(np.float32)


def _augment_layers(augment: AudioAugmentConfig, seed: int) -> tuple[Any, Any]:
    """(WaveformAugment or None, SpecAugment or None) for ``augment``."""
    from automl_gui.core.models.audio_layers import SpecAugment, WaveformAugment

    _check_augment(augment)
    if not augment.enabled:
        return None, None
    wave = None
    if augment.noise or augment.gain_db > 0 or augment.shift > 0:
        wave = WaveformAugment(
            noise=bool(augment.noise),
            snr_min_db=float(augment.snr_min_db),
            snr_max_db=float(augment.snr_max_db),
            gain_db=float(augment.gain_db),
            shift=float(augment.shift),
            seed=seed + 400,
            name="waveform_augment",
        )
    spec = None
    if int(augment.masks) > 0 and (augment.time_mask > 0 or augment.freq_mask > 0):
        spec = SpecAugment(
            float(augment.time_mask),
            float(augment.freq_mask),
            int(augment.masks),
            seed=seed + 401,
            name="spec_augment",
        )
    return wave, spec


def _training_only(layer: Any, name: str) -> Any:
    from automl_gui.core.models.image_layers import TrainingOnly

    return TrainingOnly(layer, name=name)


def _normalization(sizes: _Sizes, band_mean: Any, band_var: Any) -> Any:
    from automl_gui.core.base import lazy

    mean = np.zeros(sizes.bands, np.float32) if band_mean is None else np.asarray(band_mean)
    var = np.ones(sizes.bands, np.float32) if band_var is None else np.asarray(band_var)
    mean, var = mean.astype(np.float32).reshape(-1), var.astype(np.float32).reshape(-1)
    if mean.shape != (sizes.bands,) or var.shape != (sizes.bands,):
        raise ConfigError(
            f"The band statistics have {len(mean)}/{len(var)} values for {sizes.bands} bands.",
            "Compute them again with band_statistics for these feature settings.",
        )
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(var)) and np.all(var >= 0)):
        raise ConfigError(
            "The band statistics hold invalid values (not finite, or a negative variance).",
            "Compute them again with band_statistics on readable training clips.",
        )
    return lazy.keras().layers.Normalization(
        axis=-1, mean=mean, variance=var, dtype="float32", name="band_norm"
    )


class _Stage:
    """The shared layers from the waveform to normalized features, and both paths through
    them: ``plain`` (no augmentation) and ``trained`` (augmentation in ``fit`` only)."""

    def __init__(
        self,
        preprocess: AudioPreprocessConfig,
        n_samples: int,
        band_mean: Any,
        band_var: Any,
        seed: int,
    ) -> None:
        self.sizes = _sizes(preprocess, n_samples)
        self.crop, self.features = _frontend_layers(preprocess, self.sizes, n_samples)
        self.norm = _normalization(self.sizes, band_mean, band_var)
        self.wave_aug, self.spec_aug = _augment_layers(preprocess.augment, seed)

    @property
    def augments(self) -> bool:
        return self.wave_aug is not None or self.spec_aug is not None

    def plain(self, inputs: Any) -> Any:
        return self.norm(_apply(self.features, self.crop(inputs)))

    def trained(self, inputs: Any) -> Any:
        x = self.crop(inputs)
        if self.wave_aug is not None:
            x = _training_only(self.wave_aug, "augment_waveform")(x)
        x = self.norm(_apply(self.features, x))
        if self.spec_aug is not None:
            x = _training_only(self.spec_aug, "augment_spectrogram")(x)
        return x


def _check_model_inputs(architecture: str, n_classes: int, config: ImageModelConfig) -> None:
    check_architecture(architecture, "audio")
    if int(n_classes) < 2:
        raise ConfigError(
            f"An audio classifier needs at least 2 classes, got {n_classes}.",
            "Add a folder of clips for each class (two or more classes).",
        )
    if not 0.0 <= config.dropout < 1.0:
        raise ConfigError(f"Dropout {config.dropout} is out of range.", "Use a value in [0, 1).")


def audio_cnn_plan(frames: int, bands: int, n_train: int) -> tuple[list[int], list[tuple]]:
    """(filters per block, pool sizes per block) of the compact audio CNN.

    Blocks until the longer side is at most 8, at most :data:`CNN_MAX_BLOCKS` (global
    average pooling over time does the rest of a long clip); each axis is halved only while
    it is longer than 8, so a short axis (few bands) is not pooled away. Filters: the base
    width of :data:`images.CNN_BASE_FILTERS` for ``n_train`` clips (16 under 1,000, 32 under
    10,000, 64 from there: the search sets the width through it), doubling per block up to
    :data:`CNN_WIDTH_GROWTH` times the base.
    """
    blocks, _ = cnn_plan(max(int(frames), int(bands)), n_train)
    base = next(f for minimum, f in CNN_BASE_FILTERS if int(n_train) >= minimum)
    filters = [base * min(CNN_WIDTH_GROWTH, 2**i) for i in range(min(blocks, CNN_MAX_BLOCKS))]
    pools, sides = [], [int(frames), int(bands)]
    for _ in filters:
        pool = tuple(2 if side > CNN_FINAL_SIDE else 1 for side in sides)
        sides = [side // p for side, p in zip(sides, pool, strict=True)]
        pools.append(pool)
    return filters, pools


def _build_cnn(
    stage: _Stage, n_classes: int, config: ImageModelConfig, n_train: int, seed: int, n: int
):
    """The compact CNN sized to the spectrogram and the training clips (figures below).

    Spectrogram ``(frames, bands, 1)`` → :func:`audio_cnn_plan` blocks of one 3×3
    convolution + BatchNorm + ReLU + max pooling → global average pooling → dropout →
    softmax; each window's probabilities averaged per clip (``_audio_ops.clip_windows``).

    Measured (``benchmarks/_quality_audio.py --quick``: 60 clips per class, the Train
    button's defaults, the training capped at 90 s; 2 CPU cores shared with other helpers'
    jobs, load average 6-7, so seconds are rough) against the CNN before (two convolutions
    per block, filters doubling to 256, up to 6 blocks: 1.25 M weights on 2.8 s clips), the
    same clips and split; test accuracy (epochs run in the 90 s; seconds of one training
    epoch, the benchmark's ``speed_after``):

    ============= ===== ========= =================== ================== ===============
    set           clips LR (MFCC) before              this network       + band stats
    ============= ===== ========= =================== ================== ===============
    sound_shapes  360   0.778     0.685 (5; 13.8 s)   0.667 (10; 3.0 s)  0.704 (17)
    spoken_digits 600   0.989     0.989 (11; 8.3 s)   0.989 (29; 2.5 s)  1.000 (28)
    phone_prompts 179   0.926     0.556 (8; 7.9 s)    0.741 (30; 3.6 s)  0.667 (32)
    ============= ===== ========= =================== ================== ===============

    About 60 k weights on 2.8 s clips of 64 bands; an epoch 2.2-4.6 times faster. Every run
    ended at the 90 s cap; at 150 s the phone prompts stay where they were (0.741 after 40
    epochs, best 30: converged below logistic regression, which sees each whole clip's
    MFCC statistics). "+ band stats" (each band's mean and deviation over time, x-vector
    statistics pooling, beside the CNN's pooled channels) was tried and not kept: within a
    test clip or two of this network (phone prompts 2 clips lower at 90 s and at 150 s;
    27 test clips there, 54 and 90 for the others); this network's sound_shapes run shared
    its cores with a test run (10 epochs in the 90 s, against 17).
    """
    from automl_gui.core.base import lazy
    from automl_gui.core.models._audio_ops import clip_windows

    keras = lazy.keras()
    frames, bands = stage.sizes.frames, stage.sizes.bands
    inputs = _waveform_input()
    split, average = clip_windows(keras, n)
    windows, k = split(inputs)
    x = keras.layers.Reshape((frames, bands, 1), name="add_channel")(stage.trained(windows))
    filters, pools = audio_cnn_plan(frames, bands, n_train)
    x = conv_blocks(x, filters, seed + 1, pools, convs=1)  # one convolution a block
    outputs = average(cnn_top(x, n_classes, config.dropout, seed), k)
    model = keras.Model(inputs, outputs, name="audio_cnn")
    return ImageModel(model=model, architecture="cnn", image_size=0)


def _windowed(built: ImageModel, n: int) -> ImageModel:
    """``built`` whose ``model`` answers a clip of any length from its windows (the
    backbone model, windows in, nested: ``feature_model``/``head`` keep sharing its layers)."""
    import dataclasses

    from automl_gui.core.base import lazy
    from automl_gui.core.models._audio_ops import clip_windows

    keras = lazy.keras()
    inputs = _waveform_input()
    split, average = clip_windows(keras, n)
    windows, k = split(inputs)
    model = keras.Model(inputs, average(built.model(windows), k), name=built.model.name)
    return dataclasses.replace(built, model=model)


def _backbone_stage(stage: _Stage, architecture: str, image_size: int) -> Any:
    """``input_stage`` for :func:`images.build_backbone_model`: waveform → normalized
    features → spectrogram image (``_audio_ops``) → resized → the backbone's own normalization."""
    from automl_gui.core.base import lazy
    from automl_gui.core.models._audio_ops import spectrogram_image
    from automl_gui.core.models.images import _input_stage_layers, _resize_and_convert

    def build() -> tuple[Any, Any, Any]:
        inputs = _waveform_input()
        to_image = spectrogram_image(lazy.keras())
        before, normalize = _input_stage_layers(image_size, "rgb", architecture)

        def image(features: Any) -> Any:
            return normalize(_resize_and_convert(before, to_image(features)))

        plain = image(stage.plain(inputs))
        trained = image(stage.trained(inputs)) if stage.augments else plain
        return inputs, plain, trained

    return build


def build_audio_model(
    architecture: str,
    n_classes: int,
    preprocess: AudioPreprocessConfig,
    config: ImageModelConfig,
    *,
    n_samples: int,
    band_mean: np.ndarray | None = None,
    band_var: np.ndarray | None = None,
    n_train: int = 0,
    weights_file: str | None = None,
    image_size: int = 0,
    seed: int = 42,
) -> ImageModel:
    """Build "cnn" | "resnet50" | "inceptionv3" (not "auto") for clips of ``n_samples``.

    ``band_mean``/``band_var`` (from :func:`band_statistics`) set the normalization (None:
    mean 0, variance 1). ``image_size``: the side the spectrogram is resized to for a
    backbone (0 = the network's default, 224 / 299). Returns an ``ImageModel`` (its
    ``image_size`` is the backbone side, or 0 for the CNN).

    The CNN (:func:`audio_cnn_plan`) sees the normalized ``(frames, bands, 1)`` features. A
    backbone sees them as an image (``_audio_ops.spectrogram_image``: frequency up, time right,
    ``clip(x * 32 + 128, 0, 255)`` in 3 channels) resized to ``image_size`` and normalized as
    the network was trained; it starts frozen, ``feature_model`` (waveforms → pooled
    features, no augmentation) and ``head`` share layers with ``model``. Layers take the
    global dtype policy (mixed precision) except the front end, normalization, spectrogram
    image and softmax, which compute in float32.

    Raises:
        ConfigError: unknown architecture or feature type, fewer than 2 classes, settings that
            give no spectrogram frames (clip shorter than a window).
        ModelError: the weights file does not fit the network.
    """
    _check_model_inputs(architecture, n_classes, config)
    import automl_gui.core.models.audio_layers  # noqa: F401  (registers the custom layers)

    stage = _Stage(preprocess, n_samples, band_mean, band_var, seed)
    if architecture == "cnn":
        return _build_cnn(stage, n_classes, config, n_train, seed, int(n_samples))
    side = int(image_size) or int(DEFAULT_SIZES[architecture])
    if side < MIN_SIZES[architecture]:
        raise ConfigError(
            f"{DISPLAY_NAMES[architecture]} needs spectrogram images of at least "
            f"{MIN_SIZES[architecture]} pixels; the size is {side}.",
            f"Set the image size to {MIN_SIZES[architecture]} or more (or 0 for automatic).",
        )
    build = _backbone_stage(stage, architecture, side)
    built = build_backbone_model(architecture, n_classes, side, config, weights_file, seed, build)
    return _windowed(built, int(n_samples))


def augment_preview(
    waves: np.ndarray,
    preprocess: AudioPreprocessConfig,
    n_samples: int,
    *,
    count: int = 3,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """What augmentation does to ``waves`` (n, n_samples): (augmented waves
    ``(n, count, n_samples)`` for playback, their features with SpecAugment masks applied
    ``(n, count, frames, bands)`` for the plot). With augmentation off, copies.

    The same layers the model trains with, called with ``training=True``. Waves of another
    length are cropped/padded (centred) first. Features are the front end's (log-mel dB or
    MFCC, not normalized); masked cells show the clip's mean. The waves are clipped to
    [-1, 1] for playback (the model itself does not clip). ``seed`` makes it repeatable.

    Raises:
        ConfigError: unusable settings.
    """
    sizes = _sizes(preprocess, n_samples)
    wave_aug, spec_aug = _augment_layers(preprocess.augment, int(seed))
    data = np.asarray(waves, dtype=np.float32)
    data = data.reshape(1, -1) if data.ndim == 1 else data
    n, count = len(data), max(1, int(count))
    if n == 0:
        return (
            np.zeros((0, count, int(n_samples)), np.float32),
            np.zeros((0, count, sizes.frames, sizes.bands), np.float32),
        )
    crop, features = _frontend_layers(preprocess, sizes, n_samples)
    x = crop(np.repeat(data, count, axis=0))
    if wave_aug is not None:
        x = wave_aug(x, training=True)
    feats = _apply(features, x)
    if spec_aug is not None:
        feats = spec_aug(feats, training=True)
    out_waves = np.clip(np.asarray(x), -1.0, 1.0).reshape(n, count, int(n_samples))
    out_feats = np.asarray(feats).reshape(n, count, sizes.frames, sizes.bands)
    return out_waves.astype(np.float32), out_feats.astype(np.float32)


__all__ = [
    "audio_cnn_plan",
    "augment_preview",
    "band_statistics",
    "build_audio_model",
    "build_frontend",
    "feature_shape",
]

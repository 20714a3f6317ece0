"""Audio preprocessing settings: sample rate, clip length, features, augmentation, split
(JSON-friendly dataclasses, like ``image_config``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from automl_gui.core.base.errors import ConfigError

FEATURES = ("log-mel", "mfcc")
#: "Auto" sample rate: the recordings' most common own rate, never above this (Hz); also the
#: rate suggested when a setting is out of range
DEFAULT_SAMPLE_RATE = 16_000
#: ``sample_rate`` value meaning "Auto" (see ``preprocess.audio.auto_sample_rate``)
AUTO_SAMPLE_RATE = 0
MIN_SAMPLE_RATE = 4_000
MAX_SAMPLE_RATE = 96_000
#: the scan excludes clips shorter than this (seconds)
MIN_CLIP_SECONDS = 0.01
MAX_CLIP_SECONDS = 60.0
#: automatic clip length: this percentile of the training clips' durations (the bulk of them:
#: longer clips train on random windows and are answered by averaging over their windows)
AUTO_CLIP_PERCENTILE = 75


@dataclass
class AudioAugmentConfig:
    """Random augmentation applied during training only (layers inside the model, wrapped so
    they never run in ``predict``).

    Args:
        enabled: turns all of them off at once.
        noise: add white noise at a random SNR between ``snr_min_db`` and ``snr_max_db``.
        gain_db: random gain in ±``gain_db`` decibels (0 = off).
        shift: random circular time shift up to this fraction of the clip (0 = off).
        time_mask: SpecAugment time masking, the widest mask as a fraction of the frames.
        freq_mask: SpecAugment frequency masking, the widest mask as a fraction of the bands.
        masks: how many time and how many frequency masks per clip.
    """

    enabled: bool = True
    noise: bool = True
    snr_min_db: float = 10.0
    snr_max_db: float = 40.0
    gain_db: float = 6.0
    shift: float = 0.1
    time_mask: float = 0.1
    freq_mask: float = 0.1
    masks: int = 1

    @property
    def active(self) -> bool:
        """True when at least one augmentation would change a clip."""
        if not self.enabled:
            return False
        strengths = (self.gain_db, self.shift, self.time_mask, self.freq_mask)
        return self.noise or any(s > 0 for s in strengths)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AudioAugmentConfig:
        return cls(**data)


@dataclass
class AudioPreprocessConfig:
    """How clips become model inputs, and how the dataset is split.

    Args:
        sample_rate: every clip is mixed down to mono and resampled to this rate (Hz); the
            exported model takes raw waveforms at this rate. 0 = Auto: the recordings' most
            common own rate, at most 16 kHz (never upsampled).
        clip_seconds: the model's window; longer clips train on a random window each epoch
            and are answered (evaluation, prediction, the exported model) by averaging the
            probabilities of evenly spread, half-overlapping windows; shorter ones are
            zero-padded (centred). 0 = automatic: the 75th percentile of the clips' durations.
        features: "log-mel" (log-mel spectrogram) or "mfcc" (MFCCs of the log-mel).
        n_mels: mel bands.
        window_ms, hop_ms: STFT window and hop in milliseconds (the FFT length is the next
            power of two of the window).
        n_mfcc: coefficients kept when ``features == "mfcc"``.
        fmin, fmax: mel filterbank range in Hz (fmax 0 = half the sample rate).
        augment: training-time augmentation.
        validation_fraction, test_fraction: used when the folder is not already split
            (stratified by class).
        seed: split and augmentation seed.
        cache: keep decoded, resampled clips in memory after the first epoch.
    """

    sample_rate: int = AUTO_SAMPLE_RATE
    clip_seconds: float = 0.0
    features: str = "log-mel"
    n_mels: int = 64
    window_ms: float = 25.0
    hop_ms: float = 10.0
    n_mfcc: int = 20
    fmin: float = 20.0
    fmax: float = 0.0
    augment: AudioAugmentConfig = field(default_factory=AudioAugmentConfig)
    validation_fraction: float = 0.15
    test_fraction: float = 0.15
    seed: int = 42
    cache: bool = False

    def n_samples(self, clip_seconds: float | None = None) -> int:
        """Samples per clip at ``sample_rate`` (``clip_seconds`` overrides the setting,
        e.g. once "auto" is resolved; an Auto sample rate counts as 16 kHz until resolved by
        ``preprocess.audio.resolve_rate``)."""
        seconds = self.clip_seconds if clip_seconds is None else clip_seconds
        rate = int(self.sample_rate) or DEFAULT_SAMPLE_RATE
        return max(1, int(round(float(seconds) * rate)))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AudioPreprocessConfig:
        data = dict(data)
        augment = AudioAugmentConfig.from_dict(data.pop("augment", {}) or {})
        return cls(augment=augment, **data)


def check_rate(sample_rate: int) -> int:
    """``sample_rate`` as an int, or a ConfigError when outside the supported range."""
    rate = int(sample_rate)
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise ConfigError(
            f"Sample rate {sample_rate} Hz is outside {MIN_SAMPLE_RATE:,}–{MAX_SAMPLE_RATE:,} Hz.",
            f"Use e.g. {DEFAULT_SAMPLE_RATE:,} Hz.",
        )
    return rate


# -- sample rate --------------------------------------------------------------------------------
def auto_sample_rate(rates: dict[int, int] | list[int]) -> int:
    """Automatic sample rate: the recordings' most common own rate (a tie: the higher),
    never above ``DEFAULT_SAMPLE_RATE`` (16 kHz, plenty for speech and most sounds) nor
    below ``MIN_SAMPLE_RATE``; 16 kHz with no clips. Upsampling adds no information, only
    samples to compute: telephone prompts at 8 kHz stay at 8 kHz.

    Args:
        rates: ``{rate: clips}`` (as ``duration_stats()["sample_rates"]``) or every clip's rate.
    """
    counts: dict[int, int] = {}
    if isinstance(rates, dict):
        counts = {int(r): int(n) for r, n in rates.items() if int(r) > 0}
    else:
        for r in rates:
            if int(r) > 0:
                counts[int(r)] = counts.get(int(r), 0) + 1
    if not counts:
        return DEFAULT_SAMPLE_RATE
    rate = max(counts, key=lambda r: (counts[r], r))
    return int(min(max(rate, MIN_SAMPLE_RATE), DEFAULT_SAMPLE_RATE))


def sample_rate_for(dataset: Any, config: AudioPreprocessConfig) -> int:
    """``config.sample_rate``, or for Auto (0) :func:`auto_sample_rate` of the dataset's
    clips (16 kHz without a dataset).

    Raises:
        ConfigError: a set rate outside the supported range.
    """
    if int(config.sample_rate) != AUTO_SAMPLE_RATE:
        return check_rate(config.sample_rate)
    items = dataset.items if dataset is not None else []
    return auto_sample_rate([item.sample_rate for item in items])


def sample_rate_words(dataset: Any, config: AudioPreprocessConfig) -> str:
    """What the sample rate will be and why, e.g. "Auto chose 8 kHz: the recordings' own
    rate" (for the log, the Preprocess page and the command line)."""
    from automl_gui.core.base.units import format_rate

    rate = sample_rate_for(dataset, config)
    if int(config.sample_rate) != AUTO_SAMPLE_RATE:
        return f"{format_rate(rate)} (set)"
    rates = [item.sample_rate for item in dataset.items] if dataset is not None else []
    if not rates:
        return f"Auto: {format_rate(rate)} (no clips to follow yet)"
    common = max(set(rates), key=lambda r: (rates.count(r), r))
    if common == rate:
        return f"Auto chose {format_rate(rate)}: the recordings' own rate"
    if common > rate:
        return (
            f"Auto chose {format_rate(rate)}: the recordings are mostly {format_rate(common)}; "
            f"{format_rate(rate)} keeps sounds up to {format_rate(rate // 2)} and computes faster"
        )
    return f"Auto chose {format_rate(rate)}: the lowest rate the models take"


def resolve_rate(dataset: Any, config: AudioPreprocessConfig) -> AudioPreprocessConfig:
    """``config`` with an Auto sample rate replaced by :func:`sample_rate_for`'s (itself
    when the rate is set)."""
    rate = sample_rate_for(dataset, config)
    return config if rate == int(config.sample_rate) else replace(config, sample_rate=rate)

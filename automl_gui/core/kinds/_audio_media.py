"""The audio kind's part of the shared files job (``jobs.files``): :class:`AudioMedia`, and
prediction on clips.

scan (``core.data.audio.scan_audio``) → split → clip length → band statistics over a capped
pass of training clips → build (CNN or a pretrained backbone on spectrograms) → phase 1
(head) → phase 2 (fine-tune) → evaluate on the test split → metadata (``kind: "audio"``) and
a few sample waveforms for the export check. The shared flow is ``jobs.files``; this
module says how clips become batches and models (:class:`AudioMedia`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import CancelToken, EventCallback, Log, Progress, emit
from automl_gui.core.data.audio import AudioDataset
from automl_gui.core.jobs._files_media import NAMES, Media
from automl_gui.core.jobs._files_predict import collect_files, predict_files
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig

#: band statistics are measured on at most this many training clips (centred crops)
MAX_STATS_CLIPS = 500
STATS_BATCH = 32
__all__ = ["AudioMedia", "collect_audio_paths", "input_description", "predict_audio"]


def input_description(sample_rate: int) -> str:
    """The input contract of an audio model, in one sentence (metadata ``input``)."""
    return (
        f"float32 mono waveforms (n, samples) at {int(sample_rate)} Hz, values in [-1, 1], any "
        "length: the model pads a short clip, averages a long one's windows and computes its "
        "spectrogram"
    )


class AudioMedia(Media):
    """Clips for the shared job: decoded, mixed down, resampled and cropped by
    ``core.preprocess.audio``; spectrograms and normalization inside the model."""

    kind_name = "audio"
    backbone_needs_gpu = True
    auto_cnn_message = (
        "Auto: a compact CNN on the clips' spectrograms, trained from scratch (no pretrained "
        "ResNet50/InceptionV3 weights on this computer; see models/pretrained/README.md)."
    )

    def __init__(self, dataset: AudioDataset, preprocess: AudioPreprocessConfig) -> None:
        from automl_gui.core.preprocess.audio_config import resolve_rate, sample_rate_words

        # the rate used (Auto resolved from the recordings) is the one the run records
        self.rate_words = sample_rate_words(dataset, preprocess)
        preprocess = resolve_rate(dataset, preprocess)
        super().__init__(dataset, preprocess)
        self.sample_rate = int(preprocess.sample_rate)
        self.clip_seconds = 0.0
        self.n_samples = 0
        self.band_mean: np.ndarray | None = None
        self.band_var: np.ndarray | None = None

    def split(self) -> Any:
        from automl_gui.core.preprocess.audio import split_audio

        return split_audio(self.dataset, self.preprocess)

    def prepare(self, architecture: str, job: Any) -> None:
        """Clip length (the setting, or the 75th percentile of the durations) and the
        per-band statistics of the features over up to 500 training clips."""
        from automl_gui.core.models.audio import band_statistics
        from automl_gui.core.preprocess.audio import clip_seconds_for
        from automl_gui.core.preprocess.audio_config import AUTO_CLIP_PERCENTILE

        self.clip_seconds = float(clip_seconds_for(self.dataset, self.preprocess))
        self.n_samples = self.preprocess.n_samples(self.clip_seconds)
        train = list(job.paths["train"])
        if len(train) > MAX_STATS_CLIPS:  # evenly spread over the (class-sorted) list
            picks = np.linspace(0, len(train) - 1, MAX_STATS_CLIPS).round().astype(int)
            train = [train[i] for i in picks]
        emit(job.on_event, Log(f"Sample rate: {self.rate_words}."))
        if self.preprocess.clip_seconds == 0:
            emit(
                job.on_event,
                Log(
                    f"Clip length: {self.clip_seconds:g} s (the {AUTO_CLIP_PERCENTILE}th "
                    f"percentile of the clips' durations), {self.n_samples:,} samples at "
                    f"{self.sample_rate:,} Hz; a longer clip trains on a random window each "
                    "epoch and is answered from all its windows."
                ),
            )
        ds = self.make_dataset(train, None, STATS_BATCH)
        batches = _counted(ds, len(train), job.on_event, job.cancel)
        self.band_mean, self.band_var = band_statistics(self.preprocess, self.n_samples, batches)

    def restore(self, metadata: dict[str, Any]) -> None:
        """The run's sample rate and window (``Media.restore``); its band statistics are in
        its model."""
        self.sample_rate = int(metadata.get("sample_rate") or self.sample_rate)
        self.clip_seconds = float(metadata.get("clip_seconds") or self.clip_seconds)
        self.n_samples = int(metadata.get("n_samples") or self.n_samples)

    def make_dataset(
        self, paths: list[str], labels: np.ndarray | None, batch_size: int, **options: Any
    ) -> Any:
        from automl_gui.core.preprocess.audio import make_audio_dataset

        rate, n = self.sample_rate, self.n_samples
        return make_audio_dataset(paths, labels, rate, n, batch_size, **options)

    def load_samples(self, paths: list[str]) -> np.ndarray:
        from automl_gui.core.preprocess.audio import load_clips

        return load_clips(paths, self.sample_rate, self.n_samples)

    def build(
        self, architecture: str, n_classes: int, model_config: ImageModelConfig, **options: Any
    ) -> Any:
        from automl_gui.core.models.audio import build_audio_model

        return build_audio_model(
            architecture,
            n_classes,
            self.preprocess,
            model_config,
            n_samples=self.n_samples,
            band_mean=self.band_mean,
            band_var=self.band_var,
            **options,
        )

    def describe(self, architecture: str) -> str:
        from automl_gui.core.models.audio import feature_shape

        frames, bands = feature_shape(self.preprocess, self.n_samples)
        what = "MFCCs" if self.preprocess.features == "mfcc" else "log-mel bands"
        return (
            f"{NAMES.get(architecture, architecture)} on {bands} {what} × {frames} frames "
            f"({self.clip_seconds:g} s at {self.sample_rate:,} Hz)"
        )

    def metadata(self, architecture: str, built: Any) -> dict[str, Any]:
        from automl_gui.core.models.audio import feature_shape

        pre = self.preprocess
        meta: dict[str, Any] = {
            "sample_rate": self.sample_rate,
            "clip_seconds": self.clip_seconds,
            "n_samples": self.n_samples,
            "features": pre.features,
            "feature_shape": list(feature_shape(pre, self.n_samples)),
            "input": input_description(self.sample_rate),
        }
        if architecture != "cnn":
            meta["image_size"] = int(getattr(built, "image_size", 0) or 0)
        return meta


def _counted(
    ds: Any, total: int, on_event: EventCallback | None, cancel: CancelToken
) -> Iterator[Any]:
    """The batches of ``ds`` with progress ("Measuring the spectrogram bands…") and cancel."""
    done = 0
    total = max(1, total)
    message = f"Measuring the spectrogram bands on {total:,} training clips…"
    emit(on_event, Progress("features", 0.0, message))
    for batch in ds:
        cancel.raise_if_cancelled()
        yield batch
        done += int(batch.shape[0])
        emit(on_event, Progress("features", min(1.0, done / total), message))


def collect_audio_paths(
    paths: list[str],
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> tuple[list[str], list[Any], int]:
    """Audio files among ``paths`` (folders recursed, hidden skipped), sorted, checked as the
    dataset scan does (``check_audio``: empty, truncated, silent, too short... are ``BadFile``).

    Returns (clip paths, broken clips with reasons, other files ignored).

    Raises:
        DataError: a path does not exist, or nothing usable was found.
    """
    from automl_gui.core.data._media_files import Walker, check_files
    from automl_gui.core.data.audio import AUDIO_EXTENSIONS, check_audio

    return collect_files(
        paths,
        Walker(on_event, cancel, extensions=AUDIO_EXTENSIONS, plural="clips"),
        lambda found: check_files(found, on_event, cancel, check=check_audio, plural="clips"),
        extensions=AUDIO_EXTENSIONS,
        noun="audio",
        hint="Give audio files (.wav .flac .ogg .mp3) or folders holding them.",
    )


def predict_audio(
    bundle: Any,
    paths: list[str],
    *,
    batch_size: int = 32,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """DataFrame ``path, prediction, confidence, probability_<class>..., error`` for clip
    files or folders (recursed). Broken files get an empty prediction and the reason.

    Clips are decoded, mixed down and resampled exactly as in evaluation, and answered whole
    (the model averages a long clip's windows).
    """
    from automl_gui.core.preprocess.audio import make_audio_dataset

    rate = int(bundle.metadata.get("sample_rate") or 0)
    n_samples = int(bundle.metadata.get("n_samples") or 0)
    if rate <= 0 or n_samples <= 0:
        raise DataError(
            "The model's metadata lacks its sample rate or clip length.", "Export the model again."
        )
    good, bad, _other = collect_audio_paths(paths, on_event=on_event, cancel=cancel)

    def make(found: list[str], labels: np.ndarray, batch: int) -> Any:
        return make_audio_dataset(found, labels, rate, n_samples, batch)

    return predict_files(
        bundle,
        good,
        bad,
        make,
        noun="clips",
        batch_size=batch_size,
        on_event=on_event,
        cancel=cancel,
    )

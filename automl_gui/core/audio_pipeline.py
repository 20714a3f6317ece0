"""The end-to-end audio job the window and the command line run (as ``images_pipeline``).

scan (``core.data.audio.scan_audio``) → split → clip length → band statistics → build (CNN
or a pretrained backbone on spectrograms) → phase 1 (head) → phase 2 (fine-tune) → evaluate
on the test split → metadata (``kind: "audio"``) and a few sample waveforms for the export
check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from automl_gui.core.data.audio import AudioDataset
from automl_gui.core.events import CancelToken, EventCallback
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig
from automl_gui.core.train.config import TrainConfig


@dataclass
class AudioRun:
    """A finished audio training run (the fields of ``ImageRun``; ``samples`` are waveforms
    ``(n, n_samples)`` at ``metadata["sample_rate"]``).

    ``metadata``: ``kind == "audio"``, ``task``, ``class_names``, ``sample_rate``,
    ``clip_seconds``, ``n_samples``, ``features``, ``architecture``, settings, metrics.
    ``test_predictions``: ``path, actual, prediction, confidence, probability_<class>``.
    """

    model: Any
    metadata: dict[str, Any]
    report: dict[str, Any]
    history: dict[str, list[float]]
    result: Any
    test_predictions: Any
    diagnosis: Any = None
    notices: list[str] = field(default_factory=list)
    phases: list[tuple[str, int]] = field(default_factory=list)
    samples: np.ndarray | None = None

    @property
    def task(self) -> str:
        return self.metadata["task"]

    @property
    def kind(self) -> str:
        return "audio"

    @property
    def bundle(self) -> Any:
        raise NotImplementedError

    def confidently_wrong(self, n: int = 24) -> Any:
        raise NotImplementedError

    def cell(self, actual: str, predicted: str) -> Any:
        raise NotImplementedError


def train_audio(
    dataset: AudioDataset,
    preprocess: AudioPreprocessConfig,
    model_config: ImageModelConfig,
    training: TrainConfig,
    *,
    plan: Any = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> AudioRun:
    """Train, evaluate and describe an audio classifier (see module docstring).

    Raises as ``train_images`` (DataError, ConfigError, WeightsMissingError, CancelledError).
    """
    raise NotImplementedError


def train_audio_isolated(
    process: Any,
    dataset: AudioDataset,
    preprocess: AudioPreprocessConfig,
    model_config: ImageModelConfig,
    training: TrainConfig,
    *,
    plan: Any = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> AudioRun:
    """:func:`train_audio` in an EngineProcess (the model travels as a .keras file)."""
    raise NotImplementedError


def predict_audio(
    bundle: Any,
    paths: list[str],
    *,
    batch_size: int = 32,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """DataFrame ``path, prediction, confidence, probability_<class>..., error`` for clip
    files or folders (recursed). Broken files get an empty prediction and the reason."""
    raise NotImplementedError

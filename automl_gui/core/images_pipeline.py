"""The end-to-end image job the window and the command line run.

scan (``core.data.images.scan_images``) → split → build the model (CNN or a pretrained
backbone) → phase 1: train the head (on cached backbone features when augmentation is off) →
phase 2: fine-tune the top backbone layers at a lower learning rate → evaluate on the test
split → metadata for export. Events as for tables; phase changes as ``PhaseChanged``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from automl_gui.core.data.images import BadFile, ImageDataset
from automl_gui.core.events import CancelToken, EventCallback
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
from automl_gui.core.train.config import TrainConfig

MAX_SAMPLE_IMAGES = 8
CONFIDENTLY_WRONG = 24


@dataclass
class ImageRun:
    """A finished image training run.

    Args:
        model: serving keras.Model (decoded RGB images of any size → probabilities).
        metadata: ``kind == "images"``, ``task``, ``class_names``, ``image_size``,
            ``color_mode``, ``architecture``, settings, metrics, versions.
        report: ``evaluate_classification`` report (metrics incl. ``top_k_accuracy`` for more
            than 3 classes, ``per_class``, ``confusion_matrix``, ``class_names``).
        history: per-epoch values of both phases, one list per key.
        result: the last phase's TrainResult.
        test_predictions: DataFrame with ``path``, ``actual``, ``prediction``, ``confidence``
            and ``probability_<class>`` per test image.
        diagnosis: over/underfitting diagnosis or None.
        notices: sentences for the user.
        phases: ``[(phase name, first epoch index)]`` in order (e.g. head at 0, fine-tune at 10).
        samples: a few test images (float32, model input size) whose predictions are stored
            in metadata; export reloads the model and compares on them.
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
        return "images"

    @property
    def bundle(self) -> Any:
        from automl_gui.core.export.bundle import Bundle

        return Bundle(
            model=self.model,
            metadata=self.metadata,
            path=None,
            report=self.report,
            samples=self.samples,
        )

    def confidently_wrong(self, n: int = CONFIDENTLY_WRONG) -> Any:
        """The ``n`` wrong test predictions with the highest confidence (DataFrame rows)."""
        df = self.test_predictions
        wrong = df[df["actual"] != df["prediction"]]
        return wrong.sort_values("confidence", ascending=False).head(n)

    def cell(self, actual: str, predicted: str) -> Any:
        """Test rows of one confusion-matrix cell."""
        df = self.test_predictions
        return df[(df["actual"] == actual) & (df["prediction"] == predicted)]


def train_images(
    dataset: ImageDataset,
    preprocess: ImagePreprocessConfig,
    model_config: ImageModelConfig,
    training: TrainConfig,
    *,
    plan: Any = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> ImageRun:
    """Train, evaluate and describe an image classifier (see module docstring)."""
    raise NotImplementedError


def train_images_isolated(
    process: Any,
    dataset: ImageDataset,
    preprocess: ImagePreprocessConfig,
    model_config: ImageModelConfig,
    training: TrainConfig,
    *,
    plan: Any = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> ImageRun:
    """:func:`train_images` in an EngineProcess (as ``pipeline.train_tabular_isolated``)."""
    raise NotImplementedError


def collect_image_paths(paths: list[str]) -> tuple[list[str], list[BadFile], int]:
    """Image files among ``paths`` (folders recursed, hidden skipped), sorted.

    Returns (image paths, files with an image extension that are broken, other files ignored).
    """
    raise NotImplementedError


def predict_images(
    bundle: Any,
    paths: list[str],
    *,
    batch_size: int = 32,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """DataFrame ``path, prediction, probability_<class>...`` for image files or folders.

    Broken files get an empty prediction and the reason in an ``error`` column.
    """
    raise NotImplementedError

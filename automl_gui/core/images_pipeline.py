"""The end-to-end image job the window and the command line run.

scan (``core.data.images.scan_images``) → split → build the model (CNN or a pretrained
backbone) → phase 1: train the head (on cached backbone features when augmentation is off) →
phase 2: fine-tune the top backbone layers at a lower learning rate → evaluate on the test
split → metadata for export. Events as for tables; phase changes as ``PhaseChanged``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import CancelToken, EventCallback
from automl_gui.core.data.images import BadFile, ImageDataset
from automl_gui.core.files_pipeline import (
    CONFIDENTLY_WRONG,
    NAMES,
    FilesRun,
    Media,
    cached_features,
    check_bundle_kind,
    collect_files,
    predict_files,
    train_files,
    train_isolated,
)
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
from automl_gui.core.train.config import TrainConfig

__all__ = [
    "CONFIDENTLY_WRONG",
    "ImageRun",
    "collect_image_paths",
    "predict_images",
    "train_images",
    "train_images_isolated",
]


@dataclass
class ImageRun(FilesRun):
    """A finished image training run (fields: :class:`~automl_gui.core.files_pipeline.FilesRun`).

    ``model`` takes decoded RGB images of any size; ``metadata`` has ``kind == "images"``,
    ``image_size``, ``color_mode``; ``samples`` are a few test images (float32, model input
    size) whose predictions are stored in metadata.
    """

    @property
    def kind(self) -> str:
        return "images"


class ImageMedia(Media):
    """Images for the shared job: decoded and resized by ``core.preprocess.images``."""

    kind = "images"
    noun = "images"
    one = "image"
    run_class = ImageRun

    def __init__(self, dataset: ImageDataset, preprocess: ImagePreprocessConfig) -> None:
        super().__init__(dataset, preprocess)
        self.image_size = int(preprocess.image_size or 0)

    def split(self) -> Any:
        from automl_gui.core.preprocess.images import split_images

        return split_images(self.dataset, self.preprocess)

    def prepare(self, architecture: str, job: Any) -> None:
        from automl_gui.core.models.images import auto_image_size

        if not self.image_size:
            self.image_size = auto_image_size(architecture, self.dataset.size_stats())

    def make_dataset(
        self, paths: list[str], labels: np.ndarray | None, batch_size: int, **options: Any
    ) -> Any:
        from automl_gui.core.preprocess.images import make_dataset

        options.pop("training", None)  # images: augmentation is inside the model
        return make_dataset(paths, labels, self.image_size, batch_size, **options)

    def load_samples(self, paths: list[str]) -> np.ndarray:
        from automl_gui.core.preprocess.images import load_images

        return load_images(paths, self.image_size)

    def build(
        self, architecture: str, n_classes: int, model_config: ImageModelConfig, **options: Any
    ) -> Any:
        from automl_gui.core.models.images import build_image_model

        size, pre = self.image_size, self.preprocess
        return build_image_model(architecture, n_classes, size, pre, model_config, **options)

    def describe(self, architecture: str) -> str:
        size, mode = self.image_size, self.preprocess.color_mode
        return f"{NAMES.get(architecture, architecture)} at {size}×{size} ({mode})"

    def metadata(self, architecture: str, built: Any) -> dict[str, Any]:
        return {
            "image_size": self.image_size,
            "color_mode": self.preprocess.color_mode,
            "input": (
                "float32 RGB images (n, height, width, 3), values 0-255, any size: the model "
                "resizes, converts the colour mode and normalizes by itself"
            ),
        }


def _cached_features(
    feature_model: Any,
    paths: list[str],
    labels: np.ndarray,
    image_size: int,
    batch: int,
    what: str,
    on_event: EventCallback | None,
    cancel: CancelToken,
) -> tuple[np.ndarray, np.ndarray]:
    """Backbone features of every image, computed once (kept for ``benchmarks/``)."""
    from automl_gui.core.preprocess.images import make_dataset

    ds = make_dataset(paths, labels, image_size, batch, shuffle=False)
    return cached_features(feature_model, ds, len(paths), what, on_event, cancel)


def train_images(
    dataset: ImageDataset,
    preprocess: ImagePreprocessConfig,
    model_config: ImageModelConfig,
    training: TrainConfig,
    *,
    plan: Any = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    checkpoint_dir: str | None = None,
    resume: bool = False,
) -> ImageRun:
    """Train, evaluate and describe an image classifier (see module docstring).

    Raises:
        DataError / ConfigError: the data or settings cannot be trained as given.
        WeightsMissingError: a backbone's pretrained weights are neither here nor downloadable
            (the window offers to choose the file or train from scratch).
        CancelledError: cancelled before training began (a Stop during training returns
            normally with the best weights).

    ``checkpoint_dir``/``resume``: checkpoint every epoch there and continue an unfinished
    checkpoint of the same folder and settings (``files_pipeline.train_files``).
    """
    media = ImageMedia(dataset, preprocess)
    run = train_files(
        media,
        model_config,
        training,
        plan=plan,
        on_event=on_event,
        cancel=cancel,
        checkpoint_dir=checkpoint_dir,
        resume=resume,
    )
    assert isinstance(run, ImageRun)
    return run


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
    checkpoint_dir: str | None = None,
    resume: bool = False,
) -> ImageRun:
    """:func:`train_images` in an EngineProcess (as ``pipeline.train_tabular_isolated``)."""
    return train_isolated(
        process,
        "automl_gui.core.images_pipeline:train_images",
        (dataset, preprocess, model_config, training),
        plan=plan,
        on_event=on_event,
        cancel=cancel,
        checkpoint_dir=checkpoint_dir,
        resume=resume,
    )


def collect_image_paths(
    paths: list[str],
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> tuple[list[str], list[BadFile], int]:
    """Image files among ``paths`` (folders recursed, hidden skipped), sorted.

    Lists and checks them as the dataset scan does (``Walker``, parallel ``check_files``).
    Returns (image paths, files with an image extension that are broken, other files ignored).

    Raises:
        DataError: a path does not exist, or nothing usable was found.
    """
    from automl_gui.core.data._image_files import Walker, check_files
    from automl_gui.core.data.images import IMAGE_EXTENSIONS

    return collect_files(
        paths,
        Walker(on_event, cancel),
        lambda found: check_files(found, on_event, cancel),
        extensions=IMAGE_EXTENSIONS,
        noun="image",
        hint="Give image files (.jpg .png .bmp .gif .webp) or folders holding them.",
    )


def predict_images(
    bundle: Any,
    paths: list[str],
    *,
    batch_size: int = 32,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """DataFrame ``path, prediction, confidence, probability_<class>..., error`` for image
    files or folders (recursed). Broken files get an empty prediction and the reason in
    ``error``.

    Images are decoded and resized to the model's size exactly as in training.
    """
    from automl_gui.core.preprocess.images import make_dataset

    check_bundle_kind(bundle, "images")
    good, bad, _other = collect_image_paths(paths, on_event=on_event, cancel=cancel)
    size = int(bundle.metadata.get("image_size") or 0)
    if size <= 0:
        raise DataError("The model's metadata lacks its image size.", "Export the model again.")

    def make(found: list[str], labels: np.ndarray, batch: int) -> Any:
        return make_dataset(found, labels, size, batch, shuffle=False)

    return predict_files(
        bundle,
        good,
        bad,
        make,
        noun="images",
        batch_size=batch_size,
        on_event=on_event,
        cancel=cancel,
    )

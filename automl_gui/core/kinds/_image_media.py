"""The image kind's part of the shared files job (``jobs.files``): :class:`ImageMedia`, and
prediction on image files.

scan (``core.data.images.scan_images``) → split → build the model (CNN or a pretrained
backbone) → phase 1: train the head (on cached backbone features when augmentation is off) →
phase 2: fine-tune the top backbone layers at a lower learning rate → evaluate on the test
split → metadata for export. Events as for tables; phase changes as ``PhaseChanged``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import CancelToken, EventCallback
from automl_gui.core.data.images import BadFile, ImageDataset
from automl_gui.core.jobs._files_media import NAMES, Media
from automl_gui.core.jobs._files_predict import collect_files, predict_files
from automl_gui.core.jobs._files_steps import cached_features
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig

__all__ = ["ImageMedia", "collect_image_paths", "predict_images"]


class ImageMedia(Media):
    """Images for the shared job: decoded and resized by ``core.preprocess.images``."""

    kind_name = "images"

    def __init__(self, dataset: ImageDataset, preprocess: ImagePreprocessConfig) -> None:
        super().__init__(dataset, preprocess)
        self.image_size = int(preprocess.image_size or 0)

    def split(self) -> Any:
        from automl_gui.core.preprocess.images import split_images

        return split_images(self.dataset, self.preprocess)

    def prepare(self, architecture: str, job: Any) -> None:
        """The image size ("auto": from the network and the images' sizes) and the colour
        mode ("auto": grayscale when every image is gray), said in the log."""
        import dataclasses

        from automl_gui.core.base.events import Log, emit
        from automl_gui.core.models.images import auto_image_size
        from automl_gui.core.preprocess.images import resolve_color_mode

        if not self.image_size:
            self.image_size = auto_image_size(architecture, self.dataset.size_stats())
        mode, note = resolve_color_mode(self.preprocess, self.dataset)
        if mode != self.preprocess.color_mode:
            self.preprocess = dataclasses.replace(self.preprocess, color_mode=mode)
            emit(job.on_event, Log(note))

    def restore(self, metadata: dict[str, Any]) -> None:
        """The run's image size and colour mode (``Media.restore``)."""
        import dataclasses

        self.image_size = int(metadata.get("image_size") or self.image_size)
        mode = metadata.get("color_mode")
        if mode and mode != self.preprocess.color_mode:
            self.preprocess = dataclasses.replace(self.preprocess, color_mode=str(mode))

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
    files or folders (recursed), with an image model (``IMAGES.predict`` checks that first). Broken files get an empty prediction and the reason in
    ``error``.

    Images are decoded and resized to the model's size exactly as in training.
    """
    from automl_gui.core.preprocess.images import make_dataset

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

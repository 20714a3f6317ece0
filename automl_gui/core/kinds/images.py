"""Images: a folder of class folders (or split folders, or a CSV of paths and labels)."""

from __future__ import annotations

import math
import os
from abc import abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_gui.core.data._media_csv import IMAGE_EXTENSIONS, looks_like_image_csv
from automl_gui.core.data.detect import CSV_SUFFIXES
from automl_gui.core.kinds.base import DataKind

if TYPE_CHECKING:
    from automl_gui.core.base.events import CancelToken, EventCallback
    from automl_gui.core.data._media_scan import MediaDataset
    from automl_gui.core.data.images import ImageDataset
    from automl_gui.core.export.bundle import Bundle
    from automl_gui.core.jobs._files_media import Media
    from automl_gui.core.jobs.requests import TrainRequest
    from automl_gui.core.jobs.run import Run
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
    from automl_gui.core.train.config import TrainConfig


#: Auto epochs of a files kind (``FilesKind.epochs_for``): enough optimizer steps for a network
#: trained from scratch to converge on a small folder, fewer passes over a big one; early
#: stopping (on by default) ends most trainings well before the cap. Measured on 28 px digits
#: (``benchmarks/_quality_images.py``, 1,258 training images): the fixed 30 epochs (600 steps
#: of 64) ended "still improving" at test accuracy 0.941, below logistic regression on the
#: pixels (0.959); at Auto (cap 200) early stopping ended it at epoch 68 (best 58), 0.993.
AUTO_STEPS = 4000
AUTO_EPOCHS_MIN = 10
AUTO_EPOCHS_MAX = 200
#: a search trial's most epochs on files (its rounds grow to this), as one training was before
SEARCH_EPOCHS = 30


class FilesKind(DataKind):
    """A kind whose examples are items with one input each, classified: images and audio
    clips (files in class folders) and texts (files, or a table's rows) share the scan
    layouts, the two-phase training job and prediction (``core.jobs.files``)."""

    file_based = True
    #: audio trains the image networks on its spectrograms
    model_families = ("cnn", "resnet50", "inceptionv3")

    def claims_file(self, path: Path) -> bool:
        """A CSV (or TSV...) whose first rows list files of this kind, with labels."""
        return path.suffix.lower() in CSV_SUFFIXES and self.lists_files(str(path))

    @abstractmethod
    def lists_files(self, path: str) -> bool:
        """Whether the table file ``path`` lists files of this kind (``data._media_csv``)."""

    def identity(self, dataset: MediaDataset) -> str:
        from automl_gui.core.train.checkpoint import files_identity

        return files_identity(dataset)

    def size(self, dataset: MediaDataset) -> int:
        return len(dataset.items)

    def model_from_dict(self, data: dict[str, Any]) -> ImageModelConfig:
        from automl_gui.core.models.image_config import ImageModelConfig

        return ImageModelConfig.from_dict(data)

    def default_model(self) -> ImageModelConfig:
        from automl_gui.core.models.image_config import ImageModelConfig

        return ImageModelConfig()

    def default_training(self) -> TrainConfig:
        """Epochs at Auto (0: :meth:`epochs_for` the training files, decided when training
        starts), the rest as for every kind (reduce-on-plateau schedule, early stopping)."""
        from automl_gui.core.train.config import TrainConfig

        return TrainConfig(epochs=0)

    def epochs_for(self, n_train: int, batch_size: int) -> int:
        """Enough epochs for :data:`AUTO_STEPS` optimizer steps, within
        [:data:`AUTO_EPOCHS_MIN`, :data:`AUTO_EPOCHS_MAX`]: a small folder gets many cheap
        epochs (1,258 images in batches of 64: 200), a big one few costly ones (50,000: 10).
        """
        steps = max(1, math.ceil(max(1, int(n_train)) / max(1, int(batch_size))))
        epochs = math.ceil(AUTO_STEPS / steps)
        return int(min(AUTO_EPOCHS_MAX, max(AUTO_EPOCHS_MIN, epochs)))

    def search_epochs(self) -> int | None:
        """:data:`SEARCH_EPOCHS` (the command line's default for a search's trials too)."""
        return SEARCH_EPOCHS

    def set_augment(self, preprocess: Any, enabled: bool) -> Any:
        """Turn this kind's training-time augmentation on or off in ``preprocess``."""
        preprocess.augment.enabled = bool(enabled)
        return preprocess

    def item_inputs(self, items: list[Any]) -> Any:
        """What :meth:`predict` and :meth:`explain` take for these dataset items (their
        files; ``core.trust._data`` judges a model on a labelled dataset's items)."""
        return [item.path for item in items]

    @abstractmethod
    def media(self, dataset: MediaDataset, preprocess: Any) -> Media:
        """The shared files job's adapter for this kind (``core.jobs._files_media.Media``)."""

    def _drift(
        self,
        bundle: Bundle,
        data: Any,
        *,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
    ) -> Any:
        """``data``: what :meth:`predict` takes; compared on the model's own embeddings
        (``core.trust.drift``)."""
        from automl_gui.core.trust.drift import files_drift

        return files_drift(bundle, data, on_event=on_event, cancel=cancel)

    def empty_samples(self, metadata: dict[str, Any]) -> Any:
        import numpy as np

        shape = tuple(1 if n is None else n for n in self.serving_input[0][1:])
        return np.zeros((0, *shape), "float32")

    def train(
        self,
        request: TrainRequest,
        *,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Run:
        from automl_gui.core.jobs.files import train_files

        return train_files(
            self.media(request.dataset, request.preprocess),
            request.model,
            request.training,
            plan=request.plan,
            on_event=on_event,
            cancel=cancel,
            checkpoint_dir=request.checkpoint_dir,
            resume=request.resume,
        )


class ImagesKind(FilesKind):
    """Photos and drawings; the model takes RGB images of any size and resizes them."""

    name = "images"
    title = "Images"
    item = "image"
    items = "images"
    dataset_noun = "image folder"
    opens = "a folder of images (.jpg .png .bmp .gif .webp)"
    trained_on = "images"
    model_noun = "an image model"
    input_hint = "Give it image files (.jpg .png .bmp .gif .webp) or folders"
    card_input_word = "images"
    extensions = IMAGE_EXTENSIONS
    sample = "shapes"
    one_file = "an image"
    folder_example = "photos/cat/*.jpg and photos/dog/*.jpg"
    sample_words = "sample images"
    serving_input = ((None, None, None, 3), "image")
    search_note = (
        "The search chooses the network (the Compact CNN, or a pretrained one whose weights are "
        "on this computer), the image size, CNN width, dropout, layers to fine-tune, "
        "augmentation strength and learning rate. The other settings on this page apply to "
        "every trial."
    )

    def lists_files(self, path: str) -> bool:
        return looks_like_image_csv(path)

    def load(
        self,
        path: str | os.PathLike[str],
        *,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> ImageDataset:
        from automl_gui.core.data.images import scan_images

        return scan_images(str(path), on_event=on_event, cancel=cancel)

    def preprocess_from_dict(self, data: dict[str, Any]) -> ImagePreprocessConfig:
        from automl_gui.core.preprocess.image_config import ImagePreprocessConfig

        return ImagePreprocessConfig.from_dict(data)

    def default_preprocess(self, dataset: Any = None) -> ImagePreprocessConfig:
        from automl_gui.core.preprocess.image_config import ImagePreprocessConfig

        return ImagePreprocessConfig()

    def auto_architecture_note(self) -> str:
        return (
            "A pretrained ResNet50/InceptionV3 when its weights are on this computer, "
            "else a compact CNN trained from scratch."
        )

    def media(self, dataset: MediaDataset, preprocess: Any) -> Media:
        from automl_gui.core.kinds._image_media import ImageMedia

        return ImageMedia(dataset, preprocess)

    def search_space(self, dataset: Any, preprocess: Any, model: Any, **options: Any) -> Any:
        """The AutoML search's default space for ``dataset`` (``tune.search.files_space``)."""
        from automl_gui.core.tune.search.files_space import image_space

        return image_space(dataset, preprocess, model, **options)

    def _answer(
        self,
        bundle: Bundle,
        data: Any,
        *,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
    ) -> Any:
        """``data``: image files or folders (recursed)."""
        from automl_gui.core.kinds._image_media import predict_images

        return predict_images(bundle, list(data), on_event=on_event, cancel=cancel)

    def _explain(
        self,
        bundle: Bundle,
        data: Any,
        *,
        rows: int | None,
        out_dir: Any,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
    ) -> Any:
        """``data``: image files or folders; a Grad-CAM map per image (``core.trust.saliency``)."""
        from automl_gui.core.trust.saliency import explain_images

        return explain_images(
            bundle, list(data), rows=rows, out_dir=out_dir, on_event=on_event, cancel=cancel
        )

    @property
    def required_metadata(self) -> tuple[str, ...]:
        return ("class_names",)

    def model_card_input(self, metadata: dict[str, Any]) -> str:
        return (
            "float32 images (n, height, width, 3), RGB values 0-255, any size (the model "
            "resizes, converts the colour mode and normalizes by itself)"
        )

    def export_input(self, metadata: dict[str, Any]) -> tuple[str, str]:
        return (
            "decoded RGB images of any size (resizing and normalization are inside it)",
            "images",
        )

    def model_card_serving(self, metadata: dict[str, Any]) -> str:
        return (
            "Call loaded.serve(images): float32 (n, height, width, 3) RGB values 0-255, any "
            "size (the model resizes); returns class probabilities in class_names order."
        )

    def model_card_architecture(self, metadata: dict[str, Any]) -> list[str]:
        if not metadata.get("image_size"):
            return []
        return [f"- Image size inside the model: {metadata['image_size']} px."]


IMAGES = ImagesKind()

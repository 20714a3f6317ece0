"""What the shared files job (``files_pipeline``) returns and what it asks of a medium.

:class:`FilesRun` is a finished run (``ImageRun``, ``AudioRun`` subclass it);
:class:`Media` is the adapter each medium implements (``ImageMedia``, ``AudioMedia``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from automl_gui.core.models.image_config import ImageModelConfig

CONFIDENTLY_WRONG = 24
NAMES = {"cnn": "Compact CNN", "resnet50": "ResNet50", "inceptionv3": "InceptionV3"}


@dataclass
class FilesRun:
    """A finished training run of a classifier on files (images or audio clips).

    Args:
        model: serving keras.Model (decoded files → probabilities).
        metadata: ``kind``, ``task``, ``class_names``, ``architecture``, the media's input
            settings, settings, metrics, versions.
        report: ``evaluate_classification`` report (metrics, ``per_class``,
            ``confusion_matrix``, ``class_names``).
        history: per-epoch values of both phases, one list per key.
        result: the last phase's TrainResult.
        test_predictions: DataFrame with ``path``, ``actual``, ``prediction``, ``confidence``
            and ``probability_<class>`` per test file.
        diagnosis: over/underfitting diagnosis or None.
        notices: sentences for the user.
        phases: ``[(phase name, first epoch index)]`` in order (e.g. head at 0, fine-tune at 10).
        samples: a few test inputs (model input arrays) whose predictions are stored in
            metadata; export reloads the model and compares on them.
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
        return str(self.metadata.get("kind", ""))

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


class Media:
    """What the shared job needs to know about one kind of file (subclass per medium).

    Attributes:
        kind: metadata ``kind`` ("images", "audio").
        noun, one: the files in messages ("images"/"image", "clips"/"clip").
        run_class: the FilesRun subclass returned.
        preprocess: the medium's preprocessing settings (``to_dict``, ``cache``).
        dataset: the scanned dataset (``root``, ``layout``, ``items``, ``bad_files``,
            ``notices``).
    """

    kind = "files"
    noun = "files"
    one = "file"
    run_class: type[FilesRun] = FilesRun
    #: "auto" picks a pretrained backbone only when training runs on a GPU
    backbone_needs_gpu = False
    #: the log line when "auto" finds no backbone weights
    auto_cnn_message = (
        "Auto: a compact CNN trained from scratch (no pretrained ResNet50/InceptionV3 "
        "weights on this computer; see models/pretrained/README.md to add them)."
    )

    def __init__(self, dataset: Any, preprocess: Any) -> None:
        self.dataset = dataset
        self.preprocess = preprocess

    # -- overridden per medium ------------------------------------------------------------
    def split(self) -> Any:
        """Train/validation/test items (``.train``, ``.validation``, ``.test``, ``.labels()``,
        ``.class_names``, ``.notices``)."""
        raise NotImplementedError

    def prepare(self, architecture: str, job: Any) -> None:
        """Decide the input settings once the network is known (image size; clip length and
        band statistics). ``job`` has ``paths["train"]``, ``on_event`` and ``cancel``."""

    def make_dataset(
        self, paths: list[str], labels: np.ndarray | None, batch_size: int, **options: Any
    ) -> Any:
        """A streaming ``tf.data`` of ``(inputs, labels)`` batches; undecodable files skipped.

        ``options``: ``shuffle``, ``training`` (random crops and such), ``seed``, ``cache``
        (all off by default).
        """
        raise NotImplementedError

    def load_samples(self, paths: list[str]) -> np.ndarray:
        """Model inputs for a few files (the export check's samples)."""
        raise NotImplementedError

    def build(
        self, architecture: str, n_classes: int, model_config: ImageModelConfig, **options: Any
    ) -> Any:
        """An ``ImageModel`` (model, backbone, feature_model, head, unfreeze_top);
        ``options``: ``n_train``, ``weights_file``, ``seed``."""
        raise NotImplementedError

    def describe(self, architecture: str) -> str:
        """What was built, for the log ("Compact CNN at 64×64 (rgb)")."""
        return NAMES.get(architecture, architecture)

    @property
    def augment_active(self) -> bool:
        return bool(self.preprocess.augment.active)

    def metadata(self, architecture: str, built: Any) -> dict[str, Any]:
        """Medium-specific metadata keys (input size, the input contract sentence...)."""
        return {}

"""What the shared files job (``jobs.files``) asks of a medium: :class:`Media`, the adapter
each file kind implements (``kinds._image_media.ImageMedia``, ``kinds._audio_media.AudioMedia``)
for one training: it holds the dataset, the settings and what the job decides on the way
(image size; clip length and band statistics); and :func:`resolve_architecture`, what "auto"
is for images and audio."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from automl_gui.core.base.events import EventCallback, Log, emit

if TYPE_CHECKING:
    import numpy as np

    from automl_gui.core.kinds.base import DataKind
    from automl_gui.core.models.image_config import ImageModelConfig

NAMES = {"cnn": "Compact CNN", "resnet50": "ResNet50", "inceptionv3": "InceptionV3"}
#: the pretrained image networks "auto" looks for, in order
BACKBONES = ("resnet50", "inceptionv3")


class Media:
    """What the shared job needs to know about one kind of file (subclass per medium).

    Attributes:
        kind_name: the name of the medium's kind (``kinds.kind_named``); ``kind`` is the kind
            and ``noun``/``one`` its words for the files ("images"/"image", "clips"/"clip").
        preprocess: the medium's preprocessing settings (``to_dict``, ``cache``).
        dataset: the scanned dataset (``root``, ``layout``, ``items``, ``bad_files``,
            ``notices``).
    """

    kind_name: ClassVar[str]
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

    @property
    def kind(self) -> DataKind:
        from automl_gui.core.kinds import kind_named

        return kind_named(self.kind_name)

    @property
    def noun(self) -> str:
        return self.kind.items

    @property
    def one(self) -> str:
        return self.kind.item

    # -- overridden per medium ------------------------------------------------------------
    def split(self) -> Any:
        """Train/validation/test items (``.train``, ``.validation``, ``.test``, ``.labels()``,
        ``.class_names``, ``.notices``)."""
        raise NotImplementedError

    def prepare(self, architecture: str, job: Any) -> None:
        """Decide the input settings once the network is known (image size; clip length and
        band statistics). ``job`` has ``paths["train"]``, ``on_event`` and ``cancel``."""

    def restore(self, metadata: dict[str, Any]) -> None:
        """Take the input settings a trained run recorded (``metadata``, as :meth:`metadata`
        wrote them) instead of deciding them from the files as :meth:`prepare` does: the
        run's own model is trained further on new files (``jobs.continued``)."""

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

    def resolve_architecture(
        self, model_config: Any, train: list[str], *, on_event: Any = None, plan: Any = None
    ) -> tuple[str, str | None]:
        """The network "auto" stands for on these ``train`` files (any other choice as it
        is), and the weights file "auto" found for it or None; the log says why. Images and
        audio: a backbone whose weights are on this computer, else the CNN
        (``_files_steps.resolve_architecture``)."""
        return resolve_architecture(model_config, on_event, media=self, plan=plan)

    def backbone(self, architecture: str) -> bool:
        """Whether ``architecture`` is a pretrained network with its own weights file: its
        weights are looked up, its head trains first (on cached features when augmentation
        is off) and its top layers are fine-tuned after."""
        return architecture != "cnn"

    def auto_fine_tune_layers(self, architecture: str, n_train: int, built: Any) -> int:
        """Backbone layers phase 2 unfreezes for "auto" (``built``: what :meth:`build`
        returned). Images and audio: ``models.images.auto_fine_tune_layers``."""
        from automl_gui.core.models.images import auto_fine_tune_layers

        return auto_fine_tune_layers(architecture, n_train)

    def network_name(self, architecture: str) -> str:
        """The network's name as the Model page shows it (``models.registry``)."""
        from automl_gui.core.models.registry import MODEL_FAMILIES

        return MODEL_FAMILIES.get(architecture, {}).get("name", architecture)

    def describe(self, architecture: str) -> str:
        """What was built, for the log ("Compact CNN at 64×64 (rgb)")."""
        return NAMES.get(architecture, architecture)

    @property
    def augment_active(self) -> bool:
        return bool(self.preprocess.augment.active)

    def metadata(self, architecture: str, built: Any) -> dict[str, Any]:
        """Medium-specific metadata keys (input size, the input contract sentence...)."""
        return {}


def resolve_architecture(
    model_config: ImageModelConfig,
    on_event: EventCallback | None,
    *,
    media: Media | None = None,
    plan: Any = None,
) -> tuple[str, str | None]:
    """Resolve "auto": a backbone whose weights are already on this computer, else the CNN.

    With ``media.backbone_needs_gpu`` (audio: a backbone on spectrograms is slow on a CPU) a
    backbone is chosen only when ``plan`` trains on a GPU. The log says which and why.
    Returns (architecture, weights file found for "auto" or None).
    """
    from automl_gui.core.models.weights import find_weights

    arch = model_config.architecture
    if arch != "auto":
        return arch, None
    if media is not None and media.backbone_needs_gpu and not getattr(plan, "uses_gpu", False):
        emit(
            on_event,
            Log(
                f"Auto: a compact CNN on the {media.noun}' spectrograms (training runs on the "
                "CPU, where a pretrained ResNet50/InceptionV3 on spectrograms is slow; choose "
                "one explicitly to use it anyway)."
            ),
        )
        return "cnn", None
    folder = model_config.weights_folder or None
    for candidate in BACKBONES:
        try:
            found = find_weights(candidate, folder)
        except Exception:  # noqa: BLE001 - a bad file never stops "auto": fall back to the CNN
            found = None
        if found is not None:
            emit(on_event, Log(f"Auto: {NAMES[candidate]} with pretrained weights ({found})."))
            return candidate, str(found)
    emit(on_event, Log(media.auto_cnn_message if media is not None else Media.auto_cnn_message))
    return "cnn", None

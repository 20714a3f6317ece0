"""What the AutoML search explores on image and audio folders (texts: ``_text_space``).

:class:`ImageSpace`: the compact CNN (its input size, hence depth, and width) against the
pretrained backbones whose weights are on this computer, dropout before the classifier,
augmentation strength, backbone layers to fine-tune and the learning rate.
:class:`AudioSpace`: spectrogram settings (log-mel or MFCC, mel bands, STFT window and
hop), the CNN's width, dropout, augmentation strength and the learning rate.

Each is used like :class:`~automl_gui.core.tune.search.space.TabularSpace`: ``build(hp)`` declares
(first call) and reads Keras Tuner hyperparameters and returns the :class:`FilesSettings`
one trial trains with; ``before_trial`` is a hook tests use to make a trial fail.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from automl_gui.core.base.events import EventCallback, Log, emit
from automl_gui.core.models.image_config import BACKBONES, ImageModelConfig
from automl_gui.core.train.config import TrainConfig

__all__ = [
    "AUDIO_AUGMENT",
    "IMAGE_AUGMENT",
    "AudioSpace",
    "FilesSettings",
    "ImageSpace",
    "audio_space",
    "available_backbones",
    "image_space",
]

#: augmentation strength → the image AugmentConfig's strengths (rotation, zoom, translation,
#: contrast, brightness); "none" turns augmentation off (a backbone then trains its head on
#: cached features: much faster). The flip mode stays the user's.
IMAGE_AUGMENT = {
    "none": None,
    "light": (0.03, 0.05, 0.05, 0.05, 0.05),
    "medium": (0.05, 0.1, 0.1, 0.1, 0.1),
    "strong": (0.1, 0.2, 0.2, 0.2, 0.2),
}
#: augmentation strength → the AudioAugmentConfig fields it sets
AUDIO_AUGMENT: dict[str, dict[str, Any] | None] = {
    "none": None,
    "light": {"snr_min_db": 20.0, "snr_max_db": 40.0, "gain_db": 3.0, "shift": 0.05,
              "time_mask": 0.05, "freq_mask": 0.05, "masks": 1},
    "medium": {"snr_min_db": 10.0, "snr_max_db": 40.0, "gain_db": 6.0, "shift": 0.1,
               "time_mask": 0.1, "freq_mask": 0.1, "masks": 1},
    "strong": {"snr_min_db": 5.0, "snr_max_db": 30.0, "gain_db": 9.0, "shift": 0.2,
               "time_mask": 0.15, "freq_mask": 0.15, "masks": 2},
}  # fmt: skip
#: "fine_tune" choice → index into ``models.images.FINE_TUNE_TIERS`` (smallest tier first)
FINE_TUNE = ("none", "top", "more")
CNN_WIDTHS = (16, 32, 64)


@dataclass
class FilesSettings:
    """What one image, audio or text trial trains.

    Args:
        architecture: "cnn", "resnet50" or "inceptionv3"; a text network ("ngram_mlp",
            "sepcnn", "transformer").
        preprocess: the trial's ImagePreprocessConfig / AudioPreprocessConfig /
            TextPreprocessConfig.
        model_config: the trial's ImageModelConfig or TextModelConfig (architecture, dropout,
            fine-tuning, a text network's sizes; weights settings are the user's).
        learning_rate: phase 1's rate (fine-tuning uses it × ``fine_tune_lr_factor``).
        cnn_width: base filters of the CNN (16, 32, 64: doubling per block); 0 = the
            builder's own rule (by the number of training files).
        weights_file: the pretrained weights file of a backbone; None = random weights
            (only with ``allow_scratch_backbones``).
        fine_tune: "none", "top" or "more" (backbones: layers unfrozen for phase 2).
    """

    architecture: str
    preprocess: Any
    model_config: ImageModelConfig
    learning_rate: float
    cnn_width: int = 0
    weights_file: str | None = None
    fine_tune: str = "none"

    def training(self, base: TrainConfig, **overrides: Any) -> TrainConfig:
        """``base`` with this trial's learning rate (and ``overrides``)."""
        return replace(base, learning_rate=float(self.learning_rate), **overrides)

    def split_epochs(self, epochs: int) -> tuple[int, int]:
        """(head epochs, fine-tune epochs) of a trial of ``epochs``: a backbone that
        fine-tunes gives half (rounded down) to phase 2; the CNN trains in one phase."""
        if self.architecture == "cnn" or self.fine_tune_layers() == 0 or epochs < 2:
            return max(1, epochs), 0
        return epochs - epochs // 2, epochs // 2

    def fine_tune_layers(self) -> int:
        """Backbone layers to unfreeze: 0, or a whole-stage count from the tiers (the
        smaller for "top", the larger for "more")."""
        from automl_gui.core.models.images import FINE_TUNE_TIERS

        if self.architecture == "cnn" or self.fine_tune == "none":
            return 0
        tiers = sorted(n for _, n in FINE_TUNE_TIERS[self.architecture])
        return tiers[min(FINE_TUNE.index(self.fine_tune), len(tiers)) - 1]


def available_backbones(
    model_config: ImageModelConfig,
    *,
    allow_scratch: bool = False,
    on_event: EventCallback | None = None,
) -> dict[str, str | None]:
    """The backbones a search may try, with their weights files (None: random weights).

    A backbone is offered when its weights file is found without downloading: the user's
    ``weights_path`` (for ``model_config.architecture``), then ``weights_folder``,
    ``models/pretrained`` and the Keras cache (checksum verified). With ``allow_scratch``
    the others are offered too, from random weights. A search never downloads.
    """
    from automl_gui.core.models.weights import find_weights

    found: dict[str, str | None] = {}
    for arch in BACKBONES:
        path = None
        own = model_config.weights_path
        if own and model_config.architecture == arch and Path(own).expanduser().is_file():
            path = str(Path(own).expanduser())
        else:
            try:
                hit = find_weights(arch, model_config.weights_folder or None, on_event=on_event)
            except Exception:  # noqa: BLE001 - a bad file only leaves the backbone out
                hit = None
            path = str(hit) if hit is not None else None
        if path is not None or allow_scratch:
            found[arch] = path
    missing = [a for a in BACKBONES if a not in found]
    if missing:
        from automl_gui.core.jobs._files_media import NAMES

        names = " and ".join(NAMES[a] for a in missing)
        emit(
            on_event,
            Log(
                f"The search leaves out {names}: no pretrained weights on this computer "
                "(see models/pretrained/README.md, or allow training them from scratch)."
            ),
        )
    return found


class ImageSpace:
    """CNN (size → depth, width) or a backbone with weights here; dropout, augmentation,
    fine-tuning, learning rate.

    A new search's first trial is the defaults (``defaults_first``): the CNN at the automatic
    size and the middle width, dropout 0.2, light augmentation, Adam at 1e-3, which train
    well from scratch on most folders; the oracle picks the rest.

    Args:
        preprocess: the user's ImagePreprocessConfig (colour mode, flip, split, cache).
        model_config: the user's ImageModelConfig (weights settings, fine-tune epochs/factor).
        backbones: {architecture: weights file or None} offered besides the CNN
            (:func:`available_backbones`).
        cnn_size: the CNN's automatic input size for this dataset (the sizes tried are half,
            this and double it, within 16-256: the CNN halves the side down to 8, so the size
            sets its depth).
        widths: the CNN base widths tried (filters of its first block, doubling per block).
        augments: the augmentation strengths tried (keys of :data:`IMAGE_AUGMENT`).
        image_side: the images' own (median, shorter) side, when known. Sizes that would
            upscale them more than twice are left out, unless the user or ``cnn_size`` asks
            for them: blowing up an 8×8 digit to 64×64 shows the CNN nothing new and costs
            16 times the pixels (and one more block) per image.
    """

    kind = "images"
    defaults_first = True

    def __init__(
        self,
        preprocess: Any,
        model_config: ImageModelConfig,
        backbones: dict[str, str | None] | None = None,
        cnn_size: int = 64,
        widths: tuple[int, ...] = CNN_WIDTHS,
        augments: tuple[str, ...] = tuple(IMAGE_AUGMENT),
        image_side: int | None = None,
    ) -> None:
        self.widths, self.augments = list(widths), list(augments)
        self.preprocess = preprocess
        self.model_config = model_config
        self.backbones = dict(backbones or {})
        base = int(preprocess.image_size or cnn_size)
        self.cnn_sizes = cnn_sizes(base, image_side)
        self.cnn_size = base

    def build(self, hp: Any) -> FilesSettings:
        """Declare (first call) and read the hyperparameters of ``hp``."""
        archs = ["cnn", *self.backbones]
        arch = hp.Choice("architecture", archs, default="cnn")
        size, width, fine_tune = 0, 0, "none"
        with hp.conditional_scope("architecture", ["cnn"]):
            size = hp.Choice("image_size", self.cnn_sizes, default=self.cnn_size)
            width = hp.Choice("cnn_width", self.widths, default=_middle(self.widths))
        if self.backbones:
            with hp.conditional_scope("architecture", list(self.backbones)):
                fine_tune = hp.Choice("fine_tune", list(FINE_TUNE), default="top")
        dropout = hp.Float("dropout", 0.0, 0.5, step=0.1, default=0.2)
        augment = hp.Choice("augment", self.augments, default=_default_augment(self.augments))
        lr = hp.Float("learning_rate", 1e-4, 1e-2, sampling="log", default=1e-3)

        pre = replace(self.preprocess, augment=_image_augment(self.preprocess.augment, augment))
        if arch == "cnn":
            pre.image_size = int(size)
        settings = FilesSettings(
            architecture=arch,
            preprocess=pre,
            model_config=replace(self.model_config, architecture=arch, dropout=float(dropout)),
            learning_rate=float(lr),
            cnn_width=int(width or 0) if arch == "cnn" else 0,
            weights_file=self.backbones.get(arch),
            fine_tune=str(fine_tune or "none") if arch != "cnn" else "none",
        )
        return settings

    def before_trial(self, trial_id: str, settings: FilesSettings) -> FilesSettings:
        """Hook called with each trial's settings just before it trains; returns them."""
        return settings


class AudioSpace:
    """Spectrogram settings, CNN width, dropout, augmentation and learning rate (the CNN:
    a backbone on spectrograms is slow on a CPU, and the issue searches the CNN for audio).

    Args:
        preprocess: the user's AudioPreprocessConfig (sample rate, clip length, split, cache).
        model_config: the user's ImageModelConfig.
        widths: the CNN base widths tried.
        augments: the augmentation strengths tried (keys of :data:`AUDIO_AUGMENT`).
    """

    kind = "audio"
    defaults_first = True

    def __init__(
        self,
        preprocess: Any,
        model_config: ImageModelConfig,
        widths: tuple[int, ...] = CNN_WIDTHS,
        augments: tuple[str, ...] = tuple(AUDIO_AUGMENT),
    ) -> None:
        self.widths, self.augments = list(widths), list(augments)
        self.preprocess = preprocess
        self.model_config = model_config
        rate = int(preprocess.sample_rate)
        # more mel bands than that would leave filters without an FFT bin at low rates
        self.n_mels = [32, 64] + ([128] if rate >= 16_000 else [])

    def build(self, hp: Any) -> FilesSettings:
        """Declare (first call) and read the hyperparameters of ``hp``."""
        features = hp.Choice("features", ["log-mel", "mfcc"], default="log-mel")
        n_mels = hp.Choice("n_mels", self.n_mels, default=64)
        window = hp.Choice("window_ms", [25.0, 40.0], default=25.0)
        hop = hp.Choice("hop_ms", [10.0, 20.0], default=10.0)
        width = hp.Choice("cnn_width", self.widths, default=_middle(self.widths))
        dropout = hp.Float("dropout", 0.0, 0.5, step=0.1, default=0.2)
        augment = hp.Choice("augment", self.augments, default=_default_augment(self.augments))
        lr = hp.Float("learning_rate", 1e-4, 1e-2, sampling="log", default=1e-3)

        strength = AUDIO_AUGMENT[augment]
        aug = replace(self.preprocess.augment, enabled=strength is not None, **(strength or {}))
        pre = replace(
            self.preprocess,
            features=features,
            n_mels=int(n_mels),
            n_mfcc=min(int(self.preprocess.n_mfcc), int(n_mels)),
            window_ms=float(window),
            hop_ms=float(hop),
            augment=aug,
        )
        return FilesSettings(
            architecture="cnn",
            preprocess=pre,
            model_config=replace(self.model_config, architecture="cnn", dropout=float(dropout)),
            learning_rate=float(lr),
            cnn_width=int(width),
        )

    def before_trial(self, trial_id: str, settings: FilesSettings) -> FilesSettings:
        """Hook called with each trial's settings just before it trains; returns them."""
        return settings


def image_space(
    dataset: Any,
    preprocess: Any,
    model_config: ImageModelConfig,
    *,
    allow_scratch_backbones: bool = False,
    on_event: EventCallback | None = None,
    **options: Any,
) -> ImageSpace:
    """The image kind's default search space for ``dataset``: the backbones whose weights are
    here (:func:`available_backbones`) and CNN sizes around the images' own. ``options`` go to
    the space (``widths``, ``augments``)."""
    from automl_gui.core.models.images import auto_image_size

    backbones = available_backbones(
        model_config, allow_scratch=allow_scratch_backbones, on_event=on_event
    )
    stats = dataset.size_stats()
    cnn_size = auto_image_size("cnn", stats)
    options.setdefault("image_side", _median_side(stats))
    return ImageSpace(preprocess, model_config, backbones, cnn_size=cnn_size, **options)


def audio_space(
    dataset: Any,
    preprocess: Any,
    model_config: ImageModelConfig,
    *,
    allow_scratch_backbones: bool = False,
    on_event: EventCallback | None = None,
    **options: Any,
) -> AudioSpace:
    """The audio kind's default search space (spectrograms and the CNN; no backbones, so
    ``allow_scratch_backbones`` changes nothing). ``options`` go to the space."""
    return AudioSpace(preprocess, model_config, **options)


def cnn_sizes(base: int, image_side: int | None = None) -> list[int]:
    """The CNN input sizes a search tries around ``base``: half, ``base`` and double, within
    16-256, less those that upscale images of ``image_side`` pixels more than twice (``base``
    itself always stays)."""
    sizes = {min(256, max(16, s)) for s in (base // 2, base, base * 2)}
    if image_side:
        sizes = {s for s in sizes if s <= max(base, 2 * int(image_side))}
    return sorted(sizes)


def _median_side(stats: Any) -> int | None:
    """The shorter of the images' median width and height, or None when unknown."""
    try:
        side = min(float(stats["width"]["median"]), float(stats["height"]["median"]))
    except (KeyError, TypeError, ValueError):
        return None
    return int(side) if side > 0 else None


def _middle(values: list[Any]) -> Any:
    return values[len(values) // 2]


def _default_augment(augments: list[str]) -> str:
    """The first trial's augmentation: "light" when tried (it helps most folders and hardly
    slows a from-scratch CNN's first epochs), else the middle strength."""
    return "light" if "light" in augments else _middle(augments)


def _image_augment(user: Any, strength: str) -> Any:
    """The user's AugmentConfig at ``strength`` (the flip mode stays theirs)."""
    levels = IMAGE_AUGMENT[strength]
    if levels is None:
        return replace(user, enabled=False)
    rotation, zoom, translation, contrast, brightness = levels
    return replace(
        user,
        enabled=True,
        rotation=rotation,
        zoom=zoom,
        translation=translation,
        contrast=contrast,
        brightness=brightness,
    )


def cnn_n_train(width: int) -> int:
    """The number of training files for which the CNN builder picks ``width`` base filters
    (``models.images.CNN_BASE_FILTERS``): how a trial sets the CNN's width."""
    from automl_gui.core.models.images import CNN_BASE_FILTERS

    return next(int(minimum) for minimum, filters in CNN_BASE_FILTERS if filters == width)

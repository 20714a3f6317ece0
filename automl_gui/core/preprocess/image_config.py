"""Image preprocessing settings: target size, colour mode, augmentation, split (JSON-friendly)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: "auto": grayscale when every image is stored gray, else RGB (``images.resolve_color_mode``)
COLOR_MODES = ("auto", "rgb", "grayscale")
FLIP_MODES = ("none", "horizontal", "vertical", "both")
MIN_IMAGE_SIZE = 16
MAX_IMAGE_SIZE = 1024


@dataclass
class AugmentConfig:
    """Random augmentation applied during training only (Keras preprocessing layers).

    Strengths are the factors of the Keras layers: rotation is a fraction of a full turn
    (0.05 = up to ±18°), zoom and translation fractions of the image size, contrast and
    brightness fractions of the value range. 0 turns one off; ``enabled`` turns all off.

    No flips by default: a mirrored digit, letter or arrow is another class (or none), and
    whether mirroring keeps a folder's labels is the user's knowledge, not the data's. The
    small rotation, zoom, shift, contrast and brightness keep every label this app has been
    measured on (``benchmarks/_quality_images.py``). A project saved with a flip keeps it.
    """

    enabled: bool = True
    flip: str = "none"  # one of FLIP_MODES
    rotation: float = 0.05
    zoom: float = 0.1
    translation: float = 0.1
    contrast: float = 0.1
    brightness: float = 0.1

    @property
    def active(self) -> bool:
        """True when at least one augmentation would change an image."""
        if not self.enabled:
            return False
        strengths = (self.rotation, self.zoom, self.translation, self.contrast, self.brightness)
        return self.flip != "none" or any(s > 0 for s in strengths)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AugmentConfig:
        return cls(**data)


@dataclass
class ImagePreprocessConfig:
    """How images become model inputs, and how the dataset is split.

    Args:
        image_size: square side the model resizes to; 0 = automatic from the model
            (ResNet50 224, InceptionV3 299, the CNN from the images' sizes).
        color_mode: "auto" (grayscale when every image is stored gray, else RGB; decided when
            training starts, ``images.resolve_color_mode``), "rgb" or "grayscale" (grayscale
            is repeated to 3 channels for a backbone).
        augment: training-time augmentation.
        validation_fraction, test_fraction: used when the folder is not already split
            (stratified by class).
        seed: split and augmentation seed.
        cache: keep decoded, resized images in memory after the first epoch (fast, but only
            for datasets that fit; streaming from disk otherwise).
    """

    image_size: int = 0
    color_mode: str = "auto"
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    validation_fraction: float = 0.15
    test_fraction: float = 0.15
    seed: int = 42
    cache: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImagePreprocessConfig:
        data = dict(data)
        augment = AugmentConfig.from_dict(data.pop("augment", {}) or {})
        return cls(augment=augment, **data)

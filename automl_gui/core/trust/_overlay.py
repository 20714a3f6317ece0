"""Saliency maps drawn over pictures (NumPy and Pillow only, no Qt): shared by the window,
the command line and the PNGs ``explain`` writes."""

from __future__ import annotations

import numpy as np

#: the heat colours from cold to hot (0 → 1): a dark blue, cyan, yellow, red
_STOPS = np.array(
    [
        (0.00, 30, 60, 200),
        (0.35, 0, 200, 230),
        (0.65, 255, 230, 40),
        (1.00, 230, 20, 20),
    ],
    dtype=np.float32,
)
#: how opaque the heat colour is where the map is 1 (0 shows the picture alone)
MAX_ALPHA = 0.6


def heat_colours(cam: np.ndarray) -> np.ndarray:
    """``cam`` (values in [0, 1]) → uint8 RGB ``(h, w, 3)`` through the heat colours."""
    c = np.clip(np.asarray(cam, dtype=np.float32), 0.0, 1.0)
    out = np.empty((*c.shape, 3), dtype=np.float32)
    for channel in range(3):
        out[..., channel] = np.interp(c, _STOPS[:, 0], _STOPS[:, channel + 1])
    return out.round().astype(np.uint8)


def overlay_rgb(image_uint8: np.ndarray, cam: np.ndarray) -> np.ndarray:
    """``image_uint8`` (``(h, w, 3)`` RGB, or ``(h, w)`` gray) with ``cam`` drawn over it.

    ``cam`` is a 2-D map with values in [0, 1] of any size (stretched bilinearly to the
    picture: the model's square view maps onto the whole picture). Where the map is high the
    heat colour covers the picture up to :data:`MAX_ALPHA`; where it is 0 the picture shows
    as it is, slightly darkened so the hot parts stand out. Returns uint8 RGB ``(h, w, 3)``.
    """
    from automl_gui.core.trust._gradcam import resize_map

    image = np.asarray(image_uint8)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    if image.ndim != 3 or image.shape[-1] not in (3, 4):
        raise ValueError(f"overlay_rgb takes an (h, w, 3) image, got shape {image.shape}.")
    rgb = image[..., :3].astype(np.float32)
    h, w = rgb.shape[:2]
    c = np.clip(resize_map(np.asarray(cam, dtype=np.float32), h, w), 0.0, 1.0)
    alpha = (MAX_ALPHA * c)[..., None]
    shaded = rgb * (0.85 + 0.15 * c[..., None])
    out = shaded * (1.0 - alpha) + heat_colours(c).astype(np.float32) * alpha
    return np.clip(out.round(), 0, 255).astype(np.uint8)


def spectrogram_rgb(db: np.ndarray, floor_db: float = 80.0) -> np.ndarray:
    """A log-mel spectrogram ``(frames, bands)`` in dB → a gray uint8 picture with time along
    x and the lowest band at the bottom (``(bands, frames, 3)``), the loudest cell white and
    ``floor_db`` below it black."""
    d = np.asarray(db, dtype=np.float32)
    if d.size == 0:
        return np.zeros((1, 1, 3), np.uint8)
    top = float(np.nanmax(d))
    scaled = np.clip((d - (top - float(floor_db))) / float(floor_db), 0.0, 1.0)
    gray = (scaled.T[::-1] * 255.0).round().astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=-1)


def spectrogram_picture_map(cam: np.ndarray) -> np.ndarray:
    """A frames × bands map laid out as :func:`spectrogram_rgb` lays out its picture."""
    return np.asarray(cam, dtype=np.float32).T[::-1]


__all__ = ["heat_colours", "overlay_rgb", "spectrogram_picture_map", "spectrogram_rgb"]

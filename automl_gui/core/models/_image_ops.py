"""The image models' grayscale conversion and pixel normalization as ``keras.ops`` nodes.

Keras serializes op nodes of a functional model itself, so a saved image model needs no
class of this app to load (``keras.saving.load_model`` in safe mode, plain Keras). Each
equals what ``keras.applications.<net>.preprocess_input`` computes and what the registered
layers of :mod:`.image_layers` (kept for models saved before) compute, in float32 whatever
the global dtype policy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: ImageNet channel means in BGR order (``keras.applications.imagenet_utils``, caffe mode).
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
#: ITU-R BT.601 luma weights, as ``tf.image.rgb_to_grayscale``.
LUMA_WEIGHTS = (0.2989, 0.5870, 0.1140)
NORMALIZATIONS = ("unit", "resnet50", "inceptionv3")


def grayscale(keras: Any, channels: int) -> Callable[[Any], Any]:
    """RGB → luma, with ``channels`` output channels (1, or 3 repeated); a 1-channel input
    passes through (repeated to ``channels``)."""
    if int(channels) not in (1, 3):
        raise ValueError(f"Grayscale channels must be 1 or 3, got {channels}.")
    ops = keras.ops

    def apply(inputs: Any) -> Any:
        x = ops.cast(inputs, "float32")
        if x.shape[-1] == 1:
            gray = x
        else:
            weights = np.asarray(LUMA_WEIGHTS, dtype=np.float32)
            gray = ops.sum(ops.multiply(x, weights), axis=-1, keepdims=True)
        return gray if int(channels) == 1 else ops.repeat(gray, int(channels), axis=-1)

    return apply


def normalization(keras: Any, mode: str) -> Callable[[Any], Any]:
    """Float pixels in [0, 255] → the network's input: "unit" (x / 255, the CNN),
    "resnet50" (caffe: channels reversed RGB→BGR, ImageNet means subtracted) or
    "inceptionv3" (x / 127.5 - 1)."""
    if mode not in NORMALIZATIONS:
        raise ValueError(f"Unknown normalization {mode!r}; use one of {NORMALIZATIONS}.")
    ops = keras.ops

    def apply(inputs: Any) -> Any:
        x = ops.cast(inputs, "float32")
        if mode == "unit":
            return ops.divide(x, 255.0)
        if mode == "inceptionv3":
            return ops.subtract(ops.divide(x, 127.5), 1.0)
        return ops.subtract(ops.flip(x, axis=-1), np.asarray(CAFFE_MEAN_BGR, dtype=np.float32))

    return apply

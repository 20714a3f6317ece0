"""Custom Keras layers of the image models' input stage, kept so that older models load.

``Grayscale`` and ``BackbonePreprocess`` are what image models saved before plain-Keras
exports hold; new models compute the same with ``keras.ops`` nodes (:mod:`._image_ops`),
which Keras serializes itself. ``TrainingOnly`` still wraps augmentation while a model
trains (Keras's random layers default to ``training=True``); saved and exported models
leave it out (``core.export._portable.inference_model``): it is the identity at inference.

This module imports Keras at module level: it is imported only when a model is built or
loaded (``load_keras_model`` imports it to register the layers).
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from automl_gui.core.models._image_ops import CAFFE_MEAN_BGR, LUMA_WEIGHTS, NORMALIZATIONS

PACKAGE = "automl_gui"


@keras.saving.register_keras_serializable(package=PACKAGE)
class Grayscale(keras.layers.Layer):
    """RGB → grayscale (luma), with ``channels`` output channels (1, or 3 repeated).

    A 1-channel input is passed through (repeated to ``channels``). Computes in float32.
    """

    def __init__(self, channels: int = 1, **kwargs: Any) -> None:
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if int(channels) not in (1, 3):
            raise ValueError(f"Grayscale channels must be 1 or 3, got {channels}.")
        self.channels = int(channels)

    def call(self, inputs: Any) -> Any:
        x = ops.cast(inputs, "float32")
        if x.shape[-1] == 1:
            gray = x
        else:
            weights = ops.convert_to_tensor(LUMA_WEIGHTS, dtype="float32")
            gray = ops.sum(x[..., :3] * weights, axis=-1, keepdims=True)
        if self.channels == 1:
            return gray
        return ops.repeat(gray, self.channels, axis=-1)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (*tuple(input_shape)[:-1], self.channels)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(channels=self.channels)
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class BackbonePreprocess(keras.layers.Layer):
    """Normalize float pixels in [0, 255] for a network; computes in float32.

    Args:
        mode: "unit" (x / 255), "resnet50" (caffe: channels reversed RGB→BGR, then the
            ImageNet mean [103.939, 116.779, 123.68] subtracted) or "inceptionv3"
            (x / 127.5 - 1). The backbone modes need 3 channels.
    """

    def __init__(self, mode: str = "unit", **kwargs: Any) -> None:
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if mode not in NORMALIZATIONS:
            raise ValueError(f"Unknown normalization {mode!r}; use one of {NORMALIZATIONS}.")
        self.mode = mode

    def call(self, inputs: Any) -> Any:
        x = ops.cast(inputs, "float32")
        if self.mode == "unit":
            return x / 255.0
        if self.mode == "inceptionv3":
            return x / 127.5 - 1.0
        mean = ops.convert_to_tensor(CAFFE_MEAN_BGR, dtype="float32")
        return ops.flip(x, axis=-1) - mean

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(mode=self.mode)
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class TrainingOnly(keras.layers.Layer):
    """Run ``layer`` only when called with ``training=True``; otherwise pass inputs through.

    Keras's random preprocessing layers default to ``training=True``, so a plain
    ``model(images)`` call (no ``training`` argument) would augment. Wrapped, augmentation
    happens only in ``fit`` (or an explicit ``training=True``); prediction never augments.
    """

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Any) -> None:
        if not self.layer.built:
            self.layer.build(input_shape)
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if training:
            return self.layer(inputs, training=True)
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(layer=keras.saving.serialize_keras_object(self.layer))
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TrainingOnly:
        config = dict(config)
        layer = keras.saving.deserialize_keras_object(config.pop("layer"))
        return cls(layer, **config)


__all__ = ["BackbonePreprocess", "Grayscale", "TrainingOnly"]

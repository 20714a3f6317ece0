"""The custom Keras layers that table models saved before plain-Keras exports hold.

New models fill missing values with Keras's own layers and op nodes (``_impute``), so their
``.keras`` file loads without this app. These classes stay registered so that models and
projects saved by older versions still load in the app (``export._load.load_keras_model``
imports this module); nothing builds them any more. This module imports Keras at module
level: it is imported only when a model is loaded.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf
from keras import ops

PACKAGE = "automl_gui"


@keras.saving.register_keras_serializable(package=PACKAGE)
class ImputeNumeric(keras.layers.Layer):
    """Replace NaN and +-inf with a fitted fill value; optionally also emit a 0/1 indicator.

    Args:
        fill_value: the value that replaces missing or infinite entries.
        indicator: when True the layer returns ``(filled, missing_indicator)``.
    """

    def __init__(self, fill_value: float = 0.0, indicator: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.fill_value = float(fill_value)
        self.indicator = bool(indicator)

    def call(self, inputs: Any) -> Any:
        x = ops.cast(inputs, "float32")
        missing = ops.logical_not(ops.isfinite(x))
        filled = ops.where(missing, ops.full_like(x, self.fill_value), x)
        if self.indicator:
            return filled, ops.cast(missing, "float32")
        return filled

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape, input_shape) if self.indicator else input_shape

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(fill_value=self.fill_value, indicator=self.indicator)
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class ImputeString(keras.layers.Layer):
    """Replace missing strings ("" after stripping spaces) with a fill token.

    Args:
        fill_value: the token that replaces missing entries.
        indicator: when True the layer returns ``(filled, missing_indicator)``.
    """

    def __init__(self, fill_value: str = "", indicator: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fill_value = str(fill_value)
        self.indicator = bool(indicator)

    def build(self, input_shape: Any) -> None:
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = tf.strings.strip(tf.convert_to_tensor(inputs, dtype=tf.string))
        missing = tf.equal(x, "")
        filled = tf.where(missing, tf.constant(self.fill_value), x)
        if self.indicator:
            return filled, tf.cast(missing, tf.float32)
        return filled

    def compute_output_spec(self, inputs: Any) -> Any:
        spec = keras.KerasTensor(inputs.shape, dtype="string")
        if self.indicator:
            return spec, keras.KerasTensor(inputs.shape, dtype="float32")
        return spec

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(fill_value=self.fill_value, indicator=self.indicator)
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class ImputeColumns(keras.layers.Layer):
    """:class:`ImputeNumeric` for many columns at once: a ``(batch, k)`` float input whose
    NaN and +-inf entries are replaced by each column's fitted fill value.

    The fill values are a non-trainable weight (not config: a wide table has thousands).

    Args:
        fill_values: ``k`` fill values (None when loading: the saved weight provides them).
        indicator_columns: columns (0-based) that also get a 0/1 missing indicator; when
            any, the layer returns ``(filled, indicators)`` with ``indicators`` of shape
            ``(batch, len(indicator_columns))``.
    """

    def __init__(
        self,
        fill_values: Any = None,
        indicator_columns: Any = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self._initial = None if fill_values is None else [float(v) for v in fill_values]
        self.indicator_columns = [int(i) for i in indicator_columns]

    def build(self, input_shape: Any) -> None:
        width = int(input_shape[-1])
        self.fill_values = self.add_weight(
            name="fill_values", shape=(width,), initializer="zeros", trainable=False
        )
        if self._initial is not None:
            if len(self._initial) != width:
                raise ValueError(f"{len(self._initial)} fill values for {width} columns")
            self.fill_values.assign(ops.convert_to_tensor(self._initial, dtype="float32"))
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = ops.cast(inputs, "float32")
        missing = ops.logical_not(ops.isfinite(x))
        filled = ops.where(missing, ops.broadcast_to(self.fill_values, ops.shape(x)), x)
        if self.indicator_columns:
            chosen = ops.take(ops.cast(missing, "float32"), self.indicator_columns, axis=-1)
            return filled, chosen
        return filled

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self.indicator_columns:
            return input_shape, (*input_shape[:-1], len(self.indicator_columns))
        return input_shape

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(indicator_columns=list(self.indicator_columns))
        return config


__all__ = ["ImputeColumns", "ImputeNumeric", "ImputeString"]

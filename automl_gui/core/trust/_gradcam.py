"""Grad-CAM's machinery (Selvaraju et al. 2017): running a model with its last convolutional
feature map exposed, nested models included, and turning gradients into maps.

The app's models nest: a backbone classifier is ``input stage → resnet50 (a Keras model) →
pool → head (a model)``, and an audio backbone wraps that whole classifier once more between
the window split and the window average. A feature map inside a nested model is no tensor of
the outer graph, so it cannot be made an output of a new ``keras.Model`` without calling the
inner layers again (which would add nodes to the user's model). Instead the forward pass is
run here node by node through Keras' own graph walk (``Functional._run_through_graph``, the
routine ``Functional.call`` and ``keras.models.clone_model`` use), descending into nested
functional models, inside one ``tf.function``: no layer gets a new node, the model is left as
it was, and whatever tensor we need is at hand, watched by the gradient tape.

The feature map chosen is the input of the network's global average pooling (the last
convolutional block's output: ``conv5_block3_out`` of ResNet50, ``mixed10`` of InceptionV3),
stepping back over a max pooling right before it (the compact CNNs pool their last block's
ReLU output; its map has twice the resolution).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

#: the layer name of ``_audio_ops.spectrogram_image`` (features turned into an image for a
#: backbone: frequency up, time right); a map under it is transposed back to frames × bands
SPECTROGRAM_IMAGE_LAYER = "spectrogram_image"
_GLOBAL_POOLS = ("GlobalAveragePooling2D", "GlobalMaxPooling2D")
_STEP_BACK = ("MaxPooling2D", "AveragePooling2D")
_EPS = 1e-7


@dataclass
class RawCam:
    """What one Grad-CAM pass gives: ``cams`` ``(m, h, w)`` (m = items, or windows for a
    model answering from windows), non-negative, not normalized; ``proba`` ``(n, classes)``;
    ``classes`` the class explained per item; ``image_layout``: the map lies over a
    spectrogram image (bands top-down, time across) rather than over frames × bands."""

    cams: np.ndarray
    proba: np.ndarray
    classes: np.ndarray
    image_layout: bool


def _is_functional(op: Any) -> bool:
    return hasattr(op, "_run_through_graph") and hasattr(op, "_nodes_by_depth")


class _Runner:
    """A model's forward pass with its feature map exposed (see the module docstring)."""

    def __init__(self, model: Any) -> None:
        import tensorflow as tf

        # a weak reference: the runner is cached under the model as a weak key, so a strong
        # one would keep every explained model alive
        self._model = weakref.ref(model)
        self.image_layout = False
        self._lock = threading.Lock()
        rank = len(model.inputs[0].shape)
        spec = tf.TensorSpec([None] * rank, tf.float32)
        self._step = tf.function(
            self._gradients, input_signature=[spec, tf.TensorSpec([None], tf.int32)]
        )

    def _forward(self, x: Any, tape: Any) -> tuple[Any, Any, Any]:
        """(probabilities, class scores or None, feature map) of ``x``; the feature map
        watched by ``tape``. The scores are the softmax layer's input (per window for a
        model answering from windows)."""
        import keras

        made: dict[int, tuple[str, Any]] = {}  # id(output) → (class name of its op, its input)
        found: list[Any] = []
        scores: list[Any] = []

        def call(op: Any, *args: Any, **kwargs: Any) -> Any:
            if _is_functional(op):
                return op._run_through_graph(args[0], operation_fn=lambda o: o, call_fn=call)
            name = type(op).__name__
            if getattr(op, "name", "") == SPECTROGRAM_IMAGE_LAYER:
                self.image_layout = True
            first = args[0] if args else None
            if name in _GLOBAL_POOLS + _STEP_BACK and len(getattr(first, "shape", ())) == 4:
                tape.watch(first)
                if name in _GLOBAL_POOLS:
                    op_name, before = made.get(id(first), ("", None))
                    found.append(before if op_name in _STEP_BACK else first)
            if getattr(op, "activation", None) is keras.activations.softmax and found:
                scores.append(_dense_scores(op, first))
            out = op(*args, **kwargs)
            made[id(out)] = (name, first)
            return out

        model = self._model()
        proba = model._run_through_graph(x, operation_fn=lambda o: o, call_fn=call)
        if not found:
            from automl_gui.core.base.errors import ModelError

            raise ModelError(
                "This model has no convolutional feature map followed by global pooling, so "
                "Grad-CAM cannot show where it looked.",
                "Explanations of this kind need the app's CNN or a ResNet50/InceptionV3 model.",
            )
        return proba, (scores[-1] if scores else None), found[-1]

    def _gradients(self, x: Any, classes: Any) -> tuple[Any, Any, Any]:
        import tensorflow as tf

        with tf.GradientTape() as tape:
            proba, logits, features = self._forward(x, tape)
            proba = tf.cast(proba, tf.float32)
            # a negative class means "the predicted one"
            classes = tf.where(classes < 0, tf.argmax(proba, axis=1, output_type=tf.int32), classes)
            if logits is None:  # no softmax layer found: the log-probability instead
                chosen = tf.math.log(tf.gather(proba, classes, axis=1, batch_dims=1) + _EPS)
            else:  # y^c of each window (a clip's windows share its class)
                logits = tf.cast(logits, tf.float32)
                per = tf.shape(logits)[0] // tf.maximum(tf.shape(proba)[0], 1)
                chosen = tf.gather(logits, tf.repeat(classes, per), axis=1, batch_dims=1)
            score = tf.reduce_sum(chosen)
        grads = tape.gradient(score, features)
        features = tf.cast(features, tf.float32)
        weights = tf.reduce_mean(tf.cast(grads, tf.float32), axis=(1, 2), keepdims=True)
        cams = tf.nn.relu(tf.reduce_sum(weights * features, axis=-1))  # (m, h, w)
        return cams, proba, classes

    def run(self, x: np.ndarray, classes: np.ndarray | None) -> RawCam:
        with self._lock:  # one pass at a time per model (the window's threads share it)
            x = np.asarray(x, dtype=np.float32)
            if classes is None:
                classes = np.full(len(x), -1, np.int32)
            classes = np.asarray(classes, dtype=np.int32).reshape(-1)
            cams, proba, chosen = self._step(x, classes)
            return RawCam(
                np.asarray(cams), np.asarray(proba), np.asarray(chosen), self.image_layout
            )


def _dense_scores(layer: Any, inputs: Any) -> Any:
    """The class scores a softmax ``Dense`` layer turns into probabilities (its input times
    its kernel plus its bias), computed beside the layer without calling it."""
    import tensorflow as tf

    z = tf.matmul(tf.cast(inputs, tf.float32), tf.cast(layer.kernel, tf.float32))
    bias = getattr(layer, "bias", None)
    return z if bias is None else z + tf.cast(bias, tf.float32)


_RUNNERS: weakref.WeakKeyDictionary[Any, _Runner] = weakref.WeakKeyDictionary()
_RUNNERS_LOCK = threading.Lock()


def runner(model: Any) -> _Runner:
    """The (cached) Grad-CAM runner of ``model`` (traced once per input rank)."""
    with _RUNNERS_LOCK:
        found = _RUNNERS.get(model)
        if found is None:
            found = _Runner(model)
            _RUNNERS[model] = found
        return found


def normalize(cam: np.ndarray) -> np.ndarray:
    """``cam`` scaled to [0, 1] by its maximum (all zeros stays zeros)."""
    cam = np.asarray(cam, dtype=np.float32)
    top = float(cam.max()) if cam.size else 0.0
    return cam / top if top > 0 else np.zeros_like(cam)


def resize_map(cam: np.ndarray, height: int, width: int) -> np.ndarray:
    """A 2-D map resized bilinearly to ``height`` × ``width`` (Pillow; float32 kept)."""
    from PIL import Image

    cam = np.asarray(cam, dtype=np.float32)
    if cam.shape == (height, width):
        return cam.copy()
    out = Image.fromarray(cam, mode="F").resize((int(width), int(height)), Image.BILINEAR)
    return np.asarray(out, dtype=np.float32)


__all__ = ["SPECTROGRAM_IMAGE_LAYER", "RawCam", "normalize", "resize_map", "runner"]

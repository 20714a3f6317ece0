"""The graph a TFLite or ONNX export of a text model holds: the model from its vectorized
input on, with ``preprocessing.json`` saying how to vectorize a raw text.

A text model takes raw strings and vectorizes them itself (Keras ``TextVectorization``:
lowercase, strip punctuation, split, n-grams, vocabulary lookup), which are string ops that
neither the LiteRT interpreter (builtin ops only) nor onnxruntime can run. So the converted
file holds the rest of the model: it takes what the layer outputs (token indices, or a
multi-hot / count / TF-IDF vector), and ``preprocessing.json`` holds the layer's settings,
vocabulary and idf weights (:func:`._text_encode.vectorizer_spec`), which
:func:`._text_encode.encode_texts` follows in NumPy. The export check feeds the sample texts
through that encoder and the converted file, and also compares the encoder with the model's
own layer, so a passing export proves the stored preprocessing reproduces the app's answers.

Which models go this way is read from the model itself (:func:`takes_raw_text`: one raw
string input), not from a kind's name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from automl_gui.core.base.errors import ModelError
from automl_gui.core.export._card_text import encoded_input_text
from automl_gui.core.export._serving import ENCODED, ServingGraph
from automl_gui.core.export._text_encode import as_text, encode_texts, vectorizer_spec

#: the converted file's input: what the model's TextVectorization outputs
INPUT_NAME = "vectorized_text"
TEXT_NOTE = (
    "This format cannot hold the text preprocessing (TextVectorization's string operations): "
    "vectorize texts as preprocessing.json describes (the model card shows the Python), or "
    "use the .keras/SavedModel export, which takes raw texts."
)
_NO_CUT = "Use the .keras or SavedModel export, which takes raw texts."


def _keras() -> Any:
    from automl_gui.core.base import lazy

    return lazy.keras()


def _vectorizers(model: Any) -> list[Any]:
    """Every ``TextVectorization`` in ``model``, nested models searched too."""
    keras = _keras()
    found: list[Any] = []
    for layer in getattr(model, "layers", ()):
        if isinstance(layer, keras.layers.TextVectorization):
            found.append(layer)
        elif isinstance(layer, keras.Model):
            found += _vectorizers(layer)
    return found


def takes_raw_text(model: Any) -> bool:
    """Whether ``model`` takes one 1-D string tensor of raw texts (a text model; a table
    model takes one ``(n, 1)`` tensor per column). Whether its vectorizer can be cut out is
    :func:`find_vectorizer`'s question (a pretrained model tokenizes with its own layers)."""
    inputs = list(getattr(model, "inputs", None) or [])
    return len(inputs) == 1 and len(inputs[0].shape) == 1 and "string" in str(inputs[0].dtype)


def find_vectorizer(model: Any) -> Any:
    """The model's one ``TextVectorization`` layer.

    Raises:
        ModelError: it has none, or several.
    """
    found = _vectorizers(model)
    if len(found) != 1:
        raise ModelError(
            f"The model holds {len(found)} TextVectorization layers (a pretrained model "
            "tokenizes with its own), so its vectorized part cannot be taken out for this "
            "format.",
            _NO_CUT,
        )
    return found[0]


def vectorized_part(model: Any, vectorizer: Any) -> Any:
    """``model`` from ``vectorizer``'s output on: a new model taking that output as its input
    :data:`INPUT_NAME`, sharing every later layer and weight (a nested model holding the
    vectorizer is cut the same way).

    Raises:
        ModelError: the vectorizer is not what the model's raw input goes into first.
    """
    keras = _keras()
    out = vectorizer.compute_output_spec(keras.KerasTensor((None,), dtype="string"))
    vectorized = keras.Input(shape=tuple(out.shape[1:]), dtype=out.dtype, name=INPUT_NAME)
    try:
        return _cut(model, vectorizer, vectorized)
    except ModelError:
        raise
    except Exception as exc:  # noqa: BLE001 - Keras raises several kinds for bad graphs
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ModelError(
            f"Could not separate the text model from its TextVectorization layer: {first}",
            _NO_CUT,
        ) from None


def _cut(model: Any, vectorizer: Any, vectorized: Any) -> Any:
    """``model`` re-run from ``vectorized`` (a Keras input standing for what ``vectorizer``
    outputs), the vectorizer's call dropped: what fed it is already its output; unit
    normalizations become :func:`unit_normalization`."""
    keras = _keras()

    def call(operation: Any, *args: Any, **kwargs: Any) -> Any:
        if operation is vectorizer:
            return args[0]
        if isinstance(operation, keras.layers.UnitNormalization):
            return unit_normalization(args[0], operation.axis)
        if isinstance(operation, keras.Model) and vectorizer in _vectorizers(operation):
            inner = keras.Input(shape=tuple(args[0].shape[1:]), dtype=args[0].dtype)
            return _cut(operation, vectorizer, inner)(args[0])
        return operation(*args, **kwargs)

    if not hasattr(model, "_run_through_graph"):
        raise ModelError(
            f"The text model is a {type(model).__name__}, not a functional Keras model, so "
            "its vectorized part cannot be taken out.",
            _NO_CUT,
        )
    return keras.models.clone_model(
        model, input_tensors=vectorized, clone_function=lambda layer: layer, call_function=call
    )


def unit_normalization(x: Any, axis: Any) -> Any:
    """``keras.layers.UnitNormalization`` as ``keras.ops`` that convert faithfully: Keras
    computes ``x * min(rsqrt(sum(x²)), 1e12)``, which the TFLite converter fuses into its
    ``L2_NORMALIZATION`` kernel, and that answers NaN for an all-zero vector (an empty text,
    or one of punctuation only) where Keras answers zeros. ``rsqrt(max(sum(x²), 1e-24))`` is
    the same number for every vector but is not fused."""
    ops = _keras().ops
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return x * ops.rsqrt(ops.maximum(square_sum, 1e-24))


def vectorized_graph(model: Any, metadata: dict[str, Any]) -> ServingGraph:
    """The text model from its vectorized input on, for TFLite and ONNX (see the module)."""
    from automl_gui.core.base import lazy
    from automl_gui.core.export.bundle import serving_model_of

    tf = lazy.tf()
    serving = serving_model_of(model)  # without training-only word dropout
    vectorizer = find_vectorizer(serving)
    part = vectorized_part(serving, vectorizer)
    spec = preprocessing_spec(vectorizer, metadata)
    item = spec["inputs"][0]
    tensor = tf.TensorSpec(tuple(item["shape"]), getattr(tf, item["dtype"]), name=INPUT_NAME)
    text_spec = item["vectorizer"]

    def feed(texts: Any) -> dict[str, np.ndarray]:
        return {INPUT_NAME: encode_texts(texts, text_spec)}

    def encoding(texts: Any) -> dict[str, Any]:
        values = np.asarray([as_text(t) for t in np.asarray(texts, dtype=object).reshape(-1)])
        return {INPUT_NAME: np.asarray(vectorizer(tf.constant(values, dtype=tf.string)))}

    return ServingGraph(part, tensor, ENCODED, feed, spec, note=TEXT_NOTE, app_encoding=encoding)


def preprocessing_spec(vectorizer: Any, metadata: dict[str, Any]) -> dict[str, Any]:
    """``preprocessing.json`` of a text model's TFLite/ONNX export: its one input and how to
    make it from a raw text (the vectorizer's description, :func:`vectorizer_spec`)."""
    text = vectorizer_spec(vectorizer)
    if text["output_mode"] == "int":
        dtype, width = "int64", text["output_sequence_length"]
        encoding = "token_indices"
    else:
        dtype, width = "float32", text["depth"]
        encoding = text["output_mode"]
    names = metadata.get("class_names") or []
    item = {
        "input": INPUT_NAME,
        "dtype": dtype,
        "shape": [None, width],
        "encoding": encoding,
        "how": "each text vectorized as 'vectorizer' describes (its 'how').",
        "vectorizer": text,
    }
    return {
        "about": "How to turn a raw text into the input of this model file (the text model "
        "without its TextVectorization layer; the .keras and SavedModel exports take raw "
        "texts instead).",
        "model_input": encoded_input_text(item),
        "inputs": [item],
        "outputs": f"class probabilities per text, in this order: {', '.join(map(str, names))}.",
    }


__all__ = [
    "INPUT_NAME",
    "TEXT_NOTE",
    "find_vectorizer",
    "preprocessing_spec",
    "takes_raw_text",
    "vectorized_graph",
    "vectorized_part",
]

"""Embeddings of a table's numeric features, built from Keras's own layers and ops nodes.

Both follow Gorishniy, Rubachev and Babenko (2022), "On Embeddings for Numerical Features in
Tabular Deep Learning" (NeurIPS 2022). A saved model holds only built-in layers and
``keras.ops`` nodes with NumPy constants, so it loads with plain Keras in safe mode, and
TFLite/ONNX convert it (``core/export``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: the outer side of the first and last bin is left unclipped, as in the paper; the values
#: are bounded here so the saved graph holds finite constants (TFLite, ONNX)
OUTER_BOUND = 1e6
PERIODIC_FREQUENCIES = 16  # k in the paper's PLR(lite): sin and cos of k frequencies
PERIODIC_SIGMA = 0.1  # the frequencies' initial standard deviation (sigma)
PERIODIC_DIM = 16  # each column's embedding width after its linear layer


def piecewise_tables(edges: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    """The constants of the piecewise-linear encoding of columns with bin ``edges``.

    Returns ``(left, width, low, high)``, each (k, T) float32, T the most bins of any column.
    Bin t of column j encodes ``clip((x - left) / width, low, high)``: ``[0, 1]`` inside,
    the first bin unbounded below and the last above (the paper's definition, §3.2). A
    column with fewer bins is padded with bins that always give 0 (``low = high = 0``); a
    column with one edge (constant in training) gets one bin, 0 everywhere.
    """
    k = len(edges)
    t = max(1, max((len(e) - 1 for e in edges), default=1))
    left = np.zeros((k, t), np.float32)
    width = np.ones((k, t), np.float32)
    low = np.zeros((k, t), np.float32)
    high = np.zeros((k, t), np.float32)
    for j, e in enumerate(edges):
        n = len(e) - 1
        if n < 1:
            continue
        left[j, :n] = e[:-1]
        width[j, :n] = np.diff(e)
        high[j, :n] = 1.0
        low[j, 0] = -OUTER_BOUND
        high[j, n - 1] = OUTER_BOUND
    return left, width, low, high


def piecewise_numpy(x: np.ndarray, edges: list[np.ndarray]) -> np.ndarray:
    """The encoding in NumPy ((n, k) values in, (n, k * T) out): what the layers compute."""
    left, width, low, high = piecewise_tables(edges)
    e = (x[:, :, None] - left) / width
    return np.minimum(np.maximum(e, low), high).reshape(len(x), -1)


def piecewise_linear(keras: Any, numeric: Any, edges: list[np.ndarray], name: str = "ple") -> Any:
    """Piecewise-linear encoding (PLE, Gorishniy et al. 2022, §3.2) of ``numeric`` (b, k):
    (b, k * T) of ops nodes on NumPy constants, flattened for the MLP."""
    ops = keras.ops
    left, width, low, high = piecewise_tables(edges)
    x = keras.layers.Reshape((len(edges), 1), name=f"{name}_columns")(numeric)
    e = ops.divide(ops.subtract(x, left), width)
    e = ops.minimum(ops.maximum(e, low), high)
    return keras.layers.Flatten(name=f"{name}_encoding")(e)


def periodic(keras: Any, numeric: Any, seed: int, name: str = "plr") -> Any:
    """Periodic embeddings, PLR (Gorishniy et al. 2022, §3.3): per column
    ``v = [sin(2 pi c x), cos(2 pi c x)]`` with trainable frequencies ``c ~ N(0, sigma)``
    (an ``EinsumDense`` holding ``2 pi c``), then a linear layer of each column's own and a
    ReLU (the paper's P-L-R; ``rtdl``'s "lite" variant would share that linear layer across
    columns); (b, k * PERIODIC_DIM) flattened."""
    ops = keras.ops
    k = int(numeric.shape[-1])
    x = keras.layers.Reshape((k, 1), name=f"{name}_columns")(numeric)
    angles = keras.layers.EinsumDense(
        "bki,kim->bkm",
        output_shape=(k, PERIODIC_FREQUENCIES),
        kernel_initializer=keras.initializers.RandomNormal(
            stddev=PERIODIC_SIGMA * 2 * np.pi, seed=seed
        ),
        name=f"{name}_frequencies",
    )(x)
    v = keras.layers.Concatenate(axis=-1, name=f"{name}_periodic")(
        [ops.sin(angles), ops.cos(angles)]
    )
    v = keras.layers.EinsumDense(
        "bkm,kmd->bkd",
        output_shape=(k, PERIODIC_DIM),
        bias_axes="kd",
        activation="relu",
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 1),
        name=f"{name}_linear",
    )(v)
    return keras.layers.Flatten(name=f"{name}_encoding")(v)


def embed_numeric(keras: Any, pre: Any, embedding: str, n_bins: int, seed: int) -> Any:
    """The network's input features: ``pre``'s numeric block embedded as ``embedding``
    ("none", "piecewise", "periodic") beside its other features; ``pre.features`` for "none"."""
    if embedding == "none" or pre.numeric is None:
        return pre.features
    if embedding == "piecewise":
        numeric = piecewise_linear(keras, pre.numeric, pre.numeric_edges(n_bins))
    else:
        numeric = periodic(keras, pre.numeric, seed)
    if pre.rest is None:
        return numeric
    return keras.layers.Concatenate(dtype="float32", name="embedded_features")([numeric, pre.rest])

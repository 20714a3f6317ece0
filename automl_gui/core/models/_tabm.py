"""A TabM-style efficient ensemble of MLPs from built-in layers (Gorishniy, Kotelnikov and
Babenko 2024, "TabM: Advancing Tabular Deep Learning with Parameter-Efficient Ensembling",
the TabM-mini variant).

The features (b, d) are repeated for k members (b, k, d) and each member scales them by its
own adapter ``r_i`` (an ``EinsumDense`` "bkd,kd->bkd"; initialized with random signs ±1, as
the paper's TabM-mini); the hidden ``Dense`` layers act on the last axis, so all members
share them; each member has its own output head (``EinsumDense`` "bkh,kho->bko"). The train
model answers per member ((b, k, C) probabilities or (b, k) standardized values) and is fitted
on the mean of the members' losses (``core/train/_members.py``, paper §3); the serving model
averages the members.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def member_features(keras: Any, features: Any, members: int, seed: int) -> Any:
    """``features`` (b, d) as (b, members, d), each member's copy scaled by its adapter."""
    d = int(features.shape[-1])
    x = keras.layers.RepeatVector(members, name="members")(features)
    adapter = keras.layers.EinsumDense(
        "bkd,kd->bkd", output_shape=(members, d), kernel_initializer="ones", name="adapters"
    )
    x = adapter(x)
    signs = np.random.default_rng(seed).choice([-1.0, 1.0], size=(members, d))
    adapter.kernel.assign(signs.astype(adapter.kernel.dtype))
    return x


def member_heads(keras: Any, hidden: Any, outputs: int, seed: int, activation: Any = None) -> Any:
    """Each member's own output layer: (b, k, h) -> (b, k, outputs), or (b, k) for one
    output (a regression value: "bkh,kh->bk"; TFLite cannot convert a bias over (k, 1))."""
    members = int(hidden.shape[1])
    one = outputs == 1
    return keras.layers.EinsumDense(
        "bkh,kh->bk" if one else "bkh,kho->bko",
        output_shape=(members,) if one else (members, outputs),
        bias_axes="k" if one else "ko",
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        dtype="float32",
        name="member_heads" if not one else "standardized",
    )(hidden)

"""A multilayer perceptron on top of the fitted preprocessing: raw rows in, answers out.

``train_model`` is what the trainer fits (probabilities, or a standardized regression value);
``serving_model`` shares its weights and is what gets saved and used for prediction
(regression values de-standardized back to the target's scale). Models are not compiled.

Numeric features may enter embedded (``_tab_embed``: piecewise-linear or periodic), and the
MLP may be a TabM-style efficient ensemble of ``members`` (``_tabm``): then ``train_model``
answers per member, (b, k, C) or (b, k), and ``serving_model`` averages them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.data.schema import Task
from automl_gui.core.models.config import (
    ACTIVATIONS,
    MAX_BINS,
    MAX_ENSEMBLE,
    NUMERIC_EMBEDDINGS,
    MLPConfig,
)


@dataclass
class TabularModel:
    """The two views of one tabular network (same weights)."""

    train_model: Any  # keras.Model
    serving_model: Any  # keras.Model
    task: str  # Task value
    class_names: list[str] | None = None
    target_scale: tuple[float, float] | None = None  # (mean, std) for regression
    members: int = 1  # efficient-ensemble members ``train_model`` answers for
    #: the settings as built (Auto's embedding, bins and members resolved)
    config: MLPConfig | None = None

    def standardize_target(self, y: np.ndarray) -> np.ndarray:
        """Regression targets as ``train_model`` learns them; other tasks unchanged."""
        if self.task != Task.REGRESSION.value or self.target_scale is None:
            return y
        mean, std = self.target_scale
        return ((np.asarray(y, dtype=np.float64) - mean) / std).astype(np.float32)


def target_scale_for(y: np.ndarray) -> tuple[float, float]:
    """``(mean, std)`` of training targets for regression (std 1 when constant)."""
    y = np.asarray(y, dtype=np.float64)
    mean = float(y.mean()) if y.size else 0.0
    std = float(y.std()) if y.size else 1.0
    return mean, (std if std > 1e-12 and np.isfinite(std) else 1.0)


#: what one free-text column's TF-IDF vector counts as when Auto sizes the hidden layers: the
#: vector is as wide as the vocabulary (up to 20,000) but sparse, a row has a few dozen terms.
#: Counted at full width, any table with text got 256 units (5 million weights on a
#: 20,000-term vocabulary); counted as 32 inputs, a table of text alone gets the text kind's
#: n-gram MLP width (64) and a text-dominated table 128 at the same test accuracy
#: (``benchmarks/table_text_columns.py``). Tables without text are sized as before.
TEXT_VECTOR_INPUTS = 32


def auto_hidden_units(n_features: int, n_rows: int) -> list[int]:
    """Width from the number of features, depth (1-3 layers) from the number of rows."""
    width = int(np.clip(2 * n_features, 16, 256))
    width = 1 << int(round(np.log2(width)))  # a power of two: 16, 32, ..., 256
    depth = 1 if n_rows < 1_000 else 2 if n_rows < 50_000 else 3
    return [max(8, width >> i) for i in range(depth)]


def build_tabular_model(
    pre: Any,
    task: Task | str,
    n_classes: int,
    n_train_rows: int,
    cfg: MLPConfig,
    *,
    target_scale: tuple[float, float] | None = None,
    seed: int = 42,
    class_names: list[str] | None = None,
) -> TabularModel:
    """Stack an MLP on a :class:`~automl_gui.core.preprocess.tabular.Preprocessor`.

    Args:
        pre: the fitted preprocessor (Keras inputs and feature tensor).
        task: "binary", "multiclass" or "regression".
        n_classes: number of classes (ignored for regression).
        n_train_rows: training rows, used by automatic sizing.
        cfg: layer settings; ``cfg.auto`` sizes the hidden layers from the data.
        target_scale: regression ``(mean, std)`` the serving model maps outputs back with.
        seed: seed of weight initializers and dropout.
        class_names: stored on the result for convenience.
    """
    from automl_gui.core.base import lazy

    keras = lazy.keras()
    task_value = Task(task).value
    if cfg.activation not in ACTIVATIONS:
        raise ConfigError(
            f"Unknown activation '{cfg.activation}'.", f"Use one of {', '.join(ACTIVATIONS)}."
        )
    if not 0.0 <= cfg.dropout < 1.0:
        raise ConfigError(f"Dropout {cfg.dropout} is out of range.", "Use a value in [0, 1).")
    if cfg.l1 < 0 or cfg.l2 < 0:
        raise ConfigError("L1/L2 penalties cannot be negative.", "Use 0 or a small positive value.")
    cfg = check_settings(cfg).resolved(n_train_rows, pre.n_numeric)
    # a sparse text vector counts as TEXT_VECTOR_INPUTS (a table without text: as before)
    n_features = pre.n_features - pre.text_width + TEXT_VECTOR_INPUTS * pre.text_columns
    units = auto_hidden_units(n_features, n_train_rows) if cfg.auto else list(cfg.hidden_units)
    if any(int(u) < 1 for u in units):
        raise ConfigError("Every hidden layer needs at least one unit.", "Fix the layer sizes.")
    if task_value != Task.REGRESSION.value and n_classes < 2:
        raise ModelError(
            f"Classification needs at least 2 classes, got {n_classes}.",
            "Pick a target with two or more classes.",
        )

    from automl_gui.core.models._tab_embed import embed_numeric

    members = int(cfg.ensemble_size)
    x = embed_numeric(keras, pre, cfg.numeric_embedding, cfg.n_bins, seed + 400)
    if members > 1:
        from automl_gui.core.models._tabm import member_features

        x = member_features(keras, x, members, seed + 500)
    x = _hidden_layers(keras, x, units, cfg, seed)
    regression = task_value == Task.REGRESSION.value
    out = _outputs(keras, x, 1 if regression else int(n_classes), regression, members, seed)
    train_model = keras.Model(pre.inputs, out, name="tabular_mlp")
    if members > 1:  # the serving model answers the members' mean
        out = keras.ops.mean(out, axis=1, keepdims=regression)
        out = keras.layers.Identity(dtype="float32", name="member_mean")(out)
    scale = None
    if regression:
        mean, std = target_scale if target_scale is not None else (0.0, 1.0)
        value = keras.layers.Rescaling(
            scale=float(std), offset=float(mean), dtype="float32", name="prediction"
        )(out)
        serving_model = keras.Model(pre.inputs, value, name="tabular_mlp_serving")
        scale = (float(mean), float(std))
    elif members > 1:
        serving_model = keras.Model(pre.inputs, out, name="tabular_mlp_serving")
    else:
        serving_model = train_model
    return TabularModel(
        train_model=train_model,
        serving_model=serving_model,
        task=task_value,
        class_names=list(class_names) if class_names is not None else None,
        target_scale=scale,
        members=members,
        config=replace(cfg, hidden_units=[int(u) for u in units]),
    )


def check_settings(cfg: MLPConfig) -> MLPConfig:
    """``cfg`` if its embedding, bins and members are valid, else a ConfigError."""
    if cfg.numeric_embedding not in NUMERIC_EMBEDDINGS:
        raise ConfigError(
            f"Unknown numeric embedding '{cfg.numeric_embedding}'.",
            f"Use one of {', '.join(NUMERIC_EMBEDDINGS)}.",
        )
    if not 0 <= int(cfg.n_bins) <= MAX_BINS or int(cfg.n_bins) == 1:
        raise ConfigError(
            f"{cfg.n_bins} bins per numeric column is out of range.",
            f"Use 0 (Auto) or 2 to {MAX_BINS}.",
        )
    if not 0 <= int(cfg.ensemble_size) <= MAX_ENSEMBLE:
        raise ConfigError(
            f"{cfg.ensemble_size} ensemble members is out of range.",
            f"Use 0 (Auto), 1 (a single network) or up to {MAX_ENSEMBLE}.",
        )
    return cfg


def _hidden_layers(keras: Any, x: Any, units: list[int], cfg: MLPConfig, seed: int) -> Any:
    """The hidden Dense layers (shared by all members: Dense acts on the last axis)."""
    regularizer = keras.regularizers.L1L2(l1=cfg.l1, l2=cfg.l2) if (cfg.l1 or cfg.l2) else None
    for i, n_units in enumerate(units):
        x = keras.layers.Dense(
            int(n_units),
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 100 + i),
            kernel_regularizer=regularizer,
            use_bias=not cfg.batch_norm,
            name=f"dense_{i}",
        )(x)
        if cfg.batch_norm:
            x = keras.layers.BatchNormalization(name=f"batch_norm_{i}")(x)
        x = keras.layers.Activation(cfg.activation, name=f"{cfg.activation}_{i}")(x)
        if cfg.dropout > 0:
            x = keras.layers.Dropout(cfg.dropout, seed=seed + 200 + i, name=f"dropout_{i}")(x)
    return x


def _outputs(keras: Any, x: Any, n_out: int, regression: bool, members: int, seed: int) -> Any:
    """The train model's answer: probabilities or a standardized value, per member if any."""
    activation = None if regression else "softmax"
    if members > 1:
        from automl_gui.core.models._tabm import member_heads

        return member_heads(keras, x, n_out, seed + 300, activation)  # (b, k, C) or (b, k)
    return keras.layers.Dense(
        n_out,
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 300),
        dtype="float32",
        name="standardized" if regression else "probabilities",
    )(x)

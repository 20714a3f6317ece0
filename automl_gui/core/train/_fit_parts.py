"""Pieces of :class:`~automl_gui.core.train.trainer.Trainer`'s fit: the optimizer by name,
batches per step call, the closing log line and the in-memory ``tf.data`` pipeline."""

from __future__ import annotations

from typing import Any

SMALL_MODEL_PARAMS = 1_000_000  # up to this size, run MULTI_STEP batches per step call
MULTI_STEP = 8
MULTI_STEP_MIN_STEPS = 64


#: variables never decayed (``variable.name``): biases and normalization shifts and scales
NO_DECAY = ("bias", "gamma", "beta")

_CLASSES = {
    "adam": "Adam",
    "adamw": "AdamW",
    "sgd": "SGD",
    "rmsprop": "RMSprop",
    "adadelta": "Adadelta",
    "adamax": "Adamax",
    "nadam": "Nadam",
}


def _make_optimizer(keras: Any, name: str, learning_rate: Any, weight_decay: float = 0.0) -> Any:
    """The optimizer ``name`` (``config.OPTIMIZERS``; "sgd" with Nesterov momentum 0.9).

    ``weight_decay`` > 0 is decoupled weight decay (Loshchilov & Hutter 2019), which Keras 3
    applies the same way in every optimizer (``w -= lr * weight_decay * w`` each step), to
    weight matrices and embeddings only (:data:`NO_DECAY` are left alone). 0 is none, for
    "adamw" too (Keras' AdamW would otherwise decay by 0.004).
    """
    cls = getattr(keras.optimizers, _CLASSES[name])
    extra: dict[str, Any] = {"momentum": 0.9, "nesterov": True} if name == "sgd" else {}
    decay = float(weight_decay) if weight_decay > 0 else (0.0 if name == "adamw" else None)
    optimizer = cls(learning_rate=learning_rate, weight_decay=decay, **extra)
    if weight_decay > 0:
        optimizer.exclude_from_weight_decay(var_names=list(NO_DECAY))
    return optimizer


def _learning_rate(keras: Any, cfg: Any, steps: int, schedule_epochs: int = 0) -> Any:
    """The optimizer's learning rate: a number, or for "cosine" a ``CosineDecay`` over
    ``schedule_epochs`` (0: ``cfg.epochs``) epochs of ``steps`` batches."""
    lr = float(cfg.learning_rate)
    if cfg.schedule != "cosine":
        return lr
    span = schedule_epochs or cfg.epochs
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=lr, decay_steps=max(1, span * steps)
    )


def _schedule_callbacks(
    keras: Any, cfg: Any, monitor: str, lr_by_epoch: list[float] | None
) -> list[Any]:
    """Callbacks of a "plateau" schedule: ``ReduceLROnPlateau`` halving the rate when
    ``monitor`` stalls, or, given an earlier fit's rates (a refit), those rates replayed
    epoch by epoch.

    ReduceLROnPlateau: a resumed fit keeps the lowered rate (an optimizer variable) but its
    wait/cooldown counters restart, so a reduction may come a few epochs later.
    """
    if cfg.schedule != "plateau":
        return []
    if lr_by_epoch:
        rates = list(lr_by_epoch)
        return [keras.callbacks.LearningRateScheduler(lambda e, _: rates[min(e, len(rates) - 1)])]
    return [
        keras.callbacks.ReduceLROnPlateau(
            monitor=monitor,
            factor=0.5,
            patience=max(2, cfg.patience // 3),
            min_lr=float(cfg.learning_rate) * 1e-3,
        )
    ]


def _steps_per_execution(model: Any, steps: int) -> int:
    """Batches per call into the compiled train step.

    Small models on many batches spend much of each step in Python dispatch (more so with
    one input per column); running several batches per call removes most of it. Callbacks
    (events, Stop, NaN and time-budget checks) then run every few batches: milliseconds
    for such models. Large models keep one batch per call so Stop stays immediate.
    """
    try:
        small = model.count_params() <= SMALL_MODEL_PARAMS
    except Exception:
        small = False
    return MULTI_STEP if small and steps >= MULTI_STEP_MIN_STEPS else 1


def _end_line(reason: str, bridge: Any, restored: bool) -> str:
    last = bridge.epochs_run + bridge.epoch_offset
    head = {
        "completed": "Training completed",
        "early_stopping": f"Early stopping after epoch {last}",
        "cancelled": f"Stopped by the user in epoch {last}",
        "time_budget": f"Time budget reached in epoch {last}",
    }[reason]
    if restored:
        best = bridge.best_epoch + 1 + bridge.epoch_offset
        return f"{head}; kept the weights of the best epoch ({best})."
    return f"{head}."


def _dataset(tf: Any, tensors: tuple, n: int, batch: int, *, shuffle: bool, seed: int) -> Any:
    """Batches gathered from in-memory tensors by index: one vectorized gather per batch.

    Like Keras' own array adapter: each epoch draws one permutation of the row indices
    (``stateless_shuffle`` seeded from ``Dataset.random``, which re-draws every epoch yet is
    reproducible for a seed), splits it into batches and gathers every input column per
    batch in parallel. Much faster than ``from_tensor_slices(...).shuffle(n).batch(b)``, whose
    cost grows with rows x columns of per-element work.
    """
    full = n // batch
    rest = n - full * batch
    plain = tf.autograph.experimental.do_not_convert  # pure TF ops: skip AutoGraph's rewrite

    @plain
    def batches(perm: Any) -> Any:
        ds = tf.data.Dataset.from_tensor_slices(tf.reshape(perm[: full * batch], [full, batch]))
        if rest:
            ds = ds.concatenate(tf.data.Dataset.from_tensors(perm[full * batch :]))
        return ds

    if shuffle:

        @plain
        def permutation(s: Any) -> Any:
            key = tf.stack([s, tf.constant(0, tf.int64)])
            return tf.random.experimental.stateless_shuffle(tf.range(n, dtype=tf.int64), key)

        perms = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)
        indices = perms.map(permutation)
    else:
        indices = tf.data.Dataset.from_tensors(tf.range(n, dtype=tf.int64))

    @plain
    def gather(idx: Any) -> Any:
        return tf.nest.map_structure(lambda t: tf.gather(t, idx), tensors)

    ds = indices.flat_map(batches).map(
        gather,
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    options = tf.data.Options()
    # the default graph rewrites only cost time on a pipeline this simple (as in Keras)
    options.experimental_optimization.apply_default_optimizations = False
    # the batch count is known: tell tf.data, so Keras neither guesses nor warns at epoch end
    ds = ds.apply(tf.data.experimental.assert_cardinality(full + (1 if rest else 0)))
    return ds.with_options(options).prefetch(tf.data.AUTOTUNE)

"""Pieces of :class:`~automl_gui.core.train.trainer.Trainer`'s fit: the optimizer by name,
batches per step call, the closing log line and the in-memory ``tf.data`` pipeline."""

from __future__ import annotations

from typing import Any

SMALL_MODEL_PARAMS = 1_000_000  # up to this size, run MULTI_STEP batches per step call
MULTI_STEP = 8
MULTI_STEP_MIN_STEPS = 64


def _make_optimizer(keras: Any, name: str, learning_rate: Any) -> Any:
    opts = keras.optimizers
    if name == "sgd":
        return opts.SGD(learning_rate=learning_rate, momentum=0.9, nesterov=True)
    classes = {
        "adam": opts.Adam,
        "adamw": opts.AdamW,
        "rmsprop": opts.RMSprop,
        "adadelta": opts.Adadelta,
        "adamax": opts.Adamax,
        "nadam": opts.Nadam,
    }
    return classes[name](learning_rate=learning_rate)


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

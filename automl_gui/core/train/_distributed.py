"""A training loop of its own for ``MultiWorkerMirroredStrategy``, where ``model.fit`` fails.

Keras 3's ``model.fit`` under ``tf.distribute.MultiWorkerMirroredStrategy`` raises "ValueError:
Attempt to convert a value (PerReplica:{...})" (keras-team/keras#20585; measured with
TensorFlow 2.21 and Keras 3.15). This loop is TensorFlow's documented custom training loop
("Custom training loop with Keras and MultiWorkerMirroredStrategy", tensorflow.org): each
step runs ``strategy.run`` with a ``GradientTape`` and the compiled Keras optimizer, on
``strategy.experimental_distribute_dataset`` batches, with the per-row losses averaged over the
GLOBAL batch (``tf.nn.compute_average_loss``) so the gradients summed across replicas are
those of the global batch.

It drives the trainer's own Keras callbacks (event bridge, early stopping, learning-rate
schedule, time budget, checkpoint) through ``keras.callbacks.CallbackList`` with the logs
``model.fit`` gives them (``loss``, the compiled metric, ``val_loss``, ``val_<metric>``).
Workers must stay in step or the collectives hang, so:

- every stop (Stop, early stopping, time budget, NaN) is agreed: each step all-reduces the
  workers' stop flags with the loss, and each epoch ends with one more agreement;
- every epoch runs the same number of steps on every worker (the training data repeats);
- validation sums (loss, rows, metric) are all-reduced, so ``val_loss`` is the same number on
  every worker and callbacks decide alike.
"""

from __future__ import annotations

from typing import Any

from automl_gui.core.base.errors import ConfigError, ModelError

#: TensorFlow errors a collective raises when a peer is gone or too late
_PEER_ERRORS = (
    "UnavailableError",
    "DeadlineExceededError",
    "CancelledError",
    "AbortedError",
)


def is_multi_worker(strategy: Any) -> bool:
    """Whether ``strategy`` is a ``MultiWorkerMirroredStrategy`` (the strategy that needs this
    loop; every other one keeps ``model.fit``)."""
    if strategy is None:
        return False
    from automl_gui.core.base import lazy

    return isinstance(strategy, lazy.tf().distribute.MultiWorkerMirroredStrategy)


def worker_position(strategy: Any) -> tuple[int, int]:
    """``(rank, workers)`` of this process in ``strategy``'s cluster: which share of the data
    it reads. The chief is rank 0 (``ClusterInfo.rank``); one process alone is ``(0, 1)``."""
    from automl_gui.core.cluster.tf_config import ClusterInfo

    resolver = strategy.cluster_resolver
    spec = resolver.cluster_spec().as_dict() if resolver is not None else {}
    if not spec:
        return 0, 1
    chief = (spec.get("chief") or [""])[0]
    workers = tuple(spec.get("worker") or ())
    info = ClusterInfo(chief, workers, resolver.task_type, int(resolver.task_id or 0))
    return info.rank, info.size


def with_shard_policy(tf: Any, dataset: Any) -> Any:
    """``dataset`` with its auto-shard policy explicit.

    A dataset whose source already sharded it per worker (files: each worker decodes its own
    share of the paths, ``core.cluster.training.shard_paths``) says OFF and is left alone. Any
    other (AUTO: in-memory table rows) gets DATA: every worker builds the same shuffled global
    batches (same seed) and keeps its replicas' slice of each, so the rows are sharded and the
    sequence of global batches is the one a single process trains on. FILE would need the
    dataset to read files, which in-memory tensors do not.
    """
    policy = tf.data.experimental.AutoShardPolicy
    if dataset.options().experimental_distribute.auto_shard_policy == policy.OFF:
        return dataset
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = policy.DATA
    return dataset.with_options(options)


def _unpack(tf: Any, batch: Any) -> tuple[Any, Any, Any]:
    x, y, *rest = batch
    return x, y, (rest[0] if rest else None)


def fit_epochs(
    tf: Any,
    keras: Any,
    model: Any,
    strategy: Any,
    train_ds: Any,
    val_ds: Any,
    *,
    classification: bool,
    epochs: int,
    initial_epoch: int,
    steps: int,
    callbacks: list[Any],
) -> None:
    """Train compiled ``model`` like ``model.fit(train_ds, validation_data=val_ds,
    epochs=epochs, initial_epoch=initial_epoch, callbacks=callbacks)``: with ``model.fit``
    itself, or under ``MultiWorkerMirroredStrategy`` (``strategy``, the model's) with this
    module's loop, on every worker of the cluster at once.

    Args:
        train_ds, val_ds: datasets of global batches ``(x, y)`` or ``(x, y, sample_weight)``.
        steps: batches per epoch (the same on every worker).

    Raises:
        ModelError: a worker stopped answering (died, or lagged past the collective timeout).
    """
    if not is_multi_worker(strategy):
        model.fit(
            train_ds,
            validation_data=val_ds,
            epochs=epochs,
            initial_epoch=initial_epoch,
            callbacks=callbacks,
            shuffle=False,  # the dataset reshuffles itself each epoch, reproducibly
            verbose=0,
        )
        return
    try:
        _Loop(tf, keras, model, strategy, classification).run(
            train_ds, val_ds, epochs, initial_epoch, steps, callbacks
        )
    except tf.errors.OpError as exc:
        if type(exc).__name__ not in _PEER_ERRORS:
            raise
        raise ModelError(
            "A worker of the training cluster stopped answering, so training cannot go on "
            f"({type(exc).__name__}: {_reason(exc)}).",
            "Check that every process of TF_CONFIG is running and reachable; restart them all "
            "with --resume and the same --checkpoint-dir to go on from the chief's last "
            "checkpoint.",
        ) from exc


def _all_sum(tf: Any, strategy: Any, local: int) -> Any:
    """A compiled ``values -> Σ over workers of each worker's values`` (one collective; each
    worker's ``local`` replicas count it once)."""

    @tf.function
    def all_sum(values: Any) -> Any:
        def replica() -> Any:
            ctx = tf.distribute.get_replica_context()
            first = tf.equal(ctx.replica_id_in_sync_group % local, 0)
            return tf.where(first, values, tf.zeros_like(values))

        return strategy.reduce("SUM", strategy.run(replica), axis=None)

    return all_sum


def agree_start(tf: Any, strategy: Any, initial_epoch: int) -> None:
    """Under ``MultiWorkerMirroredStrategy``, check that every worker starts at the chief's
    epoch (resumes from the same checkpoint) before anything else runs: resuming creates the
    optimizer's variables, a collective every worker must join in the same order. A worker
    that found no copy of the chief's checkpoint is then an error on every worker, not a
    hang or a garbled collective. Elsewhere a no-op.

    Raises:
        ConfigError: the workers start at different epochs.
    """
    if not is_multi_worker(strategy):
        return
    rank, workers = worker_position(strategy)
    all_sum = _all_sum(tf, strategy, max(1, strategy.num_replicas_in_sync // workers))
    mine = float(initial_epoch)
    chief = float(all_sum(tf.constant([mine if rank == 0 else 0.0])).numpy()[0])
    if all_sum(tf.constant([0.0 if mine == chief else 1.0])).numpy()[0] > 0:
        where = (
            f"this worker would start at epoch {initial_epoch + 1}"
            if mine != chief
            else "another worker would start elsewhere"
        )
        raise ConfigError(
            f"The chief resumes at epoch {int(chief) + 1} but {where}: not every worker sees "
            "the chief's checkpoint.",
            "Give every worker the same --checkpoint-dir on a shared folder (or a copy of the "
            "chief's) when resuming with --resume.",
        )


def _reason(exc: Any) -> str:
    """What a collective's error says went wrong, e.g. "Collective ops is aborted by: ... The
    following tasks are unhealthy (stopped sending heartbeats): /job:worker/replica:0/task:1"
    (TensorFlow's message opens with "Graph execution error:" and the node's traceback)."""
    text = str(getattr(exc, "message", "") or exc)
    noise = ("File ", "Detected at node", "Graph execution error", "[[", "The error could be")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    keep = [line for line in lines if not line.startswith(noise) and "Check the task" not in line]
    return " ".join(keep[:3] or lines[:1] or [type(exc).__name__])[:400]


class _Loop:
    """One fit's compiled steps and its epoch loop (see the module's docstring)."""

    def __init__(
        self,
        tf: Any,
        keras: Any,
        model: Any,
        strategy: Any,
        classification: bool,
    ) -> None:
        from automl_gui.core.train._members import row_functions

        self.tf, self.keras, self.model, self.strategy = tf, keras, model, strategy
        self.loss_fn, metrics = row_functions(keras, model, classification)
        self.metric_names = list(metrics)
        self.metric_fns = list(metrics.values())
        self.rank, self.workers = worker_position(strategy)
        self.local = max(1, strategy.num_replicas_in_sync // self.workers)
        self.train_step = tf.function(self._train_step)
        self.eval_step = tf.function(self._eval_step)
        self.all_sum = _all_sum(tf, strategy, self.local)

    # -- compiled pieces ---------------------------------------------------------------------
    def _stats(self, y: Any, pred: Any, weight: Any) -> tuple[Any, Any]:
        """``[Σ loss·w, rows, Σ w, Σ metric·w ...]`` of one batch, and its per-row losses."""
        tf = self.tf
        rows = tf.cast(self.loss_fn(y, pred), tf.float32)
        w = tf.ones_like(rows) if weight is None else tf.cast(tf.reshape(weight, [-1]), tf.float32)
        n = tf.cast(tf.shape(rows)[0], tf.float32)
        values = [tf.reduce_sum(rows * w), n, tf.reduce_sum(w)]
        for fn in self.metric_fns:
            values.append(tf.reduce_sum(tf.cast(fn(y, pred), tf.float32) * w))
        return tf.stack(values), rows

    def _regularization(self) -> Any:
        losses = self.model.losses
        return self.tf.add_n([self.tf.cast(v, self.tf.float32) for v in losses]) if losses else 0.0

    def _train_step(self, iterator: Any, stop: Any) -> Any:
        tf, model = self.tf, self.model

        def replica(batch: Any) -> Any:
            x, y, weight = _unpack(tf, batch)
            with tf.GradientTape() as tape:
                pred = model(x, training=True)
                stats, rows = self._stats(y, pred, weight)
                w = None if weight is None else tf.cast(tf.reshape(weight, [-1]), tf.float32)
                # this step's global batch: the nominal one, or fewer rows in an epoch's
                # last batch (summed over replicas), so each step's loss is its batch's
                # mean as in model.fit
                ctx = tf.distribute.get_replica_context()
                batch_rows = ctx.all_reduce("SUM", stats[1])
                loss = tf.nn.compute_average_loss(
                    rows,
                    sample_weight=w,
                    global_batch_size=tf.cast(tf.maximum(batch_rows, 1.0), tf.int64),
                )
                reg = self._regularization()
                loss += tf.nn.scale_regularization_loss(reg)
                scaled = model.optimizer.scale_loss(loss)  # mixed precision: loss scaling
            variables = model.trainable_variables
            grads = tape.gradient(scaled, variables)
            model.optimizer.apply_gradients(zip(grads, variables, strict=True))
            stats = tf.tensor_scatter_nd_add(stats, [[0]], [reg * stats[1]])
            return tf.concat([stats, tf.reshape(stop, [1])], 0)

        per_replica = self.strategy.run(replica, args=(next(iterator),))
        return self.strategy.reduce("SUM", per_replica, axis=None)

    def _eval_step(self, batch: Any) -> Any:
        x, y, weight = _unpack(self.tf, batch)
        pred = self.model(x, training=False)
        stats, _ = self._stats(y, pred, weight)
        reg = self._regularization()
        return self.tf.tensor_scatter_nd_add(stats, [[0]], [reg * stats[1]])

    # -- the epochs ----------------------------------------------------------------------------
    def _logs(self, totals: Any, prefix: str = "") -> dict[str, float]:
        loss_sum, rows, weights = (float(v) for v in totals[:3])
        logs = {prefix + "loss": loss_sum / rows if rows else float("nan")}
        for i, name in enumerate(self.metric_names):
            value = float(totals[3 + i])
            logs[prefix + name] = value / weights if weights else float("nan")
        return logs

    def _agree(self, stop: bool) -> bool:
        """Whether any worker wants to stop (all workers call this at the same point)."""
        flag = self.tf.constant([1.0 if stop else 0.0])
        return bool(self.all_sum(flag).numpy()[0] > 0)

    def _validate(self, val_ds: Any) -> dict[str, float]:
        """``val_…`` logs: each worker sums its share of the batches, one all-reduce adds the
        shares, so every worker gets the same numbers."""
        import numpy as np

        tf = self.tf
        policy = tf.data.experimental.AutoShardPolicy
        if val_ds.options().experimental_distribute.auto_shard_policy != policy.OFF:
            val_ds = val_ds.shard(self.workers, self.rank)  # by batch: the sums are exact
        totals = np.zeros(3 + len(self.metric_fns), dtype="float32")
        for batch in val_ds:
            totals += self.eval_step(batch).numpy()
        return self._logs(self.all_sum(tf.constant(totals)).numpy(), "val_")

    def run(
        self,
        train_ds: Any,
        val_ds: Any,
        epochs: int,
        initial_epoch: int,
        steps: int,
        callbacks: list[Any],
    ) -> None:
        import numpy as np

        tf, model = self.tf, self.model
        cbs = self.keras.callbacks.CallbackList(
            callbacks,
            add_history=False,
            add_progbar=False,
            model=model,
            verbose=0,
            epochs=epochs,
            steps=steps,
        )
        # the data repeats: every worker takes exactly `steps` batches an epoch, whatever its
        # share holds, so no worker waits in a collective for a peer that ran out
        train = self.strategy.experimental_distribute_dataset(
            with_shard_policy(tf, train_ds).repeat()
        )
        iterator = iter(train)
        model.stop_training = False
        cbs.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            cbs.on_epoch_begin(epoch)
            totals = np.zeros(3 + len(self.metric_fns), dtype="float64")
            logs: dict[str, float] = {}
            for step in range(steps):
                cbs.on_train_batch_begin(step)
                # this worker's stop wish rides with the step; all stop after the same step
                wish = tf.constant(1.0 if model.stop_training else 0.0)
                reduced = self.train_step(iterator, wish).numpy()
                totals += reduced[:-1]
                logs = self._logs(totals)
                cbs.on_train_batch_end(step, logs)
                if reduced[-1] > 0:
                    model.stop_training = True
                    break
            if val_ds is not None:
                logs.update(self._validate(val_ds))
            cbs.on_epoch_end(epoch, logs)
            if self._agree(bool(model.stop_training)):
                model.stop_training = True
                break
        cbs.on_train_end()

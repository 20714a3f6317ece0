"""Fit a Keras model on in-memory data with live events, Stop, early stopping and a time budget.

:class:`Trainer` takes a plain (uncompiled or compiled) Keras model and numpy data in the
input contract of ``preprocess.tabular.frame_to_inputs``: ``x`` a dict ``{input_name: (n, 1)
array}`` (float32, or object arrays of ``str`` for string inputs; a wide table's grouped numeric
input is one ``(n, k)`` float32 array), ``y`` int class indices or
standardized float targets. It compiles the model for the task, builds ``tf.data`` pipelines
and runs ``model.fit`` with :mod:`.callbacks`. However training ends (completed, early
stopping, Stop, time budget, a NaN loss), it returns a :class:`TrainResult` with the best
epoch's weights loaded when ``TrainConfig.restore_best`` is on.

With a checkpointer (``core.train.checkpoint``) every epoch is saved; with a checkpoint to
resume, the weights, optimizer state and history are loaded and ``model.fit`` goes on from
the next epoch.

Under ``MultiWorkerMirroredStrategy`` (a model built in its scope: ``TF_CONFIG`` names several
workers) ``model.fit`` fails in Keras 3 (keras-team/keras#20585), so ``_distributed`` runs the
same callbacks from a training loop of its own; the batch size is then the global batch,
split across the replicas. Every other strategy keeps ``model.fit``.

``stopped_reason`` is one of "completed", "early_stopping", "cancelled", "time_budget" and
"nan" (the loss became NaN/inf: training stopped, the best — or, failing that, the initial —
weights were restored and a warning logged).
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from automl_gui.core.base.errors import ConfigError, DataError, ModelError
from automl_gui.core.base.events import CancelToken, EventCallback, Log, emit
from automl_gui.core.train._fit_parts import (  # noqa: F401 - the sizes stay importable here
    MULTI_STEP,
    MULTI_STEP_MIN_STEPS,
    SMALL_MODEL_PARAMS,
    _dataset,
    _end_line,
    _learning_rate,
    _make_optimizer,
    _schedule_callbacks,
    _steps_per_execution,
)
from automl_gui.core.train.balance import CLASS_WEIGHTS, class_weighting, weight_list
from automl_gui.core.train.config import OPTIMIZERS, SCHEDULES, TrainConfig
from automl_gui.core.train.result import TrainResult, drop_partial_epoch

if TYPE_CHECKING:
    from automl_gui.core.train.checkpoint import CheckpointInfo, EpochCheckpointer

TASKS = ("binary", "multiclass", "regression")
MIN_AUTO_BATCH = 16
MAX_AUTO_BATCH = 512


def auto_batch_size(n_rows: int, plan: Any = None) -> int:
    """Batch size for "auto": a power of two near n/50 in [16, 512], at most the plan's.

    The plan's size is what the device handles well; a small table still needs enough steps
    per epoch to learn (200 rows at the plan's 128 were two steps an epoch).
    """
    target = max(n_rows / 50.0, 1.0)
    power = 2 ** round(math.log2(target))
    size = int(min(max(power, MIN_AUTO_BATCH), MAX_AUTO_BATCH))
    if plan is not None and getattr(plan, "batch_size", 0):
        size = min(size, int(plan.batch_size))
    return size


class Trainer:
    """Compiles and fits a Keras model as configured by a :class:`TrainConfig`.

    Args:
        config: optimizer, schedule, batch size, epochs, early stopping, seed, time budget.
        plan: a ``hardware.HardwarePlan``; only its ``batch_size`` is used (for "auto").
            Apply the plan (``hardware.apply_plan``) and build the model in its strategy
            scope before calling :meth:`fit`.
        schedule_epochs: the epochs a cosine schedule spans (0: ``config.epochs``). A refit
            (``jobs._refit``) runs fewer epochs than the fit it repeats yet follows the same
            curve.
        lr_by_epoch: the learning rate of each epoch of an earlier fit, replayed instead of
            "plateau" (a refit has no validation loss to watch); the last one holds after.
    """

    def __init__(
        self,
        config: TrainConfig,
        plan: Any = None,
        *,
        schedule_epochs: int = 0,
        lr_by_epoch: list[float] | None = None,
    ) -> None:
        self.config = config
        self.plan = plan
        self.schedule_epochs = int(schedule_epochs)
        self.lr_by_epoch = [float(v) for v in lr_by_epoch or [] if math.isfinite(v)] or None

    def _check(self, task: str, n_train: int) -> None:
        cfg = self.config
        if task not in TASKS:
            raise ConfigError(f"Unknown task {task!r}.", f"Use one of: {', '.join(TASKS)}.")
        if cfg.optimizer not in OPTIMIZERS:
            raise ConfigError(
                f"Unknown optimizer {cfg.optimizer!r}.", f"Use one of: {', '.join(OPTIMIZERS)}."
            )
        if cfg.schedule not in SCHEDULES:
            raise ConfigError(
                f"Unknown learning-rate schedule {cfg.schedule!r}.",
                f"Use one of: {', '.join(SCHEDULES)}.",
            )
        if cfg.class_weights not in CLASS_WEIGHTS:
            raise ConfigError(
                f"Unknown class weights {cfg.class_weights!r}.",
                f"Use one of: {', '.join(CLASS_WEIGHTS)}.",
            )
        if cfg.epochs < 1:
            raise ConfigError("Epochs must be at least 1.", "Set epochs to 1 or more.")
        if not cfg.learning_rate > 0:
            raise ConfigError("The learning rate must be positive.", "Try 0.001.")
        if cfg.batch_size < 0:
            raise ConfigError("The batch size cannot be negative.", "Use 0 for automatic.")
        if not (math.isfinite(cfg.weight_decay) and cfg.weight_decay >= 0):
            raise ConfigError(
                f"The weight decay must be 0 or more (got {cfg.weight_decay}).",
                "Use 0 for none, or a small value such as 0.0001.",
            )
        if n_train == 0:
            raise DataError(
                "There are no training rows.", "Use a larger dataset or a smaller test split."
            )

    def batch_size_for(self, n_rows: int) -> int:
        """The batch size this trainer uses for ``n_rows`` training rows."""
        if self.config.batch_size > 0:
            return int(self.config.batch_size)
        return auto_batch_size(n_rows, self.plan)

    def fit(
        self,
        model: Any,
        task: str,
        x_train: dict[str, np.ndarray],
        y_train: np.ndarray,
        x_val: dict[str, np.ndarray] | None,
        y_val: np.ndarray | None,
        *,
        class_weight: dict[int, float] | None = None,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
        checkpoint: EpochCheckpointer | None = None,
        resume: CheckpointInfo | None = None,
    ) -> TrainResult:
        """Compile ``model`` for ``task`` and train it; the model ends with the kept weights.

        Args:
            model: a Keras model taking the dict ``x``; softmax over classes or one linear
                output for regression.
            task: "binary", "multiclass" or "regression".
            x_train, y_train: training inputs and targets.
            x_val, y_val: validation inputs and targets (None: monitor the training loss).
            class_weight: ``{class index: weight}``; None: what ``config.class_weights``
                gives these labels (``balance.class_weighting``: "auto" is balanced when the
                classes are imbalanced). Applied as per-sample weights.
            on_event: receives Log, BatchEnd (throttled) and EpochEnd events.
            cancel: Stop: ends after the current batch and returns normally.
            checkpoint: writes a checkpoint after every epoch (``core.train.checkpoint``).
            resume: a checkpoint of this same job to continue: its weights and optimizer
                state are loaded and ``model.fit`` starts at its next epoch; the result's
                history, best epoch and ``epochs_run`` include the epochs run before it.

        Raises:
            ConfigError: an invalid setting. ModelError: out of memory even at half batch.
        """
        from automl_gui.core.base import lazy

        tf = lazy.tf()
        keras = lazy.keras()
        cfg = self.config
        y_train = np.asarray(y_train).reshape(-1)
        n = len(y_train)
        self._check(task, n)
        classification = task != "regression"
        y_train = y_train.astype("int32" if classification else "float32")
        if y_val is not None:
            y_val = np.asarray(y_val).reshape(-1).astype(y_train.dtype)
        has_val = x_val is not None and y_val is not None and len(y_val) > 0

        weights = None
        if classification:
            if class_weight is None:  # "auto": balanced when the classes are imbalanced
                class_weight = class_weighting(cfg.class_weights, y_train).weights
            if class_weight:
                lookup = np.ones(int(y_train.max()) + 1, dtype="float32")
                for cls, w in class_weight.items():
                    if 0 <= int(cls) < len(lookup):
                        lookup[int(cls)] = w
                weights = lookup[y_train]

        start = time.monotonic()
        keras.utils.set_random_seed(cfg.seed)
        with tf.device("/cpu:0"):  # tf.data gathers batches on the host, strings included
            x_train_t = {k: tf.constant(v) for k, v in x_train.items()}
            train_tensors: tuple = (x_train_t, tf.constant(y_train))
            if weights is not None:
                train_tensors += (tf.constant(weights),)
            val_tensors = None
            if has_val:
                x_val_t = {k: tf.constant(v) for k, v in x_val.items()}
                val_tensors = (x_val_t, tf.constant(y_val))

        def make_train(batch: int) -> Any:
            return _dataset(tf, train_tensors, n, batch, shuffle=True, seed=cfg.seed)

        make_val = None
        if val_tensors is not None:
            n_val = int(val_tensors[1].shape[0])

            def make_val(batch: int) -> Any:
                return _dataset(tf, val_tensors, n_val, batch, shuffle=False, seed=cfg.seed)

        result = self._fit_with_retry(
            tf,
            keras,
            model,
            task,
            make_train,
            make_val,
            n,
            on_event,
            cancel,
            start,
            checkpoint=checkpoint,
            resume=resume,
        )
        result.class_weights = weight_list(class_weight if classification else None)
        return result

    def fit_dataset(
        self,
        model: Any,
        task: str,
        make_train: Any,
        make_val: Any,
        n_train: int,
        *,
        class_weight: dict[int, float] | None = None,
        epoch_offset: int = 0,
        epochs_after: int = 0,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
        checkpoint: EpochCheckpointer | None = None,
        resume: CheckpointInfo | None = None,
    ) -> TrainResult:
        """Like :meth:`fit`, for data that streams: ``make_train(batch_size)`` returns a
        ``tf.data.Dataset`` of ``(x, y)`` batches (reshuffling each epoch) and ``make_val``
        likewise (or None). They are called again with half the batch size after an
        out-of-memory error.

        Args:
            n_train: training examples (for the automatic batch size and steps per epoch).
            class_weight: ``{class index: weight}`` applied as per-sample weights in the
                dataset (the caller computes "balanced" ones: only it knows the labels).
            epoch_offset: epochs already run in an earlier phase: events and log lines
                count on from there (a second phase continues the same plots).
            epochs_after: epochs planned in later phases (shown in totals and the ETA).
            checkpoint, resume: as for :meth:`fit`.
        """
        from automl_gui.core.base import lazy

        tf = lazy.tf()
        keras = lazy.keras()
        cfg = self.config
        self._check(task, n_train)
        if class_weight and task != "regression":
            size = max(int(c) for c in class_weight) + 1
            lookup_values = np.ones(size, dtype="float32")
            for cls, w in class_weight.items():
                lookup_values[int(cls)] = w
            lookup = tf.constant(lookup_values)
            base_train = make_train

            def make_train(batch: int) -> Any:  # noqa: F811 - wraps the caller's factory
                return base_train(batch).map(
                    lambda x, y: (x, y, tf.gather(lookup, tf.cast(y, tf.int32)))
                )

        start = time.monotonic()
        keras.utils.set_random_seed(cfg.seed)
        result = self._fit_with_retry(
            tf,
            keras,
            model,
            task,
            make_train,
            make_val,
            n_train,
            on_event,
            cancel,
            start,
            epoch_offset=epoch_offset,
            epochs_after=epochs_after,
            checkpoint=checkpoint,
            resume=resume,
        )
        result.class_weights = weight_list(class_weight if task != "regression" else None)
        return result

    def _fit_with_retry(
        self,
        tf: Any,
        keras: Any,
        model: Any,
        task: str,
        make_train: Any,
        make_val: Any,
        n: int,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
        start: float,
        **bridge_args: Any,
    ) -> TrainResult:
        """Fit once; after an out-of-memory error, once more at half the batch size."""
        cfg = self.config
        initial = model.get_weights()
        batch = self.batch_size_for(n)
        for attempt in range(2):
            try:
                return self._fit_once(
                    tf,
                    keras,
                    model,
                    task,
                    make_train(batch),
                    make_val(batch) if make_val is not None else None,
                    n,
                    batch,
                    initial,
                    on_event,
                    cancel,
                    start,
                    **bridge_args,
                )
            except tf.errors.ResourceExhaustedError as exc:
                if attempt == 1 or batch <= 1:
                    raise ModelError(
                        f"Ran out of memory while training, even with batch size {batch}.",
                        "Use a smaller batch size, image size or model, or train on the CPU.",
                    ) from exc
                half = max(1, batch // 2)
                emit(
                    on_event,
                    Log(
                        f"Out of memory with batch size {batch}; retrying once with batch "
                        f"size {half}.",
                        "warning",
                    ),
                )
                batch = half
                model.set_weights(initial)
                keras.utils.set_random_seed(cfg.seed)
        raise AssertionError("unreachable")

    def _fit_once(
        self,
        tf: Any,
        keras: Any,
        model: Any,
        task: str,
        train_ds: Any,
        val_ds: Any,
        n: int,
        batch: int,
        initial: list[Any],
        on_event: EventCallback | None,
        cancel: CancelToken | None,
        start: float,
        epoch_offset: int = 0,
        epochs_after: int = 0,
        checkpoint: EpochCheckpointer | None = None,
        resume: CheckpointInfo | None = None,
    ) -> TrainResult:
        from automl_gui.core.train import callbacks as cb
        from automl_gui.core.train._distributed import agree_start, fit_epochs
        from automl_gui.core.train._members import compile_args
        from automl_gui.core.train._resume import resume_fit

        cfg = self.config
        steps = max(1, math.ceil(n / batch))
        lr = _learning_rate(keras, cfg, steps, self.schedule_epochs)
        classification = task != "regression"
        strategy = getattr(model, "_distribute_strategy", None)
        bridge = cb.make_event_bridge(
            on_event,
            cancel,
            cfg.epochs,
            steps,
            0.1,
            time_budget=cfg.time_budget,
            epoch_offset=epoch_offset,
            epochs_after=epochs_after,
        )
        bridge.initial_weights = initial
        # across workers: all resume at the chief's epoch, or all stop here (_distributed)
        agree_start(tf, strategy, resume.epochs_done if resume is not None else 0)
        with strategy.scope() if strategy is not None else contextlib.nullcontext():
            model.compile(
                optimizer=_make_optimizer(keras, cfg.optimizer, lr, cfg.weight_decay),
                # an efficient ensemble learns on the members' mean loss (_members.py)
                **compile_args(keras, model, classification),
                steps_per_execution=_steps_per_execution(model, steps),
            )
            # A resumed fit: weights, optimizer state (step count, moments, learning rate:
            # a cosine schedule continues from the step count) and the bridge's history.
            if resume is not None and not resume_fit(model, bridge, resume, on_event):
                resume = None
                model.set_weights(initial)
        initial_epoch = resume.epochs_done if resume is not None else 0
        prior_seconds = resume.seconds if resume is not None else 0.0

        monitor = "val_loss" if val_ds is not None else "loss"
        callbacks: list[Any] = [bridge]
        if cfg.early_stopping:  # patience counts on from the epochs run before a resume
            history = resume.history if resume is not None else None
            callbacks.append(cb.make_early_stopping(monitor, max(1, cfg.patience), history))
        callbacks += _schedule_callbacks(keras, cfg, monitor, self.lr_by_epoch)
        budget = None
        if cfg.time_budget and cfg.time_budget > 0:
            used = time.monotonic() - start + prior_seconds
            # a budget spent before the first batch still stops (0 would mean no limit)
            budget = cb.make_time_budget(max(1e-3, cfg.time_budget - used))
            callbacks.append(budget)
        if checkpoint is not None:  # last: after the bridge and any learning-rate change
            callbacks.append(
                cb.make_checkpoint_callback(
                    checkpoint, bridge, cfg.epochs, lambda: prior_seconds + time.monotonic() - start
                )
            )

        with warnings.catch_warnings():
            # a streamed dataset (files that fail to decode are skipped) has no known length:
            # Keras learns it at the end of the first epoch and warns, needlessly
            warnings.filterwarnings("ignore", message="Your input ran out of data")
            if initial_epoch < cfg.epochs:
                # model.fit; under MultiWorkerMirroredStrategy, where it fails in Keras 3
                # (keras-team/keras#20585), the same callbacks driven by a loop of our own
                fit_epochs(
                    tf,
                    keras,
                    model,
                    strategy,
                    train_ds,
                    val_ds,
                    classification=classification,
                    epochs=cfg.epochs,
                    initial_epoch=initial_epoch,
                    steps=steps,
                    callbacks=callbacks,
                )

        if bridge.cancelled:
            reason = "cancelled"
        elif bridge.nan:
            reason = "nan"
        elif budget is not None and budget.exceeded and bridge.epochs_run < cfg.epochs:
            reason = "time_budget"
        elif bridge.epochs_run < cfg.epochs:
            reason = "early_stopping"
        else:
            reason = "completed"

        restored = False
        if reason == "nan" or (cfg.restore_best and bridge.best_epoch >= 0):
            restored = bridge.restore_best()
        if reason == "nan":
            where = (
                f"the weights of epoch {bridge.best_epoch + 1} were restored"
                if bridge.best_epoch >= 0
                else "the initial weights were restored"
            )
            emit(
                on_event,
                Log(
                    f"Training stopped: the loss became NaN in epoch {bridge.epochs_run}; "
                    f"{where}. Try a lower learning rate or check the data for extreme values.",
                    "warning",
                ),
            )
        elif reason != "completed" or (restored and bridge.best_epoch < bridge.epochs_run - 1):
            emit(on_event, Log(_end_line(reason, bridge, restored)))
        history = {k: list(v) for k, v in bridge.history.items()}
        partial = bridge.partial_epoch and reason in ("time_budget", "cancelled")
        if partial and val_ds is not None:
            drop_partial_epoch(history, keep="val_loss")
        return TrainResult(
            history=history,
            best_epoch=bridge.best_epoch,
            epochs_run=bridge.epochs_run,
            stopped_reason=reason,
            seconds=prior_seconds + time.monotonic() - start,
            batch_size=batch,
            partial_last_epoch=partial,
        )

"""Keras callbacks that bridge ``model.fit`` to core events, the cancel token and a time budget.

Keras is imported lazily: the classes are built on first use, so importing this module stays
cheap. Get them with :func:`make_event_bridge` / :func:`make_time_budget`, or as
``callbacks.EventBridge`` / ``callbacks.TimeBudget`` (module attributes resolved on access).

Speed: in Keras 3 the ``CallbackList`` already turns each batch's logs into Python floats
before any callback sees them (TensorFlow's trainer is not async-dispatch safe), so reading
``logs`` costs nothing extra here. The bridge still does as little as possible per batch: a
cancel flag check, a NaN check on one float and a clock read; events go out at most every
``throttle`` seconds. Both callbacks declare ``async_safe = True`` so that on backends with
async dispatch they never force Keras back to synchronous callbacks.
"""

from __future__ import annotations

import math
import threading
import time
from functools import cache
from typing import Any

from automl_gui.core.base.events import BatchEnd, CancelToken, EpochEnd, EventCallback, Log, emit

_LOG_ORDER = ("loss", "accuracy", "mae", "val_loss", "val_accuracy", "val_mae")


def _fmt(value: float, key: str = "") -> str:
    """Four significant figures; an accuracy with four decimals, like the Evaluate cards
    (``accuracy 1.0000``, not ``accuracy 1`` beside ``val_accuracy 0.8333``)."""
    if not math.isfinite(value):
        return "nan"
    return f"{value:.4f}" if key.endswith("accuracy") else f"{value:.4g}"


def epoch_line(epoch: int, epochs: int, logs: dict[str, float], seconds: float) -> str:
    """``Epoch 3/20 - loss 0.41 - val_loss 0.45 - 0.2 s`` (1-based epoch)."""
    keys = [k for k in _LOG_ORDER if k in logs]
    keys += sorted(k for k in logs if k not in keys and k != "lr")
    parts = [f"Epoch {epoch + 1}/{epochs}"]
    parts += [f"{k} {_fmt(logs[k], k)}" for k in keys]
    if "lr" in logs:
        parts.append(f"lr {logs['lr']:.3g}")
    parts.append(f"{seconds:.1f} s")
    return " - ".join(parts)


def _floats(logs: dict[str, Any] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in (logs or {}).items():
        try:
            out[key] = float(value)
        except (TypeError, ValueError):
            continue
    return out


def current_lr(optimizer: Any) -> float | None:
    """The optimizer's current learning rate (schedules evaluated at the current step)."""
    try:
        value = optimizer.learning_rate
        return float(value.numpy() if hasattr(value, "numpy") else value)
    except Exception:
        return None


@cache
def _classes() -> tuple[type, type]:
    from automl_gui.core.base import lazy

    keras = lazy.keras()

    class EventBridge(keras.callbacks.Callback):
        """Forwards fit progress as core events; Stop and NaN end training at the next batch.

        It also keeps the weights of the best epoch (lowest ``val_loss``, or ``loss`` without
        validation) in host memory so the trainer can restore them however training ends.

        Args:
            on_event: receives ``Log``, ``BatchEnd`` (throttled) and ``EpochEnd`` events.
            cancel: polled each batch; when set, training stops after the current batch.
            epochs: planned epochs (for "Epoch 3/20" and the ETA).
            steps: batches per epoch (for ``BatchEnd.steps``).
            throttle: minimum seconds between two ``BatchEnd`` events.
            time_budget: seconds (0: none); only caps the ETA here (see TimeBudget).
            track_best: keep a copy of the best epoch's weights.
            epoch_offset: epochs run in earlier phases; events and log lines count on from
                there (``history``, ``best_epoch`` and ``epochs_run`` stay phase-local).
            epochs_after: epochs planned in later phases (in the totals and the ETA).
        """

        async_safe = True

        def __init__(
            self,
            on_event: EventCallback | None = None,
            cancel: CancelToken | None = None,
            epochs: int = 1,
            steps: int | None = None,
            throttle: float = 0.1,
            time_budget: float = 0.0,
            track_best: bool = True,
            epoch_offset: int = 0,
            epochs_after: int = 0,
        ) -> None:
            super().__init__()
            self.on_event = on_event
            self.cancel = cancel
            self.epochs = int(epochs)
            self.steps = steps
            self.throttle = float(throttle)
            self.time_budget = float(time_budget or 0.0)
            self.track_best = track_best
            self.epoch_offset = int(epoch_offset)
            self.epochs_after = int(epochs_after)
            self.history: dict[str, list[float]] = {}
            self.cancelled = False
            self.nan = False
            self.best_epoch = -1
            self.best_value = math.inf
            self.best_weights: list[Any] | None = None
            self.initial_weights: list[Any] | None = None
            self.epochs_run = 0
            self._lock = threading.Lock()
            self._t0 = time.monotonic()
            self._epoch = 0
            self._epoch_t0 = self._t0
            self._epoch_seconds: list[float] = []
            self._next_batch_event = 0.0
            self._validation_cut = False
            self._may_cut_validation = True
            self._last_step = -1
            self.partial_epoch = False

        # -- per batch: keep it cheap ------------------------------------------------------
        def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            self._last_step = int(batch)
            if self.cancel is not None and self.cancel.cancelled:
                self.cancelled = True
                self.model.stop_training = True
            if logs:
                loss = logs.get("loss")
                if isinstance(loss, float) and not math.isfinite(loss):
                    self.nan = True
                    self.model.stop_training = True
            now = time.monotonic()
            if self.on_event is None or now < self._next_batch_event:
                return
            with self._lock:
                if now < self._next_batch_event:
                    return
                self._next_batch_event = now + self.throttle
            steps = self.steps if self.steps is not None else self.params.get("steps") or 0
            epoch = self._epoch + self.epoch_offset
            emit(self.on_event, BatchEnd(epoch, int(batch), int(steps), _floats(logs)))

        def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
            # Stopped during training: validate this (partial) epoch fully so it can count.
            self._may_cut_validation = not self.cancelled

        def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            # Stop during a long validation pass: cut it short; that epoch's partial
            # val_loss is then not trusted as "best".
            if self._may_cut_validation and self.cancel is not None and self.cancel.cancelled:
                self.cancelled = True
                self._validation_cut = True
                self.model.stop_training = True
                self.model.stop_evaluating = True

        # -- per epoch ---------------------------------------------------------------------
        def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
            self._t0 = time.monotonic()
            if self.track_best and self.initial_weights is None:
                self.initial_weights = self.model.get_weights()

        def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            self._epoch = int(epoch)
            self._epoch_t0 = time.monotonic()
            self._last_step = -1
            if self.cancel is not None and self.cancel.cancelled:
                self.cancelled = True
                self.model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            now = time.monotonic()
            values = _floats(logs)
            values.pop("learning_rate", None)
            lr = current_lr(self.model.optimizer)
            if lr is not None:
                values["lr"] = lr
            for key, value in values.items():
                self.history.setdefault(key, []).append(value)
            # Keras passes each call's last step: an epoch ends early when its last batch
            # (steps - 1) never ran (unknown steps: not judged)
            steps = self.steps if self.steps is not None else self.params.get("steps") or 0
            self.partial_epoch = bool(steps) and 0 <= self._last_step < int(steps) - 1
            self.epochs_run = int(epoch) + 1
            seconds = now - self._epoch_t0
            self._epoch_seconds.append(seconds)

            monitor = values.get("val_loss", values.get("loss", math.nan))
            if not math.isfinite(values.get("loss", 0.0)) or not math.isfinite(monitor):
                self.nan = True
                self.model.stop_training = True
            elif monitor < self.best_value and not self._validation_cut:
                self.best_value = monitor
                self.best_epoch = int(epoch)
                if self.track_best:
                    self.best_weights = self.model.get_weights()

            elapsed = now - self._t0
            remaining = max(0, self.epochs - self.epochs_run) + self.epochs_after
            eta = remaining * (sum(self._epoch_seconds) / len(self._epoch_seconds))
            if self.time_budget > 0:
                eta = min(eta, max(0.0, self.time_budget - elapsed))
            if self.model.stop_training:
                eta = 0.0
            shown = int(epoch) + self.epoch_offset
            total = self.epochs + self.epoch_offset + self.epochs_after
            emit(self.on_event, Log(epoch_line(shown, total, values, seconds)))
            emit(
                self.on_event,
                EpochEnd(shown, total, dict(values), elapsed=elapsed, eta=eta),
            )

        # -- for the trainer ---------------------------------------------------------------
        def restore_best(self) -> bool:
            """Load the best epoch's weights (or the initial ones if no epoch was usable)."""
            weights = self.best_weights if self.best_weights is not None else None
            if weights is None and self.nan:
                weights = self.initial_weights
            if weights is None:
                return False
            self.model.set_weights(weights)
            return True

    class TimeBudget(keras.callbacks.Callback):
        """Stops training once ``seconds`` have passed (checked each batch: a clock read).

        Training ends after the batch that crosses the budget; Keras then still validates that
        (partial) epoch, so the best-weights logic sees it like any other epoch.
        """

        async_safe = True

        def __init__(self, seconds: float) -> None:
            super().__init__()
            self.seconds = float(seconds)
            self.exceeded = False
            self._deadline = math.inf

        def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
            self._deadline = time.monotonic() + self.seconds if self.seconds > 0 else math.inf

        def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            if time.monotonic() >= self._deadline:
                self.exceeded = True
                self.model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            if time.monotonic() >= self._deadline:
                self.exceeded = True
                self.model.stop_training = True

    return EventBridge, TimeBudget


@cache
def _resume_classes() -> tuple[type, type]:
    from automl_gui.core.base import lazy

    keras = lazy.keras()

    class CheckpointCallback(keras.callbacks.Callback):
        """Writes the job's checkpoint after each epoch (after the bridge updated its history:
        put it after the bridge, and after ReduceLROnPlateau so a lowered rate is saved)."""

        def __init__(self, checkpointer: Any, bridge: Any, epochs: int, seconds: Any) -> None:
            super().__init__()
            self.checkpointer = checkpointer
            self.bridge = bridge
            self.epochs = int(epochs)
            self.seconds = seconds  # () -> training seconds so far (earlier sessions included)

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            self.checkpointer.save(self.model, self.bridge, self.epochs, self.seconds())

    class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
        """EarlyStopping that, on a resumed fit, counts patience on from the epochs run before
        (replaying its rule over their monitored values) instead of from zero."""

        def __init__(self, history: dict[str, list[float]] | None = None, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.previous = list((history or {}).get(self.monitor, []))

        def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
            super().on_train_begin(logs)
            for epoch, value in enumerate(self.previous):  # the monitor is a loss: lower wins
                self.wait += 1
                if math.isfinite(value) and (self.best is None or value < self.best):
                    self.best, self.best_epoch, self.wait = value, epoch, 0

    return CheckpointCallback, ResumableEarlyStopping


def make_checkpoint_callback(checkpointer: Any, bridge: Any, epochs: int, seconds: Any) -> Any:
    """A callback calling ``checkpointer.save(model, bridge, epochs, seconds())`` each epoch."""
    return _resume_classes()[0](checkpointer, bridge, epochs, seconds)


def make_early_stopping(
    monitor: str, patience: int, history: dict[str, list[float]] | None = None
) -> Any:
    """Keras EarlyStopping (best weights are the bridge's job), continuing a resumed run's
    patience from ``history`` (the epochs run before)."""
    return _resume_classes()[1](
        history, monitor=monitor, patience=patience, restore_best_weights=False
    )


def make_event_bridge(
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    epochs: int = 1,
    steps: int | None = None,
    throttle: float = 0.1,
    **kwargs: Any,
) -> Any:
    """Build an ``EventBridge`` callback (imports Keras on first call)."""
    bridge_cls, _ = _classes()
    return bridge_cls(on_event, cancel, epochs, steps, throttle, **kwargs)


def make_time_budget(seconds: float) -> Any:
    """Build a ``TimeBudget`` callback that stops training after ``seconds``."""
    _, budget_cls = _classes()
    return budget_cls(seconds)


def __getattr__(name: str) -> Any:
    if name == "EventBridge":
        return _classes()[0]
    if name == "TimeBudget":
        return _classes()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""How comparison studies run: one training per setting on one split, rows and notes.

Private to :mod:`automl_gui.core.tune.study`: :mod:`.jobs` holds the public entry and
:mod:`.studies` documents the behaviour (events, Stop, failures, the convergence definition).
"""

from __future__ import annotations

import contextlib
import gc
import math
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from automl_gui.core.base.errors import CancelledError, describe
from automl_gui.core.base.events import (
    CancelToken,
    EpochEnd,
    EventCallback,
    Log,
    Progress,
    StudyRowEnded,
    StudyRowStarted,
    emit,
)
from automl_gui.core.tune._quiet import quiet_tensorflow
from automl_gui.core.tune.study._plan import Spec
from automl_gui.core.tune.study.baseline import Baseline, convergence, not_converged_text
from automl_gui.core.tune.study.studies import StudyConfig, StudyRow

STOPPED = "Stopped by the user."
NAN_REASON = (
    "The loss became NaN or infinite. Try a lower learning rate or check the data for "
    "extreme values."
)


# -- running ----------------------------------------------------------------------------------
def device_plan(spec: Spec, plan: Any) -> Any:
    """The plan a row trains with: the study's, or (devices study) one for that device only;
    None for the CPU, so the GPUs stay visible for the other rows."""
    from automl_gui.core.hardware import plan_for

    if spec.device is None:
        return plan
    if spec.device.is_gpu:
        return plan_for([spec.device])
    return None


@contextlib.contextmanager
def on_device(spec: Spec) -> Iterator[None]:
    """Place the row's training on its device (devices study); the Keras precision policy
    is float32 on the CPU and restored afterwards."""
    if spec.device is None:
        yield
        return
    from automl_gui.core.base import lazy

    tf, keras = lazy.tf(), lazy.keras()
    before = keras.mixed_precision.global_policy().name
    name = f"/GPU:{spec.gpu_index}" if spec.device.is_gpu else "/CPU:0"
    if not spec.device.is_gpu:
        keras.mixed_precision.set_global_policy("float32")
    try:
        with tf.device(name):
            yield
    finally:
        keras.mixed_precision.set_global_policy(before)


class EpochClock:
    """Passes events on and times each epoch (from the row's start, then epoch to epoch)."""

    def __init__(self, on_event: EventCallback | None) -> None:
        self.on_event = on_event
        self.last = time.monotonic()
        self.times: list[float] = []

    def __call__(self, event: Any) -> None:
        if isinstance(event, EpochEnd):
            now = time.monotonic()
            self.times.append(now - self.last)
            self.last = now
        emit(self.on_event, event)


def make_row(
    spec: Spec,
    *,
    result: Any,
    history: dict[str, list[float]],
    report: dict[str, Any] | None,
    n_train: int,
    clock: EpochClock,
    tolerance: float,
    task: str,
    device: str,
    baseline: Baseline | None = None,
    target_std: float = 1.0,
) -> StudyRow:
    """A row from a training's result (``TrainResult``), history and test report; judged
    against the study's trivial ``baseline`` (``target_std``: a regression training learns
    targets divided by it, its validation MAE is multiplied back)."""
    history = {k: [float(v) for v in vals] for k, vals in history.items()}
    history["epoch_seconds"] = [round(t, 4) for t in clock.times]
    row = StudyRow(
        spec.label,
        spec.x,
        seconds=float(result.seconds),
        epochs=int(result.epochs_run),
        history=history,
        device=device,
    )
    if result.stopped_reason == "cancelled":
        row.status, row.reason = "stopped", STOPPED
        return row
    if result.stopped_reason == "nan":
        row.status, row.reason = "failed", NAN_REASON
        return row
    metrics: dict[str, float] = {}
    val = history.get("val_loss") or []
    finite = [(v, i) for i, v in enumerate(val) if math.isfinite(v)]
    if finite:
        best, at = min(finite)
        metrics["val_loss"] = best
        for key, scale in (("val_accuracy", 1.0), ("val_mae", target_std)):
            values = history.get(key) or []
            if at < len(values) and math.isfinite(values[at]):
                metrics[key] = values[at] * scale
    scores = (report or {}).get("metrics", {})
    names = (
        {"mae": "test_mae", "rmse": "test_rmse", "r2": "test_r2"}
        if task == "regression"
        else {"accuracy": "test_accuracy", "f1_macro": "test_f1"}
    )
    for key, name in names.items():
        value = scores.get(key)
        if value is not None and math.isfinite(float(value)):
            metrics[name] = float(value)
    times = clock.times[1:] or clock.times
    if times:
        metrics["seconds_per_epoch"] = float(statistics.median(times))
    row.metrics = metrics
    steps = math.ceil(n_train / max(1, int(result.batch_size or spec.training.batch_size or 1)))
    row.epochs_to_converge, row.steps_to_converge = convergence(history, tolerance, steps)
    if baseline is not None and baseline.beaten_in(history, target_std) is False:
        # a flat loss that never answered better than the baseline is not convergence
        row.below_baseline = True
        row.epochs_to_converge = row.steps_to_converge = None
    return row


def row_line(row: StudyRow, metric: str) -> str:
    """``adam: completed, test_accuracy 0.917, 12 epochs, 3.4 s, converged at epoch 8 (64
    steps)`` — the log and command-line line of a finished row ("did not converge (never beat
    the trivial baseline)" for a row below it: :func:`.baseline.not_converged_text`)."""
    if row.status in ("skipped", "failed", "stopped") and not row.metrics:
        return f"{row.label}: {row.status} ({row.reason})" if row.reason else row.label
    value = row.metrics.get(metric)
    parts = [row.status]
    parts.append(f"{metric} {value:.4g}" if value is not None else f"{metric} —")
    parts.append(f"{row.epochs} epochs, {row.seconds:.1f} s")
    if row.below_baseline:
        parts.append(not_converged_text())
    elif row.epochs_to_converge is not None:
        parts.append(
            f"converged at epoch {row.epochs_to_converge} ({row.steps_to_converge:,} steps)"
        )
    return f"{row.label}: " + ", ".join(parts)


def failed_row(spec: Spec, exc: BaseException) -> StudyRow:
    message, hint = describe(exc)  # names the exception type when it is not ours
    reason = f"{message} {hint}".strip()
    device = spec.device.name if spec.device is not None else ""
    return StudyRow(spec.label, spec.x, status="failed", reason=reason, device=device)


def run_rows(
    specs: list[Spec],
    train_one: Callable[[Spec, EpochClock], StudyRow],
    *,
    metric: str,
    notes: list[str],
    on_event: EventCallback | None,
    cancel: CancelToken,
) -> list[StudyRow]:
    """Train each spec in turn with the events, Stop and failure rules of the module."""
    total = len(specs)
    rows: list[StudyRow] = []
    for index, spec in enumerate(specs):
        if cancel.cancelled:
            break
        emit(on_event, StudyRowStarted(index, total, spec.label))
        emit(
            on_event,
            Progress("study", index / total, f"Training {index + 1} of {total}: {spec.label}…"),
        )
        device = spec.device.name if spec.device is not None else ""
        if spec.skip:
            row = StudyRow(spec.label, spec.x, status="skipped", reason=spec.skip, device=device)
        else:
            try:
                with quiet_tensorflow():
                    row = train_one(spec, EpochClock(on_event))
            except CancelledError:
                row = StudyRow(spec.label, spec.x, status="stopped", reason=STOPPED, device=device)
            except Exception as exc:  # noqa: BLE001 - one failing training must not end the study
                row = failed_row(spec, exc)
        rows.append(row)
        emit(on_event, StudyRowEnded(row))
        emit(on_event, Log(row_line(row, metric), "warning" if row.status == "failed" else "info"))
        gc.collect()
        if row.status == "stopped":
            break
    if cancel.cancelled or (rows and rows[-1].status == "stopped"):
        done = sum(r.status in ("completed", "failed") for r in rows)
        if done == 0:
            raise CancelledError()
        notes.append(f"Stopped by the user after {done} of {total} trainings.")
    emit(on_event, Progress("study", 1.0, "Study done."))
    return rows


def same_settings_note(study: StudyConfig, base: Any, split: str) -> str:
    """What every training of ``study`` shared, and the one setting that changed."""
    kind = study.type
    batch = "" if kind.varies_batch_size else f", batch size {base.batch_size}"
    return (
        f"Every training used the same split ({split}), seed {base.seed}{batch}, learning "
        f"rate {base.learning_rate:g} and at most {base.epochs} epochs"
        f"{' with early stopping' if base.early_stopping else ''}; only {kind.varied} changed."
    )

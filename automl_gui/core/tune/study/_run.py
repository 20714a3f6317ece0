"""How comparison studies run: one training per setting on one split, rows and notes.

Private to :mod:`automl_gui.core.tune.study.studies`, which holds the public API and documents the
behaviour (events, Stop, failures, the convergence definition).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import math
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

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
from automl_gui.core.tune.study.studies import (
    StudyConfig,
    StudyRow,
    convergence,
)

STOPPED = "Stopped by the user."
NAN_REASON = (
    "The loss became NaN or infinite. Try a lower learning rate or check the data for "
    "extreme values."
)


@dataclass
class Spec:
    """One planned training: its label, plot value and settings (or why it is skipped)."""

    label: str
    x: float
    training: Any  # TrainConfig
    subset: np.ndarray | None = None  # indices of the training items kept (learning curve)
    device: Any = None  # hardware.Device (devices study)
    gpu_index: int | None = None
    skip: str = ""


# -- planning ---------------------------------------------------------------------------------
def nested_order(labels: np.ndarray | None, n: int, seed: int) -> np.ndarray:
    """A seeded order of ``n`` training items whose every prefix keeps the class proportions
    (each item ranked by its position within its class): the learning curve's subsets are
    nested and stratified."""
    perm = np.random.default_rng(seed).permutation(n)
    if labels is None:
        return perm
    shuffled = np.asarray(labels)[perm]
    key = np.empty(n, dtype="float64")
    for cls in np.unique(shuffled):
        where = np.flatnonzero(shuffled == cls)
        key[where] = (np.arange(len(where)) + 0.5) / len(where)
    return perm[np.argsort(key, kind="stable")]


def plan_specs(
    study: StudyConfig,
    base: Any,
    *,
    n_train: int,
    labels: np.ndarray | None,
    n_classes: int,
    devices: Any,
    noun: str,
    notes: list[str],
) -> list[Spec]:
    """The trainings of ``study``; notes for the user are appended to ``notes``."""
    kind = study.kind
    if kind == "optimizers":
        notes.append(
            f"Every optimizer starts from the same learning rate ({base.learning_rate:g}, "
            f"schedule {base.schedule}); SGD uses Nesterov momentum 0.9. Adadelta was designed "
            "for a rate near 1.0 and learns slowly at small ones."
        )
        return [
            Spec(name, float(i), replace(base, optimizer=name))
            for i, name in enumerate(study.optimizers)
        ]
    if kind == "batch-sizes":
        if any(b > n_train for b in study.batch_sizes):
            notes.append(
                f"Batch sizes above the {n_train:,} training {noun} take them all in one step."
            )
        return [
            Spec(str(int(b)), float(b), replace(base, batch_size=int(b))) for b in study.batch_sizes
        ]
    if kind == "learning-curve":
        return _size_specs(study, base, n_train, labels, n_classes, noun, notes)
    return _device_specs(base, devices, notes)


def _size_specs(
    study: StudyConfig,
    base: Any,
    n_train: int,
    labels: np.ndarray | None,
    n_classes: int,
    noun: str,
    notes: list[str],
) -> list[Spec]:
    order = nested_order(labels, n_train, base.seed)
    notes.append(
        f"Each size is a stratified part of the same {n_train:,} training {noun} (smaller "
        "parts are inside larger ones); validation and test are unchanged."
    )
    specs = []
    for size in study.sizes:
        n = max(1, int(round(size * n_train))) if size <= 1 else int(size)
        label = f"{size * 100:g} % ({n:,} {noun})" if size <= 1 else f"{n:,} {noun}"
        spec = Spec(label, float(n), base)
        if n > n_train:
            spec.skip = f"Only {n_train:,} training {noun} are available."
        elif n_classes and n < n_classes:
            spec.skip = f"{n:,} {noun} are fewer than the {n_classes} classes."
        elif n < 2:
            spec.skip = f"At least 2 training {noun} are needed."
        else:
            spec.subset = np.sort(order[:n])
            if labels is not None:
                missing = n_classes - len(np.unique(np.asarray(labels)[spec.subset]))
                if missing > 0:
                    notes.append(f"At {label}, {missing} class(es) had no training {noun}.")
        specs.append(spec)
    return specs


def _device_specs(base: Any, devices: Any, notes: list[str]) -> list[Spec]:
    from automl_gui.core.base import lazy
    from automl_gui.core.hardware import list_devices

    devices = list(devices) if devices is not None else list_devices()
    gpus = [d for d in devices if d.kind == "GPU"]
    usable = 0
    if gpus:
        try:
            # visible ones only: a GPU hidden by a CPU plan would silently run on the CPU
            # (soft placement) and time the CPU twice; this does not start the runtime
            usable = len(lazy.tf().config.get_visible_devices("GPU"))
        except Exception:  # noqa: BLE001 - a broken driver stack means no usable GPU
            usable = 0
    else:
        notes.append("No GPU on this computer: only the CPU was timed.")
    notes.append(
        "seconds_per_epoch is the median epoch after the first (the first also builds the "
        "graph); seconds is the whole training."
    )
    specs: list[Spec] = []
    cpu_seen = False
    for device in devices:
        if device.kind == "GPU":
            index = gpus.index(device)
            spec = Spec(f"GPU {index}", float(len(specs)), base, device=device, gpu_index=index)
            if index >= usable:
                spec.skip = (
                    f"TensorFlow cannot use {device.name} here (it sees {usable} GPU(s)). "
                    "Check the CUDA drivers and CUDA_VISIBLE_DEVICES."
                )
            specs.append(spec)
        elif not cpu_seen:
            cpu_seen = True
            specs.append(Spec("CPU", float(len(specs)), base, device=device))
    return specs


# -- running ----------------------------------------------------------------------------------
@contextlib.contextmanager
def quiet_tensorflow() -> Iterator[None]:
    """Each training builds a new model: TensorFlow's "retracing" warnings say nothing here."""
    tf_log = logging.getLogger("tensorflow")
    level = tf_log.level
    tf_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        tf_log.setLevel(level)


def device_plan(spec: Spec, plan: Any) -> Any:
    """The plan a row trains with: the study's, or (devices study) one for that device only;
    None for the CPU, so the GPUs stay visible for the other rows."""
    from automl_gui.core.hardware import plan_for

    if spec.device is None:
        return plan
    if spec.device.kind == "GPU":
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
    name = f"/GPU:{spec.gpu_index}" if spec.device.kind == "GPU" else "/CPU:0"
    if spec.device.kind != "GPU":
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
) -> StudyRow:
    """A row from a training's result (``TrainResult``), history and test report."""
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
        accuracy = history.get("val_accuracy") or []
        if at < len(accuracy) and math.isfinite(accuracy[at]):
            metrics["val_accuracy"] = accuracy[at]
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
    return row


def row_line(row: StudyRow, metric: str) -> str:
    """``adam: completed, test_accuracy 0.917, 12 epochs, 3.4 s, converged at epoch 8 (64
    steps)`` — the log and command-line line of a finished row."""
    if row.status in ("skipped", "failed", "stopped") and not row.metrics:
        return f"{row.label}: {row.status} ({row.reason})" if row.reason else row.label
    value = row.metrics.get(metric)
    parts = [row.status]
    parts.append(f"{metric} {value:.4g}" if value is not None else f"{metric} —")
    parts.append(f"{row.epochs} epochs, {row.seconds:.1f} s")
    if row.epochs_to_converge is not None:
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
    varied = {
        "optimizers": "the optimizer",
        "batch-sizes": "the batch size",
        "learning-curve": "the number of training examples",
        "devices": "the device",
    }[study.kind]
    batch = "" if study.kind == "batch-sizes" else f", batch size {base.batch_size}"
    return (
        f"Every training used the same split ({split}), seed {base.seed}{batch}, learning "
        f"rate {base.learning_rate:g} and at most {base.epochs} epochs"
        f"{' with early stopping' if base.early_stopping else ''}; only {varied} changed."
    )

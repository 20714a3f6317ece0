"""Comparison studies: the questions users ask, answered on their own data.

A study trains the same model several times on one split with one seed, changing a single
setting each time, and reports a row per training:

- ``optimizers``: SGD, Adam, Adadelta, RMSprop, Adamax — validation and test scores, and the
  iterations (optimizer steps) to convergence;
- ``batch-sizes``: 8, 16, 32, 64 — scores and training time;
- ``learning-curve``: the training rows (or files) cut to fractions or counts, validation and
  test parts unchanged — test accuracy and macro F1 (regression: MAE and R²);
- ``devices``: training time on the CPU and on each GPU (``tf.device``); without a GPU only the
  CPU is timed and a note says so.

**Convergence.** ``epochs_to_converge`` is the first epoch (1-based) whose validation loss is
within ``tolerance`` of the best: ``val_loss <= best + tolerance * |best|`` (the training loss
when there is no validation split). ``steps_to_converge`` is that many epochs times the
optimizer steps per epoch (``ceil(training rows / batch size)``).

Events: ``StudyRowStarted`` before and ``StudyRowEnded`` after each training, and the
training's own ``EpochEnd``/``BatchEnd``/``Log``/``Progress`` in between. Stop keeps the rows
already finished (the interrupted one is "stopped", later ones are absent); with nothing
finished it raises ``CancelledError``. A training that fails (an exception, a NaN loss) is a
"failed" row with the reason, and the study goes on.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.events import CancelToken, EventCallback

STUDY_KINDS = ("optimizers", "batch-sizes", "learning-curve", "devices")
ROW_STATUSES = ("completed", "failed", "stopped", "skipped")
STUDY_FUNCTIONS = ("study_tabular", "study_files")

#: the first column of :meth:`StudyResult.table`, per kind
LABEL_COLUMNS = {
    "optimizers": "optimizer",
    "batch-sizes": "batch_size",
    "learning-curve": "train_size",
    "devices": "device",
}
#: metric columns in the order tables show them (others follow, sorted)
METRIC_ORDER = (
    "test_accuracy",
    "test_f1",
    "test_mae",
    "test_rmse",
    "test_r2",
    "val_accuracy",
    "val_loss",
)
TIME_COLUMNS = ("seconds_per_epoch",)


@dataclass
class StudyConfig:
    """What a study compares.

    Args:
        kind: one of :data:`STUDY_KINDS`.
        optimizers: the optimizers compared (``optimizers`` study).
        batch_sizes: the batch sizes compared (``batch-sizes`` study).
        sizes: training-set sizes for the learning curve: fractions of the training rows
            (at most 1) or row counts (above 1, whole numbers).
        epochs: maximum epochs of each training (early stopping as the base TrainConfig has it).
        tolerance: convergence is the first epoch whose validation loss is within this
            fraction of the best (0.05: 5 %).
    """

    kind: str
    optimizers: tuple[str, ...] = ("sgd", "adam", "adadelta", "rmsprop", "adamax")
    batch_sizes: tuple[int, ...] = (8, 16, 32, 64)
    sizes: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 1.0)
    epochs: int = 30
    tolerance: float = 0.05

    def validate(self, task: str | None = None) -> None:
        """Raise ConfigError (message and hint) for a setting that cannot run."""
        from automl_gui.core.train.config import OPTIMIZERS
        from automl_gui.core.train.trainer import TASKS

        if self.kind not in STUDY_KINDS:
            raise ConfigError(
                f"Unknown study '{self.kind}'.", f"Use one of: {', '.join(STUDY_KINDS)}."
            )
        if task is not None and task not in TASKS:
            raise ConfigError(f"Unknown task '{task}'.", f"Use one of: {', '.join(TASKS)}.")
        if not isinstance(self.epochs, int) or self.epochs < 1:
            raise ConfigError(f"Epochs must be a whole number ≥ 1, not {self.epochs}.", "Try 30.")
        if not (isinstance(self.tolerance, (int, float)) and 0 <= self.tolerance < 1):
            raise ConfigError(
                f"The convergence tolerance must be between 0 and 1, not {self.tolerance}.",
                "Try 0.05 (within 5 % of the best validation loss).",
            )
        if self.kind == "optimizers":
            _check_list(self.optimizers, "optimizer", "sgd,adam")
            unknown = [o for o in self.optimizers if o not in OPTIMIZERS]
            if unknown:
                raise ConfigError(
                    f"Unknown optimizer '{unknown[0]}'.", f"Use some of: {', '.join(OPTIMIZERS)}."
                )
        elif self.kind == "batch-sizes":
            _check_list(self.batch_sizes, "batch size", "8,16,32,64")
            bad = [b for b in self.batch_sizes if not _whole(b) or b < 1]
            if bad:
                raise ConfigError(
                    f"Batch size {bad[0]} is not a whole number ≥ 1.", "Use e.g. 8,16,32,64."
                )
        elif self.kind == "learning-curve":
            _check_list(self.sizes, "training-set size", "0.1,0.25,0.5,1")
            for size in self.sizes:
                if not isinstance(size, (int, float)) or not math.isfinite(size) or size <= 0:
                    raise ConfigError(
                        f"Training-set size {size} must be positive.",
                        "Give fractions up to 1 (0.25 = a quarter) or row counts above 1.",
                    )
                if size > 1 and not _whole(size):
                    raise ConfigError(
                        f"Training-set size {size} is above 1, so it is a row count, but not "
                        "a whole number.",
                        "Give fractions up to 1 (0.25 = a quarter) or whole row counts.",
                    )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("optimizers", "batch_sizes", "sizes"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StudyConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("optimizers", "batch_sizes", "sizes"):
            if key in known:
                known[key] = tuple(known[key])
        return cls(**known)


def _whole(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and float(value).is_integer()


def _check_list(values: Any, noun: str, example: str) -> None:
    if not values:
        raise ConfigError(f"No {noun} to compare.", f"Give at least one, e.g. {example}.")
    if len(set(values)) != len(values):
        raise ConfigError(f"A {noun} is listed twice.", "List each once.")


@dataclass
class StudyRow:
    """One training of a study.

    Args:
        label: what was trained ("adam", "32", "25 % (120 rows)", "CPU", "GPU 0").
        x: the numeric value for plots (batch size, training rows; the index otherwise).
        status: "completed", "failed", "stopped" or "skipped".
        reason: why a row failed, stopped or was skipped.
        metrics: test and validation scores (``test_accuracy``, ``test_f1`` (macro),
            ``val_accuracy``, ``val_loss``; regression ``test_mae``, ``test_rmse``,
            ``test_r2``) and ``seconds_per_epoch`` (median epoch after the first, which also
            builds the graph).
        seconds: training wall time. epochs: epochs run.
        steps_to_converge / epochs_to_converge: see the module docstring.
        history: per-epoch curves (``loss``, ``val_loss``, ...; ``epoch_seconds``).
        device: the device's name (devices study) or the plan's label.
    """

    label: str
    x: float
    status: str = "completed"
    reason: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    epochs: int = 0
    steps_to_converge: int | None = None
    epochs_to_converge: int | None = None
    history: dict[str, list[float]] = field(default_factory=dict)
    device: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "completed"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StudyRow:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass
class StudyResult:
    """A finished (or stopped) study: its rows, the headline metric and notes for the user."""

    kind: str
    task: str
    config: StudyConfig
    data_name: str
    metric: str
    rows: list[StudyRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        """ "Optimizers on iris.csv" — what plots and reports are headed with."""
        what = {
            "optimizers": "Optimizers",
            "batch-sizes": "Batch sizes",
            "learning-curve": "Learning curve",
            "devices": "Devices",
        }.get(self.kind, self.kind)
        return f"{what} on {self.data_name}" if self.data_name else what

    def columns(self) -> list[str]:
        """The columns of :meth:`table`, in order."""
        label = LABEL_COLUMNS.get(self.kind, "setting")
        head = [label]
        if self.kind == "learning-curve":
            head.append("train_examples")
        head.append("status")
        present = {k for r in self.rows for k in r.metrics}
        metrics = [m for m in METRIC_ORDER if m in present]
        metrics += sorted(present - set(METRIC_ORDER) - set(TIME_COLUMNS))
        times = ["epochs", "seconds", *[t for t in TIME_COLUMNS if t in present]]
        tail = ["epochs_to_converge", "steps_to_converge", "device_name", "reason"]
        return head + metrics + times + tail

    def table(self) -> list[dict[str, Any]]:
        """Flat rows for CSV and table views, keys in :meth:`columns` order (None = no value)."""
        columns = self.columns()
        label = columns[0]
        out = []
        for row in self.rows:
            values: dict[str, Any] = {
                label: row.label,
                "train_examples": int(row.x),
                "status": row.status,
                "epochs": row.epochs,
                "seconds": round(row.seconds, 3),
                "epochs_to_converge": row.epochs_to_converge,
                "steps_to_converge": row.steps_to_converge,
                "device_name": row.device,
                "reason": row.reason,
            }
            values.update(row.metrics)
            out.append({c: values.get(c) for c in columns})
        return out

    def header_lines(self) -> list[str]:
        """What the CSV's ``#`` lines say: the study, the convergence definition, the notes."""
        tol = f"{self.config.tolerance:g}"
        lines = [
            f"automl-gui comparison study: {self.title} ({self.task}); headline {self.metric}",
            f"epochs_to_converge: the first epoch (1-based) whose val_loss <= best + {tol} x "
            "|best|; steps_to_converge: that many epochs x optimizer steps per epoch",
        ]
        return lines + [f"note: {n}" for n in self.notes]

    def to_csv(self, path: str | Path) -> Path:
        """Write the table as CSV (atomically), headed by ``#`` lines (:meth:`header_lines`);
        read it back with ``pandas.read_csv(path, comment="#")``."""
        import csv

        from automl_gui.core.base.files import atomic_write

        columns = self.columns()

        def write(tmp: Path) -> None:
            with open(tmp, "w", newline="", encoding="utf-8") as handle:
                for line in self.header_lines():
                    handle.write("# " + line.replace("\n", " ") + "\n")
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                for row in self.table():
                    writer.writerow({k: _csv_value(v) for k, v in row.items()})

        return atomic_write(path, write, make_parents=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "task": self.task,
            "config": self.config.to_dict(),
            "data_name": self.data_name,
            "metric": self.metric,
            "rows": [r.to_dict() for r in self.rows],
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StudyResult:
        return cls(
            kind=data["kind"],
            task=data["task"],
            config=StudyConfig.from_dict(data["config"]),
            data_name=data.get("data_name", ""),
            metric=data["metric"],
            rows=[StudyRow.from_dict(r) for r in data.get("rows", [])],
            notes=list(data.get("notes", [])),
        )


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}" if math.isfinite(value) else ""
    return value


def headline_metric(task: str) -> str:
    """The metric plots lead with: test accuracy, or test MAE for regression."""
    return "test_mae" if task == "regression" else "test_accuracy"


def convergence(
    history: dict[str, list[float]], tolerance: float, steps_per_epoch: int
) -> tuple[int | None, int | None]:
    """``(epochs_to_converge, steps_to_converge)``: the first epoch (1-based) whose val_loss
    (else loss) is ``<= best + tolerance * |best|``, and that many epochs times
    ``steps_per_epoch``. ``(None, None)`` when no epoch has a finite loss."""
    losses = history.get("val_loss") or history.get("loss") or []
    finite = [float(v) for v in losses if v is not None and math.isfinite(v)]
    if not finite:
        return None, None
    best = min(finite)
    limit = best + tolerance * abs(best)
    for i, value in enumerate(losses):
        if value is not None and math.isfinite(value) and value <= limit:
            return i + 1, (i + 1) * max(1, int(steps_per_epoch))
    return None, None  # unreachable: the best itself is within the limit


# -- the studies ------------------------------------------------------------------------------
def study_tabular(
    df: Any,
    preprocess: Any,
    mlp: Any,
    study: StudyConfig,
    training: Any,
    *,
    plan: Any = None,
    devices: Any = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    data_name: str = "",
) -> StudyResult:
    """Run ``study`` on a table: ``prepare_data`` once, then one training per setting with
    ``build_tabular`` → ``fit_tabular`` → ``finish_tabular`` (the test scores).

    Args:
        df, preprocess, mlp, training: as for ``pipeline.train_tabular``; ``training.epochs``
            is replaced by ``study.epochs``. Unless the batch size is studied, "auto" is
            resolved once so every training uses the same batch size.
        plan: the hardware plan (the devices study makes one per device instead).
        devices: ``hardware.Device`` list for the devices study (None: detect).
        data_name: the table's name for titles ("iris.csv").

    Raises:
        ConfigError / DataError: bad settings or data. CancelledError: stopped before any
        training finished.
    """
    from automl_gui.core.tune.study._jobs import run_tabular

    study.validate(preprocess.task)
    return run_tabular(
        df, preprocess, mlp, study, training, plan, devices, on_event, cancel, data_name
    )


def study_files(
    kind: str,
    dataset: Any,
    preprocess: Any,
    model_config: Any,
    study: StudyConfig,
    training: Any,
    *,
    plan: Any = None,
    devices: Any = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    data_name: str = "",
) -> StudyResult:
    """Run ``study`` on a scanned image or audio dataset (``kind`` "images" or "audio").

    The folder is split once; each training is the normal files job (``train_files``) on
    that split, the learning curve keeping the validation and test files and cutting the
    training files. "auto" architecture and batch size are resolved once (the batch size
    unless it is studied) so only the studied setting changes.
    """
    from automl_gui.core.tune.study._jobs import run_files

    if kind not in ("images", "audio"):
        raise ConfigError(f"Unknown folder kind '{kind}'.", "Use images or audio.")
    study.validate()
    return run_files(
        kind,
        dataset,
        preprocess,
        model_config,
        study,
        training,
        plan,
        devices,
        on_event,
        cancel,
        data_name,
    )


def study_isolated(process: Any, function_name: str, **kwargs: Any) -> StudyResult:
    """Run :func:`study_tabular` or :func:`study_files` (``function_name``) in an
    :class:`~automl_gui.core.jobs.process.EngineProcess` (the window's way). ``kwargs`` are the
    function's arguments by name (``df=..., preprocess=..., mlp=..., study=..., training=...``)
    plus ``on_event`` and ``cancel``; events and errors come back as from a direct call."""
    if function_name not in STUDY_FUNCTIONS:
        raise ConfigError(
            f"Unknown study function '{function_name}'.", f"Use {' or '.join(STUDY_FUNCTIONS)}."
        )
    on_event = kwargs.pop("on_event", None)
    cancel = kwargs.pop("cancel", None)
    return process.run(
        f"automl_gui.core.tune.study.studies:{function_name}",
        kwargs,
        on_event=on_event,
        cancel=cancel,
    )


__all__ = [
    "STUDY_KINDS",
    "StudyConfig",
    "StudyResult",
    "StudyRow",
    "convergence",
    "headline_metric",
    "study_files",
    "study_isolated",
    "study_tabular",
]

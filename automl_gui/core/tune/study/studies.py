"""Comparison studies: the questions users ask, answered on their own data.

Here: what a study is (:class:`StudyConfig`, one :class:`StudyType` per question) and what it
gives (:class:`StudyRow`, :class:`StudyResult`); the job that runs one on any kind of data is
:func:`automl_gui.core.tune.study.jobs.study`.

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
optimizer steps per epoch (``ceil(training rows / batch size)``). A training whose validation
score never beat the trivial baseline (:mod:`.baseline`: the majority class, or the mean for
regression) did not converge: ``below_baseline`` is set and both counts are None.

**Best.** :meth:`StudyResult.best_index`: by validation score among the rows that beat it.

Events: ``StudyRowStarted`` before and ``StudyRowEnded`` after each training, and the
training's own ``EpochEnd``/``BatchEnd``/``Log``/``Progress`` in between. Stop keeps the rows
already finished (the interrupted one is "stopped", later ones are absent); with nothing
finished it raises ``CancelledError``. A training that fails (an exception, a NaN loss) is a
"failed" row with the reason, and the study goes on.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.tune.study import baseline as judging
from automl_gui.core.tune.study._plan import Spec, TrainingFacts, device_specs, size_specs
from automl_gui.core.tune.study.baseline import Baseline, best_row, selection_metric

ROW_STATUSES = ("completed", "failed", "stopped", "skipped")


# -- the study types --------------------------------------------------------------------------
class StudyType:
    """One kind of comparison study: the setting it varies, how its values are checked, the
    trainings it plans and the words and columns its results are shown with.

    Attributes:
        name: what settings, results and the command line call it ("learning-curve").
        title: its results' heading ("Learning curve"). label_column: the first column of
            :meth:`StudyResult.table` ("train_size"). varied: the setting in a sentence.
        values: the :class:`StudyConfig` field listing what it compares (None: it lists
            nothing, the devices are found).
        varies_batch_size: the batch size is what changes (else "auto" is resolved once).
        counts_examples: its table also says how many training examples each row used.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    label_column: ClassVar[str]
    varied: ClassVar[str]
    values: ClassVar[str | None] = None
    varies_batch_size: ClassVar[bool] = False
    counts_examples: ClassVar[bool] = False

    def describe(self, config: StudyConfig) -> str:
        """What the trainings compare, in words (``sgd, adam``; ``batch sizes 8, 16``)."""
        return ", ".join(map(str, getattr(config, self.values))) if self.values else ""

    def check(self, config: StudyConfig) -> None:
        """Raise ConfigError for values of ``config`` this study cannot compare."""

    def plan(
        self, config: StudyConfig, base: Any, facts: TrainingFacts, notes: list[str]
    ) -> list[Spec]:
        """The trainings of this study (``base``: the TrainConfig every row starts from);
        notes for the user are appended to ``notes``."""
        raise NotImplementedError


class OptimizersStudy(StudyType):
    name = "optimizers"
    title = "Optimizers"
    label_column = "optimizer"
    varied = "the optimizer"
    values = "optimizers"

    def check(self, config: StudyConfig) -> None:
        from automl_gui.core.train.config import OPTIMIZERS

        _check_list(config.optimizers, "optimizer", "sgd,adam")
        unknown = [o for o in config.optimizers if o not in OPTIMIZERS]
        if unknown:
            raise ConfigError(
                f"Unknown optimizer '{unknown[0]}'.", f"Use some of: {', '.join(OPTIMIZERS)}."
            )

    def plan(
        self, config: StudyConfig, base: Any, facts: TrainingFacts, notes: list[str]
    ) -> list[Spec]:
        notes.append(
            f"Every optimizer starts from the same learning rate ({base.learning_rate:g}, "
            f"schedule {base.schedule}); SGD uses Nesterov momentum 0.9. Adadelta was designed "
            "for a rate near 1.0 and learns slowly at small ones."
        )
        return [
            Spec(name, float(i), replace(base, optimizer=name))
            for i, name in enumerate(config.optimizers)
        ]


class BatchSizesStudy(StudyType):
    name = "batch-sizes"
    title = "Batch sizes"
    label_column = "batch_size"
    varied = "the batch size"
    values = "batch_sizes"
    varies_batch_size = True

    def describe(self, config: StudyConfig) -> str:
        return "batch sizes " + ", ".join(map(str, config.batch_sizes))

    def check(self, config: StudyConfig) -> None:
        _check_list(config.batch_sizes, "batch size", "8,16,32,64")
        bad = [b for b in config.batch_sizes if not _whole(b) or b < 1]
        if bad:
            raise ConfigError(
                f"Batch size {bad[0]} is not a whole number ≥ 1.", "Use e.g. 8,16,32,64."
            )

    def plan(
        self, config: StudyConfig, base: Any, facts: TrainingFacts, notes: list[str]
    ) -> list[Spec]:
        if any(b > facts.n_train for b in config.batch_sizes):
            notes.append(
                f"Batch sizes above the {facts.n_train:,} training {facts.noun} take them all "
                "in one step."
            )
        return [
            Spec(str(int(b)), float(b), replace(base, batch_size=int(b)))
            for b in config.batch_sizes
        ]


class LearningCurveStudy(StudyType):
    name = "learning-curve"
    title = "Learning curve"
    label_column = "train_size"
    varied = "the number of training examples"
    values = "sizes"
    counts_examples = True

    def describe(self, config: StudyConfig) -> str:
        return "sizes " + ", ".join(f"{s:g}" for s in config.sizes)

    def check(self, config: StudyConfig) -> None:
        _check_list(config.sizes, "training-set size", "0.1,0.25,0.5,1")
        for size in config.sizes:
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

    def plan(
        self, config: StudyConfig, base: Any, facts: TrainingFacts, notes: list[str]
    ) -> list[Spec]:
        return size_specs(config.sizes, base, facts, notes)


class DevicesStudy(StudyType):
    name = "devices"
    title = "Devices"
    label_column = "device"
    varied = "the device"

    def describe(self, config: StudyConfig) -> str:
        return "the CPU and each GPU"

    def plan(
        self, config: StudyConfig, base: Any, facts: TrainingFacts, notes: list[str]
    ) -> list[Spec]:
        return device_specs(base, facts.devices, notes)


#: every study type by name, in the order the front ends offer them
STUDY_TYPES: dict[str, StudyType] = {
    t.name: t for t in (OptimizersStudy(), BatchSizesStudy(), LearningCurveStudy(), DevicesStudy())
}
STUDY_KINDS = tuple(STUDY_TYPES)


def study_type(name: str) -> StudyType:
    """The study type called ``name`` (ConfigError naming those there are)."""
    found = STUDY_TYPES.get(name)
    if found is None:
        raise ConfigError(f"Unknown study '{name}'.", f"Use one of: {', '.join(STUDY_KINDS)}.")
    return found


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
        kind: the study's name, one of :data:`STUDY_KINDS` (:attr:`type` is its
            :class:`StudyType`).
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
        from automl_gui.core.train.trainer import TASKS

        kind = study_type(self.kind)
        if task is not None and task not in TASKS:
            raise ConfigError(f"Unknown task '{task}'.", f"Use one of: {', '.join(TASKS)}.")
        if not isinstance(self.epochs, int) or self.epochs < 1:
            raise ConfigError(f"Epochs must be a whole number ≥ 1, not {self.epochs}.", "Try 30.")
        if not (isinstance(self.tolerance, (int, float)) and 0 <= self.tolerance < 1):
            raise ConfigError(
                f"The convergence tolerance must be between 0 and 1, not {self.tolerance}.",
                "Try 0.05 (within 5 % of the best validation loss).",
            )
        kind.check(self)

    @property
    def type(self) -> StudyType:
        """What this study compares (ConfigError for an unknown ``kind``)."""
        return study_type(self.kind)

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
        below_baseline: its validation score never beat the trivial baseline: it did not
            converge.
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
    below_baseline: bool = False

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
    """A finished (or stopped) study: its rows, the headline metric, notes for the user and
    the trivial baseline (None: no validation split, or a result saved before it existed)."""

    kind: str
    task: str
    config: StudyConfig
    data_name: str
    metric: str
    rows: list[StudyRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    baseline: Baseline | None = None

    @property
    def selection(self) -> str:
        """The validation score the best row is picked by (``val_accuracy``, ``val_mae``)."""
        return selection_metric(self.task)

    def best_index(self) -> int | None:
        """The best row by validation score among those that beat the baseline (None: none)."""
        return best_row(self.rows, self.task, self.baseline)

    @property
    def title(self) -> str:
        """ "Optimizers on iris.csv" — what plots and reports are headed with."""
        kind = STUDY_TYPES.get(self.kind)
        what = kind.title if kind is not None else self.kind
        return f"{what} on {self.data_name}" if self.data_name else what

    def columns(self) -> list[str]:
        """The columns of :meth:`table`, in order."""
        kind = STUDY_TYPES.get(self.kind)
        head = [kind.label_column if kind is not None else "setting"]
        if kind is not None and kind.counts_examples:
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
                "reason": row.reason or self.below_baseline_text(row),
            }
            values.update(row.metrics)
            out.append({c: values.get(c) for c in columns})
        return out

    def below_baseline_text(self, row: StudyRow) -> str:
        """Why ``row`` did not converge when it never beat the baseline ("" otherwise)."""
        if not row.below_baseline or self.baseline is None:
            return ""
        return judging.not_converged_text(self.baseline)

    def header_lines(self) -> list[str]:
        """What the CSV's ``#`` lines say: the study, the convergence definition, the notes."""
        tol = f"{self.config.tolerance:g}"
        lines = [
            f"automl-gui comparison study: {self.title} ({self.task}); headline {self.metric}",
            f"epochs_to_converge: the first epoch (1-based) whose val_loss <= best + {tol} x "
            "|best|; steps_to_converge: that many epochs x optimizer steps per epoch",
        ]
        if self.baseline is not None:
            lines.append(self.baseline.rule_text())
        best = self.best_index()
        if best is not None:
            lines.append(f"best by {self.selection}: {self.rows[best].label}")
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
            "baseline": self.baseline.to_dict() if self.baseline is not None else None,
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
            baseline=Baseline.from_dict(data.get("baseline")),
        )


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}" if math.isfinite(value) else ""
    return value


def headline_metric(task: str) -> str:
    """The metric plots lead with: test accuracy, or test MAE for regression (the best row is
    still picked by validation: :meth:`StudyResult.best_index`)."""
    return "test_mae" if task == "regression" else "test_accuracy"


__all__ = [
    "STUDY_KINDS",
    "STUDY_TYPES",
    "StudyConfig",
    "StudyResult",
    "StudyRow",
    "StudyType",
    "headline_metric",
    "study_type",
]

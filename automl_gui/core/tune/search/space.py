"""What an AutoML search explores and what it records: settings, spaces and leaderboard rows.

:class:`SearchConfig` says how to search (algorithm, budget, trials, epochs, objective).
A search space turns Keras Tuner hyperparameters into the settings one trial trains with:
:class:`TabularSpace` for tables (an MLP on the table's preprocessing). Image and audio
spaces plug in the same way: a class with ``build(hp) -> settings`` and a trial runner in
the search that knows how to train such settings. :class:`TrialRecord` is one leaderboard
row; it is JSON-ready and picklable (it travels in ``TrialEnded`` events).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig

ALGORITHMS = ("hyperband", "bayesian", "random")
OBJECTIVES = ("val_loss", "val_accuracy", "val_mae", "loss")
MAXIMIZED = ("val_accuracy",)
STATUSES = ("running", "completed", "failed", "stopped", "baseline", "average")
#: rows that are not Keras Tuner trials: the baselines and the average of the best trials
#: (both made again when a search ends, so a resumed search drops them)
NOT_TRIALS = ("baseline", "average")
CROSS_VALIDATION = ("auto", "off", "on")
#: batch sizes the table space tries (those that give an epoch enough steps)
BATCH_SIZES = (16, 32, 64, 128, 256, 512)
#: smaller batches, offered only to tables too small for two of ``BATCH_SIZES``
SMALL_BATCH_SIZES = (4, 8)
#: optimizer steps an epoch should have at least: on a 100-row table a batch of 32 is four
#: steps an epoch, and Hyperband's rounds of a few dozen epochs left even a linear model
#: underfitted (iris: k-fold loss 0.30 where logistic regression scores 0.96)
MIN_STEPS_PER_EPOCH = 8
#: weight decays the table space tries: none, then a log scale up to the strong end of what
#: RealMLP and TabM tune over (Holzmüller et al. 2024; Gorishniy et al. 2024)
WEIGHT_DECAYS = (0.0, 1e-5, 1e-4, 1e-3, 1e-2, 5e-2)


@dataclass
class SearchConfig:
    """How to search.

    Args:
        algorithm: "hyperband" (default), "bayesian" (Gaussian-process Bayesian optimization)
            or "random".
        time_budget: seconds for the whole search; 0 means no limit. The running trial gets
            what is left and no trial starts after it.
        max_trials: trials at most; 0 means no limit. At least one of the two must be set.
        max_epochs: epochs per trial at most (Hyperband's largest round).
        min_epochs: Hyperband's shortest round; 0 means a tenth of ``max_epochs`` (at least
            1). On tables the first epoch of a trial costs most (building and tracing), so
            rounds of a few epochs say more about a configuration than rounds of one.
        objective: the validation figure to optimize: "val_loss" (lower is better),
            "val_accuracy" (classification, higher is better), "val_mae" (regression).
        final_share: the share of ``time_budget`` kept for training the chosen
            configuration on to convergence (from its weights, with early stopping) when its
            trial ended at a round's epoch limit; trials run in the rest.
        seed: seed of the search algorithm (trials use the training seed).
        executions: trainings per trial (1: trials are cheap, variance is in the seed).
        cross_validation: score each trial by k-fold cross-validation on the train and
            validation rows pooled: "auto" (small tables, see
            :func:`~automl_gui.core.tune.search.cv.should_cross_validate`), "on" or "off".
        folds: the number of folds; 0 picks it from the rows (5, fewer on tiny tables).
        average_best: tables: when the trials end, average the best this many trials (each
            a different configuration) into one model, kept only when it scores better on
            the validation rows than the best trial alone (``_ensemble``); 0 or 1: keep the
            best trial alone.
    """

    algorithm: str = "hyperband"
    time_budget: float = 0.0
    max_trials: int = 0
    max_epochs: int = 60
    min_epochs: int = 0
    objective: str = "val_loss"
    final_share: float = 0.2
    seed: int = 42
    executions: int = 1
    cross_validation: str = "auto"
    folds: int = 0
    average_best: int = 3

    def validate(self, task: str | None = None) -> None:
        """Raise :class:`ConfigError` for a setting that cannot be searched with."""
        if self.algorithm not in ALGORITHMS:
            raise ConfigError(
                f"Unknown search algorithm '{self.algorithm}'.", f"Use {', '.join(ALGORITHMS)}."
            )
        if not (self.time_budget > 0 or self.max_trials > 0):
            raise ConfigError(
                "The search needs a time budget or a number of trials.",
                "Set a time budget in seconds, a number of trials, or both.",
            )
        if self.time_budget < 0 or self.max_trials < 0:
            raise ConfigError("The time budget and trials cannot be negative.", "Use 0 for none.")
        if self.max_epochs < 1:
            raise ConfigError("Each trial needs at least one epoch.", "Set max epochs to 1+.")
        if self.min_epochs < 0 or self.min_epochs > self.max_epochs:
            raise ConfigError(
                "The shortest round must be between 0 (automatic) and max epochs.",
                "Set min epochs to 0.",
            )
        if not 0.0 <= self.final_share < 1.0:
            raise ConfigError("The final share must be in [0, 1).", "Use 0.2.")
        if self.executions != 1:
            raise ConfigError("Only one execution per trial is supported.", "Set executions to 1.")
        if self.cross_validation not in CROSS_VALIDATION:
            raise ConfigError(
                f"Unknown cross-validation setting '{self.cross_validation}'.",
                f"Use {', '.join(CROSS_VALIDATION)}.",
            )
        if self.folds < 0 or self.folds == 1:
            raise ConfigError(
                f"Cross-validation needs 2 folds or more, not {self.folds}.",
                "Set folds to 0 (automatic) or 2 and more.",
            )
        if self.average_best < 0:
            raise ConfigError(
                f"The number of trials to average cannot be negative ({self.average_best}).",
                "Use 3, or 0 to keep the best trial alone.",
            )
        if self.objective not in OBJECTIVES:
            raise ConfigError(
                f"Unknown objective '{self.objective}'.", f"Use {', '.join(OBJECTIVES)}."
            )
        if task is not None:
            wrong = (self.objective == "val_accuracy" and task == "regression") or (
                self.objective == "val_mae" and task != "regression"
            )
            if wrong:
                raise ConfigError(
                    f"The objective {self.objective} does not fit a {task} task.",
                    "Use val_loss, which fits every task.",
                )

    @property
    def shortest_round(self) -> int:
        """Hyperband's shortest round in epochs (``min_epochs``, or automatic)."""
        return self.min_epochs or max(1, self.max_epochs // 10)

    @property
    def direction(self) -> str:
        """ "max" when a higher objective is better, else "min"."""
        return "max" if self.objective in MAXIMIZED else "min"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SearchConfig:
        return cls(**data)


@dataclass
class TrialRecord:
    """One leaderboard row: a trial of the search, or a baseline model (status "baseline").

    Args:
        trial_id: Keras Tuner's trial id ("0000", "0001", ...), "baseline:<name>" or
            "average" (the average of the best trials, ``_ensemble``).
        hyperparameters: the values tried (Hyperband's "tuner/..." bookkeeping included).
        metric_name: what ``value`` measures (the objective, or a baseline's own metric).
        value: the best validation value the trial reached; None when it failed.
        epochs: epochs run.
        seconds: wall time of the trial.
        status: "running", "completed", "failed", "stopped" (Stop or the time budget ended
            it early; its value still counts), "baseline" or "average" (its value is the
            validation objective without the weight penalties Keras adds to a trial's
            ``val_loss``; ``reason`` compares it with the best trial's measured the same way).
        reason: why it failed or stopped, in a sentence.
        history: per-epoch values (loss, val_loss, accuracy/mae, lr) for its curves.
        test_score: a baseline's score on the test split (None for trials).
        cv_mean / cv_std: the mean and standard deviation over the folds when the trial (or
            baseline) was cross-validated (``value`` is then ``cv_mean``), else None.
        cv_folds: the folds scored (0: not cross-validated; fewer than the plan's when Stop
            ended the trial).
        cv_scores: each fold's value.
        score_name / score / score_std: the figure every row of a search shares so trials and
            baselines compare: the baselines' headline metric ("accuracy" for classification,
            "r2" for regression; ``baselines.headline_metric``) on the validation rows (the
            folds' mean and spread when cross-validated); None where it could not be measured.
            A trial's ``value`` is the search objective (often val_loss), a baseline's its
            headline metric, so ``value`` alone does not compare across the two.
        worker: the Keras Tuner id of the search worker that ran the trial ("tuner0", ...)
            in a search across processes; "" on one machine, for baselines and the average
            (and in leaderboards saved before searches ran on several workers).
    """

    trial_id: str
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    metric_name: str = "val_loss"
    value: float | None = None
    epochs: int = 0
    seconds: float = 0.0
    status: str = "running"
    reason: str = ""
    history: dict[str, list[float]] = field(default_factory=dict)
    test_score: float | None = None
    cv_mean: float | None = None
    cv_std: float | None = None
    cv_folds: int = 0
    cv_scores: list[float] = field(default_factory=list)
    score_name: str = ""
    score: float | None = None
    score_std: float | None = None
    worker: str = ""

    @property
    def cross_validated(self) -> bool:
        """Whether ``value`` is a k-fold mean (see ``cv_mean``, ``cv_std``, ``cv_folds``)."""
        return self.cv_folds > 0

    @property
    def scored(self) -> bool:
        """A trial whose value can make it the best (completed or stopped, finite value)."""
        return (
            self.status in ("completed", "stopped")
            and self.value is not None
            and math.isfinite(self.value)
        )

    def value_text(self) -> str:
        """The value as a leaderboard shows it: "0.953 ± 0.021 (5-fold)", "0.4077" or "—"."""
        if self.value is None:
            return "—"
        if not self.cross_validated or self.cv_mean is None:
            return f"{self.value:.4g}"
        std = f" ± {_short(self.cv_std)}" if self.cv_std is not None else ""
        return f"{_short(self.cv_mean)}{std} ({self.cv_folds}-fold)"

    def to_dict(self, history: bool = True) -> dict[str, Any]:
        data = asdict(self)
        if not history:
            data.pop("history")
        return data

    def score_text(self) -> str:
        """The shared figure as a leaderboard shows it: "0.953 ± 0.021", "0.8125" or "—"."""
        if self.score is None or not math.isfinite(self.score):
            return "—"
        std = self.score_std
        if std is not None and math.isfinite(std):
            return f"{_short(self.score)} ± {_short(std)}"
        return f"{self.score:.4g}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrialRecord:
        record = cls(**data)
        if record.status == "baseline" and not record.score_name:  # saved before scores
            record.score_name, record.score, record.score_std = (
                record.metric_name,
                record.value,
                record.cv_std,
            )
        return record


def leaderboard_rows(records: list[TrialRecord]) -> list[dict[str, Any]]:
    """Flat rows for a table or CSV: trial, status, metric, value, epochs, seconds, params,
    reason and worker (the search worker that ran the trial; empty on one machine).

    For a cross-validated row ``value`` is the mean over ``cv_folds`` folds and ``cv_std``
    their standard deviation (``cv_folds`` 0 and ``cv_std`` empty otherwise)."""
    rows = []
    for r in records:
        params = {k: v for k, v in r.hyperparameters.items() if not k.startswith("tuner/")}
        rows.append(
            {
                "trial": r.trial_id,
                "status": r.status,
                "metric": r.metric_name,
                "value": r.value,
                "cv_std": r.cv_std,
                "cv_folds": r.cv_folds,
                "score_name": r.score_name,
                "score": r.score,
                "score_std": r.score_std,
                "test_score": r.test_score,
                "epochs": r.epochs,
                "seconds": round(r.seconds, 2),
                "hyperparameters": json.dumps(params, sort_keys=True, default=str),
                "reason": r.reason,
                "worker": r.worker,
            }
        )
    return rows


def _short(value: float) -> str:
    """Three decimals (0.953), or three significant digits for tiny or huge values."""
    return f"{value:.3f}" if 0.01 <= abs(value) < 1e4 or value == 0 else f"{value:.3g}"


@dataclass
class TabularSettings:
    """What one table trial trains: the MLP and the optimizer settings that vary
    (``weight_decay`` None: the base training's)."""

    mlp: MLPConfig
    optimizer: str
    learning_rate: float
    batch_size: int
    weight_decay: float | None = None

    def training(self, base: TrainConfig, **overrides: Any) -> TrainConfig:
        """``base`` with this trial's optimizer, learning rate, batch size and weight decay."""
        if self.weight_decay is not None:
            overrides = {"weight_decay": float(self.weight_decay), **overrides}
        return replace(
            base,
            optimizer=self.optimizer,
            learning_rate=float(self.learning_rate),
            batch_size=int(self.batch_size),
            **overrides,
        )


class TabularSpace:
    """MLP depth and width, dropout, L2, batch normalization, numeric embedding, efficient
    ensemble members, optimizer, learning rate, weight decay, batch size.

    Subclass and override :meth:`before_trial` to alter a trial's settings (tests use it to
    force a failing trial).

    A new search's first trial is the defaults below (``defaults_first``): two layers of 64,
    a little dropout and L2, the numeric embedding and ensemble members Auto picks for the
    table (``MLPConfig.resolved``), and the base training's optimizer, learning rate, weight
    decay and batch size where the space holds them (Adam at 1e-3; at Auto batch size the
    trainer's choice for the rows, snapped to the sizes tried; batches of 32 otherwise),
    so the search starts from what the Train button would train; the oracle picks the rest.
    Depth 0 is a linear model (softmax or linear regression on the preprocessed columns, no
    hidden layer; width, dropout and L2 then do not apply), which small or nearly linear
    tables often prefer; cross-validation tells.

    The numeric embeddings (none, piecewise-linear encoding on quantile bins, periodic PLR;
    Gorishniy et al. 2022, "On Embeddings for Numerical Features in Tabular Deep Learning")
    are tried only on a table with numeric columns; the efficient-ensemble members (TabM,
    Gorishniy et al. 2024) are 1 (a plain MLP), 4 or 8; weight decay (decoupled, Loshchilov &
    Hutter 2019) is one of :data:`WEIGHT_DECAYS`, ordered on a log scale with 0 first.

    Args:
        rows: the rows a trial trains on (the training split, or a fold's training part);
            0 = unknown. The batch sizes tried are those that give an epoch at least
            :data:`MIN_STEPS_PER_EPOCH` steps (:func:`batch_sizes_for`), so tiny tables get
            enough optimizer steps per trial.
        numeric: the table's numeric feature columns (0: no embedding is tried).
        base: the training the search starts from (its optimizer, learning rate, weight
            decay and batch size are the first trial's where the space holds them).
    """

    kind = "tabular"
    defaults_first = True
    OPTIMIZERS = ("adam", "rmsprop", "sgd", "adamax")
    BATCH_SIZES = BATCH_SIZES
    NUMERIC_EMBEDDINGS = ("none", "piecewise", "periodic")
    ENSEMBLE_SIZES = (1, 4, 8)
    WEIGHT_DECAYS = WEIGHT_DECAYS

    def __init__(self, rows: int = 0, numeric: int = 0, base: TrainConfig | None = None) -> None:
        self.rows = int(rows)
        self.numeric = int(numeric)
        self.base = base
        self.batch_sizes = batch_sizes_for(self.rows)

    def build(self, hp: Any) -> TabularSettings:
        """Declare (first call) and read the hyperparameters of ``hp``."""
        sizes = getattr(self, "batch_sizes", list(self.BATCH_SIZES))
        base = getattr(self, "base", None) or TrainConfig(batch_size=32)
        auto = MLPConfig().resolved(max(1, getattr(self, "rows", 0)), getattr(self, "numeric", 0))
        depth = hp.Int("depth", 0, 4, default=2)
        units = hp.Int("units", 16, 512, sampling="log", default=64)
        embedding = "none"
        if getattr(self, "numeric", 0) > 0:
            default = auto.numeric_embedding
            embedding = hp.Choice(
                "numeric_embedding",
                list(self.NUMERIC_EMBEDDINGS),
                default=default if default in self.NUMERIC_EMBEDDINGS else "none",
            )
        members = hp.Choice(
            "ensemble_size",
            list(self.ENSEMBLE_SIZES),
            default=_nearest(self.ENSEMBLE_SIZES, auto.ensemble_size),
        )
        mlp = MLPConfig(
            auto=False,
            hidden_units=[int(units)] * int(depth),
            dropout=hp.Float("dropout", 0.0, 0.5, default=0.1),
            l2=hp.Float("l2", 1e-6, 1e-2, sampling="log", default=1e-4),
            batch_norm=hp.Boolean("batch_norm", default=False),
            numeric_embedding=embedding,
            ensemble_size=int(members),
        )
        optimizer = base.optimizer if base.optimizer in self.OPTIMIZERS else "adam"
        rate = min(1e-2, max(1e-4, float(base.learning_rate)))
        batch = _default_batch(base.batch_size, sizes, getattr(self, "rows", 0))
        return TabularSettings(
            mlp=mlp,
            optimizer=hp.Choice("optimizer", list(self.OPTIMIZERS), default=optimizer),
            learning_rate=hp.Float("learning_rate", 1e-4, 1e-2, sampling="log", default=rate),
            batch_size=hp.Choice("batch_size", sizes, default=batch),
            weight_decay=hp.Choice(
                "weight_decay",
                list(self.WEIGHT_DECAYS),
                default=_nearest_decay(self.WEIGHT_DECAYS, base.weight_decay),
            ),
        )

    def before_trial(self, trial_id: str, settings: TabularSettings) -> TabularSettings:
        """Hook called with each trial's settings just before it trains; returns them."""
        return settings


def _default_batch(batch: int, sizes: list[int], rows: int) -> int:
    """The first trial's batch size: the base training's when the space holds it; at Auto
    (0) the trainer's own choice for ``rows`` (a larger batch on a large table: its epochs
    cost a fraction of batches of 32 on two cores), snapped to ``sizes``; else 32."""
    if batch in sizes:
        return batch
    if batch <= 0 and rows > 0:
        from automl_gui.core.train.trainer import auto_batch_size

        return _nearest(tuple(sizes), auto_batch_size(rows))
    return 32 if 32 in sizes else sizes[-1]


def _nearest(values: tuple[int, ...], value: int) -> int:
    """The entry of ``values`` closest to ``value``."""
    return min(values, key=lambda v: (abs(v - value), v))


def _nearest_decay(values: tuple[float, ...], value: float) -> float:
    """The weight decay of ``values`` closest to ``value`` on a log scale (0 for 0)."""
    if value <= 0:
        return 0.0
    positive = [v for v in values if v > 0]
    return min(positive, key=lambda v: abs(math.log(v / value)))


def batch_sizes_for(rows: int) -> list[int]:
    """The batch sizes a table search tries on ``rows`` training rows: those of
    :data:`BATCH_SIZES` that give an epoch at least :data:`MIN_STEPS_PER_EPOCH` steps; when
    fewer than two do, the two largest of all sizes (small ones included) that do, or the
    smallest two. ``rows`` 0 (unknown): all of :data:`BATCH_SIZES`."""
    if rows <= 0:
        return list(BATCH_SIZES)
    enough = [b for b in (*SMALL_BATCH_SIZES, *BATCH_SIZES) if rows / b >= MIN_STEPS_PER_EPOCH]
    standard = [b for b in enough if b in BATCH_SIZES]
    if len(standard) >= 2:
        return standard
    if len(enough) >= 2:
        return enough[-2:]
    return list(SMALL_BATCH_SIZES)

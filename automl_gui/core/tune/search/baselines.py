"""scikit-learn baselines on the same split as the neural network, so a user sees whether
the network earns its place.

Three baselines per task, all on the exact rows of a
:class:`~automl_gui.core.preprocess.tabular.PreparedData` (train to fit, validation and test
to score):

- classification: logistic regression (L2, C=1), a random forest classifier and
  ``HistGradientBoostingClassifier``;
- regression: linear regression with a ridge penalty chosen on the training rows
  (``RidgeCV``, leave-one-out over 13 alphas from 1e-3 to 1e3), a random forest regressor and
  ``HistGradientBoostingRegressor``.

Gradient boosting is untuned (scikit-learn's defaults, a fixed ``random_state``): the
strongest model a user fits in one line (histogram gradient boosting after LightGBM, Ke et
al. 2017, "LightGBM: A Highly Efficient Gradient Boosting Decision Tree"), so it is the bar
the network has to clear on larger tables.

Features come from a ``ColumnTransformer`` built from the preprocessing settings' column
roles and fitted on the training rows only (``_baseline_features``): for the linear model and
the forest, numeric columns are filled with the median and standardized, categorical columns
filled with the most frequent value and one-hot encoded (categories unseen in training are
ignored); gradient boosting gets the numeric values as they are (it routes missing values
itself) and the categories as codes for its native category support (``categorical_features``;
a missing value is a category of its own). Excluded columns are not used. Values are
converted exactly as the network sees them (``canonical_strings`` / ``numeric_values``).

The forest and gradient boosting grow in chunks (trees, boosting iterations) with a look at
the cancel token between two chunks, and stop adding chunks after ``ENSEMBLE_SECONDS``.

Scores come from :func:`~automl_gui.core.evaluate.metrics.evaluate_classification` /
:func:`~automl_gui.core.evaluate.metrics.evaluate_regression`, the same functions that score
the network, so the numbers are comparable. The headline metric is accuracy for
classification and R² for regression (:func:`headline_metric`). On small tables (see
:func:`~automl_gui.core.tune.search.cv.should_cross_validate`) each baseline is also
cross-validated on the pooled train + validation rows, like the search's trials.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import CancelToken, EventCallback, Log, Progress, emit
from automl_gui.core.data.schema import Task
from automl_gui.core.preprocess.config import PreprocessConfig
from automl_gui.core.preprocess.tabular import PreparedData
from automl_gui.core.train.balance import weights_classes
from automl_gui.core.tune.search._baseline_features import (
    as_model_frame,
    column_roles,
    one_hot_transformer,
    ordinal_transformer,
)

FOREST_TREES = 200  # a forest's quality has flattened by here on most tables
FOREST_CHUNK = 25  # trees grown between two looks at the cancel token and the clock
FOREST_MAX_SAMPLES = 20_000  # rows each tree sees at most: bounds the time on big tables
FOREST_JOBS = 2  # this app targets laptops and small servers: two cores, not all of them
BOOSTING_NAME = "hist gradient boosting"
BOOSTING_ITERS = 100  # sklearn's default max_iter: boosting untuned, as a user fits it
BOOSTING_CHUNK = 20  # boosting iterations between two looks at the cancel token and the clock
#: OpenMP threads of gradient boosting: one. On a busy two-core machine (load 10) two threads
#: spin-wait: 9-10 s for wine (178 rows) and 22-41 s for mpls_stops (43,699 rows) against
#: 0.35 s and 3.3-4 s with one, and the threads' summing order changed the early-stopped
#: model between two identical runs (62 vs 60 iterations); one thread gives the same model
BOOSTING_THREADS = 1
ENSEMBLE_SECONDS = 30.0  # no further chunk of trees once a forest or boosting grew this long
DENSE_MAX_VALUES = 50_000_000  # trees fit ~2× faster on dense input: up to 200 MB of float32
LOGISTIC_MAX_ITER = 1000


@dataclass
class BaselineResult:
    """One baseline's scores on the shared split (JSON-able through :meth:`to_dict`).

    Args:
        name: what was trained, e.g. "logistic regression".
        metric_name: the headline metric, "accuracy" or "r2".
        validation_score: that metric on the validation rows.
        test_score: that metric on the test rows.
        seconds: fitting and scoring time (cross-validation included).
        details: every test metric of the report (accuracy, F1, ROC AUC… or mse, rmse, mae, r2).
        settings: what was fitted, for the leaderboard (C; the chosen alpha; trees grown and
            rows per tree).
        cv_mean / cv_std / cv_scores: k-fold scores on train + validation for small tables,
            else None / None / [].
    """

    name: str
    metric_name: str
    validation_score: float | None
    test_score: float | None
    seconds: float
    details: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    cv_mean: float | None = None
    cv_std: float | None = None
    cv_scores: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BaselineResult:
        return cls(**data)


def headline_metric(task: Task | str) -> str:
    """The one number the app leads with: "accuracy" for classification, "r2" for regression."""
    return "accuracy" if Task(task).is_classification else "r2"


def best_baseline(results: list[BaselineResult]) -> BaselineResult | None:
    """The baseline with the highest validation score (the test score is not peeked at)."""
    scored = [r for r in results if r.validation_score is not None]
    return max(scored, key=lambda r: r.validation_score) if scored else None


# -- the estimators ---------------------------------------------------------------------------
@dataclass
class _Baseline:
    """One baseline to fit: its estimator, its features ("one-hot" or "ordinal") and, for an
    ensemble grown in chunks, the parameter that counts its members, how many and how many at
    a time (a look at the cancel token and the clock between two chunks)."""

    name: str
    estimator: Any
    features: str = "one-hot"
    grow: str | None = None
    total: int = 0
    chunk: int = 0
    seconds: float = 0.0


def _estimators(task: Task, seed: int, n_train: int, balanced: bool = False) -> list[_Baseline]:
    """The baselines for ``task``; ``balanced`` weights classes as the network's training
    does (sklearn's "balanced" is the same n / (k · count)), so all are judged alike."""
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.linear_model import LogisticRegression, RidgeCV

    max_samples = FOREST_MAX_SAMPLES if n_train > FOREST_MAX_SAMPLES else None
    forest_args = {
        "n_estimators": FOREST_CHUNK,
        "warm_start": True,
        "n_jobs": FOREST_JOBS,
        "random_state": seed,
        "max_samples": max_samples,
    }
    # sklearn's defaults (100 iterations at most, early stopping on 10 % of the rows above
    # 10,000 rows): the untuned model a user fits in one line
    boosting_args = {"warm_start": True, "random_state": seed, "max_iter": BOOSTING_CHUNK}
    grow_forest = {"grow": "n_estimators", "total": FOREST_TREES, "chunk": FOREST_CHUNK}
    grow_boosting = {"grow": "max_iter", "total": BOOSTING_ITERS, "chunk": BOOSTING_CHUNK}
    seconds = {"seconds": ENSEMBLE_SECONDS}
    if task.is_classification:
        weight = {"class_weight": "balanced"} if balanced else {}
        linear = LogisticRegression(max_iter=LOGISTIC_MAX_ITER, **weight)
        forest = RandomForestClassifier(**forest_args, **weight)
        boosting = HistGradientBoostingClassifier(**boosting_args, **weight)
        linear_name = "logistic regression"
    else:
        linear = RidgeCV(alphas=np.logspace(-3, 3, 13))
        forest = RandomForestRegressor(**forest_args)
        boosting = HistGradientBoostingRegressor(**boosting_args)
        linear_name = "linear regression (ridge)"
    return [
        _Baseline(linear_name, linear),
        _Baseline("random forest", forest, **grow_forest, **seconds),
        _Baseline(BOOSTING_NAME, boosting, "ordinal", **grow_boosting, **seconds),
    ]


def _is_forest(estimator: Any) -> bool:
    return hasattr(estimator, "n_estimators")


def _for_estimator(estimator: Any, x: Any) -> Any:
    """Dense float32 for a forest when it fits in memory (sparse input fits ~2× slower)."""
    if _is_forest(estimator) and hasattr(x, "toarray"):
        if x.shape[0] * x.shape[1] <= DENSE_MAX_VALUES:
            return x.toarray().astype(np.float32, copy=False)
    return x


def _fit(baseline: _Baseline, estimator: Any, x: Any, y: np.ndarray, cancel: CancelToken) -> Any:
    """Fit; an ensemble (forest, boosting) grows in chunks with a look at ``cancel`` between
    them, and stops adding chunks after ``baseline.seconds`` (a big table then gets fewer
    trees) or once boosting's early stopping ended it (fewer iterations than asked)."""
    x = _for_estimator(estimator, x)
    if baseline.grow is None:
        cancel.raise_if_cancelled()
        return estimator.fit(x, y)
    grown = 0
    start = time.perf_counter()
    while grown < baseline.total:
        cancel.raise_if_cancelled()
        if grown and time.perf_counter() - start > baseline.seconds:
            break
        grown = min(baseline.total, grown + baseline.chunk)
        estimator.set_params(**{baseline.grow: grown})
        with warnings.catch_warnings():
            # every chunk of trees fits the same rows, the case the warning exempts
            warnings.filterwarnings("ignore", message=".*not recommended for warm_start")
            estimator.fit(x, y)
        if getattr(estimator, "n_iter_", grown) < grown:  # boosting stopped early
            break
    return estimator


def _settings(estimator: Any) -> dict[str, Any]:
    """The fitted model's settings worth showing next to its score."""
    if _is_forest(estimator):
        settings = {
            "n_estimators": len(estimator.estimators_),
            "max_samples": estimator.max_samples,
            "max_features": estimator.max_features,
        }
    elif hasattr(estimator, "n_iter_no_change"):  # gradient boosting
        settings = {
            "iterations": int(estimator.n_iter_),
            "early_stopping": bool(estimator.do_early_stopping_),
            "learning_rate": float(estimator.learning_rate),
        }
    elif hasattr(estimator, "alpha_"):
        settings = {"alpha": float(estimator.alpha_)}
    else:
        settings = {"C": float(estimator.C)} if hasattr(estimator, "C") else {}
    if getattr(estimator, "class_weight", None) == "balanced":
        settings["class_weight"] = "balanced"
    return settings


def _predict(estimator: Any, x: Any, task: Task, n_classes: int) -> np.ndarray:
    """Probabilities over all ``n_classes`` (classes absent from training get 0), or values."""
    x = _for_estimator(estimator, x)
    if not task.is_classification:
        return np.asarray(estimator.predict(x), dtype="float64")
    proba = np.zeros((x.shape[0], n_classes), dtype="float64")
    proba[:, np.asarray(estimator.classes_, dtype=int)] = estimator.predict_proba(x)
    return proba


def _report(
    y: np.ndarray, outputs: np.ndarray, task: Task, class_names: list[str] | None
) -> dict[str, Any]:
    from automl_gui.core.evaluate.metrics import evaluate_classification, evaluate_regression

    if task.is_classification:
        return evaluate_classification(y, outputs, class_names or [])
    return evaluate_regression(y, outputs)


def _score(report: dict[str, Any], metric: str) -> float | None:
    value = report["metrics"].get(metric)
    return None if value is None or not math.isfinite(value) else float(value)


def _fit_and_score(
    baseline: _Baseline,
    numeric: list[str],
    categorical: list[str],
    train: pd.DataFrame,
    y_train: np.ndarray,
    scored: list[tuple[pd.DataFrame, np.ndarray]],
    task: Task,
    class_names: list[str] | None,
    cancel: CancelToken,
) -> tuple[Any, list[dict[str, Any]]]:
    """Fit the features and ``estimator`` on ``train``: the fitted model and a report for
    each (frame, y) scored."""
    from sklearn.base import clone

    estimator = clone(baseline.estimator)
    if baseline.features == "ordinal":  # native categories: the last len(categorical) columns
        transformer = ordinal_transformer(numeric, categorical)
        mask = [False] * len(numeric) + [True] * len(categorical)
        estimator.set_params(categorical_features=mask if categorical else None)
    else:
        transformer = one_hot_transformer(numeric, categorical)
    from threadpoolctl import threadpool_limits

    threads = BOOSTING_THREADS if baseline.features == "ordinal" else None
    with threadpool_limits(limits=threads, user_api="openmp"):
        x_train = transformer.fit_transform(train)
        model = _fit(baseline, estimator, x_train, y_train, cancel)
        n_classes = len(class_names or [])
        return model, [
            _report(
                y,
                _predict(model, transformer.transform(frame), task, n_classes),
                task,
                class_names,
            )
            for frame, y in scored
        ]


def run_baselines(
    prepared: PreparedData,
    task: Task | str,
    seed: int = 0,
    *,
    preprocess: PreprocessConfig | None = None,
    cancel: CancelToken | None = None,
    on_event: EventCallback | None = None,
    cross_validation: bool | None = None,
    folds: int = 0,
    class_weights: str = "none",
) -> list[BaselineResult]:
    """Fit and score the scikit-learn baselines on ``prepared``'s split.

    Args:
        prepared: the split the network uses (:func:`~automl_gui.core.preprocess.tabular.prepare_data`).
        task: "binary", "multiclass" or "regression".
        seed: random state of the forest and gradient boosting (and of the folds).
        preprocess: the settings whose column roles (numeric / categorical / excluded) pick
            the features; None infers numeric vs categorical from the frames' dtypes.
        cancel: checked between models, folds and chunks of trees or boosting iterations.
        on_event: receives ``Progress("baselines", …)`` and a ``Log`` line per baseline.
        cross_validation: force k-fold on (True) or off (False); None decides by the number
            of rows (:func:`~automl_gui.core.tune.search.cv.should_cross_validate`).
        folds: the number of folds; 0 picks it from the rows (the search's trials use the
            same folds: same rows, same seed).
        class_weights: the network's class-weights setting ("auto", "none", "balanced");
            when it weights the classes, the baselines do too (``class_weight="balanced"``),
            or the leaderboard would set weighted trials against unweighted baselines.

    Returns:
        One :class:`BaselineResult` per baseline, linear model first.

    Raises:
        DataError: no usable feature column.
        CancelledError: cancelled.
    """
    from automl_gui.core.tune.search.cv import (
        cross_validate,
        default_folds,
        kfold_indices,
        pool_splits,
        should_cross_validate,
    )

    cancel = cancel or CancelToken()
    task = Task(task)
    metric = headline_metric(task)
    numeric, categorical = column_roles(prepared.train, preprocess)
    if not numeric and not categorical:
        raise DataError(
            "There are no feature columns to train the baselines on.",
            "Include at least one numeric or categorical column besides the target.",
        )
    frames = [
        as_model_frame(f, numeric, categorical)
        for f in (prepared.train, prepared.validation, prepared.test)
    ]
    train, validation, test = frames
    class_names = list(prepared.class_names) if prepared.class_names else None
    pooled_x = pooled_y = None
    k, folds = folds, None
    n_pool = len(train) + len(validation)
    if cross_validation if cross_validation is not None else should_cross_validate(n_pool):
        pooled_x, pooled_y = pool_splits(replace(prepared, train=train, validation=validation))
        folds = kfold_indices(pooled_y, k or default_folds(n_pool), task, seed)

    balanced = weights_classes(class_weights, task.value, prepared.y_train)
    estimators = _estimators(task, seed, len(train), balanced)
    results: list[BaselineResult] = []
    for i, baseline in enumerate(estimators):
        name = baseline.name
        cancel.raise_if_cancelled()
        emit(on_event, Progress("baselines", i / len(estimators), f"Training the {name}…"))
        start = time.perf_counter()
        model, (val_report, test_report) = _fit_and_score(
            baseline,
            numeric,
            categorical,
            train,
            prepared.y_train,
            [(validation, prepared.y_validation), (test, prepared.y_test)],
            task,
            class_names,
            cancel,
        )
        result = BaselineResult(
            name=name,
            metric_name=metric,
            validation_score=_score(val_report, metric),
            test_score=_score(test_report, metric),
            seconds=0.0,
            details=dict(test_report["metrics"]),
            settings=_settings(model),
        )
        if folds is not None:

            def fit_score(tr: np.ndarray, va: np.ndarray, baseline: Any = baseline) -> float:
                _, (report,) = _fit_and_score(
                    baseline,
                    numeric,
                    categorical,
                    pooled_x.iloc[tr].reset_index(drop=True),
                    pooled_y[tr],
                    [(pooled_x.iloc[va].reset_index(drop=True), pooled_y[va])],
                    task,
                    class_names,
                    cancel,
                )
                score = _score(report, metric)
                return math.nan if score is None else score

            mean, std, scores = cross_validate(
                fit_score, pooled_y, task, folds=folds, cancel=cancel
            )
            result.cv_mean = None if math.isnan(mean) else mean
            result.cv_std = None if math.isnan(std) else std
            result.cv_scores = scores
        result.seconds = time.perf_counter() - start
        results.append(result)
        emit(on_event, Log(_describe(result)))
    emit(on_event, Progress("baselines", 1.0, "Baselines done."))
    return results


def _describe(result: BaselineResult) -> str:
    def fmt(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    cv = ""
    if result.cv_mean is not None:
        cv = f", {len(result.cv_scores)}-fold {fmt(result.cv_mean)} ± {fmt(result.cv_std)}"
    return (
        f"Baseline {result.name}: {result.metric_name} {fmt(result.validation_score)} on "
        f"validation, {fmt(result.test_score)} on test{cv} ({result.seconds:.1f} s)."
    )


__all__ = ["BaselineResult", "best_baseline", "headline_metric", "run_baselines"]

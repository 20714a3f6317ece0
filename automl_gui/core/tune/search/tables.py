"""The table side of the AutoML search (``jobs.search`` for a table): the data is prepared and
split once for all trials, each trial trains an MLP from the table space through the run's
build/fit code (``_trials``), and the scikit-learn baselines join the leaderboard.

On small tables (``SearchConfig.cross_validation``, ``cv``) each trial is scored by k-fold
cross-validation on the train and validation rows pooled (its value is the folds' mean, with
their spread), and the chosen configuration is then trained on the training split
(``_cv_trials``), so the kept model, its evaluation and its export are those of a normal run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from automl_gui.core.base.errors import (
    CancelledError,
    describe,
)
from automl_gui.core.base.events import (
    CancelToken,
    EventCallback,
    Log,
    emit,
)
from automl_gui.core.preprocess.config import PreprocessConfig
from automl_gui.core.tune.search._trials import TabularTrials
from automl_gui.core.tune.search.saved import (
    LEADERBOARD_FILE,
    TRAIN_ON_PHASE,
)
from automl_gui.core.tune.search.space import TabularSpace, TrialRecord

__all__ = ["LEADERBOARD_FILE", "TRAIN_ON_PHASE", "TableSearch"]


class TableSearch:
    """A table's trials (:class:`TabularTrials`) on data prepared once, and its baselines."""

    hint = "Check the data for extreme values, or give the search more time."

    @staticmethod
    def declared_task(request: Any) -> str | None:
        """The task the search settings are checked for (the table's)."""
        return request.preprocess.task

    def __init__(
        self,
        request: Any,
        *,
        folder: Path,
        records: list[TrialRecord],
        deadline: float,
        end: float,
        on_event: EventCallback | None,
        cancel: CancelToken,
    ) -> None:
        from automl_gui.core.preprocess.tabular import prepare_data
        from automl_gui.core.train.balance import announce_class_weights
        from automl_gui.core.tune.search.cv import plan_folds

        self.request, self.on_event, self.cancel = request, on_event, cancel
        preprocess, search, training = request.preprocess, request.search, request.training
        self.prepared = prepared = prepare_data(request.dataset, preprocess, on_event=on_event)
        for notice in prepared.notices:
            emit(on_event, Log(notice, "warning"))
        announce_class_weights(training.class_weights, preprocess.task, prepared.y_train, on_event)
        cancel.raise_if_cancelled()
        self.cv_plan = cv_plan = plan_folds(
            prepared, preprocess.task, search.cross_validation, search.folds, training.seed
        )
        if cv_plan is not None:
            emit(
                on_event,
                Log(
                    f"{len(cv_plan.y)} rows to learn from: each trial is scored by "
                    f"{cv_plan.k}-fold cross-validation on the training and validation rows "
                    "(mean ± std); the chosen configuration is then trained on the training "
                    "split."
                ),
            )
        self.runner = TabularTrials(
            prepared=prepared,
            preprocess=preprocess,
            search=search,
            training=training,
            space=request.space
            or TabularSpace(
                rows=_trial_rows(prepared, cv_plan),
                numeric=sum(c.type == "numeric" for c in preprocess.feature_columns()),
                base=training,
            ),
            plan=request.plan,
            on_event=on_event,
            cancel=cancel,
            folder=folder,
            records=records,
            cv_plan=cv_plan,
            deadline=deadline,
            end=end,
        )

    def extra_rows(self) -> list[TrialRecord]:
        """The baselines' leaderboard rows (none when turned off or after a Stop)."""
        if not self.request.baselines or self.cancel.cancelled:
            return []
        cv_plan = self.cv_plan
        return _baseline_records(
            self.prepared,
            self.request.preprocess,
            self.request.training.seed,
            self.on_event,
            self.cancel,
            folds=cv_plan.k if cv_plan is not None else 0,
            class_weights=self.request.training.class_weights,
        )

    def metadata(self) -> dict[str, Any]:
        """What the run's ``metadata["search"]`` says of k-fold scoring, the refit and the
        average of the best trials (``_ensemble``: its members and figures, whether it was
        kept, or why none was tried)."""
        cv_plan = self.cv_plan
        return {
            "cross_validation": (
                {"folds": cv_plan.k, "rows": len(cv_plan.y)} if cv_plan is not None else None
            ),
            "refit": self.runner.refit,
            "average": self.runner.average,
        }


def _baseline_records(
    prepared: Any,
    preprocess: PreprocessConfig,
    seed: int,
    on_event: EventCallback | None,
    cancel: CancelToken,
    *,
    folds: int | None = None,
    class_weights: str = "none",
) -> list[TrialRecord]:
    """Leaderboard rows of the scikit-learn baselines (``core.tune.baselines``), if present.

    ``folds``: cross-validate them on that many folds (the trials' folds: same rows, same
    seed), 0 not at all, None as the number of rows decides. A cross-validated row's value is
    its k-fold mean; its single validation split's score goes in ``reason``.
    """
    try:
        from automl_gui.core.tune.search.baselines import run_baselines
    except ImportError:  # the baselines module is optional: the search stands without it
        return []
    try:
        results = run_baselines(
            prepared,
            preprocess.task,
            seed,
            preprocess=preprocess,
            cancel=cancel,
            on_event=on_event,
            cross_validation=None if folds is None else folds > 0,
            folds=folds or 0,
            class_weights=class_weights,
        )
    except CancelledError:  # Stop during the baselines: the search's model is kept
        return []
    except Exception as exc:  # noqa: BLE001 - a baseline failing must not lose the search
        message, _ = describe(exc)
        emit(on_event, Log(f"The baselines could not be trained: {message}", "warning"))
        return []
    rows = []
    for res in results:
        record = TrialRecord(
            trial_id=f"baseline:{res.name}",
            hyperparameters={"model": res.name, **(getattr(res, "settings", None) or {})},
            metric_name=res.metric_name,
            value=res.validation_score,
            seconds=float(res.seconds),
            status="baseline",
            test_score=res.test_score,
            score_name=res.metric_name,
            score=res.validation_score,
        )
        if getattr(res, "cv_mean", None) is not None:
            one = "n/a" if res.validation_score is None else f"{res.validation_score:.4g}"
            record.value, record.cv_mean, record.cv_std = res.cv_mean, res.cv_mean, res.cv_std
            record.score, record.score_std = res.cv_mean, res.cv_std
            record.cv_folds, record.cv_scores = len(res.cv_scores), list(res.cv_scores)
            record.reason = f"{res.metric_name} {one} on the validation split"
        rows.append(record)
    return rows


def _trial_rows(prepared: Any, cv_plan: Any) -> int:
    """The rows one trial trains on: a fold's training part with k-fold, else the training
    split (the table space picks its batch sizes from it)."""
    if cv_plan is None:
        return len(prepared.train)
    return min(len(train) for train, _ in cv_plan.folds)

"""The kept model of a search against its scikit-learn baselines, in one line: what the
command line prints after the leaderboard and the window logs when a search ends.

TensorFlow-free (records are ``TrialRecord``-like: ``status``, ``trial_id``, ``metric_name``,
``test_score``), so either front end can import it at any time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any


def compare_line(records: Sequence[Any], report: Mapping[str, Any]) -> str:
    """``Test accuracy: search 0.864 · logistic regression 0.909 · random forest 0.909``:
    the kept model against the baselines on the same test rows ("" without baselines)."""
    baselines = [r for r in records if r.status == "baseline" and r.test_score is not None]
    if not baselines:
        return ""
    metric = baselines[0].metric_name
    ours = report.get("metrics", {}).get(metric)
    parts = [f"search {ours:.3f}" if ours is not None else "search —"]
    parts += [f"{r.trial_id.removeprefix('baseline:')} {r.test_score:.3f}" for r in baselines]
    return f"Test {metric}: " + " · ".join(parts)


def baseline_verdict(records: Sequence[Any], report: Mapping[str, Any]) -> str:
    """``The random forest baseline scored higher (0.773 vs 0.716 test accuracy): the network
    may need more time or data.`` when the best baseline beats the kept model on the shared
    test figure (accuracy, R²: higher is better); "" when the kept model is as good or there
    is nothing to compare."""
    baselines = [r for r in records if r.status == "baseline" and _number(r.test_score) is not None]
    if not baselines:
        return ""
    top = max(baselines, key=lambda r: float(r.test_score))
    metric = top.metric_name
    ours = _number(report.get("metrics", {}).get(metric))
    if ours is None or float(top.test_score) <= ours:
        return ""
    name = top.trial_id.removeprefix("baseline:")
    word = {"r2": "R²"}.get(metric, metric)
    return (
        f"The {name} baseline scored higher ({float(top.test_score):.3f} vs {ours:.3f} test "
        f"{word}): the network may need more time or data."
    )


def kept_row(best: Any, run: Any, test_score: float | None = None) -> Any:
    """The leaderboard row of the model the search kept (``run``: its ``SearchRun``, or a
    kept run's record with ``history`` and ``summary``), so the row, the banner and the
    status describe one model.

    When the search trained the kept trial on (``metadata["search"]["trained_on"]``, or a
    saved run with more epochs than its trial), the row is that longer model: its epochs,
    objective, time, curves and validation figure, with a reason saying "trial 0000 reached
    val_loss 0.5081 in 2 epochs, then 7 more epochs to 0.4874"; otherwise the trial's row as
    it was. ``test_score``: the kept model's test figure (the baselines' metric)."""
    from dataclasses import replace

    from automl_gui.core.tune.search._scores import history_score

    if best.status == "average":  # the average of the best trials: its row as it is
        return replace(best, test_score=test_score)
    history, best_epoch, epochs, more_seconds, score = _kept_figures(run)
    more = epochs - int(best.epochs)
    values = history.get(best.metric_name) or []
    value = _number(values[best_epoch]) if 0 <= best_epoch < len(values) else None
    if best.cross_validated or more <= 0 or value is None:
        return replace(best, test_score=test_score)
    if score is None and best.score_name == "accuracy":
        score = history_score(history, best_epoch)
    reason = (
        f"Trial {best.trial_id} reached {best.metric_name} {best.value_text()} in "
        f"{best.epochs} epochs; the search then trained its model {more} more epochs to "
        f"{value:.4g}. This row is that model: the one Evaluate and Export use."
    )
    return replace(
        best,
        value=value,
        epochs=epochs,
        seconds=best.seconds + (more_seconds or 0.0),
        history={k: list(v) for k, v in history.items()},
        test_score=test_score,
        score=score,
        score_std=None,
        reason=reason,
    )


def kept_words(row: Any, best: Any, *, short: bool = False) -> str:
    """The kept model in words: ``trial 0000 (val_loss 0.5081)``, or ``trial 0000 + 7 more
    epochs (val_loss 0.4874)`` when the search trained it on (``row``: :func:`kept_row`'s);
    ``short``: ``trial 0000 + 7 epochs`` (a progress bar's room). The average of the best
    trials reads ``the average of trials 0003, 0007, 0001 (val_loss 0.29)`` (``short``:
    ``average of 3 trials``)."""
    if best.status == "average":  # _ensemble's row: "average of trials 0003, 0007, 0001"
        model = str(best.hyperparameters.get("model", "average of the best trials"))
        words = f"the {model}" if not short else f"average of {model.count(',') + 1} trials"
        if row.value is not None and not short:
            words += f" ({row.metric_name} {row.value_text()})"
        return words
    words = f"trial {best.trial_id}"
    more = int(row.epochs) - int(best.epochs)
    if more > 0 and not best.cross_validated:
        words += f" + {more}{'' if short else ' more'} epoch{'s' if more != 1 else ''}"
    if row.value is not None and not short:
        words += f" ({row.metric_name} {row.value_text()})"
    return words


def _kept_figures(run: Any) -> tuple[dict[str, list[float]], int, int, float | None, Any]:
    """History, best epoch, epochs, the seconds spent training on and (when measured) the
    validation figure of a kept ``SearchRun`` or of a saved run's record."""
    history = dict(getattr(run, "history", None) or {})
    result = getattr(run, "result", None)
    if result is not None:
        best_epoch, epochs = result.best_epoch, result.epochs_run
    else:
        summary = dict(getattr(run, "summary", None) or {})
        best_epoch = summary.get("best_epoch", -1)
        epochs = summary.get("epochs_run") or max((len(v) for v in history.values()), default=0)
    search = (getattr(run, "metadata", None) or {}).get("search") or {}
    more = search.get("trained_on") or {}
    best_epoch = best_epoch if isinstance(best_epoch, int) else -1
    return (
        history,
        best_epoch,
        int(epochs or 0),
        _number(more.get("seconds")),
        _number(more.get("score")),
    )


def _number(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None

"""The average of a table search's best trials: one Keras model whose answer is the mean of
the best few trained models' answers, kept only when it beats the best trial alone on the
validation rows.

Averaging the predictions of several good models of a search is the simplest form of
ensemble selection (Caruana et al. 2004, "Ensemble Selection from Libraries of Models",
ICML; the ensembles of Auto-sklearn and AutoGluon build on it): the members' errors partly
cancel, so the mean is usually at least as good as its best member on log loss or squared
error, but a much worse member can pull it down. Here the candidates are the best
``SearchConfig.average_best`` trials, one per configuration (Hyperband trains a
configuration again in later rounds: only its best model counts); as in Caruana's forward
selection, starting from the best trial each next one joins the average only when the
average with it scores better on the validation rows, and the members are weighted equally.

Design notes:

- Every trial of a single-split search fits its preprocessing on the same training rows with
  the same settings, so the members' input stages (fill values, category vocabularies, text
  vectorizers) are the same. The averaged model is the best trial's own graph (its input
  stage stays at the top, as the export's encoded graph needs it: ``export._serving``), with
  each other member's network from its encoded inputs on (the tensors the export starts
  from) as a nested model called on the best trial's encoded inputs, and
  ``keras.layers.Average`` over the members' outputs (probabilities, or values already in
  the target's scale). Built-in layers only: it saves, reloads in safe mode with plain Keras
  and exports like any table model.
- Before it is kept, the built model's answers for the first validation rows must equal the
  mean of the members' answers (it would not if the members' input stages differed).
- The figure compared is the search's objective computed the same way for both from their
  validation answers (log loss, accuracy, or the standardized squared or absolute error),
  without the weight penalties Keras adds to a trial's ``val_loss``.
- k-fold searches (small tables) train only the chosen configuration on the training split,
  so there is no set of trained models on one split to average: they keep the best alone.
- The time it takes (the members' validation answers are kept from their trials; the best
  one's again, as it may have trained on) counts in the search's budget: with too little
  left the best trial is kept alone.

Private to :mod:`automl_gui.core.tune.search`.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import replace
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ModelError, describe
from automl_gui.core.base.events import Log, emit
from automl_gui.core.tune.search._scores import headline, outputs_score, validation_outputs
from automl_gui.core.tune.search.space import TrialRecord

AVERAGE_ID = "average"
#: validation rows the built model answers to check it against the mean of its members
CHECK_ROWS = 256
SECONDS_PER_MEMBER = 1.0  # building one member's part of the model, before it is measured
EPSILON = 1e-7  # Keras' clipping of probabilities in its cross-entropy


class Pool:
    """The best trained table models of a search so far, one per configuration (the
    hyperparameters without Keras Tuner's ``tuner/`` keys), at most ``size`` of them."""

    def __init__(self, size: int, direction: str) -> None:
        self.size, self.direction = int(size), direction
        self.entries: dict[str, dict[str, Any]] = {}
        self.seconds: list[float] = []  # how long a member's validation answers took

    def offer(self, record: TrialRecord, entry: dict[str, Any]) -> None:
        """Keep ``entry`` (``record``, ``pre``, ``built``, ``outputs``) when it is among the
        best ``size`` configurations, replacing an earlier model of its configuration."""
        if self.size < 2 or not record.scored:
            return
        key = configuration(record)
        old = self.entries.get(key)
        if old is not None and not self._better(record, old["record"]):
            return
        self.entries[key] = {**entry, "record": record}
        ranked = sorted(self.entries.items(), key=lambda item: self._rank(item[1]["record"]))
        self.entries = dict(ranked[: self.size])

    def members(self, best: TrialRecord, kept: dict[str, Any]) -> list[dict[str, Any]]:
        """The kept model (the best trial's, maybe trained on) and the best other
        configurations, at most ``size`` in all."""
        key = configuration(best)
        others = sorted(
            (e for k, e in self.entries.items() if k != key),
            key=lambda e: self._rank(e["record"]),
        )
        return [{**kept, "record": best}, *others][: self.size]

    def _rank(self, record: TrialRecord) -> float:
        value = float(record.value) if record.value is not None else math.inf
        return -value if self.direction == "max" else value

    def _better(self, a: TrialRecord, b: TrialRecord) -> bool:
        return self._rank(a) < self._rank(b)


def configuration(record: TrialRecord) -> str:
    """A trial's configuration as a key (Hyperband's ``tuner/`` bookkeeping left out)."""
    values = {k: v for k, v in record.hyperparameters.items() if not k.startswith("tuner/")}
    return json.dumps(values, sort_keys=True, default=str)


def average_best(runner: Any, best: TrialRecord, kept: dict[str, Any]) -> dict[str, Any]:
    """``kept`` (the best trial's model), or the average of the best trials when it scores
    better on the validation rows; the average's leaderboard row is added either way, and
    ``runner.average`` says what was compared (or why nothing was)."""
    cfg = runner.search
    if cfg.average_best < 2 or runner.cancel.cancelled:
        return kept
    members = runner.pool.members(best, kept)
    why = _why_not(runner, members)
    if why:
        runner.average = {"skipped": why}
        emit(runner.on_event, Log(f"The best trials were not averaged: {why}."))
        return kept
    return _average(runner, best, kept, members)


def _why_not(runner: Any, members: list[dict[str, Any]]) -> str:
    """Why the best trials cannot be averaged ("" when they can)."""
    if runner.cv_plan is not None:
        return (
            "trials were scored by k-fold cross-validation, and only the chosen configuration "
            "is trained on the training split: there are no other models to average"
        )
    if runner.search.objective == "loss":
        return "the objective is the training loss, which no validation row gives"
    if len(members) < 2 and getattr(runner, "role", None) is not None:
        return "the trials were trained on the search workers; the chief keeps the best one"
    if len(members) < 2:
        return "only one configuration was trained"
    need = average_seconds(runner, len(members))
    left = runner.end - time.monotonic()
    if left < need:
        return f"{max(0.0, left):.0f} s of the budget were left, {need:.0f} needed"
    return ""


def average_seconds(runner: Any, members: int | None = None) -> float:
    """The time the average of ``members`` models (default: the pool's) takes to score and
    build: what the kept trial's training on leaves of the budget (0 when none is tried)."""
    cfg = runner.search
    if members is None:
        if cfg.average_best < 2 or runner.cv_plan is not None or cfg.objective == "loss":
            return 0.0
        members = min(cfg.average_best, len(runner.pool.entries))
        if members < 2:
            return 0.0
    seconds = runner.pool.seconds[-10:]
    return members * SECONDS_PER_MEMBER + 2 * (sum(seconds) / max(1, len(seconds)))


def _average(
    runner: Any, best: TrialRecord, kept: dict[str, Any], candidates: list[dict[str, Any]]
) -> dict[str, Any]:
    cfg, data, task = runner.search, runner.prepared, runner.preprocess.task
    start = time.monotonic()
    # the kept model may have trained on since its trial: its answers are asked again
    candidates[0]["outputs"] = validation_outputs(data, kept["pre"], kept["built"].serving_model)
    outputs = [np.asarray(m["outputs"], dtype="float64") for m in candidates]
    scale = kept["built"].target_scale

    def figure(chosen: list[int]) -> float | None:
        mean = np.mean([outputs[i] for i in chosen], axis=0)
        return objective_value(cfg.objective, data.y_validation, mean, scale, data.class_names)

    alone = figure([0])
    chosen, value = forward_selection(len(candidates), figure, cfg.direction)
    better = len(chosen) > 1 and alone is not None
    if not better:  # the row shows the best two's average, which did not help
        chosen = [0, 1]
        value = figure(chosen)
    members = [candidates[i] for i in chosen]
    mean = np.mean([outputs[i] for i in chosen], axis=0)
    ids = [m["record"].trial_id for m in members]
    record = TrialRecord(
        AVERAGE_ID,
        {"model": f"average of trials {', '.join(ids)}"},
        cfg.objective,
        value=value,
        epochs=int(kept["result"].epochs_run),
        status="average",
        score_name=headline(task),
        score=outputs_score(data, mean, task),
    )
    alone_score = outputs_score(data, outputs[0], task)
    figures = f"{cfg.objective} {_text(value)} against {_text(alone)} for trial {best.trial_id}"
    model = None
    if better:
        try:
            model = average_model(members)
            check_average(data, kept["pre"], model, mean)
        except Exception as exc:  # noqa: BLE001 - the best trial alone is still a good model
            message, _ = describe(exc)
            model, better = None, False
            figures += f"; it could not be built ({message})"
    verdict = "Kept" if better else "Not kept"
    record.reason = (
        f"{verdict}: the mean of the answers of trials {', '.join(ids)} scores {figures} alone "
        "on the validation rows."
    )
    if cfg.objective == "val_loss":  # the trials' rows add Keras' weight penalties to the loss
        record.reason += (
            " Both losses leave out the weight penalty that training adds, so the trial's figure "
            "here can be a little lower than on its row."
        )
    record.seconds = time.monotonic() - start
    runner.average = {
        "members": ids,
        "objective": cfg.objective,
        "value": value,
        "best_value": alone,
        "score_name": record.score_name,
        "score": record.score,
        "best_score": alone_score,
        "kept": better,
        "seconds": round(record.seconds, 3),
    }
    runner._put(record)
    # a Log, not a TrialEnded: it is no trial; the leaderboard shows it when the search ends
    emit(runner.on_event, Log(f"Average of trials {', '.join(ids)}: {record.reason}"))
    if model is None:
        return kept
    runner.kept_record = record
    return {**kept, "built": replace(kept["built"], serving_model=model), "record": record}


def describe_average(metadata: dict[str, Any], average: dict[str, Any]) -> None:
    """Say in a kept average's run metadata what its model is (the model card's
    Architecture line); the network settings recorded are its best member's."""
    members = list(average.get("members") or [])
    if members:
        metadata["architecture"] = (
            f"the average of {len(members)} networks of the search (trials "
            f"{', '.join(members)}; the settings below are trial {members[0]}'s)"
        )


def forward_selection(n: int, figure: Any, direction: str) -> tuple[list[int], float | None]:
    """Caruana's forward selection over candidates ``0..n-1`` ranked best first: start from
    candidate 0; each next one joins when ``figure(members)`` (the objective of their mean
    answer) gets better. Returns the members and their figure."""
    chosen, value = [0], figure([0])
    for i in range(1, n):
        tried = figure([*chosen, i])
        if tried is not None and (value is None or _better(tried, value, direction)):
            chosen, value = [*chosen, i], tried
    return chosen, value


def _better(a: float, b: float, direction: str) -> bool:
    return a > b if direction == "max" else a < b


def _text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def objective_value(
    objective: str,
    y: Any,
    outputs: np.ndarray,
    scale: tuple[float, float] | None,
    class_names: Any,
) -> float | None:
    """The search's objective on the validation rows from a model's answers ``outputs``:
    ``val_loss`` is the cross-entropy of the probabilities (clipped as Keras does), or the
    squared error of the standardized values (``scale``: the target's mean and standard
    deviation, as the trials learn it); ``val_accuracy`` and ``val_mae`` as Keras measures
    them. None when the objective does not apply or is not finite."""
    y = np.asarray(y)
    if len(y) == 0:
        return None
    if class_names:
        probs = np.asarray(outputs, dtype="float64").reshape(len(y), -1)
        if objective == "val_accuracy":
            value = float(np.mean(np.argmax(probs, axis=1) == y.astype(int)))
        elif objective == "val_loss":
            probs = probs / np.maximum(probs.sum(axis=1, keepdims=True), EPSILON)
            picked = np.clip(probs[np.arange(len(y)), y.astype(int)], EPSILON, 1.0 - EPSILON)
            value = float(-np.mean(np.log(picked)))
        else:
            return None
    else:
        mean, std = scale if scale is not None else (0.0, 1.0)
        error = (np.asarray(outputs, dtype="float64").reshape(-1) - y.astype("float64")) / std
        if objective == "val_loss":
            value = float(np.mean(error**2))
        elif objective == "val_mae":
            value = float(np.mean(np.abs(error)))
        else:
            return None
    return value if math.isfinite(value) else None


def average_model(members: list[dict[str, Any]]) -> Any:
    """One Keras model answering the mean of ``members``' answers (each a dict with
    ``pre``, ``built`` and ``record``): the first member's graph, the others' networks from
    their encoded inputs on called on its encoded inputs, ``keras.layers.Average`` on top.

    Raises:
        ModelError: a member's inputs are not encoded as the first member's are.
    """
    from automl_gui.core.base import lazy
    from automl_gui.core.export._serving import _encoded_parts

    keras = lazy.keras()
    first = members[0]["built"].serving_model
    base = _encoded_parts(first, members[0]["pre"].schema)
    outputs = [first.outputs[0]]
    for member in members[1:]:
        model = member["built"].serving_model
        parts = _encoded_parts(model, member["pre"].schema)
        if [(n, d, w) for n, _, d, w in parts] != [(n, d, w) for n, _, d, w in base]:
            raise ModelError(
                f"Trial {member['record'].trial_id}'s inputs are encoded differently.",
                "Keep the best trial alone.",
            )
        head = keras.Model(
            [t for _, t, _, _ in parts],
            model.outputs[0],
            name=f"trial_{member['record'].trial_id}",
        )
        outputs.append(head([t for _, t, _, _ in base]))
    mean = keras.layers.Average(dtype="float32", name="average_of_trials")(outputs)
    return keras.Model(first.input, mean, name="tabular_average")


def check_average(data: Any, pre: Any, model: Any, mean: np.ndarray) -> None:
    """Raise ModelError unless ``model`` answers the first validation rows as ``mean`` (the
    members' mean answers) says."""
    from automl_gui.core.preprocess.tabular import frame_to_inputs, to_tensors

    rows = data.validation.iloc[:CHECK_ROWS]
    inputs = to_tensors(frame_to_inputs(rows, pre.schema))
    got = np.asarray(model(inputs, training=False), dtype="float64").reshape(len(rows), -1)
    want = mean[: len(rows)].reshape(len(rows), -1)
    if not np.allclose(got, want, rtol=1e-4, atol=1e-5):
        raise ModelError(
            "the averaged model does not answer as the mean of its members "
            f"(largest difference {float(np.max(np.abs(got - want))):.3g})",
            "Keep the best trial alone.",
        )

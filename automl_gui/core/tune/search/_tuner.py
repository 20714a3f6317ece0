"""What every search's trials share, whatever the data: Keras Tuner's side (the oracle, the
tuner whose trials we train), the budget and trial limits, the leaderboard file and each
trial's weights file.

A kind's trial runner subclasses :class:`Trials` and supplies ``run_trial(trial)`` (train one
trial, record and score it) and ``final_run(best, tuner)`` (the model the search keeps).
Private to :mod:`automl_gui.core.tune.search`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.errors import (
    AutoMLError,
    CancelledError,
    ConfigError,
    ModelError,
    describe,
)
from automl_gui.core.base.events import Log, TrialEnded, TrialStarted, emit
from automl_gui.core.base.files import atomic_write
from automl_gui.core.cluster.search_role import SearchRole
from automl_gui.core.tune._quiet import quiet_tensorflow
from automl_gui.core.tune.search._chief import serve
from automl_gui.core.tune.search._shared import tuner_environment, write_record
from automl_gui.core.tune.search._worker import WorkerLink
from automl_gui.core.tune.search.saved import LEADERBOARD_FILE, PROJECT, write_json
from automl_gui.core.tune.search.space import SearchConfig, TrialRecord


class _SearchOver(Exception):  # noqa: N818 - control flow, never escapes this module
    """Raised before a new trial when the budget, the trials or a Stop end the search."""


def check_tensorboard() -> None:
    """Keras Tuner needs tensorboard: without it every trial fails with a swallowed error."""
    if importlib.util.find_spec("tensorboard") is None:
        raise ConfigError(
            "The AutoML search needs the 'tensorboard' package, which is not installed.",
            "Install it (pip install tensorboard) and start the search again.",
        )


class Trials:
    """Runs a search's trials for Keras Tuner and keeps the leaderboard and the best model.

    Attributes are given by keyword: ``search`` (SearchConfig), ``training`` (base
    TrainConfig), ``space``, ``plan``, ``on_event``, ``cancel``, ``folder``, ``records`` (the
    leaderboard rows kept from before a resume), ``deadline`` (when trials end, before the
    share kept for training the best on) and ``end`` (the budget's end), plus what the
    kind's runner needs.
    """

    #: how a configuration chosen by k-fold was trained at the end (tables; None otherwise)
    refit: dict[str, Any] | None = None
    #: the average of the best trials: what was compared, or why none was tried (tables)
    average: dict[str, Any] | None = None
    #: the leaderboard row of the model kept when it is not the best trial's (the average)
    kept_record: TrialRecord | None = None

    def __init__(self, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)
        self.best: dict[str, Any] | None = None  # the best trial's model, when trained here
        self.trained_on: dict[str, Any] | None = None  # the kept model trained further

    #: this process's part in a search across processes (``core.cluster.search_role``);
    #: None on one machine
    role: SearchRole | None = None

    @property
    def is_worker(self) -> bool:
        """Whether this process runs trials for another's oracle (it keeps no leaderboard)."""
        return self.role is not None and not self.role.is_chief

    # Keras Tuner side
    def run(self, *, resume: bool) -> Any:
        """Run the trials (one machine), serve the oracle (the chief, ``_chief``) or ask it
        for trials (a worker, ``_worker``); return the tuner."""
        link = None
        if self.is_worker:
            link = WorkerLink(self, self.role)
            link.connect()  # the chief has set the folder up once it answers
        try:
            with tuner_environment(self.role):
                tuner = self._tuner(resume=resume and not self.is_worker)
                if link is not None:
                    link.attach(tuner)
                    link.search(tuner, _SearchOver)
                elif self.role is not None:
                    tuner.save()  # the oracle's state, for --resume
                    serve(self, tuner, self.role, _SearchOver)
                else:
                    try:
                        tuner.search(verbose=0)
                    except _SearchOver:
                        pass
        finally:
            if link is not None:
                link.close()
        return tuner

    def _tuner(self, *, resume: bool) -> Any:
        """Keras Tuner's oracle and the tuner whose trials this runner trains."""
        import keras_tuner as kt

        runner = self
        space = self.space

        class _HyperModel(kt.HyperModel):
            def build(self, hp: Any) -> Any:
                return space.build(hp)

        class _SearchTuner(kt.Tuner):
            def pre_create_trial(self) -> None:
                runner.check_go_on()

            def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> dict[str, float]:
                return runner.run_trial(trial)

        cfg = self.search
        objective = kt.Objective(cfg.objective, direction=cfg.direction)
        # the budget and trials are counted here (across resumes); 9999 keeps the trial ids
        # four digits ("0000"), as Hyperband's are
        many = 9999
        common = {"objective": objective, "seed": cfg.seed, "max_consecutive_failed_trials": many}
        if cfg.algorithm == "hyperband":
            oracle = kt.oracles.HyperbandOracle(
                max_epochs=cfg.max_epochs, factor=3, hyperband_iterations=None, **common
            )
            # Keras Tuner fixes the shortest round at 1 epoch; brackets start from ours (the
            # attributes it recomputes from min_epochs, as its constructor does)
            oracle.min_epochs = self.shortest_round()
            oracle._current_bracket = oracle._get_num_brackets() - 1
            oracle._brackets = []
            oracle._start_new_bracket()
        elif cfg.algorithm == "bayesian":
            oracle = kt.oracles.BayesianOptimizationOracle(max_trials=many, **common)
        else:
            oracle = kt.oracles.RandomSearchOracle(max_trials=many, **common)
        if getattr(space, "defaults_first", False):
            _defaults_first(oracle)
        with contextlib.redirect_stdout(io.StringIO()):  # "Reloading Tuner from ..."
            tuner = _SearchTuner(
                oracle=oracle,
                hypermodel=_HyperModel(),
                directory=str(self.folder),
                project_name=PROJECT,
                # a worker never clears the shared project: the chief owns it
                overwrite=not resume and not self.is_worker,
            )
        verb = "Continuing" if self.records else "Starting"
        budget = f"{cfg.time_budget:g} s" if cfg.time_budget else "no time limit"
        trials = f"{cfg.max_trials} trials" if cfg.max_trials else "no trial limit"
        if not self.is_worker:
            emit(self.on_event, Log(f"{verb} a {cfg.algorithm} search ({budget}, {trials})."))
        return tuner

    def run_trial(self, trial: Any) -> dict[str, float]:
        raise NotImplementedError

    def final_run(self, best: TrialRecord, tuner: Any) -> Any:
        raise NotImplementedError

    def shortest_round(self) -> int:
        """Hyperband's shortest round in epochs (the config's unless a runner knows better)."""
        return self.search.shortest_round

    def seconds_needed(self) -> float:
        """The least time left for a new trial to start."""
        return 0.5

    def check_go_on(self, started: int | None = None) -> None:
        """End the search (before a new trial) on Stop, at the budget or the trial limit
        (``started``: the trials every worker began, counted by the chief; else the ended
        ones here). A worker ends only on its own Stop: the chief counts the rest."""
        done = sum(r.status != "running" for r in self.records) if started is None else started
        if self.cancel.cancelled:
            raise _SearchOver("cancelled")
        if self.is_worker:
            # Keras Tuner asks again at once when the oracle answers IDLE (Hyperband waits
            # for a round's other trials): ask at most twice a second then
            now = time.monotonic()
            if now - getattr(self, "_asked", -math.inf) < 0.5:
                time.sleep(0.5)
            self._asked = time.monotonic()
            return
        if time.monotonic() >= self.trials_deadline() - self.seconds_needed():
            if not self.records:  # setting up took the budget: one short trial still runs,
                emit(  # or the search would end with nothing and call every trial failed
                    self.on_event,
                    Log("The time budget went on setting up; one short trial runs anyway."),
                )
                return
            emit(self.on_event, Log("Search time budget reached: no new trial starts."))
            raise _SearchOver("time budget")
        if self.search.max_trials and done >= self.search.max_trials:
            raise _SearchOver("trials")

    def trials_deadline(self) -> float:
        """When trials must end: before the time kept for training the best on, unless the
        best so far does not need it (it converged, or ran the most epochs): then before
        what the end needs (:meth:`kept_seconds`)."""
        best = self.best
        if best is None or best.get("cv") or self.is_worker:  # a k-fold choice is trained
            return self.deadline  # afresh at the end; a worker has the chief's limit
        if not wants_more(best["record"], best["result"], self.search):
            return self.end - self.kept_seconds()
        return self.deadline

    def kept_seconds(self) -> float:
        """Seconds the end of the search needs after the trials and the training on (tables:
        the average of the best trials); none unless a runner says otherwise."""
        return 0.0

    def search_best(self, *, resume: bool, hint: str) -> tuple[Any, TrialRecord]:
        """Run the trials; return the tuner and the best trial (ModelError when every trial
        failed, with ``hint``; CancelledError when stopped before any finished)."""
        with quiet_tensorflow():
            tuner = self.run(resume=resume)
        best = self.best_record()
        if best is None:
            self.cancel.raise_if_cancelled()
            failed = [r for r in self.records if r.status == "failed"]
            why = f" The first failure: {failed[0].reason}" if failed else ""
            raise ModelError(f"Every trial of the search failed ({len(failed)} tried).{why}", hint)
        return tuner, best

    # one trial
    def begin(self, trial: Any) -> tuple[dict[str, Any], TrialRecord, float]:
        """Put the trial's row on the leaderboard and say it started: (its hyperparameter
        values, its row, its start time)."""
        values = dict(trial.hyperparameters.values)
        record = TrialRecord(trial.trial_id, values, self.search.objective)
        record.worker = self.role.tuner_id if self.is_worker else ""
        self._put(record)
        emit(self.on_event, TrialStarted(trial.trial_id, values))
        emit(self.on_event, Log(f"Trial {trial.trial_id}: {describe_values(values)}"))
        return values, record, time.monotonic()

    @contextlib.contextmanager
    def failures(self, record: TrialRecord, start: float) -> Iterator[None]:
        """A Stop ends the trial "stopped" (and the search); any other error fails the trial
        with its reason (``FailedTrialError``), and the search goes on."""
        import keras_tuner as kt

        try:
            yield
        except CancelledError:
            self._end(record, "stopped", start, reason="Stopped by the user.")
            raise
        except Exception as exc:  # noqa: BLE001 - a failing trial must not end the search
            message, hint = describe(exc)
            if not isinstance(exc, AutoMLError):
                message = f"{type(exc).__name__}: {message}"
            self._end(record, "failed", start, reason=f"{message} {hint}".strip())
            raise kt.errors.FailedTrialError(record.reason) from exc

    def _score(
        self,
        record: TrialRecord,
        history: dict[str, list[float]],
        result: Any,
        start: float,
        missing: str = "",
    ) -> None:
        """Record a trained trial's curves, epochs and best value; a NaN loss or no finite
        objective fails it (``FailedTrialError``; ``missing`` adds why the value may lack)."""
        import keras_tuner as kt

        record.history = {
            k: [float(v) if isinstance(v, (int, float, np.floating)) else v for v in vs]
            for k, vs in history.items()
        }
        record.epochs = int(result.epochs_run)
        record.value = best_value(history, self.search.objective, self.search.direction)
        if result.stopped_reason == "nan" or record.value is None:
            why = (
                "the loss became NaN or infinite"
                if result.stopped_reason == "nan"
                else f"no finite {self.search.objective}{missing}"
            )
            self._end(record, "failed", start, reason=f"Failed: {why}.")
            raise kt.errors.FailedTrialError(record.reason)

    def _end_trained(self, record: TrialRecord, result: Any, start: float) -> None:
        """End a scored trial: "stopped" when Stop or the budget cut it, else "completed"."""
        stopped = {"cancelled": "Stopped by the user.", "time_budget": "Time budget reached."}
        if result.stopped_reason in stopped:
            self._end(record, "stopped", start, reason=stopped[result.stopped_reason])
        else:
            self._end(record, "completed", start)

    # the leaderboard
    def _put(self, record: TrialRecord) -> None:
        self.records = [r for r in self.records if r.trial_id != record.trial_id] + [record]
        self._saved(record)

    def _end(self, record: TrialRecord, status: str, start: float, reason: str = "") -> None:
        record.status, record.reason = status, reason
        record.seconds = time.monotonic() - start
        self._saved(record)
        level = "warning" if status == "failed" else "info"
        tail = f": {reason}" if reason else ""
        emit(
            self.on_event,
            Log(f"Trial {record.trial_id} {status}, {value_text(record)}{tail}", level),
        )
        emit(self.on_event, TrialEnded(record))

    def save_board(self) -> None:
        write_json(self.folder / LEADERBOARD_FILE, [r.to_dict() for r in self.records])

    def _saved(self, record: TrialRecord) -> None:
        """Keep a trial's changed row: in the leaderboard, or (a worker) in the row file the
        chief merges into its leaderboard."""
        if self.is_worker:
            write_record(self.folder, record)
        else:
            self.save_board()

    def _better(self, a: TrialRecord, b: TrialRecord | None) -> bool:
        if not a.scored:
            return False
        if b is None:
            return True
        return a.value > b.value if self.search.direction == "max" else a.value < b.value

    def best_record(self) -> TrialRecord | None:
        best = None
        for record in self.records:
            if self._better(record, best):
                best = record
        return best

    # weights of each trial: Hyperband continues from them; the best becomes the model
    def _weights_path(self, trial_id: str) -> Path:
        return self.folder / "weights" / f"{trial_id}.npz"

    def _save_arrays(self, trial_id: str, *arrays: np.ndarray, **named: np.ndarray) -> None:
        """Write a trial's weights (``np.savez``) atomically: a kill mid-write leaves the
        previous file or none, never a truncated one that a resume would load."""
        path = self._weights_path(trial_id)
        path.parent.mkdir(parents=True, exist_ok=True)

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as handle:  # a file object: savez adds no ".npz" to it
                np.savez(handle, *arrays, **named)

        atomic_write(path, write)


def _defaults_first(oracle: Any) -> None:
    """The first trial of a new search tries the space's defaults (a configuration known to
    do well on most tables) before the oracle's random picks; its later ones are the oracle's.
    """
    pick = oracle._random_values  # the one place all three oracles draw new values

    def defaults_then_random() -> dict[str, Any] | None:
        if not oracle.trials:
            values = dict(oracle.hyperparameters.values)
            if values and not oracle._duplicate(values):
                return values
        return pick()

    oracle._random_values = defaults_then_random


def value_text(record: TrialRecord) -> str:
    """``val_loss 0.312`` — a trial's value as the log says it."""
    if record.value is None:
        return "no value"
    return f"{record.metric_name} {record.value_text()}"


def epochs_reached(record: TrialRecord) -> int:
    """Epochs the configuration has trained (Hyperband continues trials across rounds)."""
    return int(record.hyperparameters.get("tuner/initial_epoch", 0)) + record.epochs


def wants_more(record: TrialRecord, result: Any, cfg: SearchConfig) -> bool:
    """Whether a trial ended before converging: at its round's epoch limit or the time limit
    (not by early stopping), below ``max_epochs``."""
    cut = result.stopped_reason in ("completed", "time_budget")
    return cut and epochs_reached(record) < cfg.max_epochs


def best_value(history: dict[str, list[float]], objective: str, direction: str) -> float | None:
    """The best finite value of ``objective`` in a training's history (None: none)."""
    values = [v for v in history.get(objective, []) if v is not None and math.isfinite(v)]
    if not values:
        return None
    return float(max(values) if direction == "max" else min(values))


def describe_values(values: dict[str, Any]) -> str:
    """A trial's hyperparameters for the log (Keras Tuner's own ``tuner/`` keys as epochs)."""
    shown = []
    for key, value in values.items():
        if key.startswith("tuner/"):
            continue
        shown.append(f"{key}={value:.3g}" if isinstance(value, float) else f"{key}={value}")
    if "tuner/epochs" in values:
        shown.append(f"epochs {values.get('tuner/initial_epoch', 0)}→{values['tuner/epochs']}")
    return ", ".join(shown)

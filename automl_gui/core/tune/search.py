"""A time-budgeted AutoML search for tables on Keras Tuner's algorithms, trained by our Trainer.

Keras Tuner's oracles (Hyperband, Bayesian optimization, random search) choose the
hyperparameters; :class:`_SearchTuner` runs each trial through the same build/fit code as a
normal run (``core.pipeline``), so trials get the Trainer's Stop, NaN, out-of-memory and time
budget handling and its live events. The data is prepared and split once for all trials.

State lives in a directory: Keras Tuner's project (``tuner/``), each trial's weights
(``weights/<trial>.npz``: Hyperband continues a trial from them, and the best one becomes the
final model) and the leaderboard (``leaderboard.json``). ``resume=True`` continues a search
whose process ended (a crash, a closed window): finished trials are kept, the interrupted
one is run again.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import logging
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.errors import (
    AutoMLError,
    CancelledError,
    ConfigError,
    ModelError,
    describe,
)
from automl_gui.core.events import (
    CancelToken,
    EventCallback,
    Log,
    PhaseChanged,
    Progress,
    TrialEnded,
    TrialStarted,
    emit,
)
from automl_gui.core.pipeline import TabularRun
from automl_gui.core.preprocess.config import PreprocessConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.tune.space import SearchConfig, TabularSpace, TrialRecord

LEADERBOARD_FILE = "leaderboard.json"
CONFIG_FILE = "search.json"
PROJECT = "tuner"
TRAIN_ON_PHASE = "train on"  # PhaseChanged before the kept model trains on after the trials


@dataclass
class SearchRun(TabularRun):
    """The model the search kept, as a normal run, plus the leaderboard that chose it."""

    leaderboard: list[TrialRecord] = field(default_factory=list)
    best_trial: TrialRecord | None = None


class _SearchOver(Exception):  # noqa: N818 - control flow, never escapes this module
    """Raised before a new trial when the budget, the trials or a Stop end the search."""


def check_tensorboard() -> None:
    """Keras Tuner needs tensorboard: without it every trial fails with a swallowed error."""
    if importlib.util.find_spec("tensorboard") is None:
        raise ConfigError(
            "The AutoML search needs the 'tensorboard' package, which is not installed.",
            "Install it (pip install tensorboard) and start the search again.",
        )


def search_tabular(
    df: Any,
    preprocess: PreprocessConfig,
    search: SearchConfig,
    training: TrainConfig,
    *,
    plan: Any = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    directory: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    space: TabularSpace | None = None,
    baselines: bool = True,
) -> SearchRun:
    """Search MLPs for a table within ``search``'s budget; return the best as a finished run.

    Args:
        df: the table (never modified).
        preprocess: target, task, columns and split (the split is made once, for all trials).
        search: algorithm, time budget, trials, epochs per trial, objective.
        training: the base training settings (seed, schedule, early stopping, class weights);
            each trial replaces optimizer, learning rate, batch size, epochs and time budget.
        plan: the hardware plan.
        on_event: receives Log/Progress, TrialStarted, the running trial's EpochEnd and
            BatchEnd events, and TrialEnded with its leaderboard row.
        cancel: Stop: the running trial keeps its best epoch and the search ends.
        directory: where the search state lives (None: a temporary folder, removed after).
        resume: continue the search saved in ``directory``.
        overwrite: start afresh in a ``directory`` that holds a search (else ConfigError).
        space: the search space (default :class:`TabularSpace`).
        baselines: also train the scikit-learn baselines on the same split (leaderboard rows
            with status "baseline").

    Raises:
        ConfigError / DataError: settings or data that cannot be searched.
        ModelError: every trial failed. CancelledError: stopped before any trial finished.
    """
    from automl_gui.core.preprocess.tabular import prepare_data

    search.validate(preprocess.task)
    check_tensorboard()
    cancel = cancel or CancelToken()
    started = time.monotonic()
    temporary = directory is None
    if temporary and resume:
        raise ConfigError("There is no search folder to resume.", "Give the search directory.")
    folder = Path(tempfile.mkdtemp(prefix="automl-search-")) if temporary else Path(directory)
    try:
        records = _open_folder(folder, search, resume=resume, overwrite=overwrite)
        prepared = prepare_data(df, preprocess, on_event=on_event)
        for notice in prepared.notices:
            emit(on_event, Log(notice, "warning"))
        cancel.raise_if_cancelled()
        runner = _TabularTrials(
            prepared=prepared,
            preprocess=preprocess,
            search=search,
            training=training,
            space=space or TabularSpace(),
            plan=plan,
            on_event=on_event,
            cancel=cancel,
            folder=folder,
            records=records,
            deadline=(
                started + search.time_budget * (1.0 - search.final_share)
                if search.time_budget > 0
                else math.inf
            ),
            end=started + search.time_budget if search.time_budget > 0 else math.inf,
        )
        with _quiet_tensorflow():
            tuner = runner.run(resume=resume)
        best = runner.best_record()
        if best is None:
            cancel.raise_if_cancelled()
            failed = [r for r in runner.records if r.status == "failed"]
            why = f" The first failure: {failed[0].reason}" if failed else ""
            raise ModelError(
                f"Every trial of the search failed ({len(failed)} tried).{why}",
                "Check the data for extreme values, or give the search more time.",
            )
        with _quiet_tensorflow():
            run = runner.final_run(best, tuner)
        rows = (
            _baseline_records(prepared, preprocess, training.seed, on_event, cancel)
            if baselines and not cancel.cancelled
            else []
        )
        leaderboard = [*runner.records, *rows]
        run.metadata["search"] = {
            "config": search.to_dict(),
            "leaderboard": [r.to_dict(history=False) for r in leaderboard],
            "best_trial": best.to_dict(history=False),
            "trained_on": runner.trained_on,
            "seconds": round(time.monotonic() - started, 3),
        }
        done = f"Search done: kept trial {best.trial_id} ({_value(best)})"
        more = runner.trained_on
        if more and more["improved"]:
            done += f", trained on {more['epochs']} more epochs to {more['value']:.4g}"
        elif more:
            done += f"; {more['epochs']} more epochs did not improve it: kept as it was"
        emit(on_event, Log(done + "."))
        fields_of_run = {f.name: getattr(run, f.name) for f in fields(TabularRun)}
        return SearchRun(**fields_of_run, leaderboard=leaderboard, best_trial=best)
    finally:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)


def search_tabular_isolated(
    process: Any,
    df: Any,
    preprocess: PreprocessConfig,
    search: SearchConfig,
    training: TrainConfig,
    *,
    plan: Any = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    directory: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
) -> SearchRun:
    """:func:`search_tabular` in an :class:`~automl_gui.core.process.EngineProcess` (the
    window's way: the search never competes with it for the interpreter lock). Same result,
    events and errors; the kept model comes back through a temporary .keras file."""
    from automl_gui.core import pipeline

    kwargs = {"df": df, "preprocess": preprocess, "search": search, "training": training}
    kwargs.update(plan=plan, directory=directory, resume=resume, overwrite=overwrite)
    return pipeline.run_isolated(
        process,
        "automl_gui.core.tune.search:_search_in_child",
        kwargs,
        on_event=on_event,
        cancel=cancel,
    )


def _search_in_child(*, model_path: str, **kwargs: Any) -> SearchRun:
    """Child side of :func:`search_tabular_isolated`: the model travels as a .keras file."""
    run = search_tabular(**kwargs)
    run.model.save(model_path)
    run.model = None
    run.prepared = None  # the split frames stay here: the window needs test_predictions only
    return run


def leaderboard_rows(records: list[TrialRecord]) -> list[dict[str, Any]]:
    """Flat rows for a table or CSV: trial, status, metric, value, epochs, seconds, params."""
    rows = []
    for r in records:
        params = {k: v for k, v in r.hyperparameters.items() if not k.startswith("tuner/")}
        rows.append(
            {
                "trial": r.trial_id,
                "status": r.status,
                "metric": r.metric_name,
                "value": r.value,
                "test_score": r.test_score,
                "epochs": r.epochs,
                "seconds": round(r.seconds, 2),
                "hyperparameters": json.dumps(params, sort_keys=True, default=str),
                "reason": r.reason,
            }
        )
    return rows


# -- the folder ------------------------------------------------------------------------------
def _open_folder(
    folder: Path, search: SearchConfig, *, resume: bool, overwrite: bool
) -> list[TrialRecord]:
    """Check the folder against resume/overwrite; return the kept leaderboard rows."""
    board = folder / LEADERBOARD_FILE
    saved = folder / CONFIG_FILE
    if resume and board.exists():
        try:
            old = json.loads(saved.read_text(encoding="utf-8"))
            rows = json.loads(board.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"The search in {folder} cannot be read ({exc}).", "Start a new search."
            ) from exc
        if old.get("algorithm") != search.algorithm or old.get("objective") != search.objective:
            raise ConfigError(
                f"The search in {folder} used {old.get('algorithm')} on "
                f"{old.get('objective')}; it cannot continue as {search.algorithm} on "
                f"{search.objective}.",
                "Resume with the same algorithm and objective, or start a new search.",
            )
        # the interrupted trial is run again: its row comes back when it ends
        return [TrialRecord.from_dict(r) for r in rows if r.get("status") != "running"]
    if not resume and (board.exists() or (folder / PROJECT).exists()):
        if not overwrite:
            raise ConfigError(
                f"{folder} already holds a search.",
                "Resume it, choose another folder, or allow overwriting it.",
            )
        shutil.rmtree(folder / PROJECT, ignore_errors=True)
        shutil.rmtree(folder / "weights", ignore_errors=True)
        board.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    _write_json(saved, search.to_dict())
    return []


@contextlib.contextmanager
def _quiet_tensorflow() -> Any:
    """Each trial builds a new model: TensorFlow's "retracing" warnings say nothing here."""
    tf_log = logging.getLogger("tensorflow")
    level = tf_log.level
    tf_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        tf_log.setLevel(level)


def _write_json(path: Path, data: Any) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)


def _value(record: TrialRecord) -> str:
    return f"{record.metric_name} {record.value:.4g}" if record.value is not None else "no value"


# -- the trials ------------------------------------------------------------------------------
class _TabularTrials:
    """Trains table trials for Keras Tuner and keeps the leaderboard and the best model."""

    def __init__(self, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)
        self.best: dict[str, Any] | None = None  # the best trial's model, when trained here
        self.trained_on: dict[str, Any] | None = None  # the kept model trained further

    # Keras Tuner side
    def run(self, *, resume: bool) -> Any:
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
            oracle.min_epochs = cfg.shortest_round
            oracle._current_bracket = oracle._get_num_brackets() - 1
            oracle._brackets = []
            oracle._start_new_bracket()
        elif cfg.algorithm == "bayesian":
            oracle = kt.oracles.BayesianOptimizationOracle(max_trials=many, **common)
        else:
            oracle = kt.oracles.RandomSearchOracle(max_trials=many, **common)
        with contextlib.redirect_stdout(io.StringIO()):  # "Reloading Tuner from ..."
            tuner = _SearchTuner(
                oracle=oracle,
                hypermodel=_HyperModel(),
                directory=str(self.folder),
                project_name=PROJECT,
                overwrite=not resume,
            )
        verb = "Continuing" if self.records else "Starting"
        budget = f"{cfg.time_budget:g} s" if cfg.time_budget else "no time limit"
        trials = f"{cfg.max_trials} trials" if cfg.max_trials else "no trial limit"
        emit(self.on_event, Log(f"{verb} a {cfg.algorithm} search ({budget}, {trials})."))
        try:
            tuner.search(verbose=0)
        except _SearchOver:
            pass
        return tuner

    def check_go_on(self) -> None:
        """End the search (before a new trial) on Stop, at the budget or the trial limit."""
        done = sum(r.status != "running" for r in self.records)
        if self.cancel.cancelled:
            raise _SearchOver("cancelled")
        if time.monotonic() >= self.trials_deadline() - 0.5:
            emit(self.on_event, Log("Search time budget reached: no new trial starts."))
            raise _SearchOver("time budget")
        if self.search.max_trials and done >= self.search.max_trials:
            raise _SearchOver("trials")

    def trials_deadline(self) -> float:
        """When trials must end: before the time kept for training the best on, unless the
        best so far does not need it (it converged, or ran the most epochs)."""
        best = self.best
        if best is not None and not _wants_more(best["record"], best["result"], self.search):
            return self.end
        return self.deadline

    def run_trial(self, trial: Any) -> dict[str, float]:
        import keras_tuner as kt

        from automl_gui.core.pipeline import build_tabular, fit_tabular

        values = dict(trial.hyperparameters.values)
        settings = self.space.build(trial.hyperparameters)
        total = int(values.get("tuner/epochs", self.search.max_epochs))
        initial = int(values.get("tuner/initial_epoch", 0))
        left = self.trials_deadline() - time.monotonic()
        training = settings.training(
            self.training,
            epochs=max(1, total - initial),
            time_budget=0.0 if math.isinf(left) else max(0.5, left),
        )
        record = TrialRecord(trial.trial_id, values, self.search.objective)
        self._put(record)
        emit(self.on_event, TrialStarted(trial.trial_id, values))
        emit(self.on_event, Log(f"Trial {trial.trial_id}: {_describe(values)}"))
        start = time.monotonic()
        try:
            settings = self.space.before_trial(trial.trial_id, settings)
            training = settings.training(training)  # the hook may have changed them
            pre, built = build_tabular(
                self.prepared, self.preprocess, settings.mlp, seed=training.seed, plan=self.plan
            )
            previous = values.get("tuner/trial_id")
            if previous and initial > 0:
                self._load_weights(built, previous)
            result = fit_tabular(
                self.prepared,
                pre,
                built,
                training,
                plan=self.plan,
                on_event=self.on_event,
                cancel=self.cancel,
            )
        except CancelledError:
            self._end(record, "stopped", start, reason="Stopped by the user.")
            raise
        except Exception as exc:  # noqa: BLE001 - a failing trial must not end the search
            message, hint = describe(exc)
            if not isinstance(exc, AutoMLError):
                message = f"{type(exc).__name__}: {message}"
            self._end(record, "failed", start, reason=f"{message} {hint}".strip())
            raise kt.errors.FailedTrialError(record.reason) from exc
        record.history = result.history
        record.epochs = result.epochs_run
        record.value = _best_value(result.history, self.search.objective, self.search.direction)
        if result.stopped_reason == "nan" or record.value is None:
            why = (
                "the loss became NaN or infinite"
                if result.stopped_reason == "nan"
                else f"no finite {self.search.objective}"
            )
            self._end(record, "failed", start, reason=f"Failed: {why}.")
            raise kt.errors.FailedTrialError(record.reason)
        self._save_weights(built, trial.trial_id)
        stopped = {"cancelled": "Stopped by the user.", "time_budget": "Time budget reached."}
        if result.stopped_reason in stopped:
            self._end(record, "stopped", start, reason=stopped[result.stopped_reason])
        else:
            self._end(record, "completed", start)
        if self._better(record, self.best["record"] if self.best else None):
            self.best = {
                "record": record,
                "pre": pre,
                "built": built,
                "result": result,
                "mlp": settings.mlp,
                "training": training,
            }
        return {self.search.objective: float(record.value)}

    # the leaderboard
    def _put(self, record: TrialRecord) -> None:
        self.records = [r for r in self.records if r.trial_id != record.trial_id] + [record]
        self._save_board()

    def _end(self, record: TrialRecord, status: str, start: float, reason: str = "") -> None:
        record.status, record.reason = status, reason
        record.seconds = time.monotonic() - start
        self._save_board()
        level = "warning" if status == "failed" else "info"
        tail = f": {reason}" if reason else ""
        emit(self.on_event, Log(f"Trial {record.trial_id} {status}, {_value(record)}{tail}", level))
        emit(self.on_event, TrialEnded(record))

    def _save_board(self) -> None:
        _write_json(self.folder / LEADERBOARD_FILE, [r.to_dict() for r in self.records])

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

    def _save_weights(self, built: Any, trial_id: str) -> None:
        path = self._weights_path(trial_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + ".tmp.npz")
        np.savez(tmp, *built.train_model.get_weights())
        os.replace(tmp, path)

    def _load_weights(self, built: Any, trial_id: str) -> bool:
        path = self._weights_path(trial_id)
        if not path.exists():
            return False
        with np.load(path) as data:
            weights = [data[f"arr_{i}"] for i in range(len(data.files))]
        built.train_model.set_weights(weights)
        return True

    # the model the search keeps
    def _train_on(self, best: TrialRecord, kept: dict[str, Any]) -> None:
        _train_on_impl(self, best, kept)

    def final_run(self, best: TrialRecord, tuner: Any) -> TabularRun:
        """The best trial's model, evaluated on the test split (restored if trained earlier)."""
        from automl_gui.core.pipeline import build_tabular, finish_tabular
        from automl_gui.core.train.trainer import TrainResult

        emit(self.on_event, Progress("evaluate", 0.0, f"Keeping trial {best.trial_id}…"))
        if self.best is not None and self.best["record"] is best:
            kept = self.best
        else:  # trained before a resume: rebuild it and load its weights
            hp = tuner.oracle.get_trial(best.trial_id).hyperparameters
            settings = self.space.build(hp)
            training = settings.training(self.training, epochs=max(1, best.epochs))
            pre, built = build_tabular(
                self.prepared, self.preprocess, settings.mlp, seed=training.seed, plan=self.plan
            )
            if not self._load_weights(built, best.trial_id):
                raise ModelError(
                    f"The weights of trial {best.trial_id} are missing from {self.folder}.",
                    "Start a new search.",
                )
            history = best.history
            losses = history.get("val_loss") or history.get("loss") or []
            finite = [v if math.isfinite(v) else math.inf for v in losses]
            result = TrainResult(
                history=history,
                best_epoch=int(np.argmin(finite)) if finite else -1,
                epochs_run=best.epochs,
                stopped_reason="completed",
                seconds=best.seconds,
                batch_size=training.batch_size,
            )
            kept = {"pre": pre, "built": built, "result": result, "mlp": settings.mlp}
            kept["training"] = training
        self._train_on(best, kept)
        training = replace(kept["training"], time_budget=self.training.time_budget)
        return finish_tabular(
            self.prepared,
            self.preprocess,
            kept["mlp"],
            training,
            kept["pre"],
            kept["built"],
            kept["result"],
            plan=self.plan,
            on_event=self.on_event,
        )


def _train_on_impl(runner: _TabularTrials, best: TrialRecord, kept: dict[str, Any]) -> None:
    """Train the kept configuration on from its weights when its trial ended at a round's
    epoch limit (Hyperband's early rounds are short) or at the trials' time limit, up to ``max_epochs`` with early
    stopping, within what is left of the budget; keep the result only if it is better."""
    from automl_gui.core.pipeline import fit_tabular

    cfg = runner.search
    result = kept["result"]
    left = runner.end - time.monotonic()
    if not _wants_more(best, result, cfg) or left < 1.0 or runner.cancel.cancelled:
        return
    more = cfg.max_epochs - _epochs_reached(best)
    limit = "" if math.isinf(left) else f", at most {left:.0f} s"
    emit(
        runner.on_event,
        Log(f"Training trial {best.trial_id}'s model on: up to {more} more epochs{limit}."),
    )
    emit(runner.on_event, PhaseChanged(TRAIN_ON_PHASE, 0))  # its epochs count from 0 again
    built = kept["built"]
    before = built.train_model.get_weights()
    training = replace(
        kept["training"],
        epochs=more,
        early_stopping=True,
        restore_best=True,
        time_budget=0.0 if math.isinf(left) else left,
    )
    extra = fit_tabular(
        runner.prepared,
        kept["pre"],
        built,
        training,
        plan=runner.plan,
        on_event=runner.on_event,
        cancel=runner.cancel,
    )
    value = _best_value(extra.history, cfg.objective, cfg.direction)
    better = (
        value is not None
        and extra.stopped_reason != "nan"
        and runner._better(replace(best, value=value), best)
    )
    runner.trained_on = {"epochs": extra.epochs_run, "value": value, "improved": better}
    if not better:
        built.train_model.set_weights(before)
        return
    history = {k: [*result.history.get(k, []), *extra.history.get(k, [])] for k in result.history}
    offset = result.epochs_run
    kept["result"] = replace(
        extra,
        history=history,
        best_epoch=offset + extra.best_epoch,
        epochs_run=offset + extra.epochs_run,
        seconds=result.seconds + extra.seconds,
    )
    kept["training"] = replace(kept["training"], epochs=offset + extra.epochs_run)


def _epochs_reached(record: TrialRecord) -> int:
    """Epochs the configuration has trained (Hyperband continues trials across rounds)."""
    return int(record.hyperparameters.get("tuner/initial_epoch", 0)) + record.epochs


def _wants_more(record: TrialRecord, result: Any, cfg: SearchConfig) -> bool:
    """Whether a trial ended before converging: at its round's epoch limit or the time limit
    (not by early stopping), below ``max_epochs``."""
    cut = result.stopped_reason in ("completed", "time_budget")
    return cut and _epochs_reached(record) < cfg.max_epochs


def _best_value(history: dict[str, list[float]], objective: str, direction: str) -> float | None:
    values = [v for v in history.get(objective, []) if v is not None and math.isfinite(v)]
    if not values:
        return None
    return float(max(values) if direction == "max" else min(values))


def _describe(values: dict[str, Any]) -> str:
    shown = []
    for key, value in values.items():
        if key.startswith("tuner/"):
            continue
        shown.append(f"{key}={value:.3g}" if isinstance(value, float) else f"{key}={value}")
    if "tuner/epochs" in values:
        shown.append(f"epochs {values.get('tuner/initial_epoch', 0)}→{values['tuner/epochs']}")
    return ", ".join(shown)


# -- baselines ---------------------------------------------------------------------------------
def _baseline_records(
    prepared: Any,
    preprocess: PreprocessConfig,
    seed: int,
    on_event: EventCallback | None,
    cancel: CancelToken,
) -> list[TrialRecord]:
    """Leaderboard rows of the scikit-learn baselines (``core.tune.baselines``), if present."""
    try:
        from automl_gui.core.tune.baselines import run_baselines
    except ImportError:  # the baselines module is optional: the search stands without it
        return []
    try:
        results = run_baselines(
            prepared, preprocess.task, seed, preprocess=preprocess, cancel=cancel, on_event=on_event
        )
    except CancelledError:  # Stop during the baselines: the search's model is kept
        return []
    except Exception as exc:  # noqa: BLE001 - a baseline failing must not lose the search
        message, _ = describe(exc)
        emit(on_event, Log(f"The baselines could not be trained: {message}", "warning"))
        return []
    rows = []
    for res in results:
        cv = ""
        if getattr(res, "cv_mean", None) is not None:
            cv = f"{len(res.cv_scores)}-fold {res.metric_name} {res.cv_mean:.4g} ± {res.cv_std:.2g}"
        rows.append(
            TrialRecord(
                trial_id=f"baseline:{res.name}",
                hyperparameters={"model": res.name},
                metric_name=res.metric_name,
                value=res.validation_score,
                seconds=float(res.seconds),
                status="baseline",
                reason=cv,
                test_score=res.test_score,
            )
        )
    return rows

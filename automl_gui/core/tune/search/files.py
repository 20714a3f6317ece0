"""The folder side of the AutoML search (``jobs.search`` for a kind whose data is files, such
as images and audio): trials that are whole runs of the files job.

Keras Tuner's oracles choose (the kind's search space: ``files_space.ImageSpace`` / ``AudioSpace``); each trial runs
the same job as a normal training (``core.jobs.files``: split → build → phase 1 → phase 2
→ evaluate on the test split) with the trial's settings, its epochs and what is left of the
time budget, so trials get the Trainer's Stop, NaN, out-of-memory and budget handling and the
live events. The split is the same for every trial (it is seeded). The best trial's run stays
in memory and becomes the kept model; when its round cut it short (Hyperband's early rounds
are short) it trains on from its weights in the time kept for that (``final_share``), and
the longer run is kept if its validation figure is better.

Trials of a from-scratch CNN are judged on rounds of at least a third of ``max_epochs``
(unless ``min_epochs`` is set): its first epochs say little about where it ends, and every
trial pays the files job's own costs (split, build, evaluation). The trial CNN's BatchNorm
statistics follow its batches faster than Keras's default (momentum 0.9, as the audio CNN):
with a few dozen steps per epoch the 0.99 moving averages lag the weights for hundreds of
steps, and a CNN that fits its batches predicted near chance on the validation split.

Hyperband's later rounds continue a configuration from the weights its previous round saved
(``weights/<trial>.npz``: every layer but a backbone's frozen ones, which the pretrained file
restores); a backbone's head trains again for the round's first half. State lives in a folder
as for tables (``tuner/``, ``weights/``, ``leaderboard.json``, ``search.json`` and
``files.json`` naming the data), so a search whose process ended resumes: finished trials are
kept, the interrupted one runs again, and a best trial from before the resume is rebuilt and
its weights loaded (then evaluated, not trained).
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.base.events import CancelToken, EventCallback, Log, Progress, emit
from automl_gui.core.base.files import atomic_write
from automl_gui.core.jobs.files import _Job
from automl_gui.core.tune.search._files_keep import (
    layer_weights,
    load_layers,
    train_files_on,
)
from automl_gui.core.tune.search._scores import history_score
from automl_gui.core.tune.search._tuner import Trials
from automl_gui.core.tune.search.files_space import FilesSettings, cnn_n_train
from automl_gui.core.tune.search.saved import (
    LEADERBOARD_FILE,
    write_json,
)
from automl_gui.core.tune.search.space import TrialRecord

__all__ = ["FilesSearch"]

DATA_FILE = "files.json"
#: stands in for a weights file when a backbone trains from random weights (the files job
#: looks a weights file up for every backbone; the trial's build then ignores this one)
NO_WEIGHTS = "random-weights.txt"


class FilesSearch:
    """A folder's trials (:class:`_FilesTrials`): the kind's media and search space."""

    hint = "Check the data, or give the search more time."

    @staticmethod
    def declared_task(request: Any) -> str | None:
        """The task the search settings are checked for (classes of files)."""
        return "multiclass"

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
        kind, dataset = request.kind, request.dataset
        if request.role is None or request.role.is_chief:  # the chief's to record
            _check_data(folder, kind, dataset, resume=request.resume)
        space = request.space
        if space is None:
            space = kind.search_space(
                dataset,
                request.preprocess,
                request.model,
                allow_scratch_backbones=request.allow_scratch_backbones,
                on_event=on_event,
            )
        self.runner = _FilesTrials(
            kind=kind,
            dataset=dataset,
            search=request.search,
            training=request.training,
            space=space,
            plan=request.plan,
            on_event=on_event,
            cancel=cancel,
            folder=folder,
            records=records,
            deadline=deadline,
            end=end,
            overheads=[],  # seconds each trial spent outside training
        )

    def extra_rows(self) -> list[TrialRecord]:
        return []

    def metadata(self) -> dict[str, Any]:
        return {}


def _check_data(folder: Path, kind: Any, dataset: Any, *, resume: bool) -> None:
    """Record which data the search is on; a resumed search must be on the same data."""
    path = folder / DATA_FILE
    here = {"kind": kind.name, "root": str(dataset.root), "files": len(dataset.items)}
    if resume and path.exists():
        from automl_gui.core.base.json_read import read_json

        try:
            saved = read_json(path)
        except (OSError, ValueError):
            saved = {}
        if saved.get("kind") != kind.name or saved.get("root") != here["root"]:
            raise ConfigError(
                f"The search in {folder} was on {saved.get('kind')} data in "
                f"{saved.get('root')}, not on {here['root']}.",
                "Resume it on the same folder, or start a new search.",
            )
    elif resume and (folder / LEADERBOARD_FILE).exists():
        raise ConfigError(
            f"The search in {folder} is a search on a table, not on {kind.items}.",
            "Start a new search in another folder.",
        )
    write_json(path, here)


# -- one trial: the files job with the trial's network and starting weights ----------------
class _TrialMedia:
    """The kind's media for one trial: the CNN at the trial's width, a backbone from the
    trial's weights file (or random weights), and the layers of a previous round loaded after
    building; everything else is the kind's own media."""

    def __init__(
        self,
        media: Any,
        settings: FilesSettings,
        start_from: Path | None,
        on_event: EventCallback | None,
    ) -> None:
        self._media, self.settings = media, settings
        self.start_from, self.on_event = start_from, on_event

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_media":  # copies and pickles: not the media's
            raise AttributeError(name)
        return getattr(self._media, name)

    def build(self, architecture: str, n_classes: int, model_config: Any, **options: Any) -> Any:
        if architecture == "cnn" and self.settings.cnn_width:
            options["n_train"] = cnn_n_train(self.settings.cnn_width)
        if self._media.backbone(architecture):
            options["weights_file"] = self.settings.weights_file
        built = self._media.build(architecture, n_classes, model_config, **options)
        if self.start_from is not None:
            load_layers(built, self.start_from)
            emit(self.on_event, Log(f"Continuing from the weights in {self.start_from.name}."))
        return built


class _TrialJob(_Job):
    """The files job; with ``restore`` (a trial from before a resume, whose weights the media
    loads) it builds and evaluates without training."""

    restore: TrialRecord | None = None

    def _phase_one(self, backbone: bool, ft_epochs: int) -> Any:
        if self.restore is None:
            return super()._phase_one(backbone, ft_epochs)
        from automl_gui.core.train.result import TrainResult

        record = self.restore
        losses = record.history.get("val_loss") or record.history.get("loss") or []
        finite = [v if v is not None and math.isfinite(v) else math.inf for v in losses]
        self.phases.append(("train", 0))
        return TrainResult(
            history={k: list(v) for k, v in record.history.items()},
            best_epoch=int(np.argmin(finite)) if finite else -1,
            epochs_run=record.epochs,
            stopped_reason="completed",
            seconds=record.seconds,
            batch_size=self.batch,
        )


class _FilesTrials(Trials):
    """Trains image/audio trials for Keras Tuner (every kind's tuner, leaderboard and budget
    handling; the trial and the kept model are the files job's)."""

    def shortest_round(self) -> int:
        """Hyperband's shortest round: at least a third of max epochs unless ``min_epochs``
        is set (module docstring)."""
        cfg = self.search
        return cfg.min_epochs or max(cfg.shortest_round, cfg.max_epochs // 3)

    def overhead(self) -> float:
        """Seconds a trial spends outside training (split, build, evaluation), as measured
        on the last trials (0 before any)."""
        spent = self.overheads[-3:]
        return sum(spent) / len(spent) if spent else 0.0

    def trials_deadline(self) -> float:
        """When trials' training must end: the table rule's time (the budget's end, or
        before the share kept for training the best on while it wants more epochs) less the
        time a trial spends outside training, so that the last trial ends near it."""
        return super().trials_deadline() - self.overhead()

    def run_trial(self, trial: Any) -> dict[str, float]:
        values = dict(trial.hyperparameters.values)
        settings = self.space.build(trial.hyperparameters)
        total = int(values.get("tuner/epochs", self.search.max_epochs))
        initial = int(values.get("tuner/initial_epoch", 0))
        previous = values.get("tuner/trial_id") if initial > 0 else None
        left = self.trials_deadline() - time.monotonic()
        _, record, start = self.begin(trial)
        with self.failures(record, start):
            settings = self.space.before_trial(trial.trial_id, settings)
            budget = 0.0 if math.isinf(left) else max(0.5, left)
            run, built = self._train(settings, max(1, total - initial), budget, previous)
        result = run.result
        self.overheads.append(time.monotonic() - start - result.seconds)
        self._score(record, run.history, result, start, " (is there a validation split?)")
        record.score_name = "accuracy"  # files are classified: the one shared figure
        record.score = history_score(run.history, result.best_epoch)
        self._save_layers(built, trial.trial_id)
        self._end_trained(record, result, start)
        if self._better(record, self.best["record"] if self.best else None):
            self.best = {"record": record, "run": run, "result": result}
        return {self.search.objective: float(record.value)}

    def _train(
        self,
        settings: FilesSettings,
        epochs: int,
        budget: float,
        start_from: str | None,
        restore: TrialRecord | None = None,
    ) -> tuple[Any, Any]:
        """One run of the files job with ``settings``: (the run, its built model)."""
        head, fine_tune = settings.split_epochs(epochs)
        media = self.kind.media(self.dataset, settings.preprocess)
        backbone = media.backbone(settings.architecture)
        weights_path = ""
        if backbone:
            weights_path = settings.weights_file or str(self._no_weights_file())
        config = replace(
            settings.model_config,
            architecture=settings.architecture,
            weights_path=weights_path,
            allow_download=False,
            fine_tune_layers=settings.fine_tune_layers(),
            fine_tune_epochs=0 if restore is not None else fine_tune,
        )
        training = settings.training(self.training, epochs=head, time_budget=budget)
        weights = None
        if start_from is not None:
            path = self._weights_path(str(start_from))
            if path.exists():
                weights = path
            elif restore is not None:
                raise ModelError(
                    f"The weights of trial {start_from} are missing from {self.folder}.",
                    "Start a new search.",
                )
        trial_media = _TrialMedia(media, settings, weights, self.on_event)
        job = _TrialJob(trial_media, config, training, self.plan, self.on_event, self.cancel)
        job.restore = restore
        run = job.run()
        if backbone and not settings.weights_file:
            run.metadata["model"]["weights_path"] = ""
            run.metadata["pretrained"] = False
        return run, job.built

    def _no_weights_file(self) -> Path:
        path = self.folder / NO_WEIGHTS
        if not path.exists():
            text = "A backbone trained from random weights: no weights file.\n"
            atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        return path

    def _save_layers(self, built: Any, trial_id: str) -> None:
        self._save_arrays(trial_id, **layer_weights(built))

    def final_run(self, best: TrialRecord, tuner: Any) -> Any:
        """The best trial's run (trained on when its round cut it short and time is left); a
        best trial from before a resume is rebuilt, its weights loaded and evaluated on the
        test split."""
        if self.best is not None and self.best["record"] is best:
            return train_files_on(self, best, tuner)
        emit(self.on_event, Progress("evaluate", 0.0, f"Restoring trial {best.trial_id}…"))
        hp = tuner.oracle.get_trial(best.trial_id).hyperparameters
        settings = self.space.build(hp)
        run, _ = self._train(settings, max(1, best.epochs), 0.0, best.trial_id, restore=best)
        return run

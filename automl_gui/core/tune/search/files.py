"""The AutoML search on image and audio folders: the table search's machinery, trials that
are whole runs of the files job.

Keras Tuner's oracles choose (``files_space.ImageSpace`` / ``AudioSpace``); each trial runs
the same job as a normal training (``core.files_pipeline``: split → build → phase 1 → phase 2
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
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.base.events import CancelToken, EventCallback, Log, Progress, emit
from automl_gui.core.base.files import atomic_write
from automl_gui.core.jobs.files import _Job
from automl_gui.core.jobs.run import Run
from automl_gui.core.kinds._audio_media import AudioMedia
from automl_gui.core.kinds._image_media import ImageMedia
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.tune._quiet import quiet_tensorflow
from automl_gui.core.tune.search._files_keep import (
    layer_weights,
    load_layers,
    train_files_on,
)
from automl_gui.core.tune.search._tuner import Trials, check_tensorboard, value_text
from automl_gui.core.tune.search.files_space import FilesSettings, cnn_n_train, default_space
from automl_gui.core.tune.search.saved import (
    LEADERBOARD_FILE,
    open_folder,
    search_folder,
    write_json,
)
from automl_gui.core.tune.search.space import SearchConfig, TrialRecord

__all__ = [
    "AudioSearchRun",
    "ImageSearchRun",
    "search_files",
    "search_files_isolated",
]

KINDS = ("images", "audio")
DATA_FILE = "files.json"
#: stands in for a weights file when a backbone trains from random weights (the files job
#: looks a weights file up for every backbone; the trial's build then ignores this one)
NO_WEIGHTS = "random-weights.txt"


@dataclass
class ImageSearchRun(Run):
    """The kept trial's Run plus the leaderboard that chose it."""

    leaderboard: list[TrialRecord] = field(default_factory=list)
    best_trial: TrialRecord | None = None


@dataclass
class AudioSearchRun(Run):
    """The kept trial's Run plus the leaderboard that chose it."""

    leaderboard: list[TrialRecord] = field(default_factory=list)
    best_trial: TrialRecord | None = None


def search_files(
    kind: str,
    dataset: Any,
    preprocess: Any,
    model_config: ImageModelConfig,
    search: SearchConfig,
    training: TrainConfig,
    *,
    plan: Any = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    directory: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    space: Any = None,
    allow_scratch_backbones: bool = False,
) -> ImageSearchRun | AudioSearchRun:
    """Search models for an image or audio folder within ``search``'s budget; return the best
    trial's run (an ``Run``/``Run`` with ``leaderboard`` and ``best_trial``;
    ``metadata["search"]`` as for tables).

    Args:
        kind: "images" or "audio".
        dataset: the scanned ImageDataset / AudioDataset.
        preprocess: the user's ImagePreprocessConfig / AudioPreprocessConfig (split, colour
            mode or sample rate and clip length, cache); the space varies the rest.
        model_config: weights folder/file and fine-tuning epochs and factor; the architecture
            is the search's. A search never downloads weights: a backbone is tried only when
            its file is on this computer, or from random weights with
            ``allow_scratch_backbones``.
        search: algorithm, time budget, trials, epochs per trial, objective.
        training: the base training settings (seed, batch, schedule, early stopping, class
            weights); each trial sets learning rate, epochs and time budget.
        plan, on_event, cancel, directory, resume, overwrite: as for ``search_tabular``.
        space: the search space (default ``files_space.default_space``: ImageSpace / AudioSpace).

    Raises:
        ConfigError / DataError: settings or data that cannot be searched.
        ModelError: every trial failed. CancelledError: stopped before any trial finished.
    """
    if kind not in KINDS:
        raise ConfigError(f"Cannot search '{kind}' data here.", "Use 'images' or 'audio'.")
    search.validate("multiclass")
    check_tensorboard()
    cancel = cancel or CancelToken()
    started = time.monotonic()
    with search_folder(directory, resume=resume) as folder:
        records = open_folder(folder, search, resume=resume, overwrite=overwrite)
        _check_data(folder, kind, dataset, resume=resume)
        if space is None:
            space = default_space(
                kind,
                dataset,
                preprocess,
                model_config,
                allow_scratch_backbones=allow_scratch_backbones,
                on_event=on_event,
            )
        end = started + search.time_budget if search.time_budget > 0 else math.inf
        share = search.time_budget * (1.0 - search.final_share)
        runner = _FilesTrials(
            kind=kind,
            dataset=dataset,
            search=search,
            training=training,
            space=space,
            plan=plan,
            on_event=on_event,
            cancel=cancel,
            folder=folder,
            records=records,
            deadline=started + share if search.time_budget > 0 else math.inf,
            end=end,
            overheads=[],  # seconds each trial spent outside training
        )
        tuner, best = runner.search_best(
            resume=resume, hint="Check the data, or give the search more time."
        )
        with quiet_tensorflow():
            kept = runner.final_run(best, tuner)
        search_run = (_TrialImages if kind == "images" else _TrialAudio).run_class
        fields_of_run = {f.name: getattr(kept, f.name) for f in fields(Run)}
        run = search_run(**fields_of_run, leaderboard=list(runner.records), best_trial=best)
        run.metadata["search"] = {
            "config": search.to_dict(),
            "leaderboard": [r.to_dict(history=False) for r in run.leaderboard],
            "best_trial": best.to_dict(history=False),
            "trained_on": runner.trained_on,
            "seconds": round(time.monotonic() - started, 3),
        }
        done, more = (
            f"Search done: kept trial {best.trial_id} ({value_text(best)})",
            runner.trained_on,
        )
        if more and more["improved"]:
            done += f", trained on {more['epochs']} more epochs to {more['value']:.4g}"
        elif more:
            done += f"; {more['epochs']} more epochs did not improve it: kept as it was"
        emit(on_event, Log(done + "."))
        return run


def search_files_isolated(
    process: Any,
    kind: str,
    dataset: Any,
    preprocess: Any,
    model_config: ImageModelConfig,
    search: SearchConfig,
    training: TrainConfig,
    **keywords: Any,
) -> ImageSearchRun | AudioSearchRun:
    """:func:`search_files` in an :class:`~automl_gui.core.jobs.process.EngineProcess` (the
    window's way); same keywords, result, events and errors. The kept model comes back
    through a temporary .keras file."""
    from automl_gui.core.jobs.isolated import run_isolated

    on_event, cancel = keywords.pop("on_event", None), keywords.pop("cancel", None)
    request = {"kind": kind, "dataset": dataset, "preprocess": preprocess}
    request.update(model_config=model_config, search=search, training=training, **keywords)
    return run_isolated(process, _search_job, request, on_event=on_event, cancel=cancel)


def _search_job(request: dict[str, Any], *, on_event: Any = None, cancel: Any = None) -> Any:
    """:func:`search_files` as a job (``job(request, *, on_event, cancel)``)."""
    return search_files(**request, on_event=on_event, cancel=cancel)


def _check_data(folder: Path, kind: str, dataset: Any, *, resume: bool) -> None:
    """Record which data the search is on; a resumed search must be on the same data."""
    path = folder / DATA_FILE
    here = {"kind": kind, "root": str(dataset.root), "files": len(dataset.items)}
    if resume and path.exists():
        from automl_gui.core.base.json_read import read_json

        try:
            saved = read_json(path)
        except (OSError, ValueError):
            saved = {}
        if saved.get("kind") != kind or saved.get("root") != here["root"]:
            raise ConfigError(
                f"The search in {folder} was on {saved.get('kind')} data in "
                f"{saved.get('root')}, not on {here['root']}.",
                "Resume it on the same folder, or start a new search.",
            )
    elif resume and (folder / LEADERBOARD_FILE).exists():
        raise ConfigError(
            f"The search in {folder} is not a search on image or audio files.",
            "Start a new search in another folder.",
        )
    write_json(path, here)


# -- one trial: the files job with the trial's network and starting weights ----------------
class _TrialBuild:
    """Media mix-in: the CNN at the trial's width, a backbone from the trial's weights file
    (or random weights), and the layers of a previous round loaded after building."""

    settings: FilesSettings
    start_from: Path | None = None
    on_event: EventCallback | None = None

    def build(self, architecture: str, n_classes: int, model_config: Any, **options: Any) -> Any:
        if architecture == "cnn" and self.settings.cnn_width:
            options["n_train"] = cnn_n_train(self.settings.cnn_width)
        if architecture != "cnn":
            options["weights_file"] = self.settings.weights_file
        built = super().build(architecture, n_classes, model_config, **options)  # type: ignore[misc]
        if self.start_from is not None:
            load_layers(built, self.start_from)
            emit(self.on_event, Log(f"Continuing from the weights in {self.start_from.name}."))
        return built


class _TrialImages(_TrialBuild, ImageMedia):
    run_class = ImageSearchRun


class _TrialAudio(_TrialBuild, AudioMedia):
    run_class = AudioSearchRun


class _TrialJob(_Job):
    """The files job; with ``restore`` (a trial from before a resume, whose weights the media
    loads) it builds and evaluates without training."""

    restore: TrialRecord | None = None

    def _phase_one(self, backbone: bool, ft_epochs: int) -> Any:
        if self.restore is None:
            return super()._phase_one(backbone, ft_epochs)
        from automl_gui.core.train.trainer import TrainResult

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
        weights_path = ""
        if settings.architecture != "cnn":
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
        media = (_TrialImages if self.kind == "images" else _TrialAudio)(
            self.dataset, settings.preprocess
        )
        media.settings, media.on_event = settings, self.on_event
        if start_from is not None:
            path = self._weights_path(str(start_from))
            if path.exists():
                media.start_from = path
            elif restore is not None:
                raise ModelError(
                    f"The weights of trial {start_from} are missing from {self.folder}.",
                    "Start a new search.",
                )
        job = _TrialJob(media, config, training, self.plan, self.on_event, self.cancel)
        job.restore = restore
        run = job.run()
        if settings.architecture != "cnn" and not settings.weights_file:
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

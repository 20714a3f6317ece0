"""The end-to-end job for a classifier on files, shared by images and audio clips.

split → architecture ("auto" resolved) → pretrained weights → input settings (image size;
clip length and band statistics) → batch → build under the hardware plan's strategy →
phase 1: the head (on cached backbone features when augmentation is off, else streamed) →
phase 2: fine-tune the top backbone layers (kept only if it lowers the validation loss) →
evaluate on the test split → metadata and sample inputs for the export check.

What differs between media lives in a :class:`Media` adapter (``_files_media``; each file
kind's is ``kinds._image_media.ImageMedia`` / ``kinds._audio_media.AudioMedia``, made by
``kind.media(dataset, preprocess)``): how files become batches, how the network is built, what
the metadata records; the words ("images", "clips") are the kind's. Prediction (listing,
checking, streaming files through a model) is in ``_files_predict``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from automl_gui.core.base.events import (
    CancelToken,
    EventCallback,
    Log,
    PhaseChanged,
    Progress,
    emit,
)
from automl_gui.core.cluster.training import mark_sharded, worker_files, worker_share
from automl_gui.core.jobs._files_media import Media
from automl_gui.core.jobs._files_steps import (
    batch_size_for,
    best_val,
    cached_features,
    merge_history,
    offset_events,
)
from automl_gui.core.jobs.run import Run
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.train.config import TrainConfig

if TYPE_CHECKING:
    from pathlib import Path

    from automl_gui.core.hardware import HardwarePlan

__all__ = ["train_files"]


# -- the job ----------------------------------------------------------------------------------
def train_files(
    media: Media,
    model_config: ImageModelConfig,
    training: TrainConfig,
    *,
    plan: HardwarePlan | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
) -> Run:
    """Train, evaluate and describe a classifier on ``media``'s files (module docstring).

    ``plan``, ``on_event``, ``cancel`` as for ``core.jobs.train``, which documents what it
    raises (DataError, ConfigError, WeightsMissingError, CancelledError);
    ``checkpoint_dir`` and ``resume`` as for ``jobs.tabular.train_tabular``. The checkpoint
    records the phase: a run resumed in its fine-tune phase skips the head phase (its result
    and weights are in the checkpoint) and rebuilds the model in its fine-tune configuration
    before loading the weights; a head phase on cached backbone features resumes after the
    features are computed again (they are not checkpointed).
    """
    run = _Job(media, model_config, training, plan, on_event, cancel or CancelToken())
    run.checkpoint_dir, run.resume = checkpoint_dir, bool(resume)
    return run.run()


class _Job:
    """One run of :func:`train_files`: the state its steps share."""

    def __init__(
        self,
        media: Media,
        model_config: ImageModelConfig,
        training: TrainConfig,
        plan: Any,
        on_event: EventCallback | None,
        cancel: CancelToken,
    ) -> None:
        self.media, self.model_config, self.training = media, model_config, training
        self.plan, self.on_event, self.cancel = plan, on_event, cancel
        self.paths: dict[str, list[str]] = {}
        self.y: dict[str, np.ndarray] = {}
        self.names: list[str] = []
        self.notices: list[str] = []
        self.arch = "cnn"
        self.built: Any = None
        self.batch = 1
        self.class_weight: Any = None
        self.phases: list[tuple[str, int]] = []
        self.checkpoint_dir: Any = None
        self.resume = False
        self.checkpoint: Any = None  # core.train.checkpoint.EpochCheckpointer
        self.resume_info: Any = None  # the CheckpointInfo to continue
        #: FileTracker per split streamed in training: files skipped by the input pipeline
        self.trackers: dict[str, Any] = {}
        self.result1: Any = None  # phase 1's TrainResult (a refit repeats its length)
        self.fine_tune_kept = False  # phase 2's weights were kept (it lowered val_loss)
        #: a refit (``_files_refit``): Trainer options per phase ("first", "fine-tune"), the
        #: items Auto sizes the network for; fine-tuning is kept without validation to judge
        self.replay: dict[str, dict[str, Any]] = {}
        self.size_items: int | None = None
        self.refitting = False
        self.phase_options: dict[str, Any] = {}

    @property
    def task(self) -> str:
        return "binary" if len(self.names) == 2 else "multiclass"

    def _log(self, message: str, level: str = "info") -> None:
        emit(self.on_event, Log(message, level))

    def run(self) -> Run:
        media, cancel, on_event = self.media, self.cancel, self.on_event
        if self.checkpoint_dir is not None:
            self._open_checkpoint()
        emit(on_event, Progress("prepare", None, f"Splitting the {media.noun}…"))
        split = media.split()
        self.notices = list(split.notices)
        for notice in self.notices:
            self._log(notice, "warning")
        self.names = list(split.class_names)
        for part in ("train", "validation", "test"):
            items = getattr(split, part)
            self.y[part] = split.labels(items)
            self.paths[part] = [i.path for i in items]
        self._track()
        cancel.raise_if_cancelled()
        run = self.train_and_evaluate()
        if self.training.refit:
            from automl_gui.core.jobs._files_refit import refit_files

            run = refit_files(self, run)
        return run

    def train_and_evaluate(self) -> Run:
        """Build, train (one or two phases) and evaluate on the split in ``paths``."""
        from automl_gui.core.train.balance import announce_class_weights, class_weighting
        from automl_gui.core.train.diagnostics import check_diverged

        media, on_event = self.media, self.on_event
        self._build()
        n_train = len(self.paths["train"])
        self.class_weight = class_weighting(self.training.class_weights, self.y["train"]).weights
        announce_class_weights(self.training.class_weights, self.task, self.y["train"], on_event)
        backbone = media.backbone(self.arch)
        fine_tune = 0
        if backbone:
            fine_tune = self.model_config.fine_tune_layers
            if fine_tune < 0:
                fine_tune = media.auto_fine_tune_layers(self.arch, n_train, self.built)
        ft_epochs = self.model_config.fine_tune_epochs if fine_tune > 0 else 0
        info = self.resume_info
        if info is not None and info.phase == "fine-tune" and ft_epochs > 0:
            result = self._resume_fine_tune(info, fine_tune, ft_epochs)
            return self._end(self._evaluate(result, fine_tune))
        result1 = self.result1 = self._phase_one(backbone, ft_epochs)
        check_diverged(result1, self.checkpoint)  # NaN before any usable epoch: no model
        result = dataclasses.replace(result1, history=dict(result1.history))
        if ft_epochs > 0 and result1.stopped_reason not in ("cancelled", "nan", "time_budget"):
            result = self._fine_tune(result1, fine_tune, ft_epochs)
        elif ft_epochs > 0:
            self._log("Fine-tuning skipped: phase 1 did not finish normally.")
        return self._end(self._evaluate(result, fine_tune if ft_epochs else 0))

    def _track(self) -> None:
        """A FileTracker for the training and validation files (made here, outside any
        distribution strategy's scope: its variables stay plain, on the CPU)."""
        from automl_gui.core.preprocess._files import FileTracker

        # across workers, each streams (and tracks) only its share of the files
        shares = {
            part: worker_files(self.plan, self.paths[part], self.y[part], training=False)[0]
            for part in ("train", "validation")
        }
        self.trackers = {part: FileTracker(len(shares[part])) for part in shares}

    # -- checkpoints ------------------------------------------------------------------------
    def _open_checkpoint(self) -> None:
        from automl_gui.core.train.checkpoint import fingerprint, prepare_checkpoint

        media = self.media
        data_id = media.kind.identity(media.dataset)
        settings = (media.preprocess.to_dict(), self.model_config.to_dict())
        fp = fingerprint(media.kind.name, data_id, *settings, self.training.to_dict())
        self.checkpoint, self.resume_info = prepare_checkpoint(
            self.checkpoint_dir,
            fp,
            media.kind.name,
            data_id=data_id,
            resume=self.resume,
            on_event=self.on_event,
        )

    def _phase_checkpoint(self, phase: str, **counts: Any) -> Any:
        """Set the checkpoint's phase; the CheckpointInfo to resume it from (or None)."""
        if self.checkpoint is None:
            return None
        extra = counts.pop("extra", {})
        self.checkpoint.set_phase(phase, extra=extra, **counts)
        info = self.resume_info
        if info is None or info.phase != phase:
            return None
        self.checkpoint.continue_from(info)
        return info

    def _end(self, run: Run) -> Run:
        if self.checkpoint is not None:  # ended (not by a crash): nothing left to resume
            self.checkpoint.finish()
        return run

    def _build(self) -> None:
        """Architecture, weights, input settings and batch; the model under the strategy."""
        from automl_gui.core.base import lazy
        from automl_gui.core.hardware import apply_plan
        from automl_gui.core.models.weights import resolve_weights

        media, config, on_event = self.media, self.model_config, self.on_event
        arch, found = media.resolve_architecture(
            config, self.paths["train"], on_event=on_event, plan=self.plan
        )
        self.arch = arch
        weights_file = None
        if media.backbone(arch):
            weights_file = found or str(
                resolve_weights(
                    arch,
                    weights_path=config.weights_path,
                    configured=config.weights_folder or None,
                    allow_download=config.allow_download,
                    on_event=on_event,
                    cancel=self.cancel,
                )
            )
        n_train = len(self.paths["train"])
        media.prepare(arch, self)
        self.batch = batch_size_for(self.training, n_train, media.backbone(arch), self.plan)
        if self.training.epochs <= 0:  # Auto: the kind's cap for this much data
            epochs = media.kind.epochs_for(n_train, self.batch)
            self.training = dataclasses.replace(self.training, epochs=epochs)
            self._log(f"Auto epochs: at most {epochs} (early stopping usually ends sooner).")
        self.cancel.raise_if_cancelled()

        emit(on_event, Progress("build", None, f"Building {media.network_name(arch)}…"))
        lazy.keras().utils.set_random_seed(self.training.seed)
        strategy = apply_plan(self.plan) if self.plan is not None else None
        kwargs = {
            "n_train": self.size_items or n_train,
            "weights_file": weights_file,
            "seed": self.training.seed,
        }
        if strategy is not None:
            with strategy.scope():
                self.built = media.build(arch, len(self.names), config, **kwargs)
        else:
            self.built = media.build(arch, len(self.names), config, **kwargs)
        self._log(
            f"Model: {media.describe(arch)}, {self.built.model.count_params():,} weights; "
            f"{n_train:,} training, {len(self.paths['validation']):,} validation, "
            f"{len(self.paths['test']):,} test {media.noun}; batch size {self.batch}."
        )

    # -- training ---------------------------------------------------------------------------
    def make_train(self, b: int) -> Any:
        # across workers, each decodes only its share of the files (core/cluster/training.py)
        paths, labels = worker_files(self.plan, self.paths["train"], self.y["train"])
        dataset = self.media.make_dataset(
            paths,
            labels,
            b,
            shuffle=True,
            training=True,
            seed=self.training.seed,
            cache=bool(self.media.preprocess.cache),
            track=self.trackers.get("train"),
        )
        return mark_sharded(dataset, self.plan)

    def _make_val(self, b: int) -> Any:
        paths, labels = worker_files(
            self.plan, self.paths["validation"], self.y["validation"], training=False
        )
        dataset = self.media.make_dataset(
            paths,
            labels,
            b,
            cache=bool(self.media.preprocess.cache),
            track=self.trackers.get("validation"),
        )
        return mark_sharded(dataset, self.plan)

    @property
    def make_val(self) -> Callable[[int], Any] | None:
        return self._make_val if self.paths["validation"] else None

    def _fit_dataset(self, training: TrainConfig, **kwargs: Any) -> Any:
        kwargs.setdefault("checkpoint", self.checkpoint)
        from automl_gui.core.train.trainer import Trainer

        return Trainer(training, self.plan, **self.phase_options).fit_dataset(
            self.built.model,
            self.task,
            self.make_train,
            self.make_val,
            len(self.paths["train"]),
            class_weight=self.class_weight,
            on_event=self.on_event,
            cancel=self.cancel,
            **kwargs,
        )

    def _phase_one(self, backbone: bool, ft_epochs: int) -> Any:
        phase_training = dataclasses.replace(self.training, batch_size=self.batch)
        self.phase_options = self.replay.get("first", {})
        if backbone:
            self.phases.append(("head", 0))
            emit(self.on_event, PhaseChanged("head", 0))
        else:
            self.phases.append(("train", 0))
        resume = self._phase_checkpoint(self.phases[-1][0], epochs_after=ft_epochs)
        if backbone and not self.media.augment_active:
            self._log("Phase 1: training the new head on cached backbone features.")
            return self._fit_cached_head(phase_training, ft_epochs, resume)
        if backbone:
            self._log("Phase 1: training the new head on the frozen backbone.")
        return self._fit_dataset(phase_training, epochs_after=ft_epochs, resume=resume)

    def _features(self, part: str, what: str) -> tuple[np.ndarray, np.ndarray]:
        # every worker computes every file's features (the fit on them shards rows); the
        # trackers count each worker's share of the streamed files, so none here then
        track = self.trackers.get(part) if worker_share(self.plan)[1] == 1 else None
        ds = self.media.make_dataset(
            self.paths[part], self.y[part], self.batch, shuffle=False, track=track
        )
        feature_model = self.built.feature_model
        return cached_features(
            feature_model, ds, len(self.paths[part]), what, self.on_event, self.cancel
        )

    def _fit_cached_head(self, phase_training: TrainConfig, ft_epochs: int, resume: Any) -> Any:
        from automl_gui.core.base import lazy
        from automl_gui.core.train.trainer import Trainer

        keras = lazy.keras()
        head = self.built.head
        f_train, fy_train = self._features("train", "training")
        f_val, fy_val = None, None
        if self.paths["validation"]:
            f_val, fy_val = self._features("validation", "validation")
        # the Trainer feeds dicts of named inputs: give the head one (same layers, so
        # training this trains the model's head)
        inputs = keras.Input(shape=tuple(head.inputs[0].shape[1:]), name="features")
        on_features = keras.Model({"features": inputs}, head(inputs), name="head_on_features")
        return Trainer(phase_training, self.plan, **self.phase_options).fit(
            on_features,
            self.task,
            {"features": f_train},
            fy_train,
            {"features": f_val} if f_val is not None else None,
            fy_val,
            class_weight=self.class_weight,
            on_event=offset_events(self.on_event, 0, ft_epochs),
            cancel=self.cancel,
            checkpoint=self.checkpoint,  # the head on features: its weights are the head's
            resume=resume,
        )

    def _resume_fine_tune(self, info: Any, fine_tune: int, ft_epochs: int) -> Any:
        """Continue a run checkpointed in its fine-tune phase: the head phase's result and
        weights come from the checkpoint (its epochs are replayed as events)."""
        from automl_gui.core.train.checkpoint import replay_history
        from automl_gui.core.train.result import TrainResult

        saved = dict(info.extra.get("phase1") or {})
        result1 = self.result1 = TrainResult(**saved)
        self.phases.append(("head", 0))
        emit(self.on_event, PhaseChanged("head", 0))
        total = result1.epochs_run + ft_epochs
        replay_history(
            self.on_event, result1.history, epoch_offset=0, total=total, seconds=result1.seconds
        )
        return self._fine_tune(result1, fine_tune, ft_epochs, resume=info)

    def _fine_tune(self, result1: Any, fine_tune: int, ft_epochs: int, resume: Any = None) -> Any:
        import warnings
        from pathlib import Path

        model = self.built.model
        self.phase_options = self.replay.get("fine-tune", {})
        unfrozen = self.built.unfreeze_top(fine_tune)
        start_epoch = result1.epochs_run
        self.phases.append(("fine-tune", start_epoch))
        emit(self.on_event, PhaseChanged("fine-tune", start_epoch))
        lr = self.training.learning_rate * self.model_config.fine_tune_lr_factor
        self._log(
            f"Phase 2: fine-tuning the top {unfrozen} backbone layers at learning rate "
            f"{lr:.2g} (BatchNorm layers stay in inference mode)."
        )
        if resume is not None:  # the head phase's weights: what "did not help" goes back to
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Skipping variable loading")
                model.load_weights(str(Path(resume.folder) / resume.extra["files"][0]))
        before = model.get_weights()
        if self.checkpoint is not None:
            extra = resume.extra if resume is not None else None
            if extra is None:
                name = self.checkpoint.save_phase_weights(model)
                extra = {"phase1": dataclasses.asdict(result1), "files": [name]}
            resume = self._phase_checkpoint("fine-tune", epoch_offset=start_epoch, extra=extra)
        best_before = best_val(result1.history)
        budget_left = 0.0
        if self.training.time_budget > 0:
            budget_left = max(1.0, self.training.time_budget - result1.seconds)
        ft_training = dataclasses.replace(
            self.training,
            batch_size=self.batch,
            epochs=ft_epochs,
            learning_rate=lr,
            time_budget=budget_left,
        )
        result2 = self._fit_dataset(ft_training, epoch_offset=start_epoch, resume=resume)
        improved = self.refitting or best_val(result2.history) <= best_before
        self.fine_tune_kept = improved
        if not improved:
            model.set_weights(before)
            self._log(
                "Fine-tuning did not lower the validation loss: kept the model from "
                "phase 1 (head only).",
                "warning",
            )
        return dataclasses.replace(
            result2,
            history=merge_history(result1.history, result2.history),
            epochs_run=start_epoch + result2.epochs_run,
            best_epoch=start_epoch + result2.best_epoch if improved else result1.best_epoch,
            seconds=result1.seconds + result2.seconds,
        )

    # -- evaluation -------------------------------------------------------------------------
    def _evaluate(self, result: Any, fine_tuned: int) -> Run:
        """Test-split evaluation, sample inputs and metadata → the run (``_files_evaluate``)."""
        from automl_gui.core.jobs._files_evaluate import evaluate_job

        return evaluate_job(self, result, fine_tuned)

"""Continue a run of files (images, audio clips, texts; ``jobs.continued``): the new items
split with the run's recorded settings, its whole serving model trained further on them,
evaluated by the files job's own step (``_files_evaluate.evaluate_job``).

The model is the run's as saved: its input steps inside (resizing, the spectrogram with the
band statistics it measured, the text vectorizer with its vocabulary) and its layers frozen
or not as its last phase left them (a backbone's fine-tuned top trains, the rest stays). What
the files' pipeline needs to feed it (image size, clip length, sample rate) is what the run
recorded (``Media.restore``), never decided again from the new files. Augmentation is not
in a saved model, so the continued training has none.

The earlier and the new files together are not offered for files: put them in one folder
(the earlier files keep their class subfolders) and continue on it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import Log, Progress, emit

if TYPE_CHECKING:
    from automl_gui.core.base.events import CancelToken, EventCallback
    from automl_gui.core.jobs.requests import ContinueRequest
    from automl_gui.core.jobs.run import Run

#: why a run of files cannot be continued ("": it can; ``continued.unsupported``)
UNSUPPORTED = ""
#: why the earlier and the new data cannot be trained on together ("": they can)
OLD_AND_NEW = (
    "Training on the earlier and the new files together is not offered for folders: put the "
    "new files beside the earlier ones in one folder and continue on it."
)
RETRAIN_HINT = "Train a new model on all the files instead (Train → Start Training)."


def check_new_data(metadata: dict[str, Any], data: Any) -> None:
    """The new files' classes are the run's (a new class: retrain), two or more of them."""
    classes = list(metadata.get("class_names") or [])
    found = [str(c) for c in getattr(data, "class_names", None) or []]
    if not found:
        raise DataError(
            "The new data holds no labelled files.",
            "Choose a folder with one subfolder per class, like the run's.",
        )
    unknown = [c for c in found if c not in set(classes)]
    if unknown:
        shown = ", ".join(f"'{c}'" for c in unknown[:6]) + (" …" if len(unknown) > 6 else "")
        raise DataError(
            f"The new data holds {len(unknown)} class{'es' if len(unknown) > 1 else ''} the "
            f"run does not know: {shown} (it knows {', '.join(map(repr, classes[:8]))}"
            f"{' …' if len(classes) > 8 else ''}).",
            "Continuing training keeps the run's classes. " + RETRAIN_HINT,
        )
    if len(found) < 2:
        raise DataError(
            f"The new data holds one class only ('{found[0]}').",
            "Trained on it alone, the model would learn to answer it always: add files of "
            "the other classes.",
        )


def check_old_data(metadata: dict[str, Any], data: Any) -> None:
    raise DataError(OLD_AND_NEW, "Continue on the new data only.")


class _Continued:
    """What ``evaluate_job`` reads of a files job (``jobs.files._Job``), for the continued
    model: the media, the split, the model as ``built.model``, the settings and events."""

    def __init__(self, request: ContinueRequest, on_event: Any, cancel: Any) -> None:
        meta = request.metadata
        kind = request.kind
        self.on_event, self.cancel, self.plan = on_event, cancel, request.plan
        self.media = kind.media(request.new_data, kind.preprocess_from_dict(meta["preprocess"]))
        self.media.restore(meta)
        self.model_config = kind.model_from_dict(meta.get("model") or {})
        self.arch = str(meta.get("architecture") or self.model_config.architecture)
        self.names = list(meta["class_names"])
        self.paths: dict[str, list[str]] = {}
        self.y: dict[str, np.ndarray] = {}
        self.notices: list[str] = []
        self.trackers: dict[str, Any] = {}
        self.phases: list[tuple[str, int]] = [("continued", 0)]
        self.batch = 1
        self.built: Any = None
        self.training: Any = None

    @property
    def task(self) -> str:
        return "binary" if len(self.names) == 2 else "multiclass"

    def _log(self, message: str, level: str = "info") -> None:
        emit(self.on_event, Log(message, level))

    def split(self) -> None:
        """The new files split by the run's rules, labelled in the run's class order."""
        from automl_gui.core.preprocess._files import FileTracker

        split = self.media.split()
        self.notices = list(split.notices)
        order = {name: i for i, name in enumerate(self.names)}
        for part in ("train", "validation", "test"):
            items = getattr(split, part)
            own = split.labels(items)
            self.y[part] = np.array([order[split.class_names[i]] for i in own], dtype=np.int32)
            self.paths[part] = [i.path for i in items]
        self.trackers = {p: FileTracker(len(self.paths[p])) for p in ("train", "validation")}


def continue_job(
    request: ContinueRequest, on_event: EventCallback | None, cancel: CancelToken
) -> Run:
    """The files part of ``continued.continue_training``."""
    from automl_gui.core.evaluate.labels import change_text
    from automl_gui.core.export.bundle import load_keras_model
    from automl_gui.core.jobs._continued_table import figures, own_names
    from automl_gui.core.jobs._files_evaluate import evaluate_job
    from automl_gui.core.jobs._files_predict import predict_dataset
    from automl_gui.core.jobs._files_steps import batch_size_for
    from automl_gui.core.jobs.requests import NEW_ONLY
    from automl_gui.core.train.balance import announce_class_weights, class_weighting
    from automl_gui.core.train.config import TrainConfig
    from automl_gui.core.train.diagnostics import check_diverged
    from automl_gui.core.train.trainer import Trainer
    from automl_gui.core.trust.calibration import without_temperature

    meta = request.metadata
    job = _Continued(request, on_event, cancel)
    media = job.media
    emit(on_event, Progress("prepare", None, f"Splitting the {media.noun}…"))
    job.split()
    for notice in job.notices:
        job._log(notice, "warning")
    cancel.raise_if_cancelled()

    emit(on_event, Progress("build", None, "Loading the earlier run's model…"))
    model = own_names(load_keras_model(Path(request.model_path)))
    earlier = TrainConfig.from_dict(meta.get("training") or {})
    n_train = len(job.paths["train"])
    job.batch = batch_size_for(earlier, n_train, media.backbone(job.arch), request.plan)

    def proba(paths: list[str], labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out, kept = predict_dataset(model, media.make_dataset, paths, job.batch, None)
        return out, labels[kept] if len(kept) else labels[:0]

    test_out, test_y = proba(job.paths["test"], job.y["test"])
    # the earlier model's own decisions: its stored threshold (as the report scores the new)
    before = figures(meta, test_y, test_out.astype("float64"))
    cancel.raise_if_cancelled()

    lr = earlier.learning_rate * request.lr_factor
    epochs = max(0, int(request.epochs)) or media.kind.epochs_for(n_train, job.batch)
    job.training = dataclasses.replace(
        earlier, learning_rate=lr, epochs=epochs, refit=False, batch_size=job.batch
    )
    network = without_temperature(model)  # the evaluation step calibrates it again
    job.built = _Built(network)
    source = f"'{request.base_name}'" if request.base_name else "the earlier run"
    job._log(
        f"Continuing {source} on {n_train:,} training {media.noun} at learning rate {lr:.2g} "
        f"({request.lr_factor:g} × {earlier.learning_rate:g}), at most {epochs} epochs; its "
        "input steps keep what they learned, and no augmentation (a saved model has none)."
    )
    weights = class_weighting(earlier.class_weights, job.y["train"]).weights
    announce_class_weights(earlier.class_weights, job.task, job.y["train"], on_event)

    def make_train(b: int) -> Any:
        return media.make_dataset(
            job.paths["train"], job.y["train"], b, shuffle=True, seed=earlier.seed,
            track=job.trackers["train"],
        )  # fmt: skip

    def make_val(b: int) -> Any:
        return media.make_dataset(
            job.paths["validation"], job.y["validation"], b, track=job.trackers["validation"]
        )

    result = Trainer(job.training, request.plan).fit_dataset(
        network,
        job.task,
        make_train,
        make_val if job.paths["validation"] else None,
        n_train,
        class_weight=weights,
        on_event=on_event,
        cancel=cancel,
    )
    check_diverged(result, None)
    fine_tuned = int((meta.get("model") or {}).get("fine_tune_layers") or 0)
    run = evaluate_job(job, result, fine_tuned)
    # the input contract is the earlier model's: what the media would decide from the new
    # files (an image size, a clip length, a vocabulary size) is not what the model takes
    for key in media.metadata(job.arch, job.built):
        if key in meta:
            run.metadata[key] = meta[key]
    after = dict(run.report.get("metrics") or {})
    run.metadata["continued_from"] = {
        "run_id": request.base_id,
        "name": request.base_name,
        "data": NEW_ONLY,
        "learning_rate": lr,
        "lr_factor": request.lr_factor,
        "earlier_learning_rate": earlier.learning_rate,
        "items": media.noun,
        "rows": {p: len(job.paths[p]) for p in ("train", "validation", "test")},
        "test_before": _plain(before),
        "test_after": _plain(after),
    }
    run.metadata.setdefault("data", {})["identity"] = request.kind.identity(request.new_data)
    job._log(f"Test {media.noun}, earlier model → this one: {change_text(before, after, 3)}.")
    return run


@dataclasses.dataclass
class _Built:
    """The loaded model where the files job keeps its built network (``built.model``)."""

    model: Any
    image_size: int = 0


def _plain(metrics: dict[str, Any]) -> dict[str, Any]:
    from automl_gui.core.export.bundle import jsonable

    return jsonable(metrics)

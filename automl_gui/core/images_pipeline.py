"""The end-to-end image job the window and the command line run.

scan (``core.data.images.scan_images``) → split → build the model (CNN or a pretrained
backbone) → phase 1: train the head (on cached backbone features when augmentation is off) →
phase 2: fine-tune the top backbone layers at a lower learning rate → evaluate on the test
split → metadata for export. Events as for tables; phase changes as ``PhaseChanged``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from automl_gui.core.data.images import BadFile, ImageDataset
from automl_gui.core.errors import DataError
from automl_gui.core.events import (
    BatchEnd,
    CancelToken,
    EpochEnd,
    EventCallback,
    Log,
    PhaseChanged,
    Progress,
    emit,
)
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
from automl_gui.core.train.config import TrainConfig

MAX_SAMPLE_IMAGES = 8
CONFIDENTLY_WRONG = 24


@dataclass
class ImageRun:
    """A finished image training run.

    Args:
        model: serving keras.Model (decoded RGB images of any size → probabilities).
        metadata: ``kind == "images"``, ``task``, ``class_names``, ``image_size``,
            ``color_mode``, ``architecture``, settings, metrics, versions.
        report: ``evaluate_classification`` report (metrics incl. ``top_k_accuracy`` for more
            than 3 classes, ``per_class``, ``confusion_matrix``, ``class_names``).
        history: per-epoch values of both phases, one list per key.
        result: the last phase's TrainResult.
        test_predictions: DataFrame with ``path``, ``actual``, ``prediction``, ``confidence``
            and ``probability_<class>`` per test image.
        diagnosis: over/underfitting diagnosis or None.
        notices: sentences for the user.
        phases: ``[(phase name, first epoch index)]`` in order (e.g. head at 0, fine-tune at 10).
        samples: a few test images (float32, model input size) whose predictions are stored
            in metadata; export reloads the model and compares on them.
    """

    model: Any
    metadata: dict[str, Any]
    report: dict[str, Any]
    history: dict[str, list[float]]
    result: Any
    test_predictions: Any
    diagnosis: Any = None
    notices: list[str] = field(default_factory=list)
    phases: list[tuple[str, int]] = field(default_factory=list)
    samples: np.ndarray | None = None

    @property
    def task(self) -> str:
        return self.metadata["task"]

    @property
    def kind(self) -> str:
        return "images"

    @property
    def bundle(self) -> Any:
        from automl_gui.core.export.bundle import Bundle

        return Bundle(
            model=self.model,
            metadata=self.metadata,
            path=None,
            report=self.report,
            samples=self.samples,
        )

    def confidently_wrong(self, n: int = CONFIDENTLY_WRONG) -> Any:
        """The ``n`` wrong test predictions with the highest confidence (DataFrame rows)."""
        df = self.test_predictions
        wrong = df[df["actual"] != df["prediction"]]
        return wrong.sort_values("confidence", ascending=False).head(n)

    def cell(self, actual: str, predicted: str) -> Any:
        """Test rows of one confusion-matrix cell."""
        df = self.test_predictions
        return df[(df["actual"] == actual) & (df["prediction"] == predicted)]


def _architecture(
    model_config: ImageModelConfig, on_event: EventCallback | None
) -> tuple[str, str | None]:
    """Resolve "auto": a backbone whose weights are already on this computer, else the CNN.

    Returns (architecture, weights file found for "auto" or None).
    """
    from automl_gui.core.models.weights import find_weights

    arch = model_config.architecture
    if arch != "auto":
        return arch, None
    folder = model_config.weights_folder or None
    for candidate in ("resnet50", "inceptionv3"):
        try:
            found = find_weights(candidate, folder)
        except Exception:  # noqa: BLE001 - a bad file never stops "auto": fall back to the CNN
            found = None
        if found is not None:
            emit(on_event, Log(f"Auto: {_NAMES[candidate]} with pretrained weights ({found})."))
            return candidate, str(found)
    emit(
        on_event,
        Log(
            "Auto: a compact CNN trained from scratch (no pretrained ResNet50/InceptionV3 "
            "weights on this computer; see models/pretrained/README.md to add them)."
        ),
    )
    return "cnn", None


_NAMES = {"cnn": "Compact CNN", "resnet50": "ResNet50", "inceptionv3": "InceptionV3"}
CPU_BACKBONE_BATCH = 32
CPU_CNN_BATCH = 64


def _batch_size(training: TrainConfig, n_train: int, backbone: bool, plan: Any) -> int:
    """The batch for "auto": the trainer's rule, capped for images (activations are large)."""
    from automl_gui.core.train.trainer import auto_batch_size

    if training.batch_size > 0:
        return int(training.batch_size)
    size = auto_batch_size(n_train, plan)
    on_gpu = bool(getattr(plan, "uses_gpu", False))
    cap = (64 if on_gpu else CPU_BACKBONE_BATCH) if backbone else (128 if on_gpu else CPU_CNN_BATCH)
    return max(1, min(size, cap))


def _merge_history(first: dict[str, list[float]], second: dict[str, list[float]]) -> dict:
    keys = list(dict.fromkeys([*first, *second]))
    n1 = max((len(v) for v in first.values()), default=0)
    out: dict[str, list[float]] = {}
    for k in keys:
        a = list(first.get(k, []))
        a += [float("nan")] * (n1 - len(a))
        out[k] = a + list(second.get(k, []))
    return out


def _best_val(history: dict[str, list[float]]) -> float:
    values = [v for v in history.get("val_loss", history.get("loss", [])) if np.isfinite(v)]
    return min(values) if values else float("inf")


def _cached_features(
    feature_model: Any,
    paths: list[str],
    labels: np.ndarray,
    image_size: int,
    batch: int,
    what: str,
    on_event: EventCallback | None,
    cancel: CancelToken,
) -> tuple[np.ndarray, np.ndarray]:
    """Backbone features of every image, computed once (files that fail to decode skipped)."""
    from automl_gui.core.preprocess.images import make_dataset

    ds = make_dataset(paths, labels, image_size, batch, shuffle=False)
    feats: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    done = 0
    total = max(1, len(paths))
    for x, y in ds:
        cancel.raise_if_cancelled()
        feats.append(np.asarray(feature_model(x, training=False), dtype=np.float32))
        ys.append(np.asarray(y))
        done += len(ys[-1])
        emit(
            on_event,
            Progress(
                "features", done / total, f"Computing {what} features once… {done:,}/{total:,}"
            ),
        )
    if not feats:
        return np.zeros((0, int(feature_model.outputs[0].shape[-1])), np.float32), np.zeros(0)
    return np.concatenate(feats), np.concatenate(ys)


def _prediction_frame(paths: list[str], proba: np.ndarray, names: list[str]) -> Any:
    """``path, prediction, confidence, probability_<class>...`` for predicted images."""
    import pandas as pd

    pred = proba.argmax(axis=1) if len(proba) else np.zeros(0, int)
    frame = pd.DataFrame(
        {
            "path": paths,
            "prediction": np.asarray(names, dtype=object)[pred] if len(proba) else [],
            "confidence": proba.max(axis=1).astype("float64") if len(proba) else [],
        }
    )
    for c, name in enumerate(names):
        frame[f"probability_{name}"] = proba[:, c].astype("float64")
    return frame


def _predict_dataset(
    model: Any,
    paths: list[str],
    image_size: int,
    batch: int,
    cancel: CancelToken | None,
    on_event: EventCallback | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities, index into ``paths``) for the files that decode (others skipped)."""
    from automl_gui.core.preprocess.images import make_dataset

    idx = np.arange(len(paths), dtype="int32")
    ds = make_dataset(paths, idx, image_size, batch, shuffle=False)
    outs: list[np.ndarray] = []
    kept: list[np.ndarray] = []
    done = 0
    for x, i in ds:
        if cancel is not None:
            cancel.raise_if_cancelled()
        outs.append(np.asarray(model(x, training=False), dtype=np.float32))
        kept.append(np.asarray(i))
        done += len(kept[-1])
        if on_event is not None:
            message = f"Predicted {done:,}/{len(paths):,}"
            emit(on_event, Progress("predict", done / max(1, len(paths)), message))
    if not outs:
        n_out = int(model.outputs[0].shape[-1])
        return np.zeros((0, n_out), np.float32), np.zeros(0, "int32")
    return np.concatenate(outs), np.concatenate(kept)


def train_images(
    dataset: ImageDataset,
    preprocess: ImagePreprocessConfig,
    model_config: ImageModelConfig,
    training: TrainConfig,
    *,
    plan: Any = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> ImageRun:
    """Train, evaluate and describe an image classifier (see module docstring).

    Raises:
        DataError / ConfigError: the data or settings cannot be trained as given.
        WeightsMissingError: a backbone's pretrained weights are neither here nor downloadable
            (the window offers to choose the file or train from scratch).
        CancelledError: cancelled before training began (a Stop during training returns
            normally with the best weights).
    """

    from automl_gui.core import lazy
    from automl_gui.core.evaluate.metrics import evaluate_classification
    from automl_gui.core.export.bundle import base_metadata, jsonable
    from automl_gui.core.hardware import apply_plan
    from automl_gui.core.models.images import (
        auto_fine_tune_layers,
        auto_image_size,
        build_image_model,
    )
    from automl_gui.core.models.weights import resolve_weights
    from automl_gui.core.preprocess.images import load_images, make_dataset, split_images
    from automl_gui.core.train.diagnostics import diagnose, still_improving
    from automl_gui.core.train.trainer import Trainer, balanced_class_weights

    cancel = cancel or CancelToken()
    emit(on_event, Progress("prepare", None, "Splitting the images…"))
    split = split_images(dataset, preprocess)
    notices = list(split.notices)
    for notice in notices:
        emit(on_event, Log(notice, "warning"))
    names = list(split.class_names)
    n_classes = len(names)
    task = "binary" if n_classes == 2 else "multiclass"
    y_train, y_val, y_test = (split.labels(s) for s in (split.train, split.validation, split.test))
    train_paths = [i.path for i in split.train]
    val_paths = [i.path for i in split.validation]
    test_paths = [i.path for i in split.test]
    cancel.raise_if_cancelled()

    arch, found = _architecture(model_config, on_event)
    backbone = arch != "cnn"
    weights_file = None
    if backbone:
        weights_file = found or str(
            resolve_weights(
                arch,
                weights_path=model_config.weights_path,
                configured=model_config.weights_folder or None,
                allow_download=model_config.allow_download,
                on_event=on_event,
                cancel=cancel,
            )
        )
    image_size = preprocess.image_size or auto_image_size(arch, dataset.size_stats())
    batch = _batch_size(training, len(train_paths), backbone, plan)
    cancel.raise_if_cancelled()

    emit(on_event, Progress("build", None, f"Building {_NAMES.get(arch, arch)}…"))
    keras = lazy.keras()
    keras.utils.set_random_seed(training.seed)
    strategy = apply_plan(plan) if plan is not None else None

    def _build() -> Any:
        return build_image_model(
            arch,
            n_classes,
            image_size,
            preprocess,
            model_config,
            n_train=len(train_paths),
            weights_file=weights_file,
            seed=training.seed,
        )

    if strategy is not None:
        with strategy.scope():
            built = _build()
    else:
        built = _build()
    model = built.model
    emit(
        on_event,
        Log(
            f"Model: {_NAMES.get(arch, arch)} at {image_size}×{image_size} "
            f"({preprocess.color_mode}), {model.count_params():,} weights; "
            f"{len(train_paths):,} training, {len(val_paths):,} validation, "
            f"{len(test_paths):,} test images; batch size {batch}."
        ),
    )

    class_weight = None
    if training.class_weights == "balanced":
        class_weight = balanced_class_weights(y_train)
    phase_training = dataclasses.replace(training, batch_size=batch)

    def make_train(b: int) -> Any:
        return make_dataset(
            train_paths,
            y_train,
            image_size,
            b,
            shuffle=True,
            seed=training.seed,
            cache=preprocess.cache,
        )

    make_val = None
    if val_paths:

        def make_val(b: int) -> Any:
            return make_dataset(val_paths, y_val, image_size, b, cache=preprocess.cache)

    fine_tune = 0
    if backbone:
        fine_tune = model_config.fine_tune_layers
        if fine_tune < 0:
            fine_tune = auto_fine_tune_layers(arch, len(train_paths))
    ft_epochs = model_config.fine_tune_epochs if fine_tune > 0 else 0
    phases: list[tuple[str, int]] = []

    if backbone and not preprocess.augment.active:
        phases.append(("head", 0))
        emit(on_event, PhaseChanged("head", 0))
        emit(on_event, Log("Phase 1: training the new head on cached backbone features."))
        f_train, fy_train = _cached_features(
            built.feature_model,
            train_paths,
            y_train,
            image_size,
            batch,
            "training",
            on_event,
            cancel,
        )
        f_val, fy_val = (
            _cached_features(
                built.feature_model,
                val_paths,
                y_val,
                image_size,
                batch,
                "validation",
                on_event,
                cancel,
            )
            if val_paths
            else (None, None)
        )
        # the Trainer feeds dicts of named inputs: give the head one (same layers, so
        # training this trains the model's head)
        features = keras.Input(shape=tuple(built.head.inputs[0].shape[1:]), name="features")
        head = keras.Model({"features": features}, built.head(features), name="head_on_features")
        result1 = Trainer(phase_training, plan).fit(
            head,
            task,
            {"features": f_train},
            fy_train,
            {"features": f_val} if f_val is not None else None,
            fy_val,
            class_weight=class_weight,
            on_event=_offset_events(on_event, 0, ft_epochs),
            cancel=cancel,
        )
    else:
        if backbone:
            phases.append(("head", 0))
            emit(on_event, PhaseChanged("head", 0))
            emit(on_event, Log("Phase 1: training the new head on the frozen backbone."))
        else:
            phases.append(("train", 0))
        result1 = Trainer(phase_training, plan).fit_dataset(
            model,
            task,
            make_train,
            make_val,
            len(train_paths),
            class_weight=class_weight,
            epochs_after=ft_epochs,
            on_event=on_event,
            cancel=cancel,
        )
    result = result1
    history = dict(result1.history)

    if ft_epochs > 0 and result1.stopped_reason not in ("cancelled", "nan", "time_budget"):
        unfrozen = built.unfreeze_top(fine_tune)
        start_epoch = result1.epochs_run
        phases.append(("fine-tune", start_epoch))
        emit(on_event, PhaseChanged("fine-tune", start_epoch))
        lr = training.learning_rate * model_config.fine_tune_lr_factor
        emit(
            on_event,
            Log(
                f"Phase 2: fine-tuning the top {unfrozen} backbone layers at learning rate "
                f"{lr:.2g} (BatchNorm layers stay in inference mode)."
            ),
        )
        before = model.get_weights()
        best_before = _best_val(result1.history)
        budget_left = 0.0
        if training.time_budget > 0:
            budget_left = max(1.0, training.time_budget - result1.seconds)
        ft_training = dataclasses.replace(
            phase_training, epochs=ft_epochs, learning_rate=lr, time_budget=budget_left
        )
        result2 = Trainer(ft_training, plan).fit_dataset(
            model,
            task,
            make_train,
            make_val,
            len(train_paths),
            class_weight=class_weight,
            epoch_offset=start_epoch,
            on_event=on_event,
            cancel=cancel,
        )
        history = _merge_history(result1.history, result2.history)
        if _best_val(result2.history) > best_before:
            model.set_weights(before)
            emit(
                on_event,
                Log(
                    "Fine-tuning did not lower the validation loss: kept the model from "
                    "phase 1 (head only).",
                    "warning",
                ),
            )
        result = dataclasses.replace(
            result2,
            history=history,
            epochs_run=start_epoch + result2.epochs_run,
            best_epoch=(
                start_epoch + result2.best_epoch
                if _best_val(result2.history) <= best_before
                else result1.best_epoch
            ),
            seconds=result1.seconds + result2.seconds,
        )
    elif ft_epochs > 0:
        emit(on_event, Log("Fine-tuning skipped: phase 1 did not finish normally."))
    if result is result1:
        result = dataclasses.replace(result1, history=history)

    # -- evaluation --------------------------------------------------------------------------
    emit(on_event, Progress("evaluate", 0.0, "Evaluating on the held-out test images…"))
    proba, kept = _predict_dataset(model, test_paths, image_size, batch, None)
    y_kept = y_test[kept] if len(kept) else np.zeros(0, "int32")
    report = evaluate_classification(y_kept, proba.astype("float64"), names)
    test_predictions = _prediction_frame([test_paths[i] for i in kept], proba, names)
    actual = np.asarray(names, dtype=object)[y_kept] if len(kept) else []
    test_predictions.insert(1, "actual", actual)
    skipped = len(test_paths) - len(kept)
    if skipped:
        notices.append(f"{skipped} test image(s) could not be decoded and were not evaluated.")

    sample_paths = [test_paths[i] for i in kept[:MAX_SAMPLE_IMAGES]]
    samples = load_images(sample_paths, image_size) if sample_paths else None
    sample_out = (
        np.asarray(model.predict(samples, verbose=0), np.float32) if samples is not None else None
    )
    metadata: dict[str, Any] = jsonable(
        {
            **base_metadata("images"),
            "task": task,
            "class_names": names,
            "architecture": arch,
            "image_size": image_size,
            "color_mode": preprocess.color_mode,
            "input": (
                "float32 RGB images (n, height, width, 3), values 0-255, any size: the model "
                "resizes, converts the colour mode and normalizes by itself"
            ),
            "preprocess": preprocess.to_dict(),
            "model": model_config.to_dict(),
            "training": training.to_dict(),
            "metrics": report["metrics"],
            "sample_predictions": sample_out.tolist() if sample_out is not None else None,
            "phases": [list(p) for p in phases],
            "training_result": {
                **result.summary(),
                "fine_tuned_layers": fine_tune if ft_epochs else 0,
            },
            "data": {
                "root": dataset.root,
                "layout": dataset.layout,
                "images_used": len(dataset.items),
                "train_images": len(train_paths),
                "validation_images": len(val_paths),
                "test_images": len(test_paths),
                "bad_files": len(dataset.bad_files),
            },
            "hardware": getattr(plan, "device_label", None),
        }
    )
    diagnosis = diagnose(result.history) or still_improving(result.history, result.stopped_reason)
    if diagnosis is not None:
        emit(on_event, Log(diagnosis.message, "warning"))
    emit(on_event, Progress("evaluate", 1.0, "Done."))
    return ImageRun(
        model=model,
        metadata=metadata,
        report=report,
        history=result.history,
        result=result,
        test_predictions=test_predictions,
        diagnosis=diagnosis,
        notices=notices + list(dataset.notices),
        phases=phases,
        samples=samples,
    )


def _offset_events(
    on_event: EventCallback | None, offset: int, epochs_after: int
) -> EventCallback | None:
    """Events of a fit that does not know later phases: add them to totals (for the ETA)."""
    if on_event is None or (offset == 0 and epochs_after == 0):
        return on_event

    def forward(event: Any) -> None:
        if isinstance(event, EpochEnd):
            per_epoch = event.elapsed / max(1, event.epoch + 1)
            event = dataclasses.replace(
                event,
                epoch=event.epoch + offset,
                epochs=event.epochs + offset + epochs_after,
                eta=(event.eta or 0.0) + epochs_after * per_epoch if event.eta else event.eta,
            )
        elif isinstance(event, BatchEnd):
            event = dataclasses.replace(event, epoch=event.epoch + offset)
        on_event(event)

    return forward


def train_images_isolated(
    process: Any,
    dataset: ImageDataset,
    preprocess: ImagePreprocessConfig,
    model_config: ImageModelConfig,
    training: TrainConfig,
    *,
    plan: Any = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> ImageRun:
    """:func:`train_images` in an EngineProcess (as ``pipeline.train_tabular_isolated``)."""
    from automl_gui.core.pipeline import run_isolated

    return run_isolated(
        process,
        "automl_gui.core.images_pipeline:_train_in_child",
        {
            "dataset": dataset,
            "preprocess": preprocess,
            "model_config": model_config,
            "training": training,
            "plan": plan,
        },
        on_event=on_event,
        cancel=cancel,
    )


def _train_in_child(
    *,
    dataset: ImageDataset,
    preprocess: ImagePreprocessConfig,
    model_config: ImageModelConfig,
    training: TrainConfig,
    plan: Any,
    model_path: str,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> ImageRun:
    """Child side of :func:`train_images_isolated`: the model travels as a .keras file."""
    run = train_images(
        dataset, preprocess, model_config, training, plan=plan, on_event=on_event, cancel=cancel
    )
    run.model.save(model_path)
    run.model = None
    return run


def collect_image_paths(
    paths: list[str],
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> tuple[list[str], list[BadFile], int]:
    """Image files among ``paths`` (folders recursed, hidden skipped), sorted.

    Lists and checks them as the dataset scan does (``Walker``, parallel ``check_files``).
    Returns (image paths, files with an image extension that are broken, other files ignored).

    Raises:
        DataError: a path does not exist, or nothing usable was found.
    """
    import os

    from automl_gui.core.data._image_files import Walker, check_files
    from automl_gui.core.data.images import IMAGE_EXTENSIONS

    walker = Walker(on_event, cancel)
    candidates: list[str] = []
    for raw in paths:
        path = os.path.abspath(os.path.expanduser(raw))
        if not os.path.lexists(path):
            raise DataError(f"'{raw}' does not exist.", "Check the path.")
        if os.path.isdir(path):
            candidates.extend(walker.images_under(path))
        elif path.lower().endswith(IMAGE_EXTENSIONS):
            candidates.append(path)
        else:
            walker.other += 1
    candidates = sorted(dict.fromkeys(candidates))
    good: list[str] = []
    bad: list[BadFile] = []
    for path, checked in zip(candidates, check_files(candidates, on_event, cancel), strict=True):
        if isinstance(checked, str):
            bad.append(BadFile(path, checked))
        else:
            good.append(path)
    if not good and not bad:
        raise DataError(
            "No image files found in what was given.",
            "Give image files (.jpg .png .bmp .gif .webp) or folders holding them.",
        )
    return good, bad, walker.other


def predict_images(
    bundle: Any,
    paths: list[str],
    *,
    batch_size: int = 32,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """DataFrame ``path, prediction, confidence, probability_<class>...`` for image files or
    folders (recursed). Broken files get an empty prediction and the reason in ``error``.

    Images are decoded and resized to the model's size exactly as in training.
    """
    import pandas as pd

    if bundle.kind != "images":
        raise DataError(
            "This model was trained on a table, not on images.",
            "Give it a table (CSV, TSV or Parquet), or choose an image model.",
        )
    good, bad, _other = collect_image_paths(paths, on_event=on_event, cancel=cancel)
    names = list(bundle.class_names or [])
    size = int(bundle.metadata.get("image_size") or 0)
    if size <= 0:
        raise DataError("The model's metadata lacks its image size.", "Export the model again.")
    emit(on_event, Progress("predict", 0.0, f"Predicting {len(good):,} images…"))
    proba, index = _predict_dataset(bundle.model, good, size, batch_size, cancel, on_event)
    df = _prediction_frame([good[int(i)] for i in index], proba, names)
    df["error"] = ""
    decoded = {int(i) for i in index}
    failed = [(p, "could not be decoded") for k, p in enumerate(good) if k not in decoded]
    failed += [(b.path, b.reason) for b in bad]
    if failed:
        rows = pd.DataFrame({"path": [p for p, _ in failed], "error": [r for _, r in failed]})
        rows["prediction"] = ""
        df = pd.concat([df, rows], ignore_index=True)  # probabilities become NaN
    df = df.sort_values("path", kind="stable", ignore_index=True)
    emit(on_event, Progress("predict", 1.0, "Done."))
    return df

"""The last step of the files job (``jobs.files._Job``): calibration on the validation
split (temperature scaling, kept when it lowers the validation ECE: the run's model is then
the scaled one), evaluation on the test split, the files left out on the way, sample inputs
for the bundle, metadata → the run.

Nothing is lost silently: files the input pipeline skipped (moved, deleted, unreadable or
damaged since the scan; ``ignore_errors`` keeps an epoch alive) are counted per split, told
as notices and ``Log`` warnings, and recorded in the metadata (``data.left_out``) and the
report (``left_out``). Sample inputs stored in a bundle come only from files inside the
dataset's folder: a CSV may name files anywhere, a link may lead elsewhere, and those files'
contents are not copied into a model without the user knowing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import Log, Progress, emit
from automl_gui.core.cluster.training import distribution
from automl_gui.core.jobs._files_predict import predict_dataset, prediction_frame
from automl_gui.core.jobs.run import Run

MAX_SAMPLES = 8
_PARTS = {"train": "training", "validation": "validation", "test": "test"}
_WHERE = {"train": "training", "validation": "validation", "test": "the evaluation"}


def left_out_notice(part: str, n: int, total: int, noun: str) -> str:
    """ "3 of 750 test images could not be read and were left out of the evaluation (…)"."""
    return (
        f"{n:,} of {total:,} {_PARTS[part]} {noun} could not be read and were left out of "
        f"{_WHERE[part]} (moved, deleted, unreadable or damaged since the scan)."
    )


def _built_settings(job: Any, fine_tuned: int) -> dict[str, Any]:
    """The metadata's ``model``: the settings as built (the architecture and fine-tuned
    layers Auto resolved), and ``auto_chose``: which of them Auto decided."""
    config = job.model_config.to_dict()
    chose = [
        k for k, auto in (("architecture", "auto"), ("fine_tune_layers", -1)) if config[k] == auto
    ]
    built = {**config, "architecture": job.arch, "fine_tune_layers": fine_tuned}
    return {"model": built, "auto_chose": chose}


def evaluate_job(job: Any, result: Any, fine_tuned: int) -> Run:
    """The run of ``job`` (a ``jobs.files._Job`` after training): see module docstring."""
    from automl_gui.core.evaluate.metrics import class_counts, evaluate_classification
    from automl_gui.core.export.bundle import base_metadata, jsonable
    from automl_gui.core.train.diagnostics import diagnose, still_improving
    from automl_gui.core.trust.calibration import keep_decisions, metadata_entry
    from automl_gui.core.trust.thresholds import (
        VALIDATION_KEY,
        apply_threshold,
        validation_answers,
    )

    media, names, model = job.media, job.names, job.built.model
    test_paths = job.paths["test"]
    emit(job.on_event, Progress("evaluate", 0.0, f"Evaluating on the held-out test {media.noun}…"))
    proba, kept = predict_dataset(model, media.make_dataset, test_paths, job.batch, None)
    y_kept = job.y["test"][kept] if len(kept) else np.zeros(0, "int32")
    model, proba, cal = _calibrate(job, model, proba, y_kept)
    report = evaluate_classification(
        y_kept, proba.astype("float64"), names, predicted=cal.decisions(proba)
    )
    report["calibration"] = cal.report
    answers = validation_answers(cal.validation_y, cal.validation_proba, names)
    if answers:
        report[VALIDATION_KEY] = answers
    test_predictions = prediction_frame([test_paths[i] for i in kept], proba, names)
    actual = np.asarray(names, dtype=object)[y_kept] if len(kept) else []
    test_predictions.insert(1, "actual", actual)

    left_out = _left_out(job, len(test_paths) - len(kept))
    report["left_out"] = dict(left_out)
    samples, sample_out = _samples(job, model, [test_paths[i] for i in kept])
    dataset, noun = media.dataset, media.noun
    metadata: dict[str, Any] = jsonable(
        {
            **base_metadata(media.kind.name),
            "task": job.task,
            "class_names": names,
            "architecture": job.arch,
            **media.metadata(job.arch, job.built),
            "preprocess": media.preprocess.to_dict(),
            **_built_settings(job, fine_tuned),
            "training": job.training.to_dict(),
            "metrics": report["metrics"],
            "calibration": metadata_entry(cal.report),
            "sample_predictions": sample_out.tolist() if sample_out is not None else None,
            "phases": [list(p) for p in job.phases],
            "training_result": {**result.summary(), "fine_tuned_layers": fine_tuned},
            "data": {
                "identity": media.kind.identity(dataset),
                "root": dataset.root,
                "layout": dataset.layout,
                f"{noun}_used": len(dataset.items),
                f"train_{noun}": len(job.paths["train"]),
                f"validation_{noun}": len(job.paths["validation"]),
                f"test_{noun}": len(test_paths),
                "bad_files": len(dataset.bad_files),
                "left_out": dict(left_out),
            },
            "hardware": getattr(job.plan, "device_label", None),
            "distribution": distribution(job.plan, result.batch_size),
        }
    )
    keep_decisions(metadata, cal)  # a Platt bias moved the boundary: same decisions
    test_predictions = apply_threshold(test_predictions, metadata)
    reference = _drift_reference(job, model)
    if reference:
        metadata["drift_reference"] = reference
    history = result.history
    diagnosis = diagnose(history) or still_improving(history, result.stopped_reason)
    if diagnosis is not None:
        job._log(diagnosis.message, "warning")
        metadata["diagnosis"] = {"kind": diagnosis.kind, "message": diagnosis.message}
    metadata["class_counts"] = class_counts(names, *(job.y[p] for p in job.y))
    emit(job.on_event, Progress("evaluate", 1.0, "Done."))
    return Run(
        model=model,
        metadata=metadata,
        report=report,
        history=history,
        result=result,
        test_predictions=test_predictions,
        diagnosis=diagnosis,
        notices=job.notices + list(dataset.notices),
        phases=job.phases,
        samples=samples,
    )


def _calibrate(job: Any, model: Any, proba: np.ndarray, y_test: np.ndarray) -> Any:
    """Temperature scaling (``core.trust.calibration``): one pass over the validation files
    for their probabilities, the temperature fitted there and kept when it lowers their ECE.
    Returns the model to keep (scaled or ``model``), its test probabilities and the
    ``Calibration``."""
    from automl_gui.core.train.balance import class_weighting
    from automl_gui.core.trust.calibration import calibrated_run_model

    paths = job.paths.get("validation") or []
    if paths:
        emit(job.on_event, Progress("evaluate", None, "Calibrating on the validation split…"))
        val, kept = predict_dataset(model, job.media.make_dataset, paths, job.batch, None)
        y_val = job.y["validation"][kept] if len(kept) else np.zeros(0, "int32")
    else:
        val, y_val = np.zeros((0, proba.shape[-1]), np.float32), np.zeros(0, "int32")
    weighted = class_weighting(job.training.class_weights, job.y["train"]).weights is not None
    kept_model, cal = calibrated_run_model(
        model, y_val, val, y_test, proba, job.on_event, class_names=job.names, weighted=weighted
    )
    return kept_model, cal.test_proba.astype(np.float32), cal


def _drift_reference(job: Any, model: Any) -> dict[str, Any] | None:
    """What Predict compares new files with (``core.trust.drift.files_reference``): the
    model's embeddings of at most ``drift.REFERENCE_ITEMS`` training and validation files
    each, picked at random
    (the paths are in class order)."""
    from automl_gui.core.trust.drift import REFERENCE_ITEMS, files_reference

    rng = np.random.default_rng(0)

    def batches(part: str) -> Any:
        paths = job.paths.get(part) or []
        if not paths:
            return []
        pick = np.sort(rng.permutation(len(paths))[:REFERENCE_ITEMS])
        chosen = [paths[i] for i in pick]
        return job.media.make_dataset(chosen, np.asarray(job.y[part])[pick], job.batch)

    emit(job.on_event, Progress("evaluate", None, "Summarizing the training data for drift…"))
    return files_reference(model, batches("train"), batches("validation"))


def _left_out(job: Any, test_skipped: int) -> dict[str, int]:
    """Files skipped per split (the trackers' counts; the test split's from its
    predictions), each told as a notice and a warning."""
    counts: dict[str, int] = {}
    trackers = getattr(job, "trackers", {}) or {}
    for part in ("train", "validation"):
        tracker = trackers.get(part)
        counts[part] = int(len(tracker.skipped())) if tracker is not None else 0
    counts["test"] = int(test_skipped)
    for part, n in counts.items():
        if n:
            notice = left_out_notice(part, n, len(job.paths[part]), job.media.noun)
            job.notices.append(notice)
            emit(job.on_event, Log(notice, "warning"))
    return counts


def _samples(
    job: Any, model: Any, evaluated: list[str]
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """A few test inputs from files inside the dataset's folder, and the outputs of
    ``model`` (the one kept) on them (None, None when there are none)."""
    dataset, media = job.media.dataset, job.media
    holds = getattr(dataset, "holds", None)
    chosen: list[str] = []
    for path in evaluated:
        if len(chosen) == MAX_SAMPLES:
            break
        if holds is None or holds(path):
            chosen.append(path)
    if evaluated and not chosen:
        notice = (
            f"None of the test {media.noun} lies inside the dataset's folder, so the model "
            f"stores no sample {media.noun} (and an export cannot compare its predictions "
            "on them)."
        )
        job.notices.append(notice)
        emit(job.on_event, Log(notice, "warning"))
    if not chosen:
        return None, None
    try:
        samples = media.load_samples(chosen)
    except DataError:  # a file gone since it was evaluated: the others still serve
        readable = []
        for path in chosen:
            try:
                readable.append(media.load_samples([path]))
            except DataError:
                continue
        if not readable:
            return None, None
        samples = np.concatenate(readable)
    from automl_gui.core.export.bundle import predict_array  # (texts go in as str objects)

    return samples, predict_array(model, samples)

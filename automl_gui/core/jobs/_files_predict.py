"""Predicting with a model trained on files: listing and checking what to predict, streaming
it through the model, and the prediction table (``path, prediction, confidence,
probability_<class>..., error``). Shared by images and audio (``jobs.files``; ``kinds._image_media`` and ``_audio_media`` for each kind)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import CancelToken, EventCallback, Progress, emit


def prediction_frame(paths: list[str], proba: np.ndarray, names: list[str]) -> Any:
    """``path, prediction, confidence, probability_<class>...`` for predicted files."""
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


MakeDataset = Callable[..., Any]  # (paths, labels, batch_size) -> tf.data of (inputs, labels)


def predict_dataset(
    model: Any,
    make_dataset: MakeDataset,
    paths: list[str],
    batch: int,
    cancel: CancelToken | None,
    on_event: EventCallback | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities, index into ``paths``) for the files that decode (others skipped).

    ``make_dataset(paths, labels, batch)`` streams ``(inputs, labels)`` in order; the labels
    given are the files' indices, so skipped files are known.
    """
    idx = np.arange(len(paths), dtype="int32")
    ds = make_dataset(paths, idx, batch)
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


def collect_files(
    paths: list[str],
    walker: Any,
    check: Callable[[list[str]], list[Any]],
    *,
    extensions: tuple[str, ...],
    noun: str,
    hint: str,
) -> tuple[list[str], list[Any], int]:
    """Files among ``paths`` (folders recursed by ``walker``, the dataset scan's ``Walker``:
    hidden skipped, other files counted; a link back into a folder given, or to a folder
    holding it, not followed), checked with ``check`` (results: a reason string for a broken
    file: not a regular file, a name that is not UTF-8, ...), sorted.

    Returns (good paths, ``BadFile`` for broken ones, other files ignored).

    Raises:
        DataError: a path does not exist, or nothing usable was found.
    """
    import os

    from automl_gui.core.data._file_guard import shown
    from automl_gui.core.data.images import BadFile

    candidates: list[str] = []
    for raw in paths:
        path = os.path.abspath(os.path.expanduser(raw))
        if not os.path.lexists(path):
            raise DataError(f"'{shown(raw)}' does not exist.", "Check the path.")
        if os.path.isdir(path):
            walker.set_root(path)  # a loop (a link to a folder above) is not walked
            candidates.extend(walker.files_under(path))
        elif path.lower().endswith(extensions):
            candidates.append(path)
        else:
            walker.other += 1
    candidates = sorted(dict.fromkeys(candidates))
    good: list[str] = []
    bad: list[Any] = []
    for path, checked in zip(candidates, check(candidates), strict=True):
        if isinstance(checked, str):
            bad.append(BadFile(path, checked))
        else:
            good.append(path)
    if not good and not bad:
        raise DataError(f"No {noun} files found in what was given.", hint)
    return good, bad, walker.other


def predict_files(
    bundle: Any,
    good: list[str],
    bad: list[Any],
    make_dataset: MakeDataset,
    *,
    noun: str,
    batch_size: int = 32,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """DataFrame ``path, prediction, confidence, probability_<class>..., error`` for the
    checked files ``good`` (broken ones in ``bad``: ``BadFile``), sorted by path.

    Files that fail to decode, and ``bad``, get an empty prediction and the reason in
    ``error``.
    """
    import pandas as pd

    names = list(bundle.class_names or [])
    emit(on_event, Progress("predict", 0.0, f"Predicting {len(good):,} {noun}…"))
    proba, index = predict_dataset(bundle.model, make_dataset, good, batch_size, cancel, on_event)
    df = prediction_frame([good[int(i)] for i in index], proba, names)
    df["error"] = ""
    decoded = {int(i) for i in index}
    gone = "could not be read (moved, deleted, unreadable or damaged since it was checked)"
    failed = [(p, gone) for k, p in enumerate(good) if k not in decoded]
    failed += [(b.path, b.reason) for b in bad]
    if failed:
        rows = pd.DataFrame({"path": [p for p, _ in failed], "error": [r for _, r in failed]})
        rows["prediction"] = ""
        df = pd.concat([df, rows], ignore_index=True)  # probabilities become NaN
    df = df.sort_values("path", kind="stable", ignore_index=True)
    emit(on_event, Progress("predict", 1.0, "Done."))
    return df

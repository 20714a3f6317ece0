"""A saved model with its metadata: write atomically, load safely, predict on raw rows.

A bundle folder holds ``model.keras`` (the serving model: raw rows in, answers out),
``metadata.json`` (input schema, classes, configs, metrics, sample rows and the predictions
on them) and ``report.json`` (the evaluation). TensorFlow is imported only when needed.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import platform
import shutil
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from automl_gui.core.export._load import (  # noqa: F401 - re-exported: the loaders
    FORMAT_VERSION,
    LEGACY_SAMPLES_FILE,
    METADATA_FILE,
    MODEL_FILE,
    REPORT_FILE,
    SAMPLES_FILE,
    Bundle,
    _check_metadata,
    _load_samples,
    _locate,
    _read_json,
    load_bundle,
    load_keras_model,
)
from automl_gui.core.export.outputs import (  # noqa: F401 - re-exported: project, formats
    check_destination,
    commit_dir,
    commit_dir_or_beside,
    temp_dir_beside,
    tidy_stale,
)
from automl_gui.core.kinds import kind_named

MAX_SAMPLE_ROWS = 20
PREDICT_BATCH = 1024


# -- JSON helpers -----------------------------------------------------------------------------
def jsonable(obj: Any) -> Any:
    """Plain JSON values: numpy scalars/arrays unwrapped, NaN and infinities as None."""
    if isinstance(obj, Enum):
        obj = obj.value
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else None
    if obj is None or isinstance(obj, str):
        return obj
    if obj is pd.NA or obj is pd.NaT:
        return None
    if hasattr(obj, "to_dict"):
        return jsonable(obj.to_dict())
    if isinstance(obj, (_dt.datetime, _dt.date, pd.Timestamp)):
        return obj.isoformat()
    return str(obj)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as strict JSON (no NaN literals)."""
    text = json.dumps(jsonable(data), indent=2, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def sample_records(df: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Up to 20 raw rows of ``columns`` (default: all) as JSON records (NaN and infinities:
    None), capped by the training job's one rule (``_tabular_parts.sample_frame``): at most
    20,000 values (wide tables: fewer rows, at least one), texts over 200 characters cut."""
    from automl_gui.core.jobs._tabular_parts import sample_frame

    part, _ = sample_frame(df, list(df.columns if columns is None else columns), MAX_SAMPLE_ROWS)
    return [{str(k): jsonable(v) for k, v in row.items()} for row in part.to_dict(orient="records")]


# -- metadata ---------------------------------------------------------------------------------
def _versions() -> dict[str, str]:
    from automl_gui import __version__

    versions = {"app": __version__, "python": platform.python_version()}
    try:
        from automl_gui.core.base import lazy

        versions["tensorflow"] = lazy.tf().__version__
        versions["keras"] = lazy.keras().__version__
    except Exception:  # noqa: BLE001 - versions are informative only
        pass
    return versions


def base_metadata(kind: str) -> dict[str, Any]:
    """The keys every bundle's metadata starts with: format, creation time, versions, kind."""
    return {
        "format_version": FORMAT_VERSION,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": _versions(),
        "kind": kind,
    }


def make_metadata(
    *,
    schema: Any,
    task: str,
    class_names: list[str] | None,
    preprocess: Any,
    mlp: Any,
    training: Any,
    metrics: dict[str, Any] | None,
    sample_rows: pd.DataFrame | list[dict[str, Any]] | None,
    target: str,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything needed to use and trust the model outside the app (JSON-ready).

    Args:
        schema: the model's InputSchema (or its dict).
        task: "binary", "multiclass" or "regression".
        class_names: class names in output order (classification).
        preprocess, mlp, training: the configs used (dataclasses or dicts).
        metrics: test metrics (e.g. the report's headline numbers).
        sample_rows: raw input rows (a frame or records), capped by :func:`sample_records`.
        target: the target column.
        extra: anything else to record (preprocessing summary, hardware...).
    """
    schema_dict = schema.to_dict() if hasattr(schema, "to_dict") else dict(schema)
    columns = [c["name"] for c in schema_dict.get("columns", [])]
    if isinstance(sample_rows, pd.DataFrame):
        records = sample_records(sample_rows, columns)
    else:
        rows = list(sample_rows or [])[:MAX_SAMPLE_ROWS]
        records = sample_records(pd.DataFrame(rows, dtype=object)) if rows else []
    meta: dict[str, Any] = {
        **base_metadata("tabular"),
        "task": getattr(task, "value", task),
        "target": target,
        "class_names": list(class_names) if class_names is not None else None,
        "input_schema": schema_dict,
        "preprocess": jsonable(preprocess),
        "model": jsonable(mlp),
        "training": jsonable(training),
        "metrics": jsonable(metrics or {}),
        "sample_rows": records,
        "sample_predictions": None,
    }
    if extra:
        meta.update(jsonable(extra))
    return jsonable(meta)


# -- predictions ------------------------------------------------------------------------------
def predict_arrays(model: Any, metadata: dict[str, Any], df: pd.DataFrame) -> np.ndarray:
    """Raw model outputs for raw rows: (n, classes) probabilities or (n,) values."""
    from automl_gui.core.preprocess.tabular import InputSchema, frame_to_inputs, to_tensors

    schema = InputSchema.from_dict(metadata["input_schema"])
    n_out = len(metadata.get("class_names") or []) or 1
    if len(df) == 0:
        out = np.zeros((0, n_out), dtype=np.float32)
    else:
        inputs = to_tensors(frame_to_inputs(df, schema))
        out = np.asarray(model.predict(inputs, batch_size=PREDICT_BATCH, verbose=0))
    if metadata.get("task") == "regression":
        return out.reshape(-1).astype(np.float32)
    return out.reshape(len(df), -1).astype(np.float32)


def sample_array(samples: Any) -> np.ndarray:
    """Sample inputs as ``samples.npy`` keeps them: texts as a NumPy unicode array (``<U…``,
    which loads without pickle), decoded images and waveforms as float32."""
    from automl_gui.core.export._text_encode import as_text

    array = np.asarray(samples)
    if array.dtype.kind in "USO":
        return np.asarray([as_text(v) for v in array.reshape(-1)], dtype=str).reshape(array.shape)
    return array.astype(np.float32)


def model_array(inputs: Any) -> np.ndarray:
    """Sample inputs as a Keras model or a SavedModel takes them: texts as Python ``str``
    objects (Keras refuses NumPy unicode arrays), images and waveforms as float32."""
    array = sample_array(inputs)
    return array.astype(object) if np.issubdtype(array.dtype, np.str_) else array


def predict_array(model: Any, inputs: np.ndarray, batch_size: int = 32) -> np.ndarray:
    """Probabilities (n, classes) for decoded files of one shape: images (float32, values
    0-255), waveforms (float32 mono in [-1, 1] at the model's sample rate) or raw texts."""
    inputs = model_array(inputs)
    if len(inputs) == 0:
        return np.zeros((0, int(model.outputs[0].shape[-1])), dtype=np.float32)
    return np.asarray(model.predict(inputs, batch_size=batch_size, verbose=0), dtype=np.float32)


def sample_inputs(bundle: Bundle) -> Any:
    """What the export check predicts on: sample rows (tables), sample images or clips."""
    kind = bundle.kind
    if kind.file_based:
        return bundle.samples if bundle.samples is not None else kind.empty_samples(bundle.metadata)
    return pd.DataFrame.from_records(bundle.metadata.get("sample_rows") or [])


def predict_inputs(model: Any, metadata: dict[str, Any], inputs: Any) -> np.ndarray:
    """:func:`predict_arrays` for rows, :func:`predict_array` for images and waveforms."""
    if kind_named(str(metadata.get("kind", "tabular"))).file_based:
        return predict_array(model, inputs)
    return predict_arrays(model, metadata, inputs)


def sample_predictions(model: Any, metadata: dict[str, Any]) -> list[Any]:
    """The model's outputs on ``metadata["sample_rows"]`` as JSON lists."""
    rows = pd.DataFrame.from_records(metadata.get("sample_rows") or [])
    return predict_arrays(model, metadata, rows).tolist()


def predict_frame(bundle: Bundle, df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` plus ``prediction`` (class name or value) and, for classification,
    ``probability_<class>`` per class; when ``df`` has columns of those names they are kept
    and ours get a suffix (:func:`add_answer_columns`, notice in ``result.attrs``).

    Values the model fills, calls unknown or extrapolates (text in a numeric column, an
    unseen category, 1e30) are counted per column
    (:func:`~automl_gui.core.preprocess.input_checks.input_problems`): a notice per column in
    ``result.attrs["notices"]`` and the counts in ``result.attrs["input_problems"]``.

    Raises:
        DataError: the frame lacks columns the model needs, or holds text in a numeric one.
    """
    from automl_gui.core.preprocess.input_checks import input_problems, problem_notices

    result = frame_with_outputs(bundle, df, predict_arrays(bundle.model, bundle.metadata, df))
    problems = input_problems(df, bundle.metadata, bundle.model)
    if problems:
        result.attrs[PROBLEMS_ATTR] = [p.to_dict() for p in problems]
        notices = [*result.attrs.get(NOTICES_ATTR, []), *problem_notices(problems)]
        result.attrs[NOTICES_ATTR] = notices
    return result


def frame_with_outputs(
    bundle: Bundle, df: pd.DataFrame, out: np.ndarray, *, actual: Any = None
) -> pd.DataFrame:
    """``df`` plus the prediction columns for model outputs ``out`` already computed (named
    by :func:`add_answer_columns`: the input's own columns are never replaced); ``actual``
    (the test split's true answers) goes first among them when given."""
    answers: dict[str, Any] = {} if actual is None else {"actual": actual}
    names = bundle.class_names
    if bundle.task == "regression" or not names:
        answers["prediction"] = out.astype(np.float64)
        return add_answer_columns(df, answers)
    answers["prediction"] = np.asarray(names, dtype=object)[out.argmax(axis=1)] if len(df) else []
    for i, name in enumerate(names):
        answers[f"probability_{name}"] = out[:, i].astype(np.float64)
    return add_answer_columns(df, answers)


#: where :func:`add_answer_columns` says which names it chose (``DataFrame.attrs``)
NOTICES_ATTR = "notices"
ANSWERS_ATTR = "answer_columns"
PROBLEMS_ATTR = "input_problems"  # per column: values filled, unknown or extrapolated


def answer_column(frame: pd.DataFrame, name: str) -> str:
    """The column holding the model's answer ``name`` ("prediction", "actual", …) in a frame
    made by :func:`add_answer_columns` (the plain name for frames made before the rule)."""
    return str((frame.attrs.get(ANSWERS_ATTR) or {}).get(name, name))


def answer_names(existing: Any, names: list[str]) -> tuple[list[str], str]:
    """The model's column ``names`` made free of the ``existing`` columns: unchanged when
    none is taken, else all with the first suffix ``_2``, ``_3``, … that frees every one
    (so ``prediction_2`` goes with ``probability_<class>_2``). Returns (names, a notice or
    "")."""
    taken = {str(c) for c in existing}
    if not taken & set(names):
        return list(names), ""
    n = 2
    while taken & {f"{name}_{n}" for name in names}:
        n += 1
    renamed = [f"{name}_{n}" for name in names]
    clash = [name for name in names if name in taken]
    shown = ", ".join(clash[:3]) + (" …" if len(clash) > 3 else "")
    notice = (
        f"The data already has a column named {shown}; it is kept as it is and the model's "
        f"answers are in {renamed[0]}" + (f" … {renamed[-1]}." if len(renamed) > 1 else ".")
    )
    return renamed, notice


def add_answer_columns(frame: pd.DataFrame, answers: dict[str, Any]) -> pd.DataFrame:
    """A copy of ``frame`` with the model's ``answers`` (name → values, in order) added after
    its columns. The one rule for tables, images and audio: the frame's own columns are
    never replaced; a taken name moves every answer to a free suffix (:func:`answer_names`)
    and ``result.attrs["notices"]`` says so; ``result.attrs["answer_columns"]`` maps each
    answer to the column it went to (for readers of ``prediction``, ``actual``, …)."""
    names, notice = answer_names(frame.columns, list(answers))
    result = frame.copy()
    for name, values in zip(names, answers.values(), strict=True):
        result[name] = values
    result.attrs[ANSWERS_ATTR] = dict(zip(answers, names, strict=True))
    if notice:
        result.attrs[NOTICES_ATTR] = [*result.attrs.get(NOTICES_ATTR, []), notice]
    return result


# -- atomic writes: the rule and the commit live in ``outputs`` ------------------------------
def serving_model_of(model: Any) -> Any:
    """Accept a TabularModel or a keras.Model; return the model that takes raw rows, as it
    is saved: without training-only augmentation (``_portable.inference_model``)."""
    from automl_gui.core.export._portable import inference_model

    return inference_model(getattr(model, "serving_model", model))


def save_bundle(
    model: Any,
    metadata: dict[str, Any],
    report: dict[str, Any] | None,
    out_dir: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    samples: Any = None,
    inputs: Any = (),
) -> Path:
    """Write ``model.keras``, ``metadata.json`` and ``report.json`` into ``out_dir`` atomically.

    Fills ``metadata["sample_predictions"]`` if the caller left it empty. ``samples`` (models
    of files: a few input images, waveforms or texts) are saved as ``samples.npy`` for
    later checks (:func:`sample_array`). ``overwrite`` replaces only a folder this app
    wrote, never one of ``inputs`` (the data, the source model), see :mod:`.outputs`.

    Returns where it wrote: ``out_dir``, or, when ``out_dir`` changed while the model was
    made and may no longer be replaced, the first free ``OUT-2``, ``OUT-3``, … beside it
    (the finished model is never thrown away; the caller says where it went).

    Raises:
        ModelError: ``out_dir`` exists and is not empty while ``overwrite`` is False, or
            may not be replaced at all.
    """
    out = Path(out_dir).expanduser().absolute()
    inputs = list(inputs or ())
    tidy_stale(out)
    check_destination(out, overwrite, inputs=inputs)
    keras_model = serving_model_of(model)
    meta = dict(metadata)
    if not meta.get("sample_predictions") and meta.get("sample_rows"):
        meta["sample_predictions"] = sample_predictions(keras_model, meta)
    tmp = temp_dir_beside(out)
    try:
        keras_model.save(tmp / MODEL_FILE)
        write_json(tmp / METADATA_FILE, meta)
        write_json(tmp / REPORT_FILE, report or {})
        if samples is not None:
            np.save(tmp / SAMPLES_FILE, sample_array(samples))
        written = commit_dir_or_beside(tmp, out, overwrite, inputs=inputs)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    metadata.update(sample_predictions=meta.get("sample_predictions"))
    return written

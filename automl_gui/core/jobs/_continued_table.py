"""Continue a table run (``jobs.continued``): the rows prepared with the run's recorded
settings, its serving model trained further, evaluated by ``jobs.tabular.finish_tabular``.

The serving model takes raw rows (its preprocessing layers inside, their fitted statistics
kept: nothing is refitted on the new rows). What the trainer fits is the network's training
output inside it, found by the layer names ``models.mlp`` gives it: ``probabilities`` (one
network), ``member_heads`` (an efficient ensemble: each member's answer, trained on the
members' mean loss as at first) or ``standardized`` (regression: the value before the
``prediction`` layer maps it back to the target's scale, whose mean and spread are kept).
A calibration or threshold layer added after those (``trust.calibration``) stays as it is.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from automl_gui.core.base.errors import AutoMLError, DataError, ModelError
from automl_gui.core.base.events import Log, Progress, emit

if TYPE_CHECKING:
    import pandas as pd

    from automl_gui.core.base.events import CancelToken, EventCallback
    from automl_gui.core.jobs.requests import ContinueRequest
    from automl_gui.core.jobs.run import Run
    from automl_gui.core.preprocess.tabular import PreparedData

#: why a run cannot be continued ("" : it can; ``continued.unsupported``)
UNSUPPORTED = ""
#: why the earlier and the new data cannot be trained on together ("": they can)
OLD_AND_NEW = ""
#: the layers whose output the trainer fits, by the names ``models.mlp`` gives them
TRAIN_OUTPUTS = ("probabilities", "member_heads", "standardized")
RETRAIN_HINT = "Train a new model on all the data instead (Train → Start Training)."


@dataclass
class _Fitted:
    """The earlier run's fitted preprocessing as ``finish_tabular`` reads it (the layers are
    inside the model; their summary is the earlier run's, since nothing is refitted)."""

    schema: Any
    summary: Any
    summary_omitted: Any = None


# -- checks -----------------------------------------------------------------------------------
def _frame(data: Any) -> pd.DataFrame:
    import pandas as pd

    frame = getattr(data, "df", data)  # a LoadedTable or its DataFrame
    if not isinstance(frame, pd.DataFrame):
        raise DataError("The new data is not a table.", "Choose a CSV, TSV, Excel or Parquet file.")
    return frame


def check_new_data(metadata: dict[str, Any], data: Any) -> None:
    """The new table has the run's columns and target, some labelled rows, and only classes
    the run knows (``continued.check_new_data``)."""
    from automl_gui.core.preprocess.config import PreprocessConfig

    frame = _frame(data)
    config = PreprocessConfig.from_dict(metadata["preprocess"])
    wanted = [c.name for c in config.feature_columns()] + [config.target]
    have = {str(c) for c in frame.columns}
    missing = [name for name in dict.fromkeys(wanted) if name not in have]
    if missing:
        shown = ", ".join(f"'{m}'" for m in missing[:8]) + (" …" if len(missing) > 8 else "")
        raise DataError(
            f"The new table lacks {len(missing)} of the run's columns: {shown}.",
            f"Choose a table with the columns the run was trained on, the target "
            f"'{config.target}' included (the rows must be labelled).",
        )
    target = frame[config.target]
    if not target.notna().any():
        raise DataError(
            f"The new table has no labelled rows: '{config.target}' is empty in every row.",
            "Continuing training needs the right answers: fill in the target column.",
        )
    classes = metadata.get("class_names")
    if classes:
        from automl_gui.core.preprocess._target import canonical_labels

        labels = canonical_labels(target)
        found = [str(v) for v in dict.fromkeys(labels.values[labels.present].tolist())]
        unknown = [c for c in found if c not in set(classes)]
        if unknown:
            shown = ", ".join(f"'{c}'" for c in unknown[:6]) + (" …" if len(unknown) > 6 else "")
            raise DataError(
                f"The new rows hold {len(unknown)} class{'es' if len(unknown) > 1 else ''} "
                f"the run does not know: {shown} (it knows {', '.join(map(repr, classes[:8]))}"
                f"{' …' if len(classes) > 8 else ''}).",
                "Continuing training keeps the run's classes. " + RETRAIN_HINT,
            )
        if len(found) < 2:
            raise DataError(
                f"The new rows hold one class only ('{found[0]}' if found).",
                "Trained on them alone, the model would learn to answer it always: add rows "
                "of the other classes, or train on the earlier and the new data together.",
            )


def check_old_data(metadata: dict[str, Any], data: Any) -> None:
    """The earlier data (for "old and new") has the run's columns too."""
    try:
        check_new_data(metadata, data)
    except DataError as exc:
        raise DataError(
            "The earlier data does not fit the run: " + exc.message[:1].lower() + exc.message[1:],
            "Load the data the run was trained on, or continue on the new data only.",
        ) from exc


# -- the job ----------------------------------------------------------------------------------
def prepare_rows(metadata: dict[str, Any], data: Any, on_event: Any) -> PreparedData:
    """``data`` prepared and split as the run's own data was (its recorded settings), the
    labels numbered in the run's class order."""
    from automl_gui.core.preprocess.config import PreprocessConfig
    from automl_gui.core.preprocess.tabular import prepare_data

    config = PreprocessConfig.from_dict(metadata["preprocess"])
    prepared = prepare_data(_frame(data), config, on_event=on_event)
    classes = metadata.get("class_names")
    if not classes:
        return prepared
    index = {name: i for i, name in enumerate(classes)}
    order = np.array([index[name] for name in prepared.class_names or []], dtype=np.int32)
    return dataclasses.replace(
        prepared,
        y_train=order[prepared.y_train],
        y_validation=order[prepared.y_validation],
        y_test=order[prepared.y_test],
        class_names=list(classes),
    )


def _joined(old: PreparedData, new: PreparedData) -> PreparedData:
    """Each split of ``old`` followed by the same split of ``new``."""
    import pandas as pd

    def rows(part: str) -> pd.DataFrame:
        return pd.concat([getattr(old, part), getattr(new, part)], ignore_index=True)

    def labels(part: str) -> np.ndarray:
        return np.concatenate([getattr(old, f"y_{part}"), getattr(new, f"y_{part}")])

    return dataclasses.replace(
        new,
        train=rows("train"),
        validation=rows("validation"),
        test=rows("test"),
        y_train=labels("train"),
        y_validation=labels("validation"),
        y_test=labels("test"),
        notices=old.notices + new.notices,
        rows_in=old.rows_in + new.rows_in,
        rows_used=old.rows_used + new.rows_used,
        dropped={
            k: old.dropped.get(k, 0) + new.dropped.get(k, 0) for k in {**old.dropped, **new.dropped}
        },
    )


def figures(metadata: dict[str, Any], y: np.ndarray, outputs: np.ndarray) -> dict:
    """The report's headline metrics of a model's ``outputs`` (its answers ``y``), a
    classifier's scored on the classes it answers (:func:`scored`)."""
    from automl_gui.core.evaluate.metrics import evaluate_regression

    if len(y) == 0:
        return {}
    if metadata.get("class_names"):
        return scored(metadata, y, outputs)
    return evaluate_regression(y, np.asarray(outputs, dtype=np.float64))["metrics"]


def split_figures(
    metadata: dict[str, Any], y: np.ndarray, outputs: np.ndarray, parts: dict[str, int]
) -> tuple[dict, dict[str, dict]]:
    """:func:`figures` of all the test rows and of each part (``{name: rows}``, the parts'
    rows one after the other in that order, as ``_joined`` puts them): every figure from the
    same answers, so the parts recombine to the whole."""
    whole = figures(metadata, y, outputs)
    each, start = {}, 0
    for name, n in parts.items():
        each[name] = figures(metadata, y[start : start + n], outputs[start : start + n])
        start += n
    return whole, each


def _run_outputs(run: Run) -> np.ndarray:
    """The kept model's test outputs as the run's report scored them (its test predictions:
    the probabilities of each class, or the predicted value)."""
    from automl_gui.core.export.bundle import answer_column

    frame = run.test_predictions
    names = run.metadata.get("class_names")
    if names:
        columns = [answer_column(frame, f"probability_{n}") for n in names]
        return frame[columns].to_numpy(dtype=np.float64)
    return frame[answer_column(frame, "prediction")].to_numpy(dtype=np.float64)


def scored(metadata: dict[str, Any], y: np.ndarray, proba: np.ndarray) -> dict:
    """A classifier's headline metrics on its probabilities ``proba`` (answers ``y``), on
    the decisions it makes: a binary model's stored threshold (a person's, or the boundary
    its calibration keeps) applied as Predict applies it (``thresholds.apply_threshold``),
    else its most probable class. Scoring the most probable class would judge a model on
    answers it never gives, and disagree with its report (which decides at the boundary)."""
    import pandas as pd

    from automl_gui.core.evaluate.metrics import evaluate_classification
    from automl_gui.core.trust.thresholds import apply_threshold

    names = [str(n) for n in metadata["class_names"]]
    p = np.asarray(proba, dtype=np.float64)
    if p.ndim == 1:  # a single sigmoid column: P(second class)
        p = np.stack([1.0 - p, p], axis=1)
    frame = pd.DataFrame({f"probability_{n}": p[:, i] for i, n in enumerate(names)})
    frame["prediction"] = [names[i] for i in p.argmax(axis=1)] if len(p) else []
    decided = apply_threshold(frame, metadata)
    index = {name: i for i, name in enumerate(names)}
    predicted = decided["prediction"].map(index).to_numpy(dtype=np.int64)
    return evaluate_classification(y, p, names, predicted=predicted)["metrics"]


def own_names(model: Any) -> Any:
    """``model`` (just loaded) with its operations that are not layers (a ``cast``, a
    ``clip``) renamed ``<name>_loaded``. A fresh process (the engine's) numbers new operations
    from the start again, so the next ``cast`` Keras makes (the calibration's) would be named
    like one in the loaded graph, and a model holding both cannot be built ("The name 'cast'
    is used 2 times in the model")."""
    from automl_gui.core.base import lazy

    layer = lazy.keras().layers.Layer
    for operation in model.operations:
        if not isinstance(operation, layer):
            operation.name = f"{operation.name}_loaded"
    return model


def train_view(model: Any) -> tuple[Any, tuple[float, float] | None, int]:
    """The training view of a table's serving model (module docstring), the regression
    target's ``(mean, std)`` (None for classes) and the ensemble members."""
    from automl_gui.core.base import lazy

    keras = lazy.keras()
    names = {layer.name for layer in model.layers}
    found = next((n for n in TRAIN_OUTPUTS if n in names), None)
    if found is None:
        raise ModelError(
            "This model was not built by this app's table training, so it cannot be trained "
            "further here.",
            RETRAIN_HINT,
        )
    out = model.get_layer(found).output
    view = keras.Model(model.input, out, name="tabular_mlp")
    scale = None
    if found == "standardized":
        if "prediction" not in names:
            raise ModelError("The regression model has no 'prediction' layer.", RETRAIN_HINT)
        layer = model.get_layer("prediction")
        scale = (float(np.asarray(layer.offset)), float(np.asarray(layer.scale)))
    shape = tuple(out.shape)
    per_member = found == "member_heads" or (found == "standardized" and shape[-1] != 1)
    members = int(shape[1]) if per_member else 1
    return view, scale, members


def continue_job(
    request: ContinueRequest, on_event: EventCallback | None, cancel: CancelToken
) -> Run:
    """The table part of ``continued.continue_training``."""
    from automl_gui.core.evaluate.labels import change_text
    from automl_gui.core.export.bundle import load_keras_model, predict_arrays
    from automl_gui.core.jobs._tabular_parts import resolve_epochs
    from automl_gui.core.jobs.requests import NEW_ONLY, OLD_AND_NEW
    from automl_gui.core.jobs.tabular import finish_tabular, fit_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.models.mlp import TabularModel
    from automl_gui.core.preprocess.config import PreprocessConfig
    from automl_gui.core.preprocess.tabular import InputSchema
    from automl_gui.core.train.config import TrainConfig
    from automl_gui.core.train.diagnostics import check_diverged
    from automl_gui.core.trust.calibration import without_temperature

    meta = request.metadata
    new = prepare_rows(meta, request.new_data, on_event)
    old = prepare_rows(meta, request.old_data, None) if request.old_data is not None else None
    prepared = _joined(old, new) if old is not None else new
    for notice in prepared.notices:
        emit(on_event, Log(notice, "warning"))
    cancel.raise_if_cancelled()

    emit(on_event, Progress("build", 0.0, "Loading the earlier run's model…"))
    model = own_names(load_keras_model(Path(request.model_path)))
    unknown = unseen_categories(model, meta, request.new_data)
    for line in unknown:  # said before training: continuing cannot learn them
        emit(on_event, Log(line, "warning"))
    network = without_temperature(model)  # the table job calibrates the new model again
    view, scale, members = train_view(network)
    task = str(meta["task"])
    parts = {"new": new, "old": old} if old is not None else {}
    # the parts in the joined rows' order: the earlier data's rows, then the new data's
    sizes = {k: len(parts[k].test) for k in ("old", "new") if k in parts}
    outputs = predict_arrays(model, meta, prepared.test) if len(prepared.test) else np.zeros(0)
    before, parts_before = split_figures(meta, prepared.y_test, outputs, sizes)
    cancel.raise_if_cancelled()

    earlier = TrainConfig.from_dict(meta.get("training") or {})
    lr = earlier.learning_rate * request.lr_factor
    epochs = max(0, int(request.epochs))  # 0: Auto, from the training rows
    training = dataclasses.replace(earlier, learning_rate=lr, epochs=epochs, refit=False)
    training = resolve_epochs(training, len(prepared.train), request.plan, on_event)
    source = f"'{request.base_name}'" if request.base_name else "the earlier run"
    emit(
        on_event,
        Log(
            f"Continuing {source} on {len(prepared.train):,} training rows "
            f"({'earlier and new' if old is not None else 'new'} data) at learning rate "
            f"{lr:.2g} ({request.lr_factor:g} × {earlier.learning_rate:g}); the preprocessing "
            "keeps the statistics it learned."
        ),
    )
    schema = InputSchema.from_dict(meta["input_schema"])
    mlp = MLPConfig.from_dict(meta.get("model") or {})
    built = TabularModel(
        train_model=view,
        serving_model=network,
        task=task,
        class_names=meta.get("class_names"),
        target_scale=scale,
        members=members,
        config=mlp,
    )
    fitted = _Fitted(
        schema, meta.get("preprocessing_fitted"), meta.get("preprocessing_fitted_omitted")
    )
    result = fit_tabular(
        prepared, fitted, built, training, plan=request.plan, on_event=on_event, cancel=cancel
    )
    check_diverged(result, None)
    config = PreprocessConfig.from_dict(meta["preprocess"])
    run = finish_tabular(
        prepared, config, mlp, training, fitted, built, result, plan=request.plan, on_event=on_event
    )
    after = dict(run.report.get("metrics") or {})
    parts_after: dict[str, dict] = {}
    if len(prepared.test):  # the kept model's decisions: its own threshold (calibration's)
        _, parts_after = split_figures(run.metadata, prepared.y_test, _run_outputs(run), sizes)
    info: dict[str, Any] = {
        "run_id": request.base_id,
        "name": request.base_name,
        "data": OLD_AND_NEW if old is not None else NEW_ONLY,
        "learning_rate": lr,
        "lr_factor": request.lr_factor,
        "earlier_learning_rate": earlier.learning_rate,
        "items": "rows",
        # the rows trained and judged on: with old + new data, both (the parts' together)
        "rows": {p: len(getattr(prepared, p)) for p in ("train", "validation", "test")},
        "test_before": before,
        "test_after": after,
    }
    if parts:
        info["parts"] = {
            k: {
                "before": parts_before[k],
                "after": parts_after.get(k, {}),
                "test_rows": len(p.test),
            }
            for k, p in parts.items()
        }
    run.metadata["continued_from"] = _jsonable(info)
    # the data the run judges itself on later (explain/evaluate): the new table's test split
    run.metadata.setdefault("data", {})["identity"] = request.kind.identity(request.new_data)
    run.notices = [*unknown, *run.notices]
    emit(on_event, Log(f"Test rows, earlier model → this one: {change_text(before, after, 3)}."))
    return run


def unseen_categories(model: Any, metadata: dict[str, Any], data: Any) -> list[str]:
    """One sentence per category column of the new ``data`` holding values outside the
    model's vocabulary (found as Predict's drift check finds them, ``trust.drift``): the
    preprocessing keeps its vocabulary, so continuing keeps them unknown."""
    from automl_gui.core.export.bundle import Bundle
    from automl_gui.core.trust.drift import table_drift

    try:
        report = table_drift(Bundle(model=model, metadata=metadata, path=None), _frame(data))
    except (AutoMLError, ValueError, KeyError, TypeError):
        return []
    if report is None:  # an older model without a drift reference
        return []
    return [
        f"Column '{column}': {count:,} rows hold values that are not among the model's "
        f"categories ({values}): continuing keeps them unknown (the preprocessing keeps its "
        "vocabulary); train a new model to learn them."
        for column, (count, values) in report.unseen.items()
    ]


def _jsonable(value: Any) -> Any:
    from automl_gui.core.export.bundle import jsonable

    return jsonable(value)

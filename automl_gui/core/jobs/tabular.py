"""The table kind's training job (``kinds.tabular`` calls it; the search and the studies call
its steps).

``setup_tabular`` decides target, task and automatic preprocessing for a loaded table;
``train_tabular`` goes from a raw DataFrame and the three settings objects to a trained,
evaluated, exportable run: prepare and split → build the preprocessing layers and the model →
train with live events → evaluate on the held-out test split → metadata for export.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from automl_gui.core.base.events import CancelToken, EventCallback, Log, Progress, emit
from automl_gui.core.cluster.training import distribution
from automl_gui.core.data.schema import LoadedTable, Task
from automl_gui.core.jobs._tabular_parts import (
    built_settings,
    describe_model,
    resolve_epochs,
    sample_frame,
)
from automl_gui.core.jobs.run import Run
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.preprocess.config import PreprocessConfig
from automl_gui.core.train.balance import announce_class_weights
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.train.diagnostics import check_diverged

if TYPE_CHECKING:
    import pandas as pd

    from automl_gui.core.data.schema import DataWarning, TableProfile
    from automl_gui.core.hardware import HardwarePlan
    from automl_gui.core.models.mlp import TabularModel
    from automl_gui.core.preprocess._build import Preprocessor
    from automl_gui.core.preprocess.tabular import PreparedData
    from automl_gui.core.train.checkpoint import CheckpointInfo, EpochCheckpointer
    from automl_gui.core.train.result import TrainResult
    from automl_gui.core.trust.calibration import Calibration


@dataclass
class DatasetSetup:
    """What the command line (or a script) needs to train on a table: the settings decided."""

    table: LoadedTable
    profile: TableProfile
    preprocess: PreprocessConfig
    warnings: list[DataWarning]


def setup_tabular(table: LoadedTable, target: str | None, task: str | None = None) -> DatasetSetup:
    """Profile ``table`` and decide target, task and automatic preprocessing.

    Args:
        table: the loaded table.
        target: the target column; None guesses it.
        task: "binary" | "multiclass" | "regression"; None detects it from the target.
    """
    from automl_gui.core.data.profile import guess_target, profile_table
    from automl_gui.core.data.target_choice import analyze_target

    df = table.df
    profile = profile_table(df)
    if target is None:
        target = guess_target(df, profile)
    analysis = analyze_target(df, profile, target, task)  # the window's rule too
    if analysis.problems:
        raise analysis.problems[0]
    assert analysis.config is not None  # no problem means the automatic settings were built
    return DatasetSetup(table, profile, analysis.config, analysis.advice)


def train_tabular(
    df: pd.DataFrame,
    preprocess: PreprocessConfig,
    mlp: MLPConfig,
    training: TrainConfig,
    *,
    plan: HardwarePlan | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
) -> Run:
    """Train, evaluate and describe a model for a table. ``df`` is never modified.

    With ``checkpoint_dir`` every epoch is checkpointed there (``core.train.checkpoint``);
    with ``resume`` an unfinished checkpoint of this same table and settings continues from
    its last epoch (one made with other data or settings is not used: a warning says so and
    training starts afresh). A run that ends (not by a crash) marks the checkpoint finished.

    Raises:
        DataError / ConfigError: the data or settings cannot be trained as given.
        CancelledError: cancelled before training began (a Stop during training instead
            returns normally with the best weights and ``result.stopped_reason == "cancelled"``).
    """
    from automl_gui.core.preprocess.tabular import prepare_data

    cancel = cancel or CancelToken()
    prepared = prepare_data(df, preprocess, on_event=on_event)
    for notice in prepared.notices:
        emit(on_event, Log(notice, "warning"))
    cancel.raise_if_cancelled()
    from automl_gui.core.train.checkpoint import table_identity

    data_id = table_identity(getattr(df, "df", df))  # TABULAR.identity: the checkpoint's too
    return train_prepared(
        prepared,
        preprocess,
        mlp,
        training,
        plan=plan,
        on_event=on_event,
        cancel=cancel,
        checkpoint_dir=checkpoint_dir,
        resume=resume,
        data_id=data_id,
    )


def train_prepared(
    prepared: PreparedData,
    preprocess: PreprocessConfig,
    mlp: MLPConfig,
    training: TrainConfig,
    *,
    plan: HardwarePlan | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
    data_id: str | None = None,
) -> Run:
    """:func:`train_tabular` on data already prepared and split (``prepare_data``'s result).

    The search prepares the data once and calls the pieces below (:func:`build_tabular`,
    :func:`fit_tabular`, :func:`finish_tabular`) for each trial and for the model it keeps.
    ``checkpoint_dir``/``resume`` as for :func:`train_tabular`; ``data_id`` identifies the
    table (``checkpoint.table_identity`` of the raw frame, recorded as
    ``metadata["data"]["identity"]``; default: the checkpoint uses the split frames').
    Epochs at Auto (0) become ``_tabular_parts.table_epochs`` of the training rows.
    """
    cancel = cancel or CancelToken()
    # Auto epochs (0): from the training rows and batch; what the run records and a refit follows
    training = resolve_epochs(training, len(prepared.train), plan, on_event)
    checkpoint, info = None, None
    if checkpoint_dir is not None:
        checkpoint, info = tabular_checkpoint(
            prepared, preprocess, mlp, training, checkpoint_dir, resume, data_id, on_event
        )
    emit(on_event, Progress("build", 0.0, "Building the model…"))
    pre, built = build_tabular(prepared, preprocess, mlp, seed=training.seed, plan=plan)
    emit(on_event, Log(describe_model(built.train_model, mlp, pre.n_features, built.config or mlp)))
    announce_class_weights(training.class_weights, built.task, prepared.y_train, on_event)
    cancel.raise_if_cancelled()
    result = fit_tabular(
        prepared,
        pre,
        built,
        training,
        plan=plan,
        on_event=on_event,
        cancel=cancel,
        checkpoint=checkpoint,
        resume=info,
    )
    check_diverged(result, checkpoint)
    run = finish_tabular(
        prepared,
        preprocess,
        mlp,
        training,
        pre,
        built,
        result,
        plan=plan,
        on_event=on_event,
        identity=data_id,
    )
    if checkpoint is not None:  # it ended (not by a crash): nothing left to resume
        checkpoint.finish()
    if training.refit:
        run = refit_tabular(
            run, preprocess, mlp, training, plan=plan, on_event=on_event, cancel=cancel
        )
    return run


def refit_tabular(
    first: Run,
    preprocess: PreprocessConfig,
    mlp: MLPConfig,
    training: TrainConfig,
    *,
    plan: HardwarePlan | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Run:
    """ "Refit on all data" (``jobs._refit``) for a table: the preprocessing and the network
    built again from scratch on the training and validation rows together (the network sized
    as for the first training's rows: the same architecture), fitted for the epochs
    validation chose, evaluated on the same test rows."""
    import pandas as pd

    from automl_gui.core.jobs._refit import keep_refit, plan_refit, refit_events
    from automl_gui.core.preprocess.tabular import frame_to_inputs
    from automl_gui.core.train.trainer import Trainer

    prepared = first.prepared
    assert prepared is not None  # a table run in the process that trained it
    refit = plan_refit(training, first.result, on_event=on_event, cancel=cancel)
    if refit is None:
        return first
    merged = dataclasses.replace(
        prepared,
        train=pd.concat([prepared.train, prepared.validation], ignore_index=True),
        validation=prepared.validation.iloc[:0],
        y_train=np.concatenate([prepared.y_train, prepared.y_validation]),
        y_validation=prepared.y_validation[:0],
    )
    rows = len(merged.train)
    events = refit_events(on_event, first.result.epochs_run, refit.epochs, rows, "rows")
    pre, built = build_tabular(
        merged, preprocess, mlp, seed=training.seed, plan=plan, size_rows=len(prepared.train)
    )
    trainer = Trainer(refit.training, plan, **refit.trainer_options())
    result = trainer.fit(
        built.train_model,
        built.task,
        frame_to_inputs(merged.train, pre.schema),
        built.standardize_target(merged.y_train),
        None,
        None,
        on_event=events,
        cancel=cancel,
    )
    if result.stopped_reason != "completed":
        return keep_refit(first, first, result, refit, rows, on_event)
    second = finish_tabular(merged, preprocess, mlp, training, pre, built, result, plan=plan)
    return keep_refit(first, second, result, refit, rows, on_event)


def tabular_checkpoint(
    prepared: PreparedData,
    preprocess: PreprocessConfig,
    mlp: MLPConfig,
    training: TrainConfig,
    folder: str | Path,
    resume: bool,
    data_id: str | None,
    on_event: EventCallback | None,
) -> tuple[EpochCheckpointer, CheckpointInfo | None]:
    """The job's ``EpochCheckpointer`` and the checkpoint to resume (None: start afresh)."""
    from automl_gui.core.train.checkpoint import fingerprint, prepare_checkpoint, table_identity

    if data_id is None:
        parts = (prepared.train, prepared.validation, prepared.test)
        data_id = fingerprint(*[table_identity(part) for part in parts])
    settings = (preprocess.to_dict(), mlp.to_dict(), training.to_dict())
    fp = fingerprint("tabular", data_id, *settings)
    return prepare_checkpoint(
        folder, fp, "tabular", data_id=data_id, resume=resume, on_event=on_event
    )


def build_tabular(
    prepared: PreparedData,
    preprocess: PreprocessConfig,
    mlp: MLPConfig,
    *,
    seed: int,
    plan: HardwarePlan | None = None,
    size_rows: int | None = None,
) -> tuple[Preprocessor, TabularModel]:
    """Seed Keras, fit the preprocessing layers on the training rows and stack the MLP.

    ``size_rows``: the rows Auto sizes the network for (default: the training rows; a refit
    passes the first training's, so it builds the same network).
    Returns ``(preprocessor, TabularModel)``, built in the plan's strategy scope if any.
    """
    from automl_gui.core.base import lazy
    from automl_gui.core.hardware import apply_plan
    from automl_gui.core.models.mlp import build_tabular_model, target_scale_for
    from automl_gui.core.preprocess.tabular import build_preprocessor

    task = Task(preprocess.task)
    keras = lazy.keras()
    keras.utils.set_random_seed(seed)
    strategy = apply_plan(plan) if plan is not None else None
    regression = task is Task.REGRESSION
    target_scale = target_scale_for(prepared.y_train) if regression else None
    n_classes = len(prepared.class_names) if prepared.class_names else 1

    def _build() -> Any:
        pre = build_preprocessor(
            preprocess, prepared.train, embedding_dim=mlp.embedding_dim, seed=seed
        )
        built = build_tabular_model(
            pre,
            task.value,
            n_classes,
            len(prepared.train) if size_rows is None else size_rows,
            mlp,
            target_scale=target_scale,
            seed=seed,
            class_names=prepared.class_names,
        )
        return pre, built

    if strategy is not None:
        with strategy.scope():
            return _build()
    return _build()


def fit_tabular(
    prepared: PreparedData,
    pre: Preprocessor,
    built: TabularModel,
    training: TrainConfig,
    *,
    plan: HardwarePlan | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    checkpoint: EpochCheckpointer | None = None,
    resume: CheckpointInfo | None = None,
) -> TrainResult:
    """Train ``built.train_model`` on the prepared split; returns the ``TrainResult``.

    ``checkpoint``/``resume``: an ``EpochCheckpointer`` and a ``CheckpointInfo`` to continue
    (``Trainer.fit``)."""
    from automl_gui.core.preprocess.tabular import frame_to_inputs
    from automl_gui.core.train.trainer import Trainer

    x_train = frame_to_inputs(prepared.train, pre.schema)
    x_val = frame_to_inputs(prepared.validation, pre.schema)
    trainer = Trainer(training, plan)  # the class weights are the trainer's (balance.py)
    return trainer.fit(
        built.train_model,
        built.task,
        x_train,
        built.standardize_target(prepared.y_train),
        x_val,
        built.standardize_target(prepared.y_validation),
        on_event=on_event,
        cancel=cancel,
        checkpoint=checkpoint,
        resume=resume,
    )


def finish_tabular(
    prepared: PreparedData,
    preprocess: PreprocessConfig,
    mlp: MLPConfig,
    training: TrainConfig,
    pre: Preprocessor,
    built: TabularModel,
    result: TrainResult,
    *,
    plan: HardwarePlan | None = None,
    on_event: EventCallback | None = None,
    identity: str | None = None,
) -> Run:
    """Evaluate a trained model on the test split and describe it: the finished run.

    A classifier's probabilities are calibrated first (:func:`_calibrate`): the run's model
    is the temperature-scaled one when that lowered the validation ECE, and the test
    evaluation, test predictions and sample answers are that model's; ``report
    ["calibration"]`` says what was decided. ``identity``: the table's
    (``TABULAR.identity``), recorded as ``metadata["data"]["identity"]``."""
    from automl_gui.core.evaluate.metrics import (
        class_counts,
        evaluate_classification,
        evaluate_regression,
    )
    from automl_gui.core.export.bundle import (
        MAX_SAMPLE_ROWS,
        Bundle,
        frame_with_outputs,
        make_metadata,
        predict_arrays,
    )
    from automl_gui.core.train.diagnostics import diagnose, still_improving
    from automl_gui.core.trust.calibration import keep_decisions, metadata_entry
    from automl_gui.core.trust.drift import table_reference
    from automl_gui.core.trust.thresholds import (
        VALIDATION_KEY,
        apply_threshold,
        validation_answers,
    )

    task = Task(preprocess.task)
    emit(on_event, Progress("evaluate", 0.0, "Evaluating on the held-out test split…"))
    model = built.serving_model
    sample, cut = sample_frame(prepared.test, pre.schema.names, MAX_SAMPLE_ROWS)
    metadata = make_metadata(
        schema=pre.schema,
        task=task.value,
        class_names=prepared.class_names,
        preprocess=preprocess,
        mlp=built_settings(built.config or mlp, built.train_model),  # Auto's choices resolved
        training=training,
        metrics={},
        sample_rows=sample,
        target=preprocess.target,
        extra={
            "preprocessing_fitted": pre.summary,
            **(
                {"preprocessing_fitted_omitted": pre.summary_omitted} if pre.summary_omitted else {}
            ),
            "training_result": result.summary(),
            "auto_chose": mlp.auto_fields(),
            "data": {
                "rows_in": prepared.rows_in,
                "rows_used": prepared.rows_used,
                "train_rows": len(prepared.train),
                "validation_rows": len(prepared.validation),
                "test_rows": len(prepared.test),
                "dropped": dict(prepared.dropped),
                **({"identity": identity} if identity else {}),
            },
            "hardware": getattr(plan, "device_label", None),
            "distribution": distribution(plan, result.batch_size),
        },
    )
    # what Predict compares new rows with (drift): the training split's columns, summarized
    metadata["drift_reference"] = table_reference(prepared.train, metadata)
    outputs = predict_arrays(model, metadata, prepared.test)  # the one pass over the test rows
    cal = None
    if task.is_classification:  # temperature scaling fitted on the validation rows
        model, outputs, cal = _calibrate(model, metadata, prepared, outputs, on_event)
    if cal is not None:  # a Platt bias moved the boundary: keep the trained decisions
        keep_decisions(metadata, cal)
    bundle = Bundle(model=model, metadata=metadata, path=None)
    if task.is_classification:
        names = list(prepared.class_names)
        report = evaluate_classification(
            prepared.y_test, outputs.astype("float64"), names, predicted=cal.decisions(outputs)
        )
        answers = validation_answers(prepared.y_validation, cal.validation_proba, names)
        if answers:
            report[VALIDATION_KEY] = answers
        actual = [names[i] for i in prepared.y_test]
    else:
        report = evaluate_regression(prepared.y_test, outputs.astype("float64"))
        actual = prepared.y_test
    # the test rows, then actual/prediction/probabilities: a feature named "actual" or
    # "prediction" is kept and ours take a suffix (attrs["answer_columns"] says which)
    test_predictions = apply_threshold(
        frame_with_outputs(bundle, prepared.test, outputs, actual=actual), metadata
    )
    metadata["metrics"] = report["metrics"]
    if cal is not None:
        report["calibration"] = cal.report
        metadata["calibration"] = metadata_entry(cal.report)
    # the stored sample rows are the first test rows: their answers are already computed
    # (unless a long text was cut, or the kept model is the scaled one: then the kept model
    # answers the rows as stored, which the export check compares)
    redo = cut or (cal is not None and cal.applied)
    samples = predict_arrays(model, metadata, sample) if redo else outputs[: len(sample)]
    metadata["sample_predictions"] = samples[: len(metadata["sample_rows"])].tolist()

    diagnosis = diagnose(result.history) or still_improving(result.history, result.stopped_reason)
    if diagnosis is not None:
        emit(on_event, Log(diagnosis.message, "warning"))
        metadata["diagnosis"] = {"kind": diagnosis.kind, "message": diagnosis.message}
    if task.is_classification:  # the model card's imbalance check reads the whole data's counts
        metadata["class_counts"] = class_counts(
            prepared.class_names, prepared.y_train, prepared.y_validation, prepared.y_test
        )
    emit(on_event, Progress("evaluate", 1.0, "Done."))
    return Run(
        model=model,
        metadata=metadata,
        report=report,
        history=result.history,
        result=result,
        prepared=prepared,
        test_predictions=test_predictions,
        diagnosis=diagnosis,
        notices=list(prepared.notices),
    )


def _calibrate(
    model: Any,
    metadata: dict[str, Any],
    prepared: PreparedData,
    outputs: np.ndarray,
    on_event: EventCallback | None,
) -> tuple[Any, np.ndarray, Calibration]:
    """Temperature scaling (``core.trust.calibration``) of a classifier: one pass over the
    validation rows, the temperature fitted there and kept when it lowers their ECE.
    Returns the model to keep, its test probabilities and what was decided."""
    from automl_gui.core.export.bundle import predict_arrays
    from automl_gui.core.trust.calibration import calibrated_run_model

    validation = outputs[:0]  # a refit trains on the validation rows: none are left
    if len(prepared.validation):
        validation = predict_arrays(model, metadata, prepared.validation)
    kept, cal = calibrated_run_model(
        model,
        prepared.y_validation,
        validation,
        prepared.y_test,
        outputs,
        on_event,
        class_names=prepared.class_names,
        weighted=_weighted(metadata, prepared),
    )
    return kept, cal.test_proba.astype(np.float32), cal


def _weighted(metadata: dict[str, Any], prepared: PreparedData) -> bool:
    """Whether the training weighted the classes (its ``class_weights`` setting resolved on
    the training labels, as the trainer did)."""
    from automl_gui.core.train.balance import class_weighting

    setting = str((metadata.get("training") or {}).get("class_weights") or "none")
    return class_weighting(setting, np.asarray(prepared.y_train)).weights is not None

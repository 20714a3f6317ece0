"""Continue training with new labelled data: an earlier run's model trained further on new
rows or files (or the old and new data together), kept as a new run.

The new run starts from the earlier run's trained model, never from scratch: the same
network, its preprocessing inside with the statistics it fitted (a category or a scaling
learned then is kept), its classes. Its data is prepared with the earlier run's recorded
settings and split by the same rules; the model trains at the earlier learning rate times
``lr_factor`` (0.1 by default: small steps keep what it learned, as in fine-tuning) with
early stopping on the new validation split, and is evaluated on the test split (the new
data's, or with old + new rows both data's) by the kind's own evaluation step. Before it
trains, the earlier model is evaluated on the same test rows, so ``metadata
["continued_from"]`` holds the before → after figures (and each part's, with old + new rows):
each model scored on the decisions it makes, its own stored threshold applied (a person's,
or the boundary its calibration keeps), so the parts recombine to the whole.

:func:`continue_training` is the job (``job(request, *, on_event, cancel) -> Run``, run by
``isolated.run_job`` in the engine process like training); :func:`continue_run` writes the
earlier model to a temporary file and runs the job; :func:`check_new_data` is the quick check
a dialog runs before starting; :func:`continued_lines` says what happened in sentences (the
Evaluate page, the model card).

Stop keeps the best weights (a normal run with ``stopped_reason="cancelled"``); a cancel
before training raises ``CancelledError``. Either way the earlier run is untouched: the job
trains a copy loaded from its file.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.jobs.requests import OLD_AND_NEW, ContinueRequest

if TYPE_CHECKING:
    from automl_gui.core.base.events import CancelToken, EventCallback
    from automl_gui.core.jobs.process import EngineProcess
    from automl_gui.core.jobs.run import Run
    from automl_gui.core.kinds.base import DataKind

#: the default learning-rate factor: the earlier run's rate × 0.1
LR_FACTOR = 0.1


def continued_name(base_name: str) -> str:
    """The new run's name: "<earlier run's name> + new data"."""
    return f"{base_name or 'Earlier run'} + new data"


def check_lr_factor(factor: float) -> float:
    """``factor`` if it is in (0, 1], else a ConfigError."""
    value = float(factor)
    if not 0.0 < value <= 1.0:
        raise ConfigError(
            f"The learning-rate factor {factor:g} is out of range.",
            "Use a value above 0 and at most 1 (0.1 keeps most of what the model learned).",
        )
    return value


def check_new_data(kind: DataKind, metadata: dict[str, Any], dataset: Any) -> None:
    """Refuse, with a DataError saying what to do, new data the earlier run cannot be trained
    further on: another kind of data, missing columns, an unlabelled target, classes the run
    does not know (retrain instead). ``dataset``: as the kind's job takes it. Fast (no model,
    no TensorFlow): the dialog runs it before starting."""
    check_kind(kind, metadata)
    _part(kind).check_new_data(metadata, dataset)


def check_kind(kind: DataKind, metadata: dict[str, Any]) -> None:
    """A DataError when ``kind`` (of the data chosen) is not the kind the run trained on."""
    from automl_gui.core.base.errors import DataError
    from automl_gui.core.kinds import kind_named

    run_kind = kind_named(str(metadata.get("kind") or "tabular"))
    if run_kind is not kind:
        noun = kind.dataset_noun
        raise DataError(
            f"The run was trained on {run_kind.trained_on}; this is "
            f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}.",
            f"Choose new labelled data like the run's own ({run_kind.trained_on}).",
        )


def load_new_data(
    metadata: dict[str, Any],
    path: str | Path,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """The new labelled data at ``path`` (a table file, a folder, texts), loaded by the run's
    kind as the run's data was (a text run's columns) and checked against the run
    (:func:`check_new_data`): what :func:`continue_run` takes. Data the run's kind cannot
    read is named by its own kind ("trained on table data, not image data")."""
    from automl_gui.core.base.errors import DataError
    from automl_gui.core.kinds import kind_for_path, kind_named

    kind = kind_named(str(metadata.get("kind") or "tabular"))
    options = {name: metadata[name] for name in kind.load_options if metadata.get(name)}
    try:
        data = kind.load(path, on_event=on_event, cancel=cancel, **options)
    except DataError:
        check_kind(kind_for_path(path), metadata)  # another kind of data: say so
        raise
    check_new_data(kind, metadata, data)
    return data


def earlier_data(metadata: dict[str, Any], kind: DataKind | None, dataset: Any) -> Any:
    """``dataset`` (of ``kind``: the data loaded now) as the run's own data, for training on
    the earlier and the new data together. A DataError when nothing is loaded, or it is of
    another kind, or the run recorded its data's identity and this is other data."""
    from automl_gui.core.base.errors import DataError

    hint = "Load the data the run was trained on first, or continue on the new data only."
    if kind is None or dataset is None:
        raise DataError("The data the run was trained on is not loaded.", hint)
    check_kind(kind, metadata)
    recorded = (metadata.get("data") or {}).get("identity")
    if recorded and recorded != kind.identity(dataset):
        raise DataError("The loaded data is not the data the run was trained on.", hint)
    _part(kind).check_old_data(metadata, dataset)
    return dataset


def unsupported(kind: DataKind) -> str:
    """Why runs of ``kind`` cannot be continued in this version ('' when they can)."""
    return str(_part(kind).UNSUPPORTED)


def old_and_new(kind: DataKind) -> str:
    """Why runs of ``kind`` cannot train on the earlier and the new data together ('' when
    they can)."""
    return str(_part(kind).OLD_AND_NEW)


def _part(kind: DataKind) -> Any:
    """The module that continues ``kind``'s runs: tables' rows, or the files' items."""
    if kind.file_based:
        from automl_gui.core.jobs import _continued_files as part
    else:
        from automl_gui.core.jobs import _continued_table as part
    return part


def continue_training(
    request: ContinueRequest,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Run:
    """The job: the earlier run's model trained further on ``request``'s data, evaluated,
    described (module docstring). Module-level, so the engine process can run it.

    Raises:
        DataError: the new data does not fit the run (``check_new_data``).
        ConfigError: a learning-rate factor out of range. ModelError: the model file.
        CancelledError: cancelled before training began.
    """
    from automl_gui.core.base.events import CancelToken

    check_lr_factor(request.lr_factor)
    check_new_data(request.kind, request.metadata, request.new_data)
    if request.old_data is not None:
        _part(request.kind).check_old_data(request.metadata, request.old_data)
    run = _part(request.kind).continue_job(request, on_event, cancel or CancelToken())
    said = threshold_notice(request.metadata)
    if said:
        from automl_gui.core.base.events import Log, emit

        emit(on_event, Log(said, "warning"))
        run.notices = [*run.notices, said]
    return run


def threshold_notice(metadata: dict[str, Any]) -> str:
    """What becomes of the earlier run's decision threshold: a person's choice is not
    carried over (said); the calibration's boundary is set anew by the new run's own
    calibration (nothing to say)."""
    from automl_gui.core.trust.thresholds import THRESHOLD_KEY, is_boundary

    chosen = (metadata or {}).get(THRESHOLD_KEY)
    if not chosen or is_boundary(chosen):
        return ""
    how = str(chosen.get("chosen") or "by hand")
    return (
        f"The earlier run's threshold {float(chosen['value']):.2f} ({how}) was not carried "
        "over: the model trained further answers with other probabilities, so the same "
        "number would decide differently; choose one again on Evaluate → Threshold."
    )


def continue_run(
    model: Any,
    metadata: dict[str, Any],
    new_data: Any,
    *,
    old_data: Any = None,
    base_name: str = "",
    base_id: str = "",
    lr_factor: float = LR_FACTOR,
    epochs: int = 0,
    plan: Any = None,
    engine_process: EngineProcess | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Run:
    """:func:`continue_training` of an earlier run's ``model`` (a ``keras.Model``, or the path
    of its ``.keras`` file) and ``metadata``: the model is written to a temporary file (the
    job loads its own copy, in the engine process when there is one) and removed after.
    ``epochs``: the most epochs (0: Auto). The rest as :class:`ContinueRequest`."""
    from automl_gui.core.jobs.isolated import run_job
    from automl_gui.core.kinds import kind_named

    kind = kind_named(str(metadata.get("kind") or "tabular"))
    check_lr_factor(lr_factor)
    workdir = Path(tempfile.mkdtemp(prefix="automl-gui-continue-"))
    try:
        if isinstance(model, str | Path):
            path = str(model)
        else:
            from automl_gui.core.export.bundle import serving_model_of

            path = str(workdir / "earlier.keras")
            serving_model_of(model).save(path)
        request = ContinueRequest(
            kind,
            path,
            dict(metadata),
            new_data,
            old_data,
            base_name,
            base_id,
            float(lr_factor),
            int(epochs),
            plan,
        )
        return run_job(
            continue_training,
            request,
            engine_process=engine_process,
            on_event=on_event,
            cancel=cancel,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def continued_lines(metadata: dict[str, Any]) -> list[str]:
    """What ``metadata["continued_from"]`` says, in sentences (empty for a run trained from
    scratch): where the run came from, on which data and learning rate, and the test figures
    of the earlier model → this one on the same test rows."""
    from automl_gui.core.evaluate.labels import change_text

    info = metadata.get("continued_from")
    if not isinstance(info, dict):
        return []
    name = info.get("name") or info.get("run_id") or "an earlier run"
    data = "the earlier and the new data" if info.get("data") == OLD_AND_NEW else "new data"
    lines = [
        f"Continued from '{name}': its model trained further on {data} at learning rate "
        f"{info.get('learning_rate', 0):.2g} ({info.get('lr_factor', LR_FACTOR):g} × the "
        "earlier rate), not from scratch."
    ]
    change = change_text(info.get("test_before") or {}, info.get("test_after") or {}, limit=3)
    if change:
        lines.append(f"On this run's test {info.get('items', 'rows')}, before → after: {change}.")
    for part, words in (("new", "the new data's"), ("old", "the earlier data's")):
        figures = (info.get("parts") or {}).get(part)
        if isinstance(figures, dict):
            change = change_text(figures.get("before") or {}, figures.get("after") or {}, 2)
            if change:
                lines.append(f"On {words} test {info.get('items', 'rows')} alone: {change}.")
    return lines

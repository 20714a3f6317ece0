"""Pieces of the tabular job (``jobs.tabular``): the sample rows its metadata stores, the
model settings as built and the log line describing them, Auto epochs for a table."""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

from automl_gui.core.base.events import Log, emit
from automl_gui.core.models.config import MLPConfig

if TYPE_CHECKING:
    from automl_gui.core.base.events import EventCallback
    from automl_gui.core.train.config import TrainConfig

MAX_SAMPLE_CELLS = 20_000  # values of sample rows stored in metadata (wide tables: fewer rows)
MAX_SAMPLE_TEXT = 200  # characters of a sample cell stored; longer ones are cut and end in "…"


def sample_frame(test: Any, columns: list[str], max_rows: int) -> tuple[Any, bool]:
    """The sample rows stored in metadata (the export check replays them): the first test
    rows, fewer on wide tables (at most :data:`MAX_SAMPLE_CELLS` values), the model's
    columns only, texts longer than :data:`MAX_SAMPLE_TEXT` cut (a 200 MB cell was stored
    whole). Returns the frame and whether some text was cut.

    A cut text ends in "…", so it is longer than any category vocabulary entry
    (``MAX_VALUE_CHARS``) and meets the model as unseen, as the whole text did.
    """
    from pandas.api.types import is_object_dtype, is_string_dtype

    keep = [c for c in dict.fromkeys(columns) if c in test.columns]
    rows = max(1, min(max_rows, MAX_SAMPLE_CELLS // max(1, len(keep))))
    part = test.loc[:, ~test.columns.duplicated()].head(rows)[keep].copy()
    cut = False
    for name in part.columns:
        series = part[name]
        if is_object_dtype(series.dtype) or is_string_dtype(series.dtype):
            long = series.map(lambda v: isinstance(v, str) and len(v) > MAX_SAMPLE_TEXT)
            if long.any():
                cut = True
                part[name] = series.astype(object).where(
                    ~long, series[long].map(lambda v: v[:MAX_SAMPLE_TEXT] + "…")
                )
    return part, cut


def built_hidden_units(model: Any) -> list[int]:
    """The hidden layers' widths of a built table network (its Dense layers but the output)."""
    return [
        int(layer.units)
        for layer in model.layers
        if type(layer).__name__ == "Dense" and layer is not model.layers[-1]
    ]


def built_settings(mlp: MLPConfig, model: Any) -> dict[str, Any]:
    """The model settings as built: ``mlp`` with the hidden layers of ``model`` (what Auto
    chose when ``mlp.auto``; ``auto`` stays true to say so). The metadata records these, so
    the model card and the Runs window show the network that was trained, not Auto's
    placeholder sizes."""
    return {**mlp.to_dict(), "hidden_units": built_hidden_units(model)}


def describe_model(model: Any, mlp: MLPConfig, n_features: int, built: MLPConfig) -> str:
    """One log line saying what was built (Auto sizes the network: say to what), with the
    numeric embedding and ensemble members as built (``built``: Auto resolved), in the words
    the Evaluate page and the model card use."""
    from automl_gui.core.project._records import network_words

    how = "sized to the data" if mlp.auto else "as set"
    layers = ", ".join(str(u) for u in built_hidden_units(model)) or "none"
    extra = network_words(built.to_dict())
    return (
        f"Model: MLP {how}, hidden layers {layers}{f', {extra}' if extra else ''} on "
        f"{n_features} encoded inputs ({model.count_params():,} weights)."
    )


#: Auto epochs of a table (``TrainConfig.epochs = 0``, :func:`table_epochs`): enough optimizer
#: steps for the Auto network to converge, at most :data:`AUTO_EPOCHS_MAX` passes (what every
#: table got before), at least :data:`AUTO_EPOCHS_MIN`. Figures: :func:`table_epochs`.
AUTO_STEPS = 8000
AUTO_EPOCHS_MIN = 20
AUTO_EPOCHS_MAX = 100


def table_epochs(n_train: int, batch_size: int) -> int:
    """The most epochs of a table training left at Auto: :data:`AUTO_STEPS` optimizer steps
    of ``batch_size`` over ``n_train`` training rows, within [:data:`AUTO_EPOCHS_MIN`,
    :data:`AUTO_EPOCHS_MAX`]. Early stopping (patience 10, best epoch kept) usually ends
    sooner; a large table rarely stops early because the plateau schedule keeps lowering
    validation loss a little, so before this cap it ran all 100 passes.

    Measured (issue 17, ``benchmarks/_quality_tables.py`` tables, the app's split and Auto
    network, seed 0, the CPU plan's Auto batch of 128; 2 CPU cores shared, load 5-7):

    - synthetic_50k (35,000 training rows, 274 steps an epoch): 100 epochs in batches of
      512 (no plan) took 1,806 s for test accuracy 0.9392; at Auto (30 epochs, 8,220
      steps) 261 s for 0.9419. Validation accuracy in batches of 128: 0.922 after 8
      epochs, 0.934 after 21, 0.936 at 29; in batches of 1,024 0.884 after 8 epochs.
      An epoch took ~5-7 s at 128, ~7 s at 256, ~15 s at 512 and ~17-20 s at 1,024:
      the piecewise-encoded ensemble's activations grow with the batch, so a larger Auto
      batch is slower per row here as well as per step (it stays the plan's).
    - mpls_stops (30,336 rows, cap 34): early stopping ended it at epoch 15, 70 s, test
      accuracy 0.7276 (batches of 512: 16 epochs, 119 s, 0.7437; classes weighted).
    - gss_wages (26,506 rows, cap 39): early stopping at epoch 34, 79 s, test R² 0.3368
      (batches of 512: 33 epochs, 193 s, 0.3235).
    - diabetes and breast cancer (310 and 399 rows, batches of 16): the cap is 100, as
      before, so their training is unchanged (early stopping: diabetes epoch 49, test R²
      0.4655, 13 s; breast cancer epoch 51, accuracy 1.0, 29 s).
    """
    steps = max(1, math.ceil(max(1, int(n_train)) / max(1, int(batch_size))))
    epochs = math.ceil(AUTO_STEPS / steps)
    return int(min(AUTO_EPOCHS_MAX, max(AUTO_EPOCHS_MIN, epochs)))


def resolve_epochs(
    training: TrainConfig, n_train: int, plan: Any, on_event: EventCallback | None
) -> TrainConfig:
    """``training`` with Auto epochs (0) replaced by :func:`table_epochs` for ``n_train``
    rows in the batches the trainer will use, and the log line saying so; set epochs
    (a project saved with 100 keeps 100) are returned unchanged."""
    if training.epochs > 0:
        return training
    from automl_gui.core.train.trainer import Trainer

    batch = Trainer(dataclasses.replace(training, epochs=1), plan).batch_size_for(n_train)
    epochs = table_epochs(n_train, batch)
    emit(on_event, Log(f"Auto epochs: at most {epochs} (early stopping usually ends sooner)."))
    return dataclasses.replace(training, epochs=epochs)

"""Pieces of the tabular job (``jobs.tabular``): the sample rows its metadata stores, the
model settings as built and the log line describing them."""

from __future__ import annotations

from typing import Any

from automl_gui.core.models.config import MLPConfig

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


def describe_model(model: Any, mlp: MLPConfig, n_features: int) -> str:
    """One log line saying what was built (Auto sizes the network: say to what)."""
    how = "sized to the data" if mlp.auto else "as set"
    layers = ", ".join(str(u) for u in built_hidden_units(model)) or "none"
    return (
        f"Model: MLP {how}, hidden layers {layers} on {n_features} encoded inputs "
        f"({model.count_params():,} weights)."
    )

"""Whether new data still looks like the data a model trained on (concept drift).

At training, the jobs store a compact summary of the training data in
``metadata["drift_reference"]`` (:func:`table_reference`, :func:`files_reference`). When the
model predicts, the new data is compared with it (``DataKind.drift`` → :func:`table_drift` or
:func:`files_drift`) and the answer is a :class:`DriftReport`:

- Tables, per used column: numbers by the two-sample Kolmogorov–Smirnov test against a
  stored sample of the training values (``scipy.stats.ks_2samp``) and the population
  stability index (PSI, Siddiqi 2006, *Credit Risk Scorecards*, ch. 8) on the training
  split's decile bins; categories by Pearson's chi-square goodness of fit to the training
  proportions (``scipy.stats.chisquare``, bins expecting fewer than 5 rows merged) and PSI,
  with categories the model never saw counted and named; the share of missing values is a
  bin of its own. A column has drifted when PSI ≥ 0.2 (a "significant shift" in Siddiqi's
  scale) **and** the test's p < 0.01: the effect is large and not chance.
- Images, audio, texts: the model's own embedding (the input of its last Dense softmax
  layer); an item is "far" when its Mahalanobis distance from the training items (a
  probabilistic-PCA covariance, Lee et al. 2018; Tipping & Bishop 1999) exceeds what 95 % of the validation items reached (a
  split-conformal threshold, Vovk et al. 2005). The share of far new items is tested
  against 5 % (``scipy.stats.binomtest``, one-sided); drift when p < 0.01 and the share is
  at least twice the expected one.

Models saved without a reference (older ones) get None: nothing is said about drift.
TensorFlow-free at import; pandas and scipy are imported inside functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from automl_gui.core.base.events import CancelToken, EventCallback
from automl_gui.core.trust._drift_report import (
    DRIFT_KEY,
    FIRST_COLUMNS,
    P_DRIFT,
    PSI_DRIFT,
    DriftReport,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DRIFT_KEY",
    "FIRST_COLUMNS",
    "P_DRIFT",
    "PSI_DRIFT",
    "REFERENCE_ITEMS",
    "DriftReport",
    "files_drift",
    "files_reference",
    "predict_with_drift",
    "table_drift",
    "table_reference",
]


# -- tables -----------------------------------------------------------------------------------
def table_reference(train_frame: pd.DataFrame, metadata: dict[str, Any]) -> dict[str, Any]:
    """The training split's summary that :func:`table_drift` compares new rows with (JSON-
    ready, for ``metadata["drift_reference"]``): per column of ``metadata["input_schema"]``
    (the columns the model uses), numbers as decile bin edges + proportions + a sample of
    at most 500 values, categories as the top-50 proportions + "other", and the missing
    share. Free-text columns are compared by their number of words, dates by their day.

    ``train_frame``: the raw training rows (the model's columns; others are ignored).
    """
    from automl_gui.core.trust._drift_table import table_reference as build

    return build(train_frame, metadata)


def table_drift(
    bundle: Any,
    frame: pd.DataFrame,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> DriftReport | None:
    """How far the rows of ``frame`` are from ``bundle``'s training split, per used column;
    None for a model saved without a reference (before drift was recorded)."""
    reference = (getattr(bundle, "metadata", None) or {}).get(DRIFT_KEY)
    if not reference or reference.get("type") != "table":
        return None
    from automl_gui.core.trust._drift_table import compare_table

    return compare_table(bundle, reference, frame, on_event=on_event, cancel=cancel)


# -- images, audio, texts ---------------------------------------------------------------------
def files_reference(model: Any, train_batches: Any, val_batches: Any) -> dict[str, Any] | None:
    """The embedding summary :func:`files_drift` compares new items with (JSON-ready, for
    ``metadata["drift_reference"]``): the embedding layer's name, the mean and leading
    principal axes of the training items, and the distances of the validation items
    that set the threshold (at most 500 of each are read; :data:`REFERENCE_ITEMS`, 300, picked
    at random from each split, is the advised number). None for a model without a Dense classifier layer.

    ``train_batches``, ``val_batches``: iterables of model input batches (or ``(inputs,
    labels)`` pairs, as the files job's datasets yield them), in evaluation form (no
    shuffling or random crops needed; the model runs with ``training=False``).
    """
    from automl_gui.core.trust._drift_files import files_reference as build

    return build(model, train_batches, val_batches)


#: training and validation items to pick at random for :func:`files_reference` (each): one
#: inference pass over twice this many at training (measured on 2 shared cores: 24 ms an
#: item for a 64 px CNN, 0.8 s for ResNet50 at 224 px), enough for 16 principal axes and a
#: 95 % quantile
REFERENCE_ITEMS = 300


def files_drift(
    bundle: Any,
    data: Any,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> DriftReport | None:
    """How far the items of ``data`` (what ``bundle.kind.predict`` takes: files, folders,
    typed texts) are from ``bundle``'s training items, on the model's own embedding; None
    for a model saved without a reference. The items go through the kind's own prediction
    (reading, decoding, resampling exactly as when predicting)."""
    reference = (getattr(bundle, "metadata", None) or {}).get(DRIFT_KEY)
    if not reference or reference.get("type") != "embeddings":
        return None
    from automl_gui.core.trust._drift_files import compare_files

    return compare_files(bundle, reference, data, on_event=on_event, cancel=cancel)


# -- both at once -----------------------------------------------------------------------------
def predict_with_drift(
    bundle: Any,
    data: Any,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> tuple[Any, DriftReport | None]:
    """(``bundle.kind.predict(bundle, data)``, the drift of ``data``) in one pass over the
    data: files are embedded while they are answered (the kind's own prediction runs once,
    with a model that also hands over the embeddings: the answers are the model's own).
    A model without a reference costs nothing more than predicting."""
    kind = bundle.kind
    reference = (getattr(bundle, "metadata", None) or {}).get(DRIFT_KEY) or {}
    if reference.get("type") == "embeddings":
        from automl_gui.core.trust._drift_files import recording_bundle, report_from_embeddings

        recording = recording_bundle(bundle)
        if recording is not None:
            proxy, recorder = recording
            frame = kind.predict(proxy, data, on_event=on_event, cancel=cancel)
            return frame, report_from_embeddings(bundle, reference, recorder.collected())
    frame = kind.predict(bundle, data, on_event=on_event, cancel=cancel)
    if not reference:
        return frame, None
    return frame, kind.drift(bundle, data, on_event=on_event, cancel=cancel)

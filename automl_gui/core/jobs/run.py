"""One finished training run, whatever the kind of data: :class:`Run`.

The training jobs of every kind return it, the engine process sends it back, projects save
and reload it, and the front ends show it: nobody asks which class a run is, they ask its
``kind`` (a :class:`~automl_gui.core.kinds.base.DataKind`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from automl_gui.core.export.bundle import Bundle
    from automl_gui.core.kinds.base import DataKind
    from automl_gui.core.preprocess.tabular import PreparedData
    from automl_gui.core.train.diagnostics import Diagnosis
    from automl_gui.core.train.result import TrainResult

#: wrong test answers a file run lists by confidence (the Evaluate pages' "confident mistakes")
CONFIDENTLY_WRONG = 24


@dataclass
class Run:
    """A finished training run: the serving model and everything needed to judge and export it.

    Args:
        model: the serving ``keras.Model`` (raw rows, decoded images or waveforms in;
            probabilities or values out). None while the run crosses the engine process.
        metadata: ``kind``, ``task``, ``class_names``, the input contract, settings, metrics,
            versions (``export.bundle.make_metadata`` / ``base_metadata``).
        report: the test-split evaluation (``evaluate.metrics``).
        history: per-epoch values (of every phase), one list per key.
        result: the (last phase's) ``TrainResult``.
        test_predictions: the test examples with ``actual``, ``prediction`` and the
            probabilities (files: ``path`` and ``confidence`` too).
        diagnosis: over/underfitting diagnosis or None.
        notices: sentences for the user.
        phases: ``[(phase name, first epoch index)]`` of a two-phase training (files).
        samples: a few test inputs whose stored predictions the export check compares
            (files; a table's sample rows are in ``metadata``).
        prepared: the prepared split (tables, in the process that trained; else None).
    """

    model: Any
    metadata: dict[str, Any]
    report: dict[str, Any]
    history: dict[str, list[float]]
    result: TrainResult
    test_predictions: pd.DataFrame | None
    diagnosis: Diagnosis | None = None
    notices: list[str] = field(default_factory=list)
    phases: list[tuple[str, int]] = field(default_factory=list)
    samples: np.ndarray | None = None
    prepared: PreparedData | None = None

    @property
    def kind(self) -> DataKind:
        """The kind of data the run trained on (from its metadata)."""
        from automl_gui.core.kinds import kind_named

        return kind_named(str(self.metadata.get("kind") or "tabular"))

    @property
    def task(self) -> str:
        return self.metadata["task"]

    @property
    def bundle(self) -> Bundle:
        """The run as an export :class:`~automl_gui.core.export.bundle.Bundle` (not on disk)."""
        from automl_gui.core.export.bundle import Bundle

        return Bundle(
            model=self.model,
            metadata=self.metadata,
            path=None,
            report=self.report,
            samples=self.samples,
        )

    def confidently_wrong(self, n: int = CONFIDENTLY_WRONG) -> pd.DataFrame:
        """The ``n`` wrong test predictions with the highest confidence (DataFrame rows)."""
        df = self.test_predictions
        wrong = df[df["actual"] != df["prediction"]]
        return wrong.sort_values("confidence", ascending=False).head(n)

    def cell(self, actual: str, predicted: str) -> pd.DataFrame:
        """Test rows of one confusion-matrix cell."""
        df = self.test_predictions
        return df[(df["actual"] == actual) & (df["prediction"] == predicted)]


def save_run(run: Run, out_dir: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``model.keras``, ``metadata.json`` and ``report.json`` into ``out_dir`` atomically."""
    from automl_gui.core.export.bundle import save_bundle

    return save_bundle(run.model, run.metadata, run.report, out_dir, overwrite=overwrite)

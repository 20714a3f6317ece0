"""Tables: a CSV/TSV/Parquet file, one row per example, a target column to predict."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_gui.core.data.detect import SUPPORTED_TABLE_SUFFIXES
from automl_gui.core.kinds.base import DataKind

if TYPE_CHECKING:
    import pandas as pd

    from automl_gui.core.base.events import CancelToken, EventCallback
    from automl_gui.core.data.schema import LoadedTable
    from automl_gui.core.export.bundle import Bundle
    from automl_gui.core.jobs.requests import TrainRequest
    from automl_gui.core.jobs.run import Run
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.preprocess.config import PreprocessConfig
    from automl_gui.core.train.config import TrainConfig


class TabularKind(DataKind):
    """Rows and columns; the model takes the raw columns and encodes them itself."""

    name = "tabular"
    title = "Table"
    item = "row"
    items = "rows"
    dataset_noun = "table"
    opens = "a table (CSV .csv .tsv .txt .tab, or Parquet .parquet .pq)"
    trained_on = "a table"
    model_noun = "a table model"
    input_hint = "Give it a table (CSV, TSV or Parquet)"
    card_input_word = "table (rows and columns)"
    file_based = False
    extensions = SUPPORTED_TABLE_SUFFIXES
    sample = "customer_churn.csv"
    sample_words = "sample rows"
    auto_model = "mlp"
    model_families = ("mlp",)
    kept_parts = ("model",)  # the preprocessing is the table's: kept with its target
    search_note = (
        "The search chooses the layers, dropout, L2 penalty, batch normalization, numeric "
        "embedding, ensemble members, optimizer, learning rate, weight decay and batch size. "
        "Early stopping, the seed and class weights below apply to every trial."
    )

    def claims_file(self, path: Path) -> bool:
        return path.suffix.lower() in self.extensions

    def load(
        self,
        path: str | os.PathLike[str],
        *,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> LoadedTable:
        from automl_gui.core.data.tabular import read_table

        return read_table(path, on_event=on_event, cancel=cancel)

    def identity(self, dataset: LoadedTable | pd.DataFrame) -> str:
        """``dataset``: a ``LoadedTable`` or its DataFrame."""
        from automl_gui.core.train.checkpoint import table_identity

        return table_identity(getattr(dataset, "df", dataset))

    def size(self, dataset: LoadedTable | pd.DataFrame) -> int:
        return len(getattr(dataset, "df", dataset))

    def preprocess_from_dict(self, data: dict[str, Any]) -> PreprocessConfig:
        from automl_gui.core.preprocess.config import PreprocessConfig

        return PreprocessConfig.from_dict(data)

    def model_from_dict(self, data: dict[str, Any]) -> MLPConfig:
        from automl_gui.core.models.config import MLPConfig

        return MLPConfig.from_dict(data)

    def default_preprocess(self, dataset: LoadedTable) -> PreprocessConfig:
        """The automatic settings for ``dataset`` (a ``LoadedTable``): its target guessed,
        its task detected, each column's treatment from its profile."""
        from automl_gui.core.jobs.tabular import setup_tabular

        return setup_tabular(dataset, None).preprocess

    def default_training(self) -> TrainConfig:
        """Epochs at Auto (0: :meth:`epochs_for` the training rows, decided when training
        starts); Adam at 1e-3, halved on validation plateaus, no weight decay, early stopping
        (patience 10) keeping the best epoch's weights (as RealMLP, Holzmüller et al. 2024,
        selects its best epoch on validation).

        Chosen by measurement (``train_tabular`` with ``MLPConfig()`` Auto, the H1 network of
        issue 17 as it stood, same splits and seed; the quality benchmark's tables, large
        ones subsampled to 5,000 rows (gss_vocab 4,000), ``benchmarks/_quality_tables.py``; 2 shared CPU
        cores). Test R² (diabetes, loans, gss_vocab) and accuracy (digits):

        ==============================  ========  ======  =========  ======
        optimizer, rate, weight decay   diabetes  loans   gss_vocab  digits
        ==============================  ========  ======  =========  ======
        Adam 1e-3, 0 (this default)     0.4579    0.3847  0.2380     0.9815
        AdamW 1e-3, 1e-4                0.4580    0.3863  —          —
        AdamW 2e-3, 1e-4                0.4590    0.3834  —          —
        AdamW 1e-3, 1e-2                0.4580    0.3867  0.2372     0.9778
        AdamW 1e-3, 5e-2                0.4594    0.3864  0.2374     0.9741
        ==============================  ========  ======  =========  ======

        Differences stay within about 0.002 R² (the run-to-run noise), up or down, while
        weight decay cost digits 2 and 4 of 540 test images: decoupled weight decay
        (``weight_decay``, Loshchilov & Hutter 2019) is offered but off by default; with
        early stopping and best-epoch selection it added nothing measurable here.
        """
        from automl_gui.core.train.config import TrainConfig

        return TrainConfig(
            epochs=0, optimizer="adam", learning_rate=1e-3, schedule="plateau", weight_decay=0.0
        )

    def epochs_for(self, n_train: int, batch_size: int) -> int:
        """Auto epochs of a table (``TrainConfig.epochs = 0``): enough optimizer steps for
        the Auto network, at most 100 passes (``jobs._tabular_parts.table_epochs``, where
        the figures behind the rule are)."""
        from automl_gui.core.jobs._tabular_parts import table_epochs

        return table_epochs(n_train, batch_size)

    def default_model(self) -> MLPConfig:
        from automl_gui.core.models.config import MLPConfig

        return MLPConfig()

    def auto_architecture_note(self) -> str:
        return "A multilayer perceptron sized to the number of rows and encoded features."

    def train(
        self,
        request: TrainRequest,
        *,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Run:
        from automl_gui.core.jobs.tabular import train_tabular

        return train_tabular(
            request.dataset,
            request.preprocess,
            request.model,
            request.training,
            plan=request.plan,
            on_event=on_event,
            cancel=cancel,
            checkpoint_dir=request.checkpoint_dir,
            resume=request.resume,
        )

    def _answer(
        self,
        bundle: Bundle,
        data: Any,
        *,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
    ) -> Any:
        """``data``: a DataFrame (or ``LoadedTable``) of rows with the model's columns."""
        from automl_gui.core.export.bundle import predict_frame

        return predict_frame(bundle, getattr(data, "df", data))

    def _explain(
        self,
        bundle: Bundle,
        data: Any,
        *,
        rows: int | None,
        out_dir: Any,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
    ) -> Any:
        """``data``: a DataFrame (or ``LoadedTable``) of rows with the model's columns and
        its target (permutation importance, then per-row contributions of ``rows`` rows)."""
        from automl_gui.core.trust.tables import explain_table

        return explain_table(
            bundle,
            getattr(data, "df", data),
            rows=rows,
            out_dir=out_dir,
            on_event=on_event,
            cancel=cancel,
        )

    def _drift(
        self,
        bundle: Bundle,
        data: Any,
        *,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
    ) -> Any:
        """``data``: the rows to predict on (a DataFrame or ``LoadedTable``)."""
        from automl_gui.core.trust.drift import table_drift

        return table_drift(bundle, getattr(data, "df", data), on_event=on_event, cancel=cancel)

    @property
    def required_metadata(self) -> tuple[str, ...]:
        return ("input_schema",)

    def model_card_input(self, metadata: dict[str, Any]) -> str:
        from automl_gui.core.export._card_tables import input_text

        return input_text(metadata)

    def export_input(self, metadata: dict[str, Any]) -> tuple[str, str]:
        return "raw rows (the preprocessing is inside it)", "rows"

    def model_card_serving(self, metadata: dict[str, Any]) -> str:
        from automl_gui.core.export._card_tables import serving_text

        return serving_text(metadata)

    def model_card_data(self, metadata: dict[str, Any]) -> list[str]:
        from automl_gui.core.export._card_tables import data_lines

        return data_lines(metadata)

    def model_card_architecture(self, metadata: dict[str, Any]) -> list[str]:
        from automl_gui.core.export._card_tables import architecture_lines

        return architecture_lines(metadata)


TABULAR = TabularKind()

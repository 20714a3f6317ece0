"""What a job is asked to do, as typed dataclasses (they cross to the engine process).

A job is ``job(request, *, on_event, cancel) -> Run``; :func:`train` is the training job of
every kind, and :func:`~automl_gui.core.jobs.isolated.run_job` runs any such job in the
engine process or in the calling thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from automl_gui.core.base.events import CancelToken, EventCallback
    from automl_gui.core.data._media_scan import MediaDataset
    from automl_gui.core.hardware import HardwarePlan
    from automl_gui.core.jobs.run import Run
    from automl_gui.core.kinds.base import DataKind
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig
    from automl_gui.core.preprocess.config import PreprocessConfig
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
    from automl_gui.core.train.config import TrainConfig

    Dataset = pd.DataFrame | MediaDataset
    PreprocessSettings = PreprocessConfig | ImagePreprocessConfig | AudioPreprocessConfig
    ModelSettings = MLPConfig | ImageModelConfig


@dataclass
class TrainRequest:
    """Train one model of ``kind`` on ``dataset`` with these settings.

    Args:
        kind: the kind of data (``kinds.kind_named``).
        dataset: a table's DataFrame, or a scanned ``ImageDataset``/``AudioDataset``.
        preprocess, model, training: the kind's settings objects.
        plan: the hardware plan (None: TensorFlow's default placement).
        checkpoint_dir: checkpoint every epoch there (``core.train.checkpoint``).
        resume: continue an unfinished checkpoint of the same data and settings there.
    """

    kind: DataKind
    dataset: Dataset
    preprocess: PreprocessSettings
    model: ModelSettings
    training: TrainConfig
    plan: HardwarePlan | None = None
    checkpoint_dir: str | Path | None = None
    resume: bool = False


def train(
    request: TrainRequest,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Run:
    """Train, evaluate and describe a model for any kind of data (the kind's own job).

    Raises:
        DataError / ConfigError: the data or settings cannot be trained as given.
        WeightsMissingError: a backbone's pretrained weights are neither here nor
            downloadable (files).
        CancelledError: cancelled before training began (a Stop during training returns
            normally with the best weights and ``result.stopped_reason == "cancelled"``).
    """
    return request.kind.train(request, on_event=on_event, cancel=cancel)


#: what a continued run trained on, as ``metadata["continued_from"]["data"]`` says
OLD_AND_NEW = "old and new"
NEW_ONLY = "new only"


@dataclass
class ContinueRequest:
    """Train an earlier run's model further on new labelled data: a new run
    (``core.jobs.continued``).

    Args:
        kind: the kind of data (the earlier run's).
        model_path: the earlier run's serving model as a ``.keras`` file (it crosses to the
            engine process as a file; the earlier run itself is never touched).
        metadata: the earlier run's metadata (its settings, classes, input contract).
        new_data: the new labelled data, as the kind's job takes it (a table's DataFrame,
            a scanned folder).
        old_data: the data the earlier run trained on, to train on old and new together
            (split as it was split then); None: the new data only.
        base_name, base_id: the earlier run's name and id in the project ("" when unknown).
        lr_factor: the new learning rate is the earlier run's times this (0 < f ≤ 1).
        epochs: the most epochs (0: Auto, from the training data's size, as for a training).
        plan: the hardware plan (None: TensorFlow's default placement).
    """

    kind: DataKind
    model_path: str
    metadata: dict
    new_data: Dataset
    old_data: Dataset | None = None
    base_name: str = ""
    base_id: str = ""
    lr_factor: float = 0.1
    epochs: int = 0
    plan: HardwarePlan | None = None

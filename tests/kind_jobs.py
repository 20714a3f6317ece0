"""The training job of one kind as the tests call it.

``train_kind(IMAGES, dataset, preprocess, model, training, plan=..., checkpoint_dir=...,
resume=..., on_event=..., cancel=...)`` is ``core.jobs.train`` with that kind's
``TrainRequest``: the one job every front end runs.
"""

from __future__ import annotations

from typing import Any

from automl_gui.core.jobs import TrainRequest, train
from automl_gui.core.kinds.base import DataKind


def train_kind(
    kind: DataKind, *settings: Any, on_event: Any = None, cancel: Any = None, **options: Any
) -> Any:
    """``settings``: dataset, preprocess, model and training settings (and the plan)."""
    return train(TrainRequest(kind, *settings, **options), on_event=on_event, cancel=cancel)

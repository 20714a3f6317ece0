"""Continue a run of files (images, audio, text): not available yet (``jobs.continued``)."""

from __future__ import annotations

from typing import Any

from automl_gui.core.base.errors import ConfigError


def _refuse(metadata: dict[str, Any]) -> None:
    raise ConfigError(
        "Continuing training is available for tables only in this version.",
        "Train a new model on the earlier and the new files together (Train → Start Training).",
    )


def check_new_data(metadata: dict[str, Any], data: Any) -> None:
    _refuse(metadata)


def check_old_data(metadata: dict[str, Any], data: Any) -> None:
    _refuse(metadata)


def continue_job(request: Any, on_event: Any, cancel: Any) -> Any:
    _refuse(request.metadata)

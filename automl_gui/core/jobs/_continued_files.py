"""Continue a run of files (images, audio, text): not available yet (``jobs.continued``)."""

from __future__ import annotations

from typing import Any

from automl_gui.core.base.errors import ConfigError

#: why a run of files cannot be continued yet ("" where it can); ``continued.unsupported``
UNSUPPORTED = "Continuing training is available for table runs only in this version."


def _refuse(metadata: dict[str, Any]) -> None:
    raise ConfigError(
        UNSUPPORTED,
        "Train a new model on the earlier and the new files together (Train → Start Training).",
    )


def check_new_data(metadata: dict[str, Any], data: Any) -> None:
    _refuse(metadata)


def check_old_data(metadata: dict[str, Any], data: Any) -> None:
    _refuse(metadata)


def continue_job(request: Any, on_event: Any, cancel: Any) -> Any:
    _refuse(request.metadata)

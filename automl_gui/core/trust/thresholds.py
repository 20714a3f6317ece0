"""A binary model's decision threshold: the curves to choose it on, and the one place it is
applied to answers (``apply_threshold``, called by ``DataKind.predict``)."""

from __future__ import annotations

from typing import Any

#: the metadata key holding a chosen threshold: {"positive": class, "value": t, ...}
THRESHOLD_KEY = "threshold"


def apply_threshold(frame: Any, metadata: dict[str, Any]) -> Any:
    """``frame`` (a prediction table with ``prediction`` and ``probability_<class>``) with
    its predictions re-decided by the model's chosen threshold, when it has one."""
    chosen = (metadata or {}).get(THRESHOLD_KEY)
    if not chosen or frame is None:
        return frame
    raise NotImplementedError("issue 18: thresholds are being built")

"""The reliability table both calibration measures share: scores in equal-width bins, each
bin's mean score against the share of hits in it, and the expected calibration error
(Guo et al. 2017: ECE = sum over bins of |B_m| / n * |hit rate - mean score|)."""

from __future__ import annotations

from typing import Any

import numpy as np


def binned_reliability(score: Any, hit: Any, bins: int) -> dict[str, Any]:
    """``{"ece", "bins": [{"low", "high", "confidence", "accuracy", "count"}, ...], "count",
    "accuracy", "confidence"}`` for scores in [0, 1] and hits (1.0 / 0.0) of the same length.
    Bin m holds ``((m - 1) / M, m / M]`` (a score of 0 in the first); every bin is listed, an
    empty one with ``confidence`` and ``accuracy`` None; ECE is 0.0 for no examples."""
    score = np.asarray(score, dtype=np.float64).reshape(-1)
    hit = np.asarray(hit, dtype=np.float64).reshape(-1)
    n = len(score)
    index = np.clip(np.ceil(score * bins).astype(np.int64) - 1, 0, bins - 1)
    table: list[dict[str, Any]] = []
    ece = 0.0
    for m in range(bins):
        inside = index == m
        count = int(inside.sum())
        row: dict[str, Any] = {
            "low": m / bins,
            "high": (m + 1) / bins,
            "confidence": None,
            "accuracy": None,
            "count": count,
        }
        if count:
            mean_score, rate = float(score[inside].mean()), float(hit[inside].mean())
            row.update(confidence=mean_score, accuracy=rate)
            ece += count / n * abs(rate - mean_score)
        table.append(row)
    return {
        "ece": float(ece),
        "bins": table,
        "count": n,
        "accuracy": float(hit.mean()) if n else None,
        "confidence": float(score.mean()) if n else None,
    }

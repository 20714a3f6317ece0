"""The kept model of a search against its scikit-learn baselines, in one line: what the
command line prints after the leaderboard and the window logs when a search ends.

TensorFlow-free (records are ``TrialRecord``-like: ``status``, ``trial_id``, ``metric_name``,
``test_score``), so either front end can import it at any time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def compare_line(records: Sequence[Any], report: Mapping[str, Any]) -> str:
    """``Test accuracy: search 0.864 · logistic regression 0.909 · random forest 0.909``:
    the kept model against the baselines on the same test rows ("" without baselines)."""
    baselines = [r for r in records if r.status == "baseline" and r.test_score is not None]
    if not baselines:
        return ""
    metric = baselines[0].metric_name
    ours = report.get("metrics", {}).get(metric)
    parts = [f"search {ours:.3f}" if ours is not None else "search —"]
    parts += [f"{r.trial_id.removeprefix('baseline:')} {r.test_score:.3f}" for r in baselines]
    return f"Test {metric}: " + " · ".join(parts)

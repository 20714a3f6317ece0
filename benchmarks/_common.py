"""Helpers shared by the benchmark modules (each runs as its own fresh process).

Every benchmark's ``main()`` prints exactly one JSON line as its last line of stdout:

    {"name": ..., "summary": "text for the table" | null, "metric": ..., "value": float,
     "unit": ..., "target": "<= 1.5", "passed": bool, "details": {...}}

or, when what it measures is not there yet, ``{"name": ..., "unavailable": "<reason>"}``.
``run.py`` collects these lines into a table.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
CACHE = BENCH_DIR / ".cache"

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


class Unavailable(Exception):
    """Raised when a piece the benchmark exercises does not exist (yet)."""


def emit(result: dict[str, Any]) -> None:
    """Print the result line (the last line of stdout is what run.py reads)."""
    sys.stdout.flush()
    print(json.dumps(result, default=_jsonable), flush=True)


def result(
    name: str,
    metric: str,
    value: float,
    unit: str,
    target: str,
    passed: bool,
    summary: str | None = None,
    **details: Any,
) -> dict[str, Any]:
    """Build the standard result dict (``summary``: the table's "measured" text, optional)."""
    return {
        "summary": summary,
        "name": name,
        "metric": metric,
        "value": value,
        "unit": unit,
        "target": target,
        "passed": bool(passed),
        "details": details,
    }


def require(import_name: str, attr: str | None = None) -> Any:
    """Import an app module (and optionally one attribute) or raise :class:`Unavailable`."""
    import importlib

    try:
        module = importlib.import_module(import_name)
    except ImportError as exc:
        raise Unavailable(f"{import_name} cannot be imported ({exc})") from exc
    if attr is None:
        return module
    if not hasattr(module, attr):
        raise Unavailable(f"{import_name}.{attr} does not exist")
    return getattr(module, attr)


def run_main(name: str, body: Callable[[], dict[str, Any]]) -> int:
    """Run a benchmark body, always ending with one JSON line (result or unavailable)."""
    try:
        out = body()
    except Unavailable as exc:
        emit({"name": name, "unavailable": str(exc)})
        return 0
    except Exception as exc:  # noqa: BLE001 - report, do not crash the table
        traceback.print_exc(file=sys.stderr)
        emit({"name": name, "unavailable": f"failed: {type(exc).__name__}: {exc}"})
        return 1
    emit(out)
    return 0


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation (no numpy needed)."""
    if not values:
        return float("nan")
    data = sorted(values)
    pos = (len(data) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def _jsonable(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def run_child(script: str | Path, *args: object, what: str, timeout: int = 600) -> dict[str, Any]:
    """Run ``script --child ARGS`` in a fresh Python process; its last JSON line of stdout.

    For measurements that need cold imports or their own peak RSS (``ru_maxrss`` only grows).

    Raises:
        RuntimeError: the child printed no JSON line (``what`` and its last lines say why).
    """
    import subprocess

    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    command = [sys.executable, str(Path(script).resolve()), "--child", *map(str, args)]
    proc = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO
    )
    for line in reversed(proc.stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    raise RuntimeError(f"measurement of {what} failed: {' | '.join(tail)}")


def peak_rss_kb() -> int:
    """This process's peak resident memory so far (kB on Linux)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure_epoch(dataset: Any, floor_kb: int, noun: str) -> dict[str, Any]:
    """Iterate one epoch of a batched ``tf.data`` dataset: count, time, speed and peak RSS.

    ``floor_kb`` is :func:`peak_rss_kb` taken before the dataset was built. The first batch
    pays for start-up (threads, autotuning), so ``<noun>_per_s`` is timed after it;
    ``overall_<noun>_per_s`` includes it.
    """
    import time

    start = time.perf_counter()
    seen = 0
    first = None
    for batch in dataset:
        x = batch[0] if isinstance(batch, tuple) else batch
        seen += int(x.shape[0])
        if first is None:
            first = (time.perf_counter(), seen)
    end = time.perf_counter()
    steady = (seen - first[1]) / (end - first[0]) if first and end > first[0] else float("nan")
    return {
        noun: seen,
        "seconds": end - start,
        "first_batch_s": first[0] - start if first else float("nan"),
        f"{noun}_per_s": steady,
        f"overall_{noun}_per_s": seen / (end - start) if end > start else float("nan"),
        "peak_rss_mb": peak_rss_kb() / 1024,
        "floor_rss_mb": floor_kb / 1024,
    }

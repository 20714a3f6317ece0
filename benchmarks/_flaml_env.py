"""FLAML in its own virtual environment, used only by the quality benchmark.

FLAML pulls in LightGBM, XGBoost and their own pins of scikit-learn and friends: kept out of
the app's environment, in ``benchmarks/.flaml-venv`` (git-ignored), created on first use with
``python -m venv`` and ``pip install 'flaml[automl]' pyarrow``. The benchmark writes a split
as Parquet files and runs ``_flaml_run.py`` with that environment's Python as a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
VENV = BENCH_DIR / ".flaml-venv"
PACKAGES = ("flaml[automl]", "pyarrow")
TARGET = "__target__"


def _python() -> Path:
    return VENV / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def ensure_venv() -> tuple[Path | None, str]:
    """(the environment's Python, "") when FLAML is importable there, creating it if needed;
    else (None, why not)."""
    python = _python()
    check = [str(python), "-c", "import flaml, lightgbm, pyarrow"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python, ""
    base = getattr(sys, "_base_executable", None) or sys.executable
    steps = [
        [base, "-m", "venv", str(VENV)],
        [str(python), "-m", "pip", "install", "--quiet", *PACKAGES],
    ]
    print(f"Creating {VENV} for FLAML (once; a few minutes)…", file=sys.stderr, flush=True)
    for step in steps:
        try:
            proc = subprocess.run(step, capture_output=True, text=True, timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"{' '.join(step[:3])} failed: {exc}"
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, f"{' '.join(step[:4])} failed: {tail[0][:160]}"
    if subprocess.run(check, capture_output=True).returncode != 0:
        return None, f"FLAML does not import in {VENV}"
    return python, ""


def flaml_frame(frame: Any, categorical: list[str], categories: dict[str, list[str]]) -> Any:
    """Categories as pandas categoricals with the training rows' categories (missing and
    unseen values are NaN), which LightGBM and XGBoost read natively; numbers unchanged."""
    import pandas as pd

    out = frame.copy()
    for name in categorical:
        values = out[name].replace("", None)
        out[name] = pd.Categorical(values, categories=categories[name])
    return out


def run_flaml(
    train: Any, y_train: Any, test: Any, y_test: Any, task: str, budget: float, seed: int
) -> dict[str, Any]:
    """FLAML's test score on this split: {"score", "best_estimator", "seconds"}, or
    {"unavailable": why}. ``train``/``test``: feature frames (categories already
    :func:`flaml_frame`'d); labels as class indices or numbers."""
    import tempfile

    python, why = ensure_venv()
    if python is None:
        return {"unavailable": why}
    with tempfile.TemporaryDirectory(prefix="bench-flaml-") as tmp:
        for name, frame, y in (("train", train, y_train), ("test", test, y_test)):
            frame = frame.copy()
            frame[TARGET] = y
            frame.to_parquet(Path(tmp) / f"{name}.parquet")
        command = [str(python), str(BENCH_DIR / "_flaml_run.py"), tmp, task, str(budget)]
        try:
            proc = subprocess.run(
                [*command, str(seed)],
                capture_output=True,
                text=True,
                timeout=budget * 3 + 300,
            )
        except subprocess.TimeoutExpired:
            return {"unavailable": f"FLAML ran past {budget * 3 + 300:.0f} s"}
    for line in reversed(proc.stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
    return {"unavailable": f"FLAML failed: {tail[0][:200]}"}

"""One table of the quality benchmark, measured in its own process (``bench_quality.py``
starts it with ``--child TABLE``), so its peak memory is its own.

The table (``_quality_tables.load``) is written to a CSV and read back through the app's
``read_table``; ``setup_tabular`` decides its settings (automatic preprocessing) and
``prepare_data`` splits it once. On that split:

- default: the plain Train button (``kind.default_training()`` + ``kind.default_model()``,
  ``train_tabular``), timed;
- search: the Auto search (``core.tune.search.jobs.search``) with the budget, timed;
- hgb / linear / forest: ``run_baselines`` (HistGradientBoosting, logistic/ridge, random
  forest), unweighted and without k-fold: the one-line models a user would fit;
- flaml: FLAML with the same budget in its own environment (``_flaml_env``), fitted on the
  train + validation rows (the app uses the validation rows too: early stopping, choosing
  trials), scored on the same test rows.

Scores are on the test rows: accuracy, or R² for regression (the same metric functions).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import _quality_tables
from _common import REPO, peak_rss_kb

SEED = 0
QUICK_ROWS = 1_500  # --quick: at most this many rows of each table (a random sample)


def _subsample(df: Any, rows: int) -> Any:
    return df if len(df) <= rows else df.sample(rows, random_state=SEED).reset_index(drop=True)


def _default_training(kind: Any, df: Any, preprocess: Any, cap_s: float) -> tuple[Any, float]:
    from automl_gui.core.hardware import list_devices, plan_for
    from automl_gui.core.jobs.tabular import train_tabular

    plan = plan_for(list_devices())  # as the window and the CLI train (Auto batch: the plan's)
    training = kind.default_training()
    training.seed = SEED
    if cap_s > 0:
        training.time_budget = cap_s
    start = time.perf_counter()
    run = train_tabular(df, preprocess, kind.default_model(), training, plan=plan)
    return run, time.perf_counter() - start


def _search(kind: Any, df: Any, preprocess: Any, budget: float) -> tuple[Any, float]:
    from automl_gui.core.tune.search.jobs import SearchRequest, search
    from automl_gui.core.tune.search.space import SearchConfig

    training = kind.default_training()
    training.seed = SEED
    config = SearchConfig(time_budget=budget, seed=SEED)
    start = time.perf_counter()
    # baselines=False: the benchmark fits them once itself (the search's own come after its
    # budget and would only add time)
    run = search(SearchRequest(kind, df, preprocess, None, config, training, baselines=False))
    return run, time.perf_counter() - start


def _flaml(prepared: Any, preprocess: Any, task: str, budget: float) -> dict[str, Any]:
    import numpy as np
    import pandas as pd
    from _flaml_env import flaml_frame, run_flaml

    from automl_gui.core.tune.search._baseline_features import as_model_frame, column_roles

    numeric, categorical = column_roles(prepared.train, preprocess)
    train = pd.concat(
        [as_model_frame(f, numeric, categorical) for f in (prepared.train, prepared.validation)],
        ignore_index=True,
    )
    test = as_model_frame(prepared.test, numeric, categorical)
    categories = {c: sorted(v for v in train[c].unique().tolist() if v != "") for c in categorical}
    y_train = np.concatenate([prepared.y_train, prepared.y_validation])
    return run_flaml(
        flaml_frame(train, categorical, categories),
        y_train,
        flaml_frame(test, categorical, categories),
        prepared.y_test,
        task,
        budget,
        SEED,
    )


def _commit() -> str:
    """The app's commit this table was measured at ("+" when the tree had edits)."""
    import subprocess

    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], capture_output=True, text=True, cwd=REPO)
        return proc.stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no", "automl_gui")
    return git("rev-parse", "--short", "HEAD") + ("+" if dirty else "")


def measure_table(name: str, budget: float, quick: bool, flaml: bool = True) -> dict[str, Any]:
    """Every method on one table's split: one row of the benchmark's table."""
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular
    from automl_gui.core.kinds import kind_named
    from automl_gui.core.preprocess.tabular import prepare_data
    from automl_gui.core.train.balance import weights_classes
    from automl_gui.core.tune.search.baselines import BOOSTING_NAME, headline_metric, run_baselines

    df, target, task = _quality_tables.load(name)
    if quick:
        df = _subsample(df, QUICK_ROWS)
    kind = kind_named("tabular")
    with tempfile.TemporaryDirectory(prefix="bench-quality-") as tmp:
        path = Path(tmp) / f"{name}.csv"
        df.to_csv(path, index=False)
        table = read_table(str(path))
    setup = setup_tabular(table, target, task)
    preprocess = setup.preprocess
    prepared = prepare_data(table.df, preprocess)
    metric = headline_metric(task)
    row: dict[str, Any] = {
        "commit": _commit(),
        "section": "tables",
        "dataset": name,
        "n": len(table.df),
        "columns": len(table.df.columns) - 1,
        "test_rows": len(prepared.test),
        "task": task,
        "metric": metric,
        "notes": [],
    }
    start = time.perf_counter()
    baselines = run_baselines(prepared, task, SEED, preprocess=preprocess, cross_validation=False)
    row["baselines_s"] = round(time.perf_counter() - start, 1)
    by_name = {b.name: b.test_score for b in baselines}
    row["hgb"] = by_name.get(BOOSTING_NAME)
    row["linear"] = baselines[0].test_score
    row["forest"] = by_name.get("random forest")

    training = kind.default_training()
    if task != "regression" and weights_classes(training.class_weights, task, prepared.y_train):
        # the leaderboard's race: baselines weighted as the network is (accuracy is lower)
        weighted = run_baselines(
            prepared,
            task,
            SEED,
            preprocess=preprocess,
            cross_validation=False,
            class_weights=training.class_weights,
        )
        row["weighted"] = {b.name: b.test_score for b in weighted}
        row["notes"].append(
            "the app weights the classes (class weights auto: imbalanced); baselines weighted "
            "alike: " + ", ".join(f"{k} {v:.4f}" for k, v in row["weighted"].items())
        )
    try:
        run, seconds = _default_training(kind, table.df, preprocess, budget if quick else 0.0)
    except Exception as exc:  # noqa: BLE001 - a failed training is a finding, not a crash
        row["default"] = row["default_s"] = None
        row["notes"].append(f"default training failed: {type(exc).__name__}: {exc}")
    else:
        row["default"] = run.report["metrics"].get(metric)
        row["default_s"] = round(seconds, 1)
        row["default_epochs"] = len(run.history.get("loss", []))
        if run.report.get("n_samples") != len(prepared.test):
            row["notes"].append("the default training scored other test rows")
        del run

    try:
        run, seconds = _search(kind, table.df, preprocess, budget)
    except Exception as exc:  # noqa: BLE001 - a failed search is a finding, not a crash
        row["search"], row["search_s"] = None, None
        row["notes"].append(f"search failed: {type(exc).__name__}: {exc}")
    else:
        row["search"] = run.report["metrics"].get(metric)
        row["search_s"] = round(seconds, 1)
        board = run.metadata.get("search", {})
        row["search_trials"] = sum(
            1 for r in board.get("leaderboard", []) if r.get("status") != "baseline"
        )
        row["search_kept"] = board.get("kept")
        if run.report.get("n_samples") != len(prepared.test):
            row["notes"].append("the search scored other test rows")
        del run
    row["peak_mb"] = round(peak_rss_kb() / 1024)

    row["flaml"] = row["flaml_s"] = None
    if flaml:
        out = _flaml(prepared, preprocess, task, budget)
        if "unavailable" in out:
            row["notes"].append(f"FLAML: {out['unavailable']}")
        else:
            row["flaml"], row["flaml_s"] = out["score"], out["seconds"]
            row["flaml_best"] = out["best_estimator"]
    return row

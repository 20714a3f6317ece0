"""Quality bar of the Auto search: its test score vs the best scikit-learn baseline's.

Datasets scikit-learn ships (no network): iris (150 × 4, 3 classes), digits as a table of
64 pixel columns (1,797 rows, 10 classes), digits as 8×8 grayscale PNG images in class
folders, diabetes (442 × 10, regression) and breast cancer (569 × 30, binary). Each table is
written to a CSV in a temporary folder and read back through the app's ``read_table``, its
settings decided by ``setup_tabular`` (automatic preprocessing), and split once by
``prepare_data``: the baselines (``core.tune.baselines``) and the app train on exactly that
split and are scored on its test rows with the same metric (accuracy, or R² for regression).
Small tables (iris, diabetes, breast cancer) are searched with k-fold trials (the search's
"auto" cross-validation). The digit images go through the app's image search
(``core.tune.search.jobs.search``: CNNs from scratch, no weights downloaded); the
baselines are fitted on the 64 pixel values of exactly the images of its split
(``split_images``, checked against the search's test predictions).

The app side is the Auto search (``core.tune.search.jobs.search``, Hyperband, 2-minute
budget per dataset) when it exists, else one ``train_tabular`` run with the MLP sized
automatically (``MLPConfig(auto=True)``) and the same 2-minute training budget; the output
says which. Pass on a dataset: app test score ≥ the best baseline's test score (the best of
logistic/ridge regression and the random forest on the test rows: the strictest bar).

    .venv/bin/python benchmarks/bench_automl_quality.py                 # all, 120 s each
    .venv/bin/python benchmarks/bench_automl_quality.py --budget 20 iris
    .venv/bin/python benchmarks/bench_automl_quality.py --fallback      # train_tabular only
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import Unavailable, require, result, run_main

NAME = "automl_quality"
BUDGET_S = 120.0
SEED = 0
DATASETS = ("iris", "digits", "digits_images", "diabetes", "breast_cancer")
PIXELS = [f"px_{i // 8}_{i % 8}" for i in range(64)]
IMAGE_MAX_EPOCHS = 30  # the folder search's default on the command line


def write_dataset(name: str, folder: Path) -> tuple[Path, str, str]:
    """Write one scikit-learn dataset as a CSV; return (path, target column, task)."""
    import numpy as np
    import pandas as pd
    from sklearn import datasets

    if name == "iris":
        data = datasets.load_iris(as_frame=True)
        df = data.frame.drop(columns="target")
        df.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
        df["species"] = np.asarray(data.target_names)[data.target.to_numpy()]
        target, task = "species", "multiclass"
    elif name == "digits":
        data = datasets.load_digits()
        df = pd.DataFrame(data.data.astype("int64"), columns=PIXELS)
        df["digit"] = data.target
        target, task = "digit", "multiclass"
    elif name == "diabetes":
        data = datasets.load_diabetes(as_frame=True, scaled=False)
        df = data.frame.rename(columns={"target": "progression"})
        target, task = "progression", "regression"
    elif name == "breast_cancer":
        data = datasets.load_breast_cancer(as_frame=True)
        df = data.frame.drop(columns="target")
        df.columns = [c.replace(" ", "_") for c in df.columns]
        df["diagnosis"] = np.asarray(data.target_names)[data.target.to_numpy()]
        target, task = "diagnosis", "binary"
    else:
        raise ValueError(f"unknown dataset {name!r}; choose from {', '.join(DATASETS)}")
    path = folder / f"{name}.csv"
    df.to_csv(path, index=False)
    return path, target, task


def _app_search(df: Any, preprocess: Any, budget: float) -> tuple[Any, str]:
    """The Auto search when it exists; else None."""
    search = require("automl_gui.core.tune.search.jobs", "search")
    search_request = require("automl_gui.core.tune.search.jobs", "SearchRequest")
    search_config = require("automl_gui.core.tune.search.space", "SearchConfig")
    from automl_gui.core.kinds import kind_named
    from automl_gui.core.train.config import TrainConfig

    config = search_config(time_budget=budget, seed=SEED)
    tabular = kind_named("tabular")
    run = search(search_request(tabular, df, preprocess, None, config, TrainConfig(seed=SEED)))
    trials = [r for r in getattr(run, "leaderboard", []) if r.status != "baseline"]
    scored = sum(1 for r in trials if r.status in ("completed", "stopped"))
    cv = (run.metadata.get("search") or {}).get("cross_validation")
    how = f"{cv['folds']}-fold trials, " if cv else ""
    best = run.best_trial
    kept = {k: v for k, v in best.hyperparameters.items() if k in ("depth", "units")}
    return run, (
        f"search_tabular (hyperband, {how}{len(trials)} trials, {scored} scored, kept "
        f"{kept}, {best.metric_name} {best.value_text()})"
    )


def _app_single(df: Any, preprocess: Any, budget: float) -> tuple[Any, str]:
    from automl_gui.core.jobs.tabular import train_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.train.config import TrainConfig

    run = train_tabular(
        df, preprocess, MLPConfig(auto=True), TrainConfig(seed=SEED, time_budget=budget)
    )
    return run, f"train_tabular (MLP auto, {len(run.history.get('loss', []))} epochs)"


def measure_images(folder: Path, budget: float) -> dict[str, Any]:
    """Digits as 8×8 PNG images: the image search against baselines on their pixels."""
    import numpy as np
    import pandas as pd
    from PIL import Image
    from sklearn import datasets

    from automl_gui.core.data.images import scan_images
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.image_config import AugmentConfig, ImagePreprocessConfig
    from automl_gui.core.preprocess.images import split_images
    from automl_gui.core.preprocess.tabular import PreparedData
    from automl_gui.core.train.config import TrainConfig
    from automl_gui.core.tune.search.baselines import run_baselines

    search = require("automl_gui.core.tune.search.jobs", "search")
    search_request = require("automl_gui.core.tune.search.jobs", "SearchRequest")
    search_config = require("automl_gui.core.tune.search.space", "SearchConfig")
    from automl_gui.core.kinds import kind_named

    data = datasets.load_digits()
    root = folder / "digits_images"
    for i, (image, label) in enumerate(zip(data.images, data.target, strict=True)):
        (root / str(label)).mkdir(parents=True, exist_ok=True)
        pixels = np.round(image * 255.0 / 16.0).astype("uint8")
        Image.fromarray(pixels, "L").save(root / str(label) / f"{i:04d}.png")
    dataset = scan_images(str(root))
    # what a user would pick for these images: grayscale, kept in memory (1,797 tiny images)
    # and no mirroring (a mirrored 2 or 7 is no digit); the search varies the rest
    preprocess = ImagePreprocessConfig(
        color_mode="grayscale", cache=True, augment=AugmentConfig(flip="none"), seed=SEED
    )
    split = split_images(dataset, preprocess)

    def frame(items: list[Any]) -> pd.DataFrame:  # the image's 64 pixel values, 0-16
        return pd.DataFrame(data.data[[int(Path(i.path).stem) for i in items]], columns=PIXELS)

    prepared = PreparedData(
        train=frame(split.train),
        validation=frame(split.validation),
        test=frame(split.test),
        y_train=split.labels(split.train),
        y_validation=split.labels(split.validation),
        y_test=split.labels(split.test),
        class_names=list(split.class_names),
    )
    start = time.perf_counter()
    baselines = run_baselines(prepared, "multiclass", seed=SEED)
    baseline_s = time.perf_counter() - start
    best = max(baselines, key=lambda r: r.test_score if r.test_score is not None else -1e9)
    start = time.perf_counter()
    config = search_config(time_budget=budget, seed=SEED, max_epochs=IMAGE_MAX_EPOCHS)
    images = kind_named("images")
    run = search(
        search_request(
            images, dataset, preprocess, ImageModelConfig(), config, TrainConfig(seed=SEED)
        )
    )
    app_s = time.perf_counter() - start
    trials = [r for r in run.leaderboard if r.status != "baseline"]
    scored = sum(1 for r in trials if r.status in ("completed", "stopped"))
    app_score = run.report["metrics"].get("accuracy")
    same_split = set(map(str, run.test_predictions["path"])) == {i.path for i in split.test}
    return {
        "dataset": "digits_images",
        "rows": len(dataset.items),
        "rows_used": len(split.train) + len(split.validation) + len(split.test),
        "test_rows": len(split.test),
        "metric": "accuracy",
        "baselines": {r.name: r.test_score for r in baselines},
        "best_baseline": best.name,
        "best_baseline_score": best.test_score,
        "best_baseline_cv": None,
        "search_baselines": None,
        "baseline_s": round(baseline_s, 1),
        "app": f"search_files (images, hyperband, {len(trials)} trials, {scored} scored, "
        f"kept {run.best_trial.hyperparameters.get('architecture', '?')})",
        "app_score": app_score,
        "app_cv": None,
        "app_s": round(app_s, 1),
        "same_split": same_split,
        "passed": app_score is not None and app_score >= best.test_score and same_split,
    }


def measure(name: str, folder: Path, budget: float, fallback: bool) -> dict[str, Any]:
    """Baselines and the app on one dataset: one row of the table."""
    if name == "digits_images":
        return measure_images(folder, budget)
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular
    from automl_gui.core.preprocess.tabular import prepare_data
    from automl_gui.core.tune.search.baselines import headline_metric, run_baselines

    path, target, task = write_dataset(name, folder)
    table = read_table(str(path))
    setup = setup_tabular(table, target, task)
    prepared = prepare_data(table.df, setup.preprocess)
    metric = headline_metric(task)

    start = time.perf_counter()
    baselines = run_baselines(prepared, task, seed=SEED, preprocess=setup.preprocess)
    baseline_s = time.perf_counter() - start
    best = max(baselines, key=lambda r: r.test_score if r.test_score is not None else -1e9)

    start = time.perf_counter()
    app_run = how = None
    if not fallback:
        try:
            app_run, how = _app_search(table.df, setup.preprocess, budget)
        except Unavailable as exc:
            print(f"{name}: no search ({exc}); using train_tabular", file=sys.stderr)
    if app_run is None:
        app_run, how = _app_single(table.df, setup.preprocess, budget)
    app_s = time.perf_counter() - start
    app_score = app_run.report["metrics"].get(metric)
    # the search scores the same baselines for its leaderboard: they must agree with ours
    in_search = {
        r.trial_id.removeprefix("baseline:"): r.test_score
        for r in getattr(app_run, "leaderboard", [])
        if r.status == "baseline"
    }
    # the same split: the app scored exactly the rows the baselines were scored on (and,
    # with the search, its own baselines scored what ours did)
    ours = {r.name: r.test_score for r in baselines}
    same_split = app_run.report["n_samples"] == len(prepared.test) and all(
        ours.get(k) is not None and v is not None and abs(ours[k] - v) < 1e-9
        for k, v in in_search.items()
    )
    return {
        "dataset": name,
        "rows": len(table.df),
        "rows_used": prepared.rows_used,
        "test_rows": len(prepared.test),
        "metric": metric,
        "baselines": ours,
        "best_baseline": best.name,
        "best_baseline_score": best.test_score,
        "best_baseline_cv": (
            {"folds": len(best.cv_scores), "mean": best.cv_mean, "std": best.cv_std}
            if best.cv_mean is not None
            else None
        ),
        "search_baselines": in_search or None,
        "baseline_s": round(baseline_s, 1),
        "app": how,
        "app_score": app_score,
        "app_cv": _trials_cv(app_run),
        "app_s": round(app_s, 1),
        "same_split": same_split,
        "passed": app_score is not None and app_score >= best.test_score and same_split,
    }


def _trials_cv(run: Any) -> dict[str, Any] | None:
    """The kept trial's k-fold figures when the search cross-validated its trials."""
    best = getattr(run, "best_trial", None)
    if best is None or not getattr(best, "cv_folds", 0):
        return None
    return {"folds": best.cv_folds, "mean": best.cv_mean, "std": best.cv_std}


def format_rows(rows: list[dict[str, Any]]) -> str:
    """The plain-text table: dataset, rows, metric, best baseline, app, pass/fail."""
    header = ("dataset", "rows", "metric", "best baseline (test)", "app (test)", "result")
    lines = [header]
    for r in rows:
        lines.append(
            (
                r["dataset"],
                f"{r['rows']} ({r['test_rows']} test)",
                r["metric"],
                f"{r['best_baseline_score']:.4f} {r['best_baseline']}",
                f"{r['app_score']:.4f} in {r['app_s']:.0f} s"
                if r["app_score"] is not None
                else "n/a",
                "pass" if r["passed"] else "FAIL",
            )
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    out = ["  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def body(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", help=f"any of {', '.join(DATASETS)} (default: all)")
    parser.add_argument("--budget", type=float, default=BUDGET_S, help="seconds per dataset")
    parser.add_argument("--fallback", action="store_true", help="train_tabular, not the search")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.datasets) - set(DATASETS))
    if unknown:
        parser.error(f"unknown dataset(s) {', '.join(unknown)}; choose from {', '.join(DATASETS)}")
    require("sklearn")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-automl-") as tmp:
        for name in args.datasets or DATASETS:
            print(f"{name}: baselines, then the app ({args.budget:.0f} s) …", file=sys.stderr)
            row = measure(name, Path(tmp), args.budget, args.fallback)
            rows.append(row)
            print(f"  {row}", file=sys.stderr, flush=True)
    print(format_rows(rows))
    for r in rows:
        cv = r["best_baseline_cv"]
        spread = (
            f"; best baseline {cv['folds']}-fold on train+validation {cv['mean']:.3f} ± "
            f"{cv['std']:.3f}"
            if cv
            else ""
        )
        print(f"{r['dataset']}: app = {r['app']}; baselines {r['baselines']}{spread}")
    passed = sum(r["passed"] for r in rows)
    return result(
        NAME,
        "datasets passed",
        passed,
        f"of {len(rows)}",
        "app >= best baseline on every dataset",
        passed == len(rows),
        summary=f"{passed}/{len(rows)} datasets: "
        + ", ".join(
            f"{r['dataset']} {r['app_score']:.3f} vs {r['best_baseline_score']:.3f}"
            for r in rows
            if r["app_score"] is not None
        ),
        budget_s=args.budget,
        rows=rows,
    )


def main() -> int:
    return run_main(NAME, body)


if __name__ == "__main__":
    raise SystemExit(main())

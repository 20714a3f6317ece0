"""Run FLAML on one split; executed by ``benchmarks/.flaml-venv``'s Python, not the app's.

    .flaml-venv/bin/python _flaml_run.py FOLDER TASK BUDGET_S SEED

FOLDER holds ``train.parquet`` and ``test.parquet`` (feature columns plus ``__target__``).
FLAML (Wang et al. 2021, "FLAML: A Fast and Lightweight AutoML Library") searches within
BUDGET_S seconds, optimizing the benchmark's headline metric (accuracy or R²), then scores
its best model on the test rows. Prints one JSON line: score, best estimator, seconds.
Imports nothing from the app (this environment does not have it).
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

TARGET = "__target__"


def main(argv: list[str]) -> int:
    import pandas as pd
    from flaml import AutoML
    from sklearn.metrics import accuracy_score, r2_score

    folder, task, budget, seed = Path(argv[0]), argv[1], float(argv[2]), int(argv[3])
    train = pd.read_parquet(folder / "train.parquet")
    test = pd.read_parquet(folder / "test.parquet")
    y_train, y_test = train.pop(TARGET), test.pop(TARGET)
    classify = task != "regression"
    automl = AutoML()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        automl.fit(
            train,
            y_train,
            task="classification" if classify else "regression",
            metric="accuracy" if classify else "r2",
            time_budget=budget,
            seed=seed,
            verbose=0,
        )
        predicted = automl.predict(test)
    seconds = time.perf_counter() - start
    score = accuracy_score(y_test, predicted) if classify else r2_score(y_test, predicted)
    print(
        json.dumps(
            {
                "score": float(score),
                "best_estimator": automl.best_estimator,
                "seconds": round(seconds, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Which table network Auto should build: the numeric embeddings and efficient-ensemble sizes
of issue 17 side by side on the quality benchmark's tables (``_quality_tables``), same split,
same training settings (the table kind's default) and the same time budget per training.

    python benchmarks/tab_network_defaults.py [--budget 20] [--tables a,b] [--rows 20000]

Prints one row per table and variant: the test accuracy (classification) or R² (regression),
the epochs run and the seconds. The figures chosen from are in ``core/models/_auto.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

VARIANTS = {  # name -> (numeric_embedding, ensemble_size)
    "plain": ("none", 1),
    "piecewise": ("piecewise", 1),
    "periodic": ("periodic", 1),
    "tabm8": ("none", 8),
    "pw+tabm4": ("piecewise", 4),
    "pw+tabm8": ("piecewise", 8),
    "pw+tabm16": ("piecewise", 16),
    "plr+tabm8": ("periodic", 8),
}
DEFAULT_TABLES = "breast_cancer,diabetes,digits,loans,nass_cds,gss_wages,synthetic_50k"


def score(run) -> float:
    metrics = run.report.get("metrics", run.report)
    for key in ("accuracy", "r2"):
        if key in metrics:
            return float(metrics[key])
    raise KeyError(sorted(metrics))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=0.0, help="seconds per training")
    parser.add_argument("--epochs", type=int, default=25, help="most epochs per training")
    parser.add_argument("--tables", default=DEFAULT_TABLES)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--rows", type=int, default=5000, help="sample at most this many rows")
    args = parser.parse_args()

    import _quality_tables as tables

    from automl_gui.core.data.schema import LoadedTable, TableSource
    from automl_gui.core.jobs.tabular import setup_tabular, train_prepared
    from automl_gui.core.kinds import kind_named
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.preprocess.tabular import prepare_data

    training = replace(
        kind_named("tabular").default_training(),
        time_budget=args.budget,
        epochs=args.epochs,
        patience=6,
    )
    print(f"training: {training.to_dict()}", flush=True)
    print(f"{'table':15} {'rows':>7} {'variant':10} {'score':>7} {'epochs':>6} {'s':>6} {'cpu':>6}")
    for name in args.tables.split(","):
        df, target, task = tables.load(name)
        if args.rows and len(df) > args.rows:
            df = df.sample(args.rows, random_state=0).reset_index(drop=True)
        setup = setup_tabular(
            LoadedTable(df=df, source=TableSource(f"{name}.csv", "csv")), target, task
        )
        prepared = prepare_data(df, setup.preprocess)
        for variant in args.variants.split(","):
            embedding, members = VARIANTS[variant]
            mlp = MLPConfig(numeric_embedding=embedding, ensemble_size=members)
            start, cpu = time.monotonic(), time.process_time()
            run = train_prepared(prepared, setup.preprocess, mlp, training)
            print(
                f"{name:15} {len(df):7d} {variant:10} {score(run):7.4f} "
                f"{run.result.epochs_run:6d} {time.monotonic() - start:6.1f} "
                f"{time.process_time() - cpu:6.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()

"""Wide tables: time and memory to profile, build and train one epoch on 200 / 2,000 / 20,000
numeric columns × 500 rows (binary target), each width in a fresh process.

    .venv/bin/python benchmarks/wide_tables.py                      # the table, all widths
    .venv/bin/python benchmarks/wide_tables.py --widths 200 2000    # some widths
    .venv/bin/python benchmarks/wide_tables.py --timeout 300        # per width (default 240 s)

Stages, each timed through the engine's own calls: ``profile_table``, ``auto_config``,
``prepare_data``, ``build_tabular`` (fitting the preprocessing layers and stacking the MLP),
``fit_tabular`` (one epoch, compile and tracing included), ``finish_tabular`` (test split,
metadata). Peak RSS is the child's. A width that does not finish within the timeout shows
"timed out" (one Keras input per column took 120 s and 2.4 GB at 2,000 columns and never
finished at 20,000). Target: 20,000 columns build + 1 epoch in ≤ 60 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from _common import peak_rss_kb, result, run_child, run_main

NAME = "wide_tables"
WIDTHS = (200, 2_000, 20_000)
ROWS = 500
TARGET_S = 60.0  # 20,000 columns: build + one epoch


def make_frame(width: int, rows: int = ROWS, seed: int = 0):
    """``rows`` × ``width`` float columns (a few NaN) and a learnable binary ``target``."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, width)).astype("float64")
    x[rng.random(size=x.shape) < 0.01] = np.nan
    signal = np.nan_to_num(x[:, : min(width, 10)]).sum(axis=1)
    df = pd.DataFrame(x, columns=[f"g{i:05d}" for i in range(width)])
    df["target"] = np.where(signal > 0, "yes", "no")
    return df


def child(width: int) -> dict:
    """Measure one width in this (fresh) process."""
    from automl_gui.core.base import lazy
    from automl_gui.core.data.profile import profile_table
    from automl_gui.core.jobs.tabular import build_tabular, finish_tabular, fit_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.preprocess.tabular import auto_config, prepare_data
    from automl_gui.core.train.config import TrainConfig

    lazy.keras()  # TensorFlow's import is not the table's cost
    df = make_frame(width)
    times: dict[str, float] = {}

    def timed(stage: str, fn, *args, **kwargs):
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        times[stage] = round(time.perf_counter() - t0, 2)
        return out

    profile = timed("profile", profile_table, df)
    config = timed("auto_config", auto_config, df, profile, "target", "binary")
    prepared = timed("prepare", prepare_data, df, config)
    mlp, training = MLPConfig(), TrainConfig(epochs=1, early_stopping=False)
    pre, built = timed("build", build_tabular, prepared, config, mlp, seed=0)
    res = timed("fit_1_epoch", fit_tabular, prepared, pre, built, training)
    run = timed("finish", finish_tabular, prepared, config, mlp, training, pre, built, res)
    return {
        "width": width,
        "times": times,
        "build_plus_epoch_s": round(times["build"] + times["fit_1_epoch"], 2),
        "total_s": round(sum(times.values()), 2),
        "peak_rss_mb": round(peak_rss_kb() / 1024),
        "inputs": len(built.train_model.inputs),
        "accuracy": run.report["metrics"].get("accuracy"),
        "metadata_kb": round(len(json.dumps(run.metadata)) / 1024),
    }


def measure(widths: list[int], timeout: int) -> list[dict]:
    rows = []
    for width in widths:
        print(f"{width:,} columns …", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            rows.append(run_child(__file__, width, what=f"{width} columns", timeout=timeout))
        except Exception as exc:  # noqa: BLE001 - a timeout or crash is a row of the table
            timed_out = type(exc).__name__ == "TimeoutExpired"
            rows.append({"width": width, "error": "timed out" if timed_out else str(exc)[:120]})
        rows[-1]["wall_s"] = round(time.perf_counter() - t0, 1)
    return rows


def table(rows: list[dict]) -> str:
    header = ("columns", "profile", "prepare", "build", "1 epoch", "build+epoch", "total", "RSS")
    lines = [header]
    for r in rows:
        if "error" in r:
            lines.append((f"{r['width']:,}", *(["–"] * 6), f"{r['error']} ({r['wall_s']} s)"))
            continue
        t = r["times"]
        lines.append(
            (
                f"{r['width']:,}",
                f"{t['profile']:.1f} s",
                f"{t['prepare']:.1f} s",
                f"{t['build']:.1f} s",
                f"{t['fit_1_epoch']:.1f} s",
                f"{r['build_plus_epoch_s']:.1f} s",
                f"{r['total_s']:.1f} s",
                f"{r['peak_rss_mb']:,} MB",
            )
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(c).rjust(w) for c, w in zip(line, widths, strict=True)) for line in lines
    )


def body(widths: list[int] | None = None, timeout: int = 240) -> dict:
    rows = measure(list(widths or WIDTHS), timeout)
    print(table(rows), file=sys.stderr, flush=True)
    widest = max(rows, key=lambda r: r["width"])
    value = widest.get("build_plus_epoch_s", float("inf"))
    return result(
        NAME,
        f"build + 1 epoch, {widest['width']:,} columns",
        value,
        "s",
        f"<= {TARGET_S:g}",
        value <= TARGET_S,
        summary=", ".join(
            f"{r['width']:,}: {r['build_plus_epoch_s']:.1f} s"
            if "error" not in r
            else f"{r['width']:,}: {r['error']}"
            for r in rows
        ),
        rows=rows,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--widths", type=int, nargs="+", default=list(WIDTHS))
    parser.add_argument("--timeout", type=int, default=240, help="seconds per width")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)), flush=True)
        return 0
    return run_main(NAME, lambda: body(args.widths, args.timeout))


if __name__ == "__main__":
    raise SystemExit(main())

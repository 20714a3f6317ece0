"""CSV load + profile: the app's ``read_table`` + ``profile_table`` vs plain pandas.

A 1,000,000 × 20 CSV (14 numeric columns, 4 categorical, 1 yes/no, a few missing values) is
generated once under ``benchmarks/.cache/``. Best of 3 for each side; the ratio
app ÷ ``pandas.read_csv(path, engine="pyarrow")`` must be ≤ 1.5.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

from _common import CACHE, require, result, run_main

NAME = "csv_load_profile"
ROWS = 1_000_000
TARGET = 1.5
REPEATS = 3


def make_csv(path: Path, rows: int = ROWS, seed: int = 7) -> Path:
    """Write the benchmark CSV (once; reused while it exists)."""
    if path.exists():
        return path
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {}
    for i in range(8):
        values = np.round(rng.normal(50 + i, 10 + i, rows), 3)
        if i < 2:
            values[rng.random(rows) < 0.02] = np.nan  # a few missing values
        cols[f"num_{i}"] = values
    for i in range(6):
        cols[f"int_{i}"] = rng.integers(0, 10 ** (i % 4 + 1), rows)
    levels = [
        ["north", "south", "east", "west"],
        ["basic", "plus", "premium"],
        [f"city_{k:03d}" for k in range(200)],
        ["red", "green", "blue", "yellow", "black", "white"],
    ]
    for i, lv in enumerate(levels):
        cols[f"cat_{i}"] = np.asarray(lv, dtype=object)[rng.integers(0, len(lv), rows)]
    cols["flag"] = np.where(rng.random(rows) < 0.3, "yes", "no")
    cols["target"] = rng.integers(0, 2, rows)
    table = pa.table(cols)
    assert table.num_columns == 20
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pacsv.write_csv(table, tmp)
    tmp.replace(path)
    return path


def _best(fn, repeats: int = REPEATS) -> tuple[float, object]:
    best = float("inf")
    out = None
    for _ in range(repeats):
        out = None
        gc.collect()
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def body() -> dict:
    read_table = require("automl_gui.core.data.tabular", "read_table")
    profile_table = require("automl_gui.core.data.profile", "profile_table")
    import pandas as pd

    path = make_csv(CACHE / f"bench_{ROWS}x20.csv")
    size_mb = path.stat().st_size / 1e6

    plain, df_plain = _best(lambda: pd.read_csv(path, engine="pyarrow"))
    shape = df_plain.shape
    del df_plain

    def app() -> object:
        table = read_table(str(path))
        return table, profile_table(table.df)

    app_time, (table, profile) = _best(app)
    read_only, _ = _best(lambda: read_table(str(path)), repeats=1)
    ratio = app_time / plain
    return result(
        NAME,
        "ratio",
        round(ratio, 3),
        "×",
        f"<= {TARGET}",
        ratio <= TARGET,
        summary=f"{ratio:.2f}× ({app_time:.2f} s vs pandas {plain:.2f} s)",
        pandas_s=round(plain, 3),
        app_s=round(app_time, 3),
        app_read_only_s=round(read_only, 3),
        shape=list(shape),
        app_shape=list(table.df.shape),
        profiled_columns=len(profile.columns),
        file_mb=round(size_mb, 1),
    )


def main() -> int:
    return run_main(NAME, body)


if __name__ == "__main__":
    raise SystemExit(main())

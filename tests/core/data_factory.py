"""Small builders of tables and files for the data-layer tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def write_bytes(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def write_text(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def iris_frame() -> pd.DataFrame:
    """The iris data with a text ``species`` column (as a user's CSV would have it)."""
    from sklearn.datasets import load_iris

    data = load_iris(as_frame=True)
    df = data.frame.rename(
        columns={
            "sepal length (cm)": "sepal_length",
            "sepal width (cm)": "sepal_width",
            "petal length (cm)": "petal_length",
            "petal width (cm)": "petal_width",
        }
    )
    df["species"] = np.asarray(data.target_names)[df.pop("target").to_numpy()]
    return df


def iris_csv(tmp_path: Path) -> Path:
    path = tmp_path / "iris.csv"
    iris_frame().to_csv(path, index=False)
    return path


def one_of_each_kind(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """A frame with one column of every kind profiling knows (plus variants)."""
    rng = np.random.default_rng(seed)
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    return pd.DataFrame(
        {
            "customer_id": np.arange(1000, 1000 + n),
            "uuid": [f"{i:08x}-4b1c-9d2e-{i * 7919 % 65536:04x}a1b2c3d4e5f6" for i in range(n)],
            "age": rng.normal(40, 12, n).round(1),
            "visits": rng.integers(0, 500_000, n),
            "color": rng.choice(["red", "green", "blue"], n),
            "member": rng.choice(["yes", "no"], n),
            "flag01": rng.integers(0, 2, n),
            "active": rng.random(n) > 0.5,
            "review": [" ".join(rng.choice(words, 6)) + f" and more words {i}" for i in range(n)],
            "signup": pd.date_range("2023-01-01", periods=n, freq="h"),
            "signup_text": [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(n)],
            "country": ["fr"] * n,
            "empty": [np.nan] * n,
        }
    )

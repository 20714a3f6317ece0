"""``--epochs auto`` (= 0, the kind's Auto) as its help says, a plain message for other
words, and ``--n-bins`` refused with an embedding that has no bins (review of issue 17)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import call_cli

from automl_gui.cli import build_parser


@pytest.fixture(scope="module")
def table_csv(tmp_path_factory) -> Path:
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(40, 2)), columns=["a", "b"])
    df["y"] = np.where(df["a"] > 0, "yes", "no")
    path = tmp_path_factory.mktemp("epochs") / "t.csv"
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("text", "value"), [("auto", 0), ("AUTO", 0), ("0", 0), ("7", 7)])
def test_epochs_takes_auto_or_a_count(text, value):
    args = build_parser().parse_args(["train", "data.csv", "--epochs", text])
    assert args.epochs == value


def test_auto_epochs_leave_the_kind_its_auto(table_csv):
    from automl_gui.cli._tables import table_setup
    from automl_gui.core.base.events import CancelToken
    from automl_gui.core.kinds import kind_named

    args = build_parser().parse_args(
        ["train", str(table_csv), "--target", "y", "--epochs", "auto", "--quiet"]
    )
    kind = kind_named("tabular")
    setup = table_setup(args, kind, "mlp", 0, CancelToken())
    assert setup.training.epochs == kind.default_training().epochs


def test_the_help_says_auto_and_other_words_are_refused(table_csv):
    proc = call_cli("train", "--help", cwd=table_csv.parent)
    assert "or auto (0) to size them from the data" in " ".join(proc.stdout.split())
    for word, said in (("many", "'many' is not a whole number or 'auto'"), ("-2", "got -2")):
        proc = call_cli("train", str(table_csv), "--epochs", word, cwd=table_csv.parent)
        assert proc.returncode == 2 and said in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("embedding", ["periodic", "none"])
def test_bins_are_refused_without_the_piecewise_embedding(table_csv, embedding):
    proc = call_cli(
        "train",
        str(table_csv),
        "--epochs",
        "auto",
        "--numeric-embedding",
        embedding,
        "--n-bins",
        "8",
        cwd=table_csv.parent,
    )
    assert proc.returncode == 1, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--n-bins applies to the piecewise embedding only" in lines[0]
    assert f"not to --numeric-embedding {embedding}" in lines[0]


def test_bins_with_piecewise_or_auto_are_taken(table_csv):
    from automl_gui.cli._tables import check_table_options

    for embedding in ("piecewise", "auto", None):
        args = build_parser().parse_args(["train", "t.csv", "--n-bins", "8"])
        args.numeric_embedding = embedding
        check_table_options(args)  # no error
    periodic = build_parser().parse_args(["train", "t.csv", "--numeric-embedding", "periodic"])
    check_table_options(periodic)  # auto bins (not given): nothing to refuse

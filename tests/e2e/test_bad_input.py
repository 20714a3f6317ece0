"""Every bad input the issue lists, through both front ends: a clear message, never a crash.

The command line must exit non-zero with one line saying what is wrong (no traceback); the
window must show the message in the Data page (load errors) or as an error finding that blocks
training (untrainable targets), and stay usable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings

from automl_gui import cli

rng = np.random.default_rng(0)


def _frame(n: int = 60, **extra) -> pd.DataFrame:
    df = pd.DataFrame({"x": rng.normal(size=n), "y": rng.choice(["a", "b"], size=n)})
    for name, values in extra.items():
        df[name] = values
    return df


def _write(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    if isinstance(content, pd.DataFrame):
        content.to_csv(path, index=False)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return str(path)


# (case id, file name, content, target, words the message must contain)
LOAD_ERRORS = [
    ("empty", "empty.csv", "", "y", ["empty"]),
    ("header-only", "header.csv", "x,y\n", "y", ["no data rows"]),
    ("binary", "binary.csv", bytes(range(256)) * 40, "y", ["binary"]),
    ("ragged", "ragged.csv", "x,y\n1,a\n2,b\n3,c,extra,more\n4,d\n", "y", ["row 4", "4 fields"]),
]
TARGET_ERRORS = [
    ("one-class", _frame(y=["a"] * 60), "y", "binary", ["one"]),
    ("all-missing", _frame(y=[None] * 60), "y", "binary", ["missing"]),
    ("class-with-one-row", _frame(y=["a"] * 30 + ["b"] * 29 + ["c"]), "y", "multiclass", ["'c'"]),
    (
        "free-text-target",
        pd.DataFrame(
            {"x": range(3000), "y": [f"comment number {i} about it" for i in range(3000)]}
        ),
        "y",
        "multiclass",
        ["different values"],
    ),
    ("one-row", _frame(n=1), "y", "binary", ["row"]),
]


def _cli_error(capsys, *args: str) -> str:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    assert code != 0, captured.out
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    return lines[0].lower()


@pytest.mark.parametrize(
    "case, name, content, target, words", LOAD_ERRORS, ids=lambda c: c if isinstance(c, str) else ""
)
def test_unreadable_files(case, name, content, target, words, tmp_path, capsys, qtbot):
    path = _write(tmp_path, name, content)
    line = _cli_error(capsys, "train", path, "--target", target, "--out", str(tmp_path / "o"))
    for word in words:
        assert word.lower() in line

    from automl_gui.gui.main_window import MainWindow

    window = MainWindow(
        settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), load_engine=False
    )
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.data_page.load_failed, timeout=30_000) as failed:
        window.open_path(path)
    message = " ".join(failed.args).lower()
    for word in words:
        assert word.lower() in message
    assert window.data_page.banner.level == "error"
    good = _write(tmp_path, "good.csv", _frame())
    with qtbot.waitSignal(window.state.target_changed, timeout=30_000):
        window.open_path(good)  # the app stays usable
    assert window.state.dataset_name == "good.csv"


@pytest.mark.parametrize(
    "case, frame, target, task, words", TARGET_ERRORS, ids=lambda c: c if isinstance(c, str) else ""
)
def test_untrainable_targets(case, frame, target, task, words, tmp_path, capsys, qtbot):
    path = _write(tmp_path, "data.csv", frame)
    line = _cli_error(capsys, "train", path, "--target", target, "--out", str(tmp_path / "o"))
    for word in words:
        assert word.lower() in line

    from automl_gui.gui.main_window import MainWindow

    window = MainWindow(
        settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), load_engine=False
    )
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.data_page.loaded, timeout=30_000):
        window.open_path(path)
    qtbot.waitUntil(lambda: window.state.target is not None, timeout=30_000)
    if window.state.target != target or not window.data_page.warnings_view.has_errors():
        with qtbot.waitSignal(window.state.target_changed, timeout=30_000):
            window.data_page.set_target(target, task)
    assert window.data_page.warnings_view.has_errors()
    assert not window.action_start.isEnabled()
    assert target in window.step_blocker("train")


def test_inf_mixed_types_and_latin1_still_train(tmp_path, capsys):
    n = 80
    df = pd.DataFrame(
        {
            "num": np.where(np.arange(n) % 9 == 0, np.inf, rng.normal(size=n)),
            "mixed": [str(i) if i % 10 else "n/a" for i in range(n)],
            "city": ["Zürich", "Málaga", "Köln", "Besançon"] * (n // 4),
            "label": rng.choice(["yes", "no"], size=n),
        }
    )
    path = tmp_path / "latin1.csv"
    df.to_csv(path, index=False, encoding="latin-1")
    code = cli.main(
        ["train", str(path), "--target", "label", "--epochs", "1", "--out", str(tmp_path / "m")]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "latin" in captured.out.lower() or "1252" in captured.out  # the encoding notice
    assert "inf" in captured.out.lower()  # the infinite values are reported


def test_prediction_file_missing_a_column_or_with_an_unseen_category(tmp_path, capsys):
    df = _frame(n=80, color=rng.choice(["red", "green"], size=80))
    train = _write(tmp_path, "train.csv", df)
    assert (
        cli.main(
            ["train", train, "--target", "y", "--epochs", "1", "--out", str(tmp_path / "m"), "-q"]
        )
        == 0
    )
    capsys.readouterr()
    missing = _write(tmp_path, "missing.csv", df.drop(columns=["color", "y"]))
    line = _cli_error(
        capsys, "predict", str(tmp_path / "m"), missing, "--out", str(tmp_path / "p.csv")
    )
    assert "color" in line
    unseen = df.drop(columns=["y"]).assign(color="purple")
    path = _write(tmp_path, "unseen.csv", unseen)
    assert cli.main(["predict", str(tmp_path / "m"), path, "--out", str(tmp_path / "p2.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "p2.csv")) == 80


def test_ctrl_c_before_training_exits_130(tmp_path, capsys, monkeypatch):
    from automl_gui.core.base.errors import CancelledError
    from automl_gui.core.jobs import tabular as pipeline

    def cancelled(*_a, **_k):
        raise CancelledError()

    monkeypatch.setattr(pipeline, "train_tabular", cancelled)
    path = _write(tmp_path, "ok.csv", _frame())
    code = cli.main(["train", path, "--target", "y", "--out", str(tmp_path / "o")])
    assert code == cli.EXIT_INTERRUPTED
    assert "interrupted" in capsys.readouterr().err

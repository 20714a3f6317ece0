"""End to end (in-process): nothing is lost and nothing hangs at the command line's outputs.

``--overwrite`` replaces only what the app wrote (never the data, the source model, a folder
holding other files or the current folder), a bad destination is found before any work, an
export given as a model says what to pass, our columns never replace the user's, echoed text
is capped, and Ctrl+C and SIGTERM take the same way out.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl_gui import cli


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    """(a bundle folder of a small table model, its training CSV)."""
    from automl_gui.core.data.schema import LoadedTable, TableSource
    from automl_gui.core.jobs.run import save_run
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.train.config import TrainConfig

    root = tmp_path_factory.mktemp("outputs")
    rng = np.random.default_rng(5)
    x = rng.normal(size=60)
    df = pd.DataFrame({"x": x, "kind": rng.choice(["a", "b"], 60), "y": np.where(x > 0, "p", "n")})
    csv = root / "data.csv"
    df.to_csv(csv, index=False)
    table = LoadedTable(df=df, source=TableSource(path=str(csv), format="csv"))
    setup = setup_tabular(table, "y")
    run = train_tabular(
        df,
        setup.preprocess,
        MLPConfig(auto=False, hidden_units=[4]),
        TrainConfig(epochs=1, batch_size=16, seed=1),
    )
    return save_run(run, root / "model"), csv


def _error(capsys, *args: str) -> tuple[str, str]:
    """(the one error line, stdout) of a command that must fail."""
    code = cli.main(list(args))
    captured = capsys.readouterr()
    assert code == cli.EXIT_ERROR, captured.out + captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert "Traceback" not in captured.err
    return lines[0], captured.out


def _tree(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*")}


def test_train_overwrite_never_deletes_the_current_folder_or_the_data(tmp_path, capsys, trained):
    model, csv = trained
    work = tmp_path / "work"
    work.mkdir()
    data = work / "data.csv"
    data.write_bytes(csv.read_bytes())
    before = _tree(model)
    for cwd, source in ((work, "data.csv"), (model, str(data))):  # even a folder it wrote
        os.chdir(cwd)
        try:
            line, out = _error(
                capsys, "train", source, "--target", "y", "--out", ".", "--overwrite"
            )
        finally:
            os.chdir(tmp_path)
        assert "will not be replaced" in line and "Data:" not in out  # before reading anything
    assert "is the current folder" in line
    assert data.read_bytes() == csv.read_bytes() and _tree(model) == before

    line, _ = _error(capsys, "train", str(data), "--target", "y", "--out", str(work), "--overwrite")
    assert "data.csv, which this command reads" in line and data.is_file()
    (work / "notes.txt").write_text("mine")
    data.unlink()
    line, out = _error(
        capsys, "train", str(csv), "--target", "y", "--out", str(work), "--overwrite"
    )
    assert "did not write (notes.txt)" in line and "Data:" not in out
    assert (work / "notes.txt").read_text() == "mine"


def test_export_overwrite_never_deletes_the_source_model(tmp_path, capsys, trained):
    model, _ = trained
    before = _tree(model)
    for fmt in ("savedmodel", "keras"):
        line, _ = _error(
            capsys, "export", str(model), "--format", fmt, "--out", str(model), "--overwrite"
        )
        assert "which this command reads; it will not be replaced" in line
    os.chdir(model)
    try:
        line, _ = _error(
            capsys, "export", ".", "--format", "savedmodel", "--out", ".", "--overwrite"
        )
    finally:
        os.chdir(tmp_path)
    assert "will not be replaced" in line
    assert _tree(model) == before

    user = tmp_path / "user"
    user.mkdir()
    (user / "thesis.tex").write_text("years")
    line, _ = _error(
        capsys, "export", str(model), "--format", "keras", "--out", str(user), "--overwrite"
    )
    assert "did not write (thesis.tex)" in line and (user / "thesis.tex").read_text() == "years"

    out = tmp_path / "export"
    assert cli.main(["export", str(model), "--format", "keras", "--out", str(out)]) == 0
    (out / "notes.md").write_text("added by the user")
    line, _ = _error(
        capsys, "export", str(model), "--format", "keras", "--out", str(out), "--overwrite"
    )
    assert "notes.md" in line
    (out / "notes.md").unlink()
    assert (
        cli.main(["export", str(model), "--format", "keras", "--out", str(out), "--overwrite"]) == 0
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export", "user"]  # no leftovers


def test_predict_overwrite_never_replaces_its_input(tmp_path, capsys, trained):
    model, csv = trained
    data = tmp_path / "rows.csv"
    data.write_bytes(csv.read_bytes())
    line, _ = _error(capsys, "predict", str(model), str(data), "--out", str(data), "--overwrite")
    assert "rows.csv, which this command reads" in line
    line, _ = _error(
        capsys,
        "predict",
        str(model),
        str(data),
        "--out",
        str(model / "metadata.json"),
        "--overwrite",
    )
    assert "is inside" in line
    folder = tmp_path / "folder"
    folder.mkdir()
    line, _ = _error(capsys, "predict", str(model), str(data), "--out", str(folder))
    assert "is a folder, not a file" in line
    assert data.read_bytes() == csv.read_bytes()


@pytest.mark.parametrize(
    "code, words", [(errno.EROFS, "read-only"), (errno.ENOSPC, "no space left")]
)
def test_a_read_only_or_full_out_is_found_before_training(
    tmp_path, capsys, monkeypatch, trained, code, words
):
    from automl_gui.core.export import outputs

    _, csv = trained
    real_open = os.open

    def probe_fails(path, *args, **kwargs):
        if ".automl-gui-probe-" in str(path):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(outputs.os, "open", probe_fails)
    line, out = _error(capsys, "train", str(csv), "--target", "y", "--out", str(tmp_path / "m"))
    assert words in line.lower() and "locked" not in line
    assert "Data:" not in out and "Epoch" not in out  # before reading or training
    line, _ = _error(
        capsys, "predict", "no-model-needed", str(csv), "--out", str(tmp_path / "p.csv")
    )
    assert words in line.lower()
    line, out = _error(
        capsys,
        "train",
        str(csv),
        "--target",
        "y",
        "--checkpoint-dir",
        str(tmp_path / "ck"),
        "--out",
        str(tmp_path / "m2"),
    )
    assert words in line.lower() and "Data:" not in out


def test_an_export_given_as_a_model_says_what_to_pass(tmp_path, capsys, trained):
    model, csv = trained
    saved = tmp_path / "saved"
    assert cli.main(["export", str(model), "--format", "savedmodel", "--out", str(saved)]) == 0
    capsys.readouterr()
    for command in (
        ["predict", str(saved), str(csv), "--out", str(tmp_path / "p.csv")],
        ["export", str(saved), "--format", "onnx", "--out", str(tmp_path / "o")],
    ):
        line, _ = _error(capsys, *command)
        assert "SavedModel (saved_model.pb)" in line and "model.keras is missing" not in line
        assert "model.keras and metadata.json" in line


def test_predict_keeps_a_users_prediction_column_and_says_where_ours_went(
    tmp_path, capsys, trained
):
    model, csv = trained
    df = pd.read_csv(csv).drop(columns=["y"])
    df["prediction"] = "the user's own"
    df["probability_p"] = -1.0
    path = tmp_path / "rows.csv"
    df.to_csv(path, index=False)
    out = tmp_path / "p.csv"
    assert cli.main(["predict", str(model), str(path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    result = pd.read_csv(out)
    assert (result["prediction"] == "the user's own").all()
    assert (result["probability_p"] == -1.0).all()
    assert set(result["prediction_2"]) <= {"p", "n"}
    assert {"probability_n_2", "probability_p_2"} <= set(result.columns)
    assert "note:" in printed and "prediction_2" in printed


def test_a_huge_echoed_value_gives_a_short_error_line(tmp_path, capsys, trained):
    _, csv = trained
    line, _ = _error(
        capsys, "train", str(csv), "--target", "z" * 70_000, "--out", str(tmp_path / "m")
    )
    assert len(line) < 800 and " … " in line


def test_a_rerun_tidies_what_a_killed_export_or_predict_left(
    tmp_path, capsys, trained, monkeypatch
):
    from automl_gui.core.base import files

    model, csv = trained
    proc = subprocess.Popen(["true"])
    proc.wait()
    dead, later = proc.pid, time.time() + 3600
    monkeypatch.setattr(files, "_now", lambda: later)  # an hour on
    staging = tmp_path / f".export.tmp-automl-gui-{dead}-k9k9k9k9"
    staging.mkdir()
    (staging / "variables").mkdir()
    (staging / "variables" / "variables.data-00000-of-00001").write_bytes(b"\0" * 100_000)
    half_csv = tmp_path / f".p.csv.tmp-automl-gui-{dead}-1404"
    half_csv.write_bytes(b"x" * 100_000)
    live = tmp_path / f".export.tmp-automl-gui-{os.getppid()}-running0"  # a live writer's: kept
    live.mkdir()
    assert (
        cli.main(["export", str(model), "--format", "keras", "--out", str(tmp_path / "export")])
        == 0
    )
    assert cli.main(["predict", str(model), str(csv), "--out", str(tmp_path / "p.csv")]) == 0
    written = ["export", "p.csv", "p_drift.csv", live.name]  # drift figures beside predictions
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(written)


def test_sigterm_cancels_a_job_like_ctrl_c_and_a_second_one_stops_it(capsys):
    from automl_gui.cli._signals import interruptible, stopped_by
    from automl_gui.core.base.events import CancelToken

    def job(cancel):
        os.kill(os.getpid(), signal.SIGTERM)
        assert cancel.cancelled  # the first: the job's cancel path (best weights kept)
        os.kill(os.getpid(), signal.SIGTERM)  # the second: stop now
        raise AssertionError("not reached")

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt):
        interruptible(CancelToken(), job)
    assert signal.getsignal(signal.SIGTERM) is before
    assert stopped_by() == "SIGTERM"


def test_sigterm_outside_a_training_exits_as_ctrl_c_does(tmp_path, capsys, monkeypatch, trained):
    from automl_gui.core.export import bundle

    model, _ = trained

    def killed(*_a, **_k):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
        raise AssertionError("SIGTERM was not handled")

    monkeypatch.setattr(bundle, "load_bundle", killed)
    before = signal.getsignal(signal.SIGTERM)
    code = cli.main(["export", str(model), "--format", "keras", "--out", str(tmp_path / "e")])
    assert code == cli.EXIT_INTERRUPTED
    assert "interrupted (SIGTERM)" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_sigterm_a_library_turned_into_its_own_error_still_exits_130(
    tmp_path, capsys, monkeypatch, trained
):
    """TensorFlow catches a KeyboardInterrupt raised inside ``convert_to_tensor`` and raises
    a TypeError instead (seen in CI: SIGTERM while a SavedModel traced gave exit 1)."""
    from automl_gui.core.export import bundle

    model, _ = trained

    def swallowed(*_a, **_k):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        except KeyboardInterrupt as exc:
            raise TypeError("Failed to convert elements of (None, 1, 1) to Tensor.") from exc
        raise AssertionError("SIGTERM was not handled")

    monkeypatch.setattr(bundle, "load_bundle", swallowed)
    code = cli.main(["export", str(model), "--format", "keras", "--out", str(tmp_path / "e")])
    assert code == cli.EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert "interrupted (SIGTERM)" in err and "convert" not in err
    # the next command starts clean: a plain failure is an error again, not an interruption
    monkeypatch.setattr(bundle, "load_bundle", lambda *_a, **_k: 1 / 0)
    assert cli.main(["export", str(model), "--format", "keras", "--out", str(tmp_path / "f")]) == 1

"""Training survives a crash: per-epoch checkpoints, a killed training resumed, and when a
checkpoint is not used (other settings, a run that ended)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.train.checkpoint import (
    STATE_FILE,
    CheckpointInfo,
    clear_checkpoint,
    fingerprint,
    read_checkpoint,
    read_state,
    table_identity,
)

EPOCHS = 6


class Crash(Exception):
    """Stands for a kill in the in-process tests (an exception out of the training)."""


def _frame(n: int = 160, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    return pd.DataFrame({"x1": x1, "x2": x2, "y": np.where(x1 + x2 > 0, "yes", "no")})


def _settings(df: pd.DataFrame, epochs: int = EPOCHS, lr: float = 0.01):
    """(preprocess, mlp, training) for the tiny table: no early stopping (deterministic)."""
    from automl_gui.core.data.schema import LoadedTable, TableSource
    from automl_gui.core.jobs.tabular import setup_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.train.config import TrainConfig

    setup = setup_tabular(LoadedTable(df=df, source=TableSource(path="t.csv", format="csv")), "y")
    mlp = MLPConfig(auto=False, hidden_units=[8], dropout=0.0)
    training = TrainConfig(epochs=epochs, batch_size=16, early_stopping=False, learning_rate=lr)
    return setup.preprocess, mlp, training


def _crash_at(epoch: int):
    """An event callback that 'crashes' once epoch ``epoch`` (1-based) has been checkpointed:
    at the end of the next epoch, before that one is saved."""

    def on_event(event):
        from automl_gui.core.base.events import EpochEnd

        if isinstance(event, EpochEnd) and event.epoch == epoch:
            raise Crash()

    return on_event


# -- the reading side (no TensorFlow) ---------------------------------------------------------
def _state(folder: Path, **values) -> None:
    state = {
        "version": 1,
        "fingerprint": "f",
        "kind": "tabular",
        "phase": "train",
        "epochs_done": 7,
        "epochs_total": 50,
        "updated": "2030-01-01T12:00:00+00:00",
        "finished": False,
        "history": {"loss": [1.0] * 7},
        "best_epoch": 6,
        "best_value": 0.5,
        "weights": "weights-train-0007.weights.h5",
        "optimizer": "optimizer-train-0007.npz",
    }
    state.update(values)
    folder.mkdir(parents=True, exist_ok=True)
    for name in (state["weights"], state["optimizer"]):
        if name:
            (folder / name).write_bytes(b"x")
    (folder / STATE_FILE).write_text(json.dumps(state))


def test_describe_says_the_epoch_and_how_long_ago(tmp_path):
    _state(tmp_path)
    info = read_checkpoint(tmp_path)
    now = dt.datetime(2030, 1, 1, 12, 12, 30, tzinfo=dt.UTC)
    assert info.describe(now) == "Training was interrupted after epoch 7 of 50 (12 min ago)."
    info.epoch_offset, info.epochs_after = 3, 5  # a fine-tune phase counts on from the head's
    assert "after epoch 10 of 58" in info.describe(now)


def test_read_checkpoint_is_none_when_finished_missing_or_broken(tmp_path):
    assert read_checkpoint(tmp_path / "none") is None
    _state(tmp_path / "done", finished=True)
    assert read_checkpoint(tmp_path / "done") is None
    assert read_state(tmp_path / "done").finished
    _state(tmp_path / "gone")
    (tmp_path / "gone" / "weights-train-0007.weights.h5").unlink()
    assert read_checkpoint(tmp_path / "gone") is None  # the state names a file that is not there
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / STATE_FILE).write_text("{not json")
    assert read_checkpoint(tmp_path / "bad") is None
    _state(tmp_path / "old", version=99)
    assert read_checkpoint(tmp_path / "old") is None


def test_clear_removes_only_the_checkpoints_own_files(tmp_path):
    _state(tmp_path)
    (tmp_path / "best-train-0003.npz").write_bytes(b"x")
    (tmp_path / ".tmp-12-weights-train-0008.weights.h5").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("mine")
    clear_checkpoint(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    clear_checkpoint(tmp_path / "nothing-here")  # never raises
    only = tmp_path / "only"
    _state(only)
    clear_checkpoint(only)
    assert not only.exists()  # emptied: the folder goes too


def test_fingerprint_and_table_identity_are_stable():
    a = fingerprint("tabular", {"b": 1, "a": [1, 2]}, {"epochs": 3})
    assert a == fingerprint("tabular", {"a": [1, 2], "b": 1}, {"epochs": 3})
    assert a != fingerprint("tabular", {"a": [1, 2], "b": 1}, {"epochs": 4})
    df = _frame()
    assert table_identity(df) == table_identity(df.copy())
    other = df.copy()
    other.loc[3, "x1"] = 99.0
    assert table_identity(other) != table_identity(df)


def test_checkpoint_info_fields_round_trip(tmp_path):
    _state(tmp_path, extra={"phase1": {"epochs_run": 2}}, epoch_offset=2)
    info = read_checkpoint(tmp_path)
    assert isinstance(info, CheckpointInfo)
    assert (info.kind, info.phase, info.epochs_done, info.epochs_total) == (
        "tabular",
        "train",
        7,
        50,
    )
    assert info.extra == {"phase1": {"epochs_run": 2}} and info.epoch_offset == 2
    assert info.folder == str(tmp_path)


# -- a table training killed and resumed ------------------------------------------------------
@pytest.fixture(scope="module")
def killed(tmp_path_factory):
    """A checkpoint folder left by a table training whose engine process (the window's path)
    was SIGKILLed at the end of epoch 3, and the table it trained on. Each test resumes a copy
    (``_copy``): in this process and in a new engine process, from one killed training."""
    from automl_gui.core.base.errors import ModelError
    from automl_gui.core.base.events import EpochEnd
    from automl_gui.core.jobs import EngineProcess, TrainRequest, run_isolated, train
    from automl_gui.core.kinds.tabular import TABULAR

    root = tmp_path_factory.mktemp("killed")
    csv = root / "table.csv"
    _frame().to_csv(csv, index=False)
    df = pd.read_csv(csv)  # as the resumes read it
    folder = root / "checkpoints"
    process = EngineProcess(warm=False)

    def kill_after_two(event):  # at the end of epoch 3, before or after its checkpoint
        if isinstance(event, EpochEnd) and event.epoch == 2:
            process._proc.kill()  # SIGKILL: nothing runs on the way out

    try:
        with pytest.raises(ModelError, match="stopped unexpectedly"):
            request = TrainRequest(TABULAR, df, *_settings(df), checkpoint_dir=folder)
            run_isolated(process, train, request, on_event=kill_after_two)
    finally:
        process.close()
    return folder, csv


def _copy(folder: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(folder, tmp_path / "checkpoints"))


def test_a_killed_training_resumes_from_its_last_epoch(killed, tmp_path):
    from automl_gui.core.base.events import EpochEnd, Log
    from automl_gui.core.jobs.tabular import train_tabular

    folder, csv = _copy(killed[0], tmp_path), killed[1]
    info = read_checkpoint(folder)
    assert info is not None and 2 <= info.epochs_done < EPOCHS  # the kill races the save
    assert info.kind == "tabular" and info.epochs_total == EPOCHS
    saved = {k: list(v) for k, v in info.history.items()}
    df = pd.read_csv(csv)
    events: list = []
    run = train_tabular(
        df, *_settings(df), checkpoint_dir=folder, resume=True, on_event=events.append
    )

    done = info.epochs_done
    logs = [e.message for e in events if isinstance(e, Log)]
    assert f"Resuming from epoch {done + 1} of {EPOCHS}." in logs
    assert run.result.epochs_run == EPOCHS and run.result.stopped_reason == "completed"
    assert len(run.history["loss"]) == EPOCHS
    for key, values in saved.items():
        assert run.history[key][:done] == pytest.approx(values)
    # the plots see every epoch: the checkpointed ones replayed, then the new ones
    assert [e.epoch for e in events if isinstance(e, EpochEnd)] == list(range(EPOCHS))
    # it is a working run, and its checkpoint is spent
    assert run.report["metrics"]["accuracy"] > 0.6
    from automl_gui.core.export.bundle import predict_arrays

    assert predict_arrays(run.model, run.metadata, df.head(4)).shape[0] == 4
    assert read_checkpoint(folder) is None and read_state(folder).finished
    assert [p.name for p in folder.iterdir()] == [STATE_FILE]


def test_resuming_with_changed_settings_is_refused_and_keeps_the_checkpoint(tmp_path):
    from automl_gui.core.base.events import EpochEnd, Log
    from automl_gui.core.jobs.tabular import train_tabular
    from automl_gui.core.train.checkpoint import CheckpointMismatchError

    df = _frame()
    pre, mlp, training = _settings(df, epochs=4)
    with pytest.raises(Crash):
        train_tabular(df, pre, mlp, training, checkpoint_dir=tmp_path, on_event=_crash_at(2))
    before = read_checkpoint(tmp_path)
    assert before.epochs_done == 2

    pre, mlp, training = _settings(df, epochs=4, lr=0.02)  # another learning rate
    with pytest.raises(CheckpointMismatchError) as caught:
        train_tabular(df, pre, mlp, training, checkpoint_dir=tmp_path, resume=True)
    assert "other data or settings" in caught.value.message
    assert "without" in caught.value.hint and "resum" in caught.value.hint
    after = read_checkpoint(tmp_path)  # nothing was discarded
    assert after is not None and after.epochs_done == 2 and after.updated == before.updated
    assert all((tmp_path / name).exists() for name in (after.weights, after.optimizer))

    events: list = []  # starting afresh (no resume) is the user's explicit choice
    run = train_tabular(df, pre, mlp, training, checkpoint_dir=tmp_path, on_event=events.append)
    logs = [e.message for e in events if isinstance(e, Log)]
    assert any(m.startswith("Discarded an unfinished training") for m in logs)
    assert [e.epoch for e in events if isinstance(e, EpochEnd)] == [0, 1, 2, 3]
    assert run.result.epochs_run == 4
    assert read_checkpoint(tmp_path) is None  # the run ended: nothing to resume


def test_a_stopped_run_leaves_nothing_to_resume(tmp_path):
    from automl_gui.core.base.events import CancelToken, EpochEnd
    from automl_gui.core.jobs.tabular import train_tabular

    df = _frame()
    cancel = CancelToken()

    def stop_after_two(event):
        if isinstance(event, EpochEnd) and event.epoch == 1:
            cancel.cancel()

    run = train_tabular(
        df, *_settings(df), checkpoint_dir=tmp_path, on_event=stop_after_two, cancel=cancel
    )
    assert run.result.stopped_reason == "cancelled"
    assert read_checkpoint(tmp_path) is None
    assert not any(p.name.endswith((".h5", ".npz")) for p in tmp_path.iterdir())


def test_a_killed_engine_process_resumes_in_a_new_one(killed, tmp_path):
    """The window's path: training in the engine's child process, which died mid-training
    (``killed``), resumed in a new engine process."""
    from automl_gui.core.base.events import Log
    from automl_gui.core.jobs import EngineProcess, TrainRequest, run_isolated, train
    from automl_gui.core.kinds.tabular import TABULAR

    folder = _copy(killed[0], tmp_path)
    df = pd.read_csv(killed[1])
    info = read_checkpoint(folder)
    assert info is not None and info.epochs_done in (2, 3)  # the kill races the save

    again = EngineProcess(warm=False)
    events: list = []
    try:
        request = TrainRequest(TABULAR, df, *_settings(df), checkpoint_dir=folder, resume=True)
        run = run_isolated(again, train, request, on_event=events.append)
    finally:
        again.close()
    logs = [e.message for e in events if isinstance(e, Log)]
    assert f"Resuming from epoch {info.epochs_done + 1} of {EPOCHS}." in logs
    assert run.result.epochs_run == EPOCHS and run.model is not None
    assert read_checkpoint(folder) is None

"""Training in the engine process: same results and events, errors keep their words,
Stop works across the boundary, and a dead child is reported instead of hanging."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.base.events import CancelToken, EpochEnd
from automl_gui.core.data.schema import LoadedTable, TableSource
from automl_gui.core.export.bundle import predict_frame
from automl_gui.core.jobs import EngineProcess, TrainRequest, run_isolated, train
from automl_gui.core.jobs.tabular import setup_tabular
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig


@pytest.fixture(scope="module")
def engine():
    process = EngineProcess()
    process.start()
    yield process
    process.close()


def _data(n: int = 300):
    rng = np.random.default_rng(2)
    x = rng.normal(size=n)
    df = pd.DataFrame(
        {"x": x, "c": rng.choice(["a", "b"], size=n), "y": np.where(x > 0, "up", "down")}
    )
    setup = setup_tabular(LoadedTable(df=df, source=TableSource("m.csv", "csv")), "y")
    return df, setup.preprocess


def _configs(epochs: int = 3):
    return MLPConfig(auto=False, hidden_units=[8]), TrainConfig(epochs=epochs, batch_size=32)


def train_in_process(process, *settings, on_event=None, cancel=None):
    """The table kind's training job in ``process`` (``run_isolated``)."""
    request = TrainRequest(TABULAR, *settings)
    return run_isolated(process, train, request, on_event=on_event, cancel=cancel)


def test_run_in_child_returns_a_usable_model_and_streams_events(engine):
    df, pre = _data()
    mlp, training = _configs()
    events = []
    run = train_in_process(engine, df, pre, mlp, training, on_event=events.append)
    assert [e.epoch for e in events if isinstance(e, EpochEnd)] == [0, 1, 2]
    assert run.result.epochs_run == 3 and run.report["task"] == "binary"
    frame = predict_frame(run.bundle, df.head(5))  # the model came back through a file
    probs = frame[["probability_down", "probability_up"]].to_numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_errors_keep_their_class_message_and_hint(engine):
    df, pre = _data()
    pre.split.train, pre.split.validation, pre.split.test = 0.5, 0.1, 0.1  # sums to 0.7
    mlp, training = _configs()
    with pytest.raises(ConfigError) as info:
        train_in_process(engine, df, pre, mlp, training)
    assert info.value.message and info.value.hint
    assert engine.alive  # the child survives a failed job


def test_stop_crosses_the_process_boundary(engine):
    df, pre = _data()
    mlp, training = _configs(epochs=200)
    cancel = CancelToken()

    def on_event(event):
        if isinstance(event, EpochEnd) and event.epoch >= 1:
            cancel.cancel()

    run = train_in_process(engine, df, pre, mlp, training, on_event=on_event, cancel=cancel)
    assert run.result.stopped_reason == "cancelled" and run.result.epochs_run < 20


def test_the_child_does_not_outlive_a_killed_parent(tmp_path):
    import os
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import os, time\n"
        "from automl_gui.core.jobs.process import EngineProcess\n"
        "if __name__ == '__main__':\n"
        "    p = EngineProcess(warm=False)\n"
        "    p.start()\n"
        "    time.sleep(2)\n"
        "    print(p._proc.pid, flush=True)\n"
        "    os._exit(0)  # dies without any clean-up, as a killed window would\n"
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    child = int(out.stdout.strip())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(child, 9)
    raise AssertionError("the engine process outlived its parent")


def test_an_argument_that_cannot_be_sent_fails_at_once(engine):
    with pytest.raises(ModelError, match="Could not send"):
        engine.run("automl_gui.core.jobs.tabular:train_tabular", {"df": lambda: None})
    assert engine.alive


def test_errors_from_other_core_modules_keep_their_class_and_details(engine, tmp_path):
    from automl_gui.core.models.weights import WeightsMissingError, find_weights

    if find_weights("inceptionv3", str(tmp_path)) is not None:
        pytest.skip("InceptionV3 weights are installed on this machine")
    with pytest.raises(WeightsMissingError) as info:
        engine.run(
            "automl_gui.core.models.weights:resolve_weights",
            {"architecture": "inceptionv3", "configured": str(tmp_path), "allow_download": False},
        )
    err = info.value
    assert err.spec.file_name == "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
    assert str(tmp_path) in [str(f) for f in err.folders]
    assert err.destination is not None and err.hint


def test_a_dead_child_is_reported_not_waited_for(engine):
    """Last in this file: it kills the module's engine (no second engine start for it)."""
    df, pre = _data()
    mlp, training = _configs(epochs=500)

    def kill_on_first_epoch(event):
        if isinstance(event, EpochEnd):
            engine._proc.kill()

    with pytest.raises(ModelError, match="stopped unexpectedly"):
        train_in_process(engine, df, pre, mlp, training, on_event=kill_on_first_epoch)
    assert not engine.alive

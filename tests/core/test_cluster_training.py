"""The multi-worker training loop (``core/train/_distributed.py``) in one process: a
``MultiWorkerMirroredStrategy`` of one worker runs the same loop as a cluster (its steps,
collectives, agreements and callbacks), so the trainer's promises are checked here cheaply;
``tests/e2e/test_cluster_train.py`` runs two real workers."""

from __future__ import annotations

import numpy as np
import pytest

from automl_gui.core.base.events import CancelToken, EpochEnd
from automl_gui.core.train.checkpoint import EpochCheckpointer, read_checkpoint
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.train.trainer import Trainer

N = 400


@pytest.fixture(scope="module")
def tf_keras():
    from automl_gui.core.base import lazy

    return lazy.tf(), lazy.keras()


@pytest.fixture(scope="module")
def strategy(tf_keras):
    tf, _ = tf_keras
    return tf.distribute.MultiWorkerMirroredStrategy()


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, 3)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0.4).astype("int32")  # imbalanced: "auto" class weights apply
    return x, y


def _model(keras, classes: int = 2, members: int = 1):
    keras.utils.set_random_seed(1)
    inp = keras.Input((3,), name="a")
    h = keras.layers.Dense(16, activation="relu")(inp)
    if members == 1:
        out = keras.layers.Dense(classes, activation="softmax")(h)
    else:  # an efficient ensemble's (b, k, C) answers (_members.py)
        out = keras.layers.Softmax()(
            keras.layers.Reshape((members, classes))(keras.layers.Dense(members * classes)(h))
        )
    return keras.Model(inp, out)


def _fit(keras, strategy, data, cfg, **kwargs):
    x, y = data
    scope = strategy.scope() if strategy is not None else None
    if scope is not None:
        with scope:
            model = _model(keras, **kwargs.pop("shape", {}))
    else:
        model = _model(keras, **kwargs.pop("shape", {}))
    cut = N * 3 // 4
    result = Trainer(cfg).fit(
        model, "binary", {"a": x[:cut]}, y[:cut], {"a": x[cut:]}, y[cut:], **kwargs
    )
    return model, result


def test_the_loop_trains_like_model_fit_with_the_same_logs(tf_keras, strategy, data):
    _, keras = tf_keras
    cfg = TrainConfig(epochs=4, batch_size=32, early_stopping=False, class_weights="balanced")
    events: list = []
    model, dist = _fit(keras, strategy, data, cfg, on_event=events.append)
    _, plain = _fit(keras, None, data, cfg)
    from automl_gui.core.train._distributed import is_multi_worker, worker_position

    assert is_multi_worker(model._distribute_strategy)
    assert worker_position(strategy) == (0, 1)
    assert (
        set(dist.history)
        == set(plain.history)
        == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    )
    assert dist.stopped_reason == "completed" and dist.epochs_run == 4
    assert [type(e) for e in events].count(EpochEnd) == 4
    # same data, weights and batches as model.fit; the shuffled order differs (the loop's
    # repeated dataset draws its own permutations): the curves agree within a few percent
    for key in ("loss", "val_loss"):
        assert dist.history[key][-1] == pytest.approx(plain.history[key][-1], rel=0.05)
    assert dist.history["val_loss"][-1] < dist.history["val_loss"][0]
    assert dist.class_weights  # applied as sample weights, in both


def test_stop_and_early_stopping_end_the_loop(tf_keras, strategy, data):
    _, keras = tf_keras
    cancel = CancelToken()

    def on_event(event):
        if isinstance(event, EpochEnd):
            cancel.cancel()

    cfg = TrainConfig(epochs=5, batch_size=32, early_stopping=False)
    _, stopped = _fit(keras, strategy, data, cfg, on_event=on_event, cancel=cancel)
    # Stop after epoch 1's end: epoch 2 runs its first step (the agreed stop rides with it)
    assert stopped.stopped_reason == "cancelled" and stopped.epochs_run == 2
    # a learning rate that makes no progress: patience 1 stops early
    lazy = TrainConfig(epochs=6, batch_size=32, learning_rate=1e-9, patience=1)
    _, early = _fit(keras, strategy, data, lazy)
    assert early.stopped_reason == "early_stopping" and early.epochs_run < 6


def test_an_ensemble_trains_on_its_members_loss_and_checkpoints_resume(
    tf_keras, strategy, data, tmp_path
):
    _, keras = tf_keras
    cfg = TrainConfig(epochs=2, batch_size=64, early_stopping=False, learning_rate=0.01)
    ckpt = EpochCheckpointer(tmp_path, "fp", "tabular")
    _, first = _fit(keras, strategy, data, cfg, shape={"members": 3}, checkpoint=ckpt)
    assert first.history["val_loss"][-1] < first.history["val_loss"][0]
    info = read_checkpoint(tmp_path)
    assert info is not None and info.epochs_done == 2
    more = TrainConfig(epochs=3, batch_size=64, early_stopping=False, learning_rate=0.01)
    _, resumed = _fit(keras, strategy, data, more, shape={"members": 3}, resume=info)
    assert resumed.epochs_run == 3 and len(resumed.history["loss"]) == 3
    assert resumed.history["loss"][:2] == first.history["loss"]


def test_shard_policy_is_explicit(tf_keras):
    tf, _ = tf_keras
    from automl_gui.core.train._distributed import with_shard_policy

    policy = tf.data.experimental.AutoShardPolicy
    rows = with_shard_policy(tf, tf.data.Dataset.range(4))
    assert rows.options().experimental_distribute.auto_shard_policy == policy.DATA
    off = tf.data.Options()
    off.experimental_distribute.auto_shard_policy = policy.OFF
    files = with_shard_policy(tf, tf.data.Dataset.range(4).with_options(off))
    assert files.options().experimental_distribute.auto_shard_policy == policy.OFF


def test_a_worker_share_of_files_is_marked_not_to_be_sharded_again(tf_keras):
    tf, _ = tf_keras
    from automl_gui.core.cluster.tf_config import parse_tf_config, tf_config
    from automl_gui.core.cluster.training import mark_sharded
    from automl_gui.core.hardware import Device, plan_for

    policy = tf.data.experimental.AutoShardPolicy
    ds = tf.data.Dataset.range(4)
    assert mark_sharded(ds, None) is ds
    worker = parse_tf_config(tf_config(["127.0.0.1:1", "127.0.0.1:2"], 1))
    plan = plan_for([Device("cpu", "CPU")], cluster=worker)
    marked = mark_sharded(ds, plan)
    assert marked.options().experimental_distribute.auto_shard_policy == policy.OFF

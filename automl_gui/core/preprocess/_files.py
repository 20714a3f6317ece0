"""What image and audio inputs share: the train/validation/test split of labelled files and
the streaming ``tf.data`` skeleton (paths → parallel decode → skip broken → cache → batch).

Works on any dataset with ``items`` (each with ``path``, ``label`` and ``split``),
``class_names`` and ``has_split``, and any config with ``validation_fraction``,
``test_fraction`` and ``seed``. ``noun`` ("images", "clips") words the messages.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from automl_gui.core.base import lazy
from automl_gui.core.base.errors import ConfigError, DataError

SPLITS = ("train", "validation", "test")


@dataclass
class FileSplit:
    """Items per split, and the class-name order of the labels (index = output unit)."""

    train: list[Any]
    validation: list[Any]
    test: list[Any]
    class_names: list[str]
    notices: list[str] = field(default_factory=list)

    def labels(self, items: list[Any]) -> np.ndarray:
        """int32 class indices of ``items``."""
        index = {name: i for i, name in enumerate(self.class_names)}
        return np.array([index[i.label] for i in items], dtype="int32")


# -- split --------------------------------------------------------------------------------------
def _check_fractions(config: Any, noun: str) -> tuple[float, float]:
    val, test = float(config.validation_fraction), float(config.test_fraction)
    if not (0.0 <= val < 1.0 and 0.0 <= test < 1.0 and val + test < 1.0):
        raise ConfigError(
            f"Validation ({val:g}) and test ({test:g}) fractions must each be between 0 and 1 "
            f"and leave {noun} for training.",
            "Use e.g. 0.15 for each.",
        )
    return val, test


def _fmt_pct(fraction: float) -> str:
    return f"{fraction * 100:.0f}%"


def _cut(
    items: list[Any], fraction: float, seed: int, notices: list[str], noun: str
) -> tuple[list[Any], list[Any]]:
    """Split ``fraction`` of ``items`` off (stratified by label): (kept, cut off).

    At least one item is cut off when ``fraction`` > 0 and there is more than one item.
    When a class is too small to stratify, the cut is random but every class keeps at least
    one item (the first of it in a seeded shuffle), so no class loses all its training items.
    """
    n = len(items)
    if fraction <= 0 or n < 2:
        return list(items), []
    size = min(n - 1, max(1, int(round(n * fraction))))
    from sklearn.model_selection import train_test_split

    index = np.arange(n)
    labels = np.array([i.label for i in items])
    try:
        keep, cut = train_test_split(
            index, test_size=size, random_state=seed, shuffle=True, stratify=labels
        )
        # Large fractions can round a small class away completely: never allow that.
        stratified = len(set(labels[keep])) == len(set(labels))
    except ValueError:
        stratified = False
    if not stratified:
        notice = (
            f"Some classes have too few {noun} to split them in proportion; the split is "
            f"random, with at least one {noun.removesuffix('s')} of every class kept for "
            "training."
        )
        if notice not in notices:
            notices.append(notice)
        rng = np.random.default_rng(seed)
        order = rng.permutation(n)
        reserved: dict[str, int] = {}
        for i in order:
            reserved.setdefault(str(labels[i]), int(i))
        kept_back = set(reserved.values())
        pool = np.array([i for i in order if i not in kept_back], dtype=int)
        size = min(size, len(pool))
        cut, rest = pool[:size], pool[size:]
        keep = np.concatenate([np.array(sorted(reserved.values()), dtype=int), rest])
    # Keep the dataset's order inside each part (stable galleries and evaluation tables).
    return [items[i] for i in np.sort(keep)], [items[i] for i in np.sort(cut)]


def _carve(
    train: list[Any],
    val_fraction: float,
    test_fraction: float,
    seed: int,
    notices: list[str],
    noun: str,
) -> tuple[list[Any], list[Any], list[Any]]:
    """Carve test then validation parts out of ``train`` by fractions of ``train``'s size."""
    n = len(train)
    rest, test = _cut(train, test_fraction, seed, notices, noun)
    # The validation part is a fraction of all items, not of what is left after the test cut.
    val_of_rest = val_fraction * n / len(rest) if rest and val_fraction > 0 else 0.0
    train, val = _cut(rest, min(val_of_rest, 0.99), seed + 1, notices, noun)
    return train, val, test


def split_items(
    dataset: Any, config: Any, *, noun: str = "images", split_class: type = FileSplit
) -> Any:
    """Use the folder's split when it has one, else a stratified split by the fractions.

    A folder split without a validation (or test) part gets one carved out of its training
    items (stratified, ``validation_fraction`` / ``test_fraction`` of them) with a notice.
    Classes keep the dataset's sorted order; each part keeps the dataset's item order.
    Deterministic for a given dataset and seed. Returns a ``split_class`` (``FileSplit`` or
    a subclass).

    Raises:
        ConfigError: fractions out of range.
        DataError: a split would have no training items / a class has no training items.
    """
    val_fraction, test_fraction = _check_fractions(config, noun)
    seed = int(config.seed)
    notices: list[str] = []
    folder_notices: list[str] = []
    class_names = list(dataset.class_names)
    if dataset.has_split:
        parts: dict[str, list[Any]] = defaultdict(list)
        for item in dataset.items:
            parts[item.split or "train"].append(item)
        train = parts["train"]
        validation, test = parts["validation"], parts["test"]
        if not train:
            raise DataError(
                f"The folder is split into train/validation/test, but train/ has no usable {noun}.",
                f"Put one subfolder of {noun} per class into train/.",
            )
        need_val = not validation and val_fraction > 0
        need_test = not test and test_fraction > 0
        if need_val or need_test:
            train, carved_val, carved_test = _carve(
                train,
                val_fraction if need_val else 0.0,
                test_fraction if need_test else 0.0,
                seed,
                notices,
                noun,
            )
            if need_val:
                validation = carved_val
                folder_notices.append(
                    f"The folder has no validation split: {_fmt_pct(val_fraction)} of the "
                    f"training {noun} ({len(validation)}) are used for validation.",
                )
            if need_test:
                test = carved_test
                folder_notices.append(
                    f"The folder has no test split: {_fmt_pct(test_fraction)} of the training "
                    f"{noun} ({len(test)}) are held out for testing.",
                )
    else:
        if not dataset.items:
            raise DataError(f"The dataset has no usable {noun}.", f"Choose a folder with {noun}.")
        train, validation, test = _carve(
            list(dataset.items), val_fraction, test_fraction, seed, notices, noun
        )

    in_train = {i.label for i in train}
    missing = [c for c in class_names if c not in in_train]
    if missing:
        names = ", ".join(f"'{c}'" for c in missing[:5]) + (" …" if len(missing) > 5 else "")
        raise DataError(
            f"No training {noun} for class {names}.",
            f"Add training {noun} of that class (at least 3 so it can be split), or remove it.",
        )
    return split_class(train, validation, test, class_names, folder_notices + notices)


# -- streaming ----------------------------------------------------------------------------------
class FileTracker:
    """Which files of one list were tried and which loaded, over every pass of every dataset
    streamed with it (``stream_files(track=...)``).

    ``ignore_errors`` keeps an epoch alive when a file fails to load; the tracker makes sure
    such a file (moved, deleted, unreadable or damaged since the scan) is counted instead of
    lost silently. A file that loaded once counts as read. Two int32 variables on the CPU,
    one entry per file, set from inside the tf.data graph.
    """

    def __init__(self, n: int) -> None:
        tf = lazy.tf()
        self.n = int(n)
        with tf.init_scope(), tf.device("/CPU:0"):
            self._tried = tf.Variable(tf.zeros([max(1, self.n)], tf.int32), trainable=False)
            self._loaded = tf.Variable(tf.zeros([max(1, self.n)], tf.int32), trainable=False)

    def _mark(self, variable: Any, index: Any) -> Any:
        tf = lazy.tf()
        where = tf.reshape(tf.cast(index, tf.int64), [1, 1])
        return variable.scatter_nd_update(where, tf.ones([1], tf.int32))

    def mark_tried(self, index: Any) -> Any:
        """Graph op: file ``index`` is about to be loaded."""
        return self._mark(self._tried, index)

    def mark_loaded(self, index: Any) -> Any:
        """Graph op: file ``index`` loaded."""
        return self._mark(self._loaded, index)

    def skipped(self) -> np.ndarray:
        """Indices of the files that were tried but never loaded."""
        tried = self._tried.numpy()[: self.n].astype(bool)
        loaded = self._loaded.numpy()[: self.n].astype(bool)
        return np.flatnonzero(tried & ~loaded)


def _tracked(load: Callable[..., Any], track: FileTracker) -> tuple[Any, Any]:
    """``load`` that marks its file tried (before loading: a failure is still recorded) and
    passes the index on, and the map that marks it loaded and drops the index."""
    tf = lazy.tf()

    @tf.autograph.experimental.do_not_convert
    def load_one(*element: Any) -> Any:
        *inputs, index = element
        with tf.control_dependencies([track.mark_tried(index)]):
            inputs = [tf.identity(x) for x in inputs]
        return load(*inputs), index

    @tf.autograph.experimental.do_not_convert
    def loaded(out: Any, index: Any) -> Any:
        with tf.control_dependencies([track.mark_loaded(index)]):
            return tf.nest.map_structure(tf.identity, out)

    return load_one, loaded


def _after_path(element: Any, draw: Any) -> Any:
    """(path, label, index) + draw → (path, draw, label, index)."""
    if isinstance(element, tuple):
        return (element[0], draw, *element[1:])
    return element, draw


def stream_files(
    paths: list[str],
    labels: np.ndarray | None,
    load: Callable[..., Any],
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int = 42,
    cache: bool = False,
    deterministic: bool | None = None,
    after_cache: Callable[[Any], Any] | None = None,
    track: FileTracker | None = None,
    draws: int | None = None,
    batcher: Callable[[Any, int], Any] | None = None,
) -> Any:
    """A streaming ``tf.data.Dataset`` of ``(x, labels)`` batches (or ``x`` only) from files.

    ``load(path)`` (or ``load(path, label)``, returning ``(x, label)``) is a TF graph
    function; it runs in parallel on the paths, and an element whose load fails is skipped
    (``ignore_errors``): an epoch never dies on one bad file. Paths are shuffled (not
    decoded data: memory stays flat), reshuffled every epoch. ``cache`` keeps the loaded
    elements in memory after the first pass; the shuffle then comes after the cache (of the
    cached order) so every epoch is still reshuffled. ``after_cache`` transforms the dataset
    of single elements after the cache and shuffle (e.g. a random crop that must differ
    every epoch) and must make every element the same shape for ``batch``.

    Paths travel as bytes (``os.fsencode``): a name that is not valid UTF-8 still loads.

    Args:
        deterministic: keep the order of the parallel load (default True: runs with one seed
            repeat exactly); False lets a slow file not hold up the others.
        track: a :class:`FileTracker` of ``len(paths)`` files that records which files were
            tried and which loaded (``track.skipped()`` after the passes).
        draws: a seed: ``load`` then gets a random int64 right after the path (``load(path,
            draw, label)``), a new one per element and per pass, the same sequence for a
            seed (a long clip's random window; with ``cache``, drawn on the first pass).
        batcher: ``batcher(ds, batch_size)`` batches instead of ``ds.batch`` (e.g. clips
            of any length grouped by length).

    Raises:
        ConfigError: ``batch_size`` below 1.
        ValueError: ``labels`` and ``paths`` differ in length (a programming error).
    """
    tf = lazy.tf()
    if batch_size < 1:
        raise ConfigError(f"Batch size {batch_size} must be at least 1.", "Use e.g. 32.")
    encoded = tf.constant([os.fsencode(str(p)) for p in paths], tf.string, shape=[len(paths)])
    parts: list[Any] = [encoded]
    if labels is not None:
        labels = np.asarray(labels)
        if len(labels) != len(paths):
            raise ValueError(f"{len(paths)} paths but {len(labels)} labels")
        parts.append(labels)
    if track is not None:
        if track.n != len(paths):
            raise ValueError(f"{len(paths)} paths but a tracker of {track.n}")
        parts.append(np.arange(len(paths), dtype=np.int64))
    ds = tf.data.Dataset.from_tensor_slices(tuple(parts) if len(parts) > 1 else parts[0])
    if deterministic is None:
        # Keep the order: a training with the same seed must see the same batches (a
        # reviewer got test accuracy 0.72 and 0.56 from two runs of one seed when a shuffled
        # load let whichever file decoded first through); with ``cache`` the cached elements,
        # and so every later epoch, repeat exactly too. A slow file holds up the ones after it.
        deterministic = True
    n = max(1, len(paths))
    if shuffle and not cache:
        ds = ds.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    if draws is not None:
        randoms = tf.data.Dataset.random(seed=draws, rerandomize_each_iteration=True)
        ds = tf.data.Dataset.zip((ds, randoms))
        ds = ds.map(tf.autograph.experimental.do_not_convert(_after_path))
    loaded = None
    if track is not None:
        load, loaded = _tracked(load, track)
    ds = ds.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=deterministic)
    ds = ds.ignore_errors()
    if loaded is not None:
        ds = ds.map(loaded)
    if cache:
        ds = ds.cache()
        if shuffle:
            ds = ds.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    if after_cache is not None:
        ds = after_cache(ds)
    batched = batcher(ds, batch_size) if batcher is not None else ds.batch(batch_size)
    return batched.prefetch(tf.data.AUTOTUNE)

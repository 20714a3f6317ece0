"""Splitting an image or an audio dataset alike: stratified and seeded, a folder's own splits
used as given and a missing one carved from train/ with a notice, and the errors in the kind's
words. What only one kind's split does stays in test_image_input.py and test_audio_input.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.data.audio import AudioDataset, AudioItem
from automl_gui.core.data.images import ImageDataset, ImageItem
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.preprocess.audio import AudioSplit, split_audio
from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
from automl_gui.core.preprocess.images import ImageSplit, split_images


@dataclass(frozen=True)
class Splitting:
    """What differs between the kinds' splits: the items, datasets and settings, and the
    word for the files."""

    split: Callable[[Any, Any], Any]
    result: type
    config: type
    item: Callable[[str, str | None, int], Any]  # label, split, number -> an item
    dataset: Callable[[str, list, list[str]], Any]  # layout, items, class names -> a dataset
    noun: str
    stratified: dict[str, Any]  # the stratified split's data, settings and expected counts
    carved: dict[str, Any]  # a folder without validation/: its splits, and the counts carved


SPLITTING = {
    IMAGES: Splitting(
        split=split_images,
        result=ImageSplit,
        config=ImagePreprocessConfig,
        item=lambda label, split, i: ImageItem(
            f"/data/{split or 'all'}/{label}/{i}.png", label, split, 32, 32
        ),
        dataset=lambda layout, items, names: ImageDataset("/data", layout, items, names),
        noun="images",
        stratified={
            "counts": {"cat": 100, "dog": 60, "emu": 40},
            "fractions": (0.15, 0.2),
            "seeds": (1, None),  # the seed, another (None: the default)
            "sizes": (130, 30, 40),
            "test": {"cat": 20, "dog": 12, "emu": 8},
            "validation": {"cat": 15, "dog": 9, "emu": 6},
        },
        carved={
            "parts": {"train": {"a": 20, "b": 20}, "test": {"a": 5, "b": 5}},
            "validation": {"a": 4, "b": 4},
            "train": {"a": 16, "b": 16},
        },
    ),
    AUDIO: Splitting(
        split=split_audio,
        result=AudioSplit,
        config=AudioPreprocessConfig,
        item=lambda label, split, i: AudioItem(
            f"/d/{split or 'all'}/{label}/{i}.wav", label, split, duration=1.0, sample_rate=16000
        ),
        dataset=lambda layout, items, names: AudioDataset("/d", layout, items, names),
        noun="clips",
        stratified={
            "counts": {"a": 20, "b": 40},
            "fractions": (0.15, 0.15),
            "seeds": (None, 1),
            "sizes": (42, 9, 9),
            "test": {"a": 3, "b": 6},
            "validation": {"a": 3, "b": 6},
        },
        carved={
            "parts": {"train": {"a": 10, "b": 10}, "test": {"a": 1, "b": 1}},
            "validation": {"a": 2, "b": 2},
            "train": {"a": 8, "b": 8},
        },
    ),
}
KINDS = pytest.mark.parametrize("kind", list(SPLITTING), ids=str)


def _dataset(kind, counts: dict[str, int], layout: str = "class_folders"):
    table = SPLITTING[kind]
    items = [table.item(label, None, i) for label, n in counts.items() for i in range(n)]
    return table.dataset(layout, items, sorted(counts))


def _split_dataset(kind, parts: dict[str, dict[str, int]]):
    table = SPLITTING[kind]
    items = [
        table.item(label, split, i)
        for split, counts in parts.items()
        for label, n in counts.items()
        for i in range(n)
    ]
    names = sorted({label for counts in parts.values() for label in counts})
    return table.dataset("split_folders", items, names)


def _counts(items: list) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item.label] = out.get(item.label, 0) + 1
    return out


def _config(table: Splitting, seed: int | None, **fractions: float):
    return table.config(**fractions, **({} if seed is None else {"seed": seed}))


@KINDS
def test_unsplit_data_is_split_stratified_and_deterministically(kind):
    table = SPLITTING[kind]
    case = table.stratified
    names = sorted(case["counts"])
    ds = _dataset(kind, case["counts"])
    val, test = case["fractions"]
    seed, other_seed = case["seeds"]
    config = _config(table, seed, validation_fraction=val, test_fraction=test)
    split = table.split(ds, config)
    assert isinstance(split, table.result) and split.class_names == names
    assert (len(split.train), len(split.validation), len(split.test)) == case["sizes"]
    assert _counts(split.test) == case["test"]
    assert _counts(split.validation) == case["validation"]
    every = [i.path for part in (split.train, split.validation, split.test) for i in part]
    assert sorted(every) == sorted(i.path for i in ds.items)  # disjoint and complete
    assert split.notices == []

    again = table.split(ds, config)
    assert again.train == split.train and again.test == split.test
    other = table.split(ds, _config(table, other_seed, validation_fraction=val, test_fraction=test))
    assert other.test != split.test  # the seed decides
    ends = split.test[:1] + split.test[-1:]
    np.testing.assert_array_equal(split.labels(ends), [names.index(i.label) for i in ends])
    np.testing.assert_array_equal(split.labels(ends), [0, len(names) - 1])
    assert split.labels(split.train).dtype == np.int32


@KINDS
def test_a_missing_validation_split_is_carved_from_train_with_a_notice(kind):
    table = SPLITTING[kind]
    case = table.carved
    ds = _split_dataset(kind, case["parts"])
    split = table.split(ds, table.config(validation_fraction=0.2))
    assert _counts(split.validation) == case["validation"]
    assert _counts(split.train) == case["train"]
    assert _counts(split.test) == case["parts"]["test"]
    assert all(i.split == "train" for i in split.validation)
    assert any("no validation split" in n and table.noun in n for n in split.notices)


@KINDS
def test_split_errors_say_what_is_wrong_in_the_kinds_words(kind):
    table = SPLITTING[kind]
    with pytest.raises(DataError, match=f"train/ has no usable {table.noun}"):
        table.split(_split_dataset(kind, {"validation": {"a": 3, "b": 3}}), table.config())
    no_b = _split_dataset(kind, {"train": {"a": 10}, "test": {"a": 2, "b": 2}})
    with pytest.raises(DataError, match="'b'") as err:
        table.split(no_b, table.config())
    assert err.value.hint
    with pytest.raises(DataError, match=f"no usable {table.noun}"):
        table.split(table.dataset("class_folders", [], []), table.config())
    with pytest.raises(ConfigError, match=table.noun):
        table.split(
            _dataset(kind, {"a": 5}), table.config(validation_fraction=0.6, test_fraction=0.5)
        )
    with pytest.raises(ConfigError, match=table.noun):
        table.split(_dataset(kind, {"a": 5, "b": 5}), table.config(validation_fraction=0.9))

"""Nothing lost silently: files that vanish (or become unreadable) after the scan are counted
per split and told (750 test images announced, 586 evaluated, and not a word, before); files
a CSV names outside its folder are told at the scan and never stored as a bundle's samples.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from image_factory import draw, make_class_folders, make_split_folders, save
from kind_jobs import train_kind

from automl_gui.core.base.events import Log
from automl_gui.core.data.images import scan_images
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
from automl_gui.core.train.config import TrainConfig


def _train(dataset, events):
    pre = ImagePreprocessConfig(image_size=16)
    pre.augment.enabled = False
    return train_kind(
        IMAGES,
        dataset,
        pre,
        ImageModelConfig(architecture="cnn"),
        TrainConfig(epochs=2, batch_size=8, seed=1),
        on_event=events.append,
    )


# -- the tracker --------------------------------------------------------------------------------
@pytest.mark.parametrize("options", [{}, {"cache": True}, {"shuffle": True}])
def test_the_tracker_counts_the_files_the_pipeline_skipped(tmp_path, options):
    from automl_gui.core.preprocess._files import FileTracker
    from automl_gui.core.preprocess.images import make_dataset

    paths = []
    for i in range(6):
        paths.append(str(save(draw("a", (12, 12), seed=i), tmp_path / f"{i}.png", "png")))
    paths[1] = str(tmp_path / "gone.png")
    (tmp_path / "4.png").write_bytes(b"not an image any more")
    track = FileTracker(len(paths))
    ds = make_dataset(paths, np.arange(6, dtype="int32"), 8, 4, track=track, **options)
    for _epoch in range(2):
        seen = sorted(int(y) for _x, ys in ds for y in ys)
        assert seen == [0, 2, 3, 5]
    assert list(track.skipped()) == [1, 4]


def test_a_tracker_of_no_files_is_harmless():
    from automl_gui.core.preprocess._files import FileTracker
    from automl_gui.core.preprocess.images import make_dataset

    track = FileTracker(0)
    assert list(make_dataset([], None, 8, 4, track=track)) == []
    assert len(track.skipped()) == 0


# -- the run ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def vanished(tmp_path_factory):
    root = make_split_folders(
        tmp_path_factory.mktemp("vanish"),
        classes=("circle", "square"),
        counts={"train": 8, "val": 3, "test": 4},
        size=(16, 16),
    )
    dataset = scan_images(str(root))
    gone = {
        "train": sorted((root / "train" / "circle").iterdir())[:2],
        "test": sorted((root / "test" / "square").iterdir())[:3],
    }
    for paths in gone.values():
        for path in paths:
            path.unlink()
    events: list = []
    return _train(dataset, events), events


def test_the_run_says_how_many_files_of_each_split_were_left_out(vanished):
    run, events = vanished
    assert run.metadata["data"]["left_out"] == {"train": 2, "validation": 0, "test": 3}
    assert run.report["left_out"] == {"train": 2, "validation": 0, "test": 3}
    assert run.metadata["data"]["test_images"] == 8 and run.report["n_samples"] == 5
    test_notice = (
        "3 of 8 test images could not be read and were left out of the evaluation (moved, "
        "deleted, unreadable or damaged since the scan)."
    )
    train_notice = "2 of 16 training images could not be read and were left out of training"
    assert test_notice in run.notices
    assert any(n.startswith(train_notice) for n in run.notices)
    warnings = [e.message for e in events if isinstance(e, Log) and e.level == "warning"]
    assert test_notice in warnings and any(w.startswith(train_notice) for w in warnings)


def test_nothing_is_said_when_every_file_was_read(tmp_path):
    root = make_class_folders(tmp_path, classes=("a", "b"), per_class=6, size=(16, 16))
    run = _train(scan_images(str(root)), [])
    assert run.metadata["data"]["left_out"] == {"train": 0, "validation": 0, "test": 0}
    assert not any("could not be read" in n for n in run.notices)
    assert run.samples is not None and len(run.samples) == run.report["n_samples"]


# -- files outside the dataset's folder ---------------------------------------------------------
def _csv(folder: Path, rows: list[tuple[str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "labels.csv"
    csv.write_text("path,label\n" + "\n".join(f"{p},{label}" for p, label in rows) + "\n")
    return csv


def test_a_csv_naming_files_outside_its_folder_says_so(tmp_path):
    pool = make_class_folders(tmp_path / "pool", classes=("a", "b"), per_class=3, size=(16, 16))
    inside = make_class_folders(tmp_path / "set", classes=("a", "b"), per_class=2, size=(16, 16))
    rows = [(str(p), p.parent.name) for p in sorted(pool.glob("*/*"))]  # absolute, outside
    rows += [(str(p.relative_to(inside)), p.parent.name) for p in sorted(inside.glob("*/*"))]
    rows.append(("../pool/a/" + sorted((pool / "a").iterdir())[0].name, "a"))  # a repeat
    ds = scan_images(str(_csv(inside, rows)))
    assert len(ds) == 10
    notice = next(n for n in ds.notices if "outside its folder" in n)
    assert notice.startswith("6 images named in the CSV lie outside its folder 'set' (")
    assert "a model bundle stores sample images only from files inside that folder" in notice
    assert sum(ds.holds(i.path) for i in ds.items) == 4


def test_no_sample_is_stored_from_outside_the_dataset_folder(tmp_path):
    pool = make_class_folders(tmp_path / "pool", classes=("a", "b"), per_class=6, size=(16, 16))
    rows = [(os.path.relpath(p, tmp_path / "set"), p.parent.name) for p in sorted(pool.glob("*/*"))]
    dataset = scan_images(str(_csv(tmp_path / "set", rows)))
    events: list = []
    run = _train(dataset, events)
    assert run.report["n_samples"] > 0
    assert run.samples is None and run.metadata["sample_predictions"] is None
    notice = next(n for n in run.notices if "stores no sample" in n)
    assert notice.startswith("None of the test images lies inside the dataset's folder")


def test_samples_come_only_from_files_inside_the_dataset_folder(tmp_path):
    pool = make_class_folders(tmp_path / "pool", classes=("a", "b"), per_class=5, size=(16, 16))
    here = make_class_folders(tmp_path / "set", classes=("a", "b"), per_class=5, size=(16, 16))
    rows = [(str(p), p.parent.name) for p in sorted(pool.glob("*/*"))]
    rows += [(str(p.relative_to(here)), p.parent.name) for p in sorted(here.glob("*/*"))]
    dataset = scan_images(str(_csv(here, rows)))
    run = _train(dataset, [])
    tested = list(run.test_predictions["path"])
    inside = [p for p in tested if Path(p).is_relative_to(here)]
    assert len(tested) > len(inside)  # some test images lie outside
    if inside:
        assert run.samples is not None and len(run.samples) == min(8, len(inside))
    else:
        assert run.samples is None

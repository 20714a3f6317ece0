"""scan_images: the three layouts, what is counted and ignored, statistics, progress (what both
kinds share, errors and cancel included, is in test_file_kinds_scan.py)."""

from __future__ import annotations

import json
import os

import pytest
from image_factory import (
    draw,
    make_class_folders,
    make_csv_dataset,
    make_split_folders,
    save,
    write_hidden_and_other,
)
from PIL import Image

from automl_gui.core.base.errors import DataError
from automl_gui.core.data.images import (
    ImageDataset,
    check_image,
    looks_like_image_csv,
    scan_images,
)
from automl_gui.core.kinds import kind_for_path


def _scan(path, **kwargs) -> ImageDataset:
    return scan_images(str(path), **kwargs)


# -- class folders ----------------------------------------------------------------------------
def test_class_folders_read_every_format_and_mode_with_true_sizes(tmp_path):
    root = make_class_folders(tmp_path / "shapes", per_class=8, size=(32, 32))
    ds = _scan(root)
    assert ds.layout == "class_folders" and not ds.has_split
    assert ds.class_names == ["circle", "square", "triangle"]
    assert ds.class_counts() == {"circle": 8, "square": 8, "triangle": 8}
    assert set(ds.formats) == {"PNG", "JPEG", "BMP", "GIF", "WEBP"}
    assert sum(ds.formats.values()) == 24
    assert {"L", "RGBA", "P", "RGB"} <= {i.mode for i in ds.items}
    assert ds.bad_files == [] and ds.hidden_ignored == 0 and ds.other_ignored == 0
    for item in ds.items:
        assert os.path.isabs(item.path) and item.split is None
        assert item.label == os.path.basename(os.path.dirname(item.path))
        with Image.open(item.path) as img:
            assert (item.width, item.height, item.mode) == (*img.size, img.mode)
    assert [i.path for i in ds.items] == sorted(i.path for i in ds.items)


def test_nested_subfolders_belong_to_their_first_level_class(tmp_path):
    save(draw("cat", (24, 24)), tmp_path / "cat" / "a.png", "png")
    save(draw("cat", (24, 24)), tmp_path / "cat" / "indoor" / "deep" / "b.png", "png")
    save(draw("dog", (24, 24)), tmp_path / "dog" / "2024" / "c.jpg", "jpg")
    ds = _scan(tmp_path)
    assert ds.class_names == ["cat", "dog"]
    assert ds.class_counts() == {"cat": 2, "dog": 1}
    assert {i.label for i in ds.items if "deep" in i.path} == {"cat"}


def test_scan_is_deterministic(tmp_path):
    root = make_class_folders(tmp_path, per_class=5, size=(20, 20))
    first, second = _scan(root), _scan(root)
    assert first.items == second.items and first.class_names == second.class_names


def test_hidden_and_non_image_files_are_counted_not_used(tmp_path):
    root = make_class_folders(tmp_path, classes=("a", "b"), per_class=3, size=(20, 20))
    hidden, other = write_hidden_and_other(root / "a")
    (root / "README.md").write_text("about", encoding="utf-8")
    ds = _scan(root)
    assert ds.hidden_ignored == hidden and ds.other_ignored == other + 1
    assert len(ds) == 6 and not any("/." in i.path for i in ds.items)
    assert any("2 hidden file(s) and 3 file(s) that are not images" in n for n in ds.notices)


def test_extension_that_lies_is_read_by_content(tmp_path):
    make_class_folders(tmp_path, classes=("a", "b"), per_class=2, size=(20, 20), formats=("png",))
    save(draw("a", (21, 22)), tmp_path / "a" / "really_a_png.jpg", "png")
    ds = _scan(tmp_path)
    assert len(ds) == 5 and ds.formats == {"PNG": 5}
    liar = next(i for i in ds.items if i.path.endswith("really_a_png.jpg"))
    assert (liar.width, liar.height) == (21, 22)
    assert check_image(liar.path)[3] == "PNG"
    assert any("does not match their format" in n for n in ds.notices)


def test_images_directly_in_root_next_to_class_folders_are_left_out(tmp_path):
    make_class_folders(tmp_path, classes=("a", "b"), per_class=2, size=(20, 20))
    save(draw("a", (20, 20)), tmp_path / "stray.png", "png")
    ds = _scan(tmp_path)
    assert len(ds) == 4 and ds.unlabeled_ignored == 1
    assert any("directly in" in n and "left out" in n for n in ds.notices)


# -- split folders ----------------------------------------------------------------------------
@pytest.mark.parametrize("val_name", ["val", "validation", "Val"])
def test_split_folders_keep_their_split(tmp_path, val_name):
    counts = {"train": 4, val_name: 2, "test": 1}
    root = make_split_folders(
        tmp_path, classes=("a", "b"), counts=counts, val_name=val_name, size=(20, 20)
    )
    ds = _scan(root)
    assert ds.layout == "split_folders" and ds.has_split
    assert ds.class_counts("train") == {"a": 4, "b": 4}
    assert ds.class_counts("validation") == {"a": 2, "b": 2}
    assert ds.class_counts("test") == {"a": 1, "b": 1}
    assert {i.split for i in ds.items} == {"train", "validation", "test"}
    assert "Using the folder's own split: 8 train, 4 validation, 2 test." in ds.notices


def test_a_class_missing_from_a_split_is_fine_and_classes_are_the_union(tmp_path):
    make_class_folders(tmp_path / "train", classes=("a", "b"), per_class=3, size=(20, 20))
    make_class_folders(tmp_path / "val", classes=("a", "c"), per_class=2, size=(20, 20))
    ds = _scan(tmp_path)
    assert ds.class_names == ["a", "b", "c"]
    assert ds.class_counts("validation") == {"a": 2, "b": 0, "c": 2}
    assert ds.notices[0] == "Using the folder's own split: 6 train, 4 validation."


def test_a_folder_beside_the_splits_is_left_out_with_a_notice(tmp_path):
    make_split_folders(tmp_path, classes=("a", "b"), counts={"train": 2, "test": 1}, size=(9, 9))
    make_class_folders(tmp_path / "extra", classes=("a",), per_class=2, size=(9, 9))
    ds = _scan(tmp_path)
    assert len(ds) == 6 and ds.unlabeled_ignored == 2
    assert any("'extra' is not a split" in n for n in ds.notices)


def test_only_a_train_folder_means_its_class_folders(tmp_path):
    make_class_folders(tmp_path / "train", classes=("a", "b"), per_class=2, size=(16, 16))
    ds = _scan(tmp_path)
    assert ds.layout == "class_folders" and ds.class_names == ["a", "b"]
    assert any("Only a 'train' folder" in n for n in ds.notices)


# -- CSV --------------------------------------------------------------------------------------
def test_csv_with_relative_paths_and_a_missing_file(tmp_path):
    csv = make_csv_dataset(tmp_path, classes=("cat", "dog"), per_class=3)
    with csv.open("a", encoding="utf-8") as f:
        f.write("pictures/gone.png,cat\n")
    assert looks_like_image_csv(str(csv)) and kind_for_path(csv).name == "images"
    ds = _scan(csv)
    assert ds.layout == "csv" and ds.root == str(csv)
    assert ds.class_counts() == {"cat": 3, "dog": 3}
    assert [(os.path.basename(b.path), b.reason) for b in ds.bad_files] == [
        ("gone.png", "missing file")
    ]
    assert all(i.path.startswith(str(tmp_path / "pictures")) for i in ds.items)


def test_csv_columns_are_guessed_among_others_and_absolute_paths_work(tmp_path):
    rows = ["id,notes,category,image"]
    for i in range(8):
        label = ("red", "blue")[i % 2]
        path = save(draw(label, (20, 20), seed=i), tmp_path / "img" / f"{i}.png", "png")
        ref = str(path) if i % 2 else f"img\\{i}.png"  # absolute, and a Windows-style relative
        rows.append(f"{i},note {i},{label},{ref}")
    csv = tmp_path / "data.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ds = _scan(csv)
    assert ds.class_counts() == {"blue": 4, "red": 4}
    assert "Images from 'image', classes from 'category'." in ds.notices


def test_csv_without_header_and_with_named_columns(tmp_path):
    csv = make_csv_dataset(tmp_path, classes=("a", "b"), per_class=2)
    lines = csv.read_text(encoding="utf-8").splitlines()[1:]
    (tmp_path / "bare.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(_scan(tmp_path / "bare.csv")) == 4
    ds = _scan(csv, path_column="FILE", label_column="label")
    assert len(ds) == 4
    with pytest.raises(DataError, match="no column 'kind'") as info:
        _scan(csv, label_column="kind")
    assert "'file'" in info.value.hint


def test_csv_without_paths_or_labels_is_refused(tmp_path):
    plain = tmp_path / "table.csv"
    plain.write_text("x,y\n1,2\n3,4\n", encoding="utf-8")
    assert not looks_like_image_csv(str(plain)) and kind_for_path(plain).name == "tabular"
    with pytest.raises(DataError, match="no column of image file paths"):
        _scan(plain)
    only_paths = tmp_path / "paths.csv"
    only_paths.write_text("file\na.png\nb.png\n", encoding="utf-8")
    with pytest.raises(DataError, match="no label column") as info:
        _scan(only_paths)
    assert "label" in info.value.hint


def test_a_folder_whose_csv_names_the_classes_uses_that_csv(tmp_path):
    make_csv_dataset(tmp_path, classes=("a", "b"), per_class=3)  # pictures/ + labels.csv
    ds = _scan(tmp_path)
    assert ds.layout == "csv" and ds.class_counts() == {"a": 3, "b": 3}
    assert "'labels.csv' does" in ds.notices[0]


def test_csv_rows_repeating_an_image_keep_the_first_label(tmp_path):
    csv = make_csv_dataset(tmp_path, classes=("a", "b"), per_class=2)
    with csv.open("a", encoding="utf-8") as f:
        f.write("pictures/img_0_000.png,b\npictures/img_0_001.png,\n")
    ds = _scan(csv)
    assert ds.class_counts() == {"a": 2, "b": 2} and ds.unlabeled_ignored == 1
    assert any("1 row(s) name an image listed before, 1 of them" in n for n in ds.notices)


# -- dataset errors ---------------------------------------------------------------------------
def test_empty_class_folder_is_dropped_with_a_notice(tmp_path):
    make_class_folders(tmp_path, classes=("a", "b"), per_class=2, size=(16, 16))
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("x", encoding="utf-8")
    ds = _scan(tmp_path)
    assert ds.class_names == ["a", "b"]
    assert "Class 'empty' has no usable images and was left out." in ds.notices


# -- statistics -------------------------------------------------------------------------------
def test_size_stats_are_plain_json(tmp_path):
    for i, (w, h) in enumerate([(10, 20), (30, 20), (30, 20), (40, 10)]):
        label = "ab"[i % 2]
        mode = "L" if i == 0 else None
        save(draw(label, (w, h), seed=i), tmp_path / label / f"{i}.png", "png", mode)
    stats = _scan(tmp_path).size_stats()
    assert json.loads(json.dumps(stats)) == stats
    assert stats["count"] == 4
    assert stats["width"] == {"min": 10, "median": 30.0, "max": 40, "mean": 27.5}
    assert stats["height"] == {"min": 10, "median": 20.0, "max": 20, "mean": 17.5}
    assert stats["distinct_sizes"] == 3 and stats["most_common_size"] == [30, 20]
    assert stats["modes"] == {"RGB": 3, "L": 1}
    assert stats["aspect_ratio"] == {"min": 0.5, "max": 4.0}


def test_size_stats_of_no_items():
    stats = ImageDataset(root="x", layout="csv", items=[], class_names=[]).size_stats()
    assert stats["count"] == 0 and stats["width"]["median"] is None
    assert json.loads(json.dumps(stats)) == stats


# -- progress and cancel ----------------------------------------------------------------------
def test_progress_shows_thousands_separators_and_is_throttled(tmp_path, monkeypatch):
    from automl_gui.core.data import _image_files

    paths = [str(tmp_path / f"{i}.png") for i in range(1500)]
    monkeypatch.setattr(_image_files, "check_image", lambda p: (1, 1, "L", "PNG"))
    events = []
    results = _image_files.check_files(paths, events.append, None)
    assert results == [(1, 1, "L", "PNG")] * 1500
    assert events[-1].message == "Checking images… 1,500 / 1,500"
    assert len(events) <= 3  # instant checks: start, maybe one ~0.1 s report, end

"""Links in a dataset folder: a link to another class's folder (``circle/sq -> ../square``)
once trained squares as circles and dropped the square class (its folder was "already
seen"). A link into the dataset, or to a folder holding it, is not followed; a link leading
outside is followed with the class of its folder; the scan's notices say which."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from image_factory import make_class_folders

from automl_gui.core.data.images import scan_images

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")


@pytest.fixture
def shapes(tmp_path) -> Path:
    return make_class_folders(
        tmp_path / "shapes", classes=("circle", "square"), per_class=3, size=(16, 16)
    )


def _labels(ds) -> dict[str, str]:
    return {Path(i.path).name: i.label for i in ds.items}


def test_a_link_to_another_class_folder_is_not_followed(shapes):
    os.symlink("../square", shapes / "circle" / "sq")
    ds = scan_images(str(shapes))
    assert ds.class_names == ["circle", "square"]
    assert ds.class_counts() == {"circle": 3, "square": 3}
    labels = _labels(ds)
    assert all(labels[n] == "square" for n in labels if n.startswith("square"))
    notice = next(n for n in ds.notices if "not followed" in n)
    assert notice.startswith("1 link(s) point to a folder already in the dataset")
    assert "'circle/sq' → 'square'" in notice


def test_the_verdict_does_not_depend_on_which_folder_is_listed_first(shapes):
    os.symlink("../circle", shapes / "square" / "ci")  # "square" is listed after "circle"
    ds = scan_images(str(shapes))
    assert ds.class_counts() == {"circle": 3, "square": 3}
    assert any("'square/ci' → 'circle'" in n for n in ds.notices)


def test_loops_are_not_followed(shapes):
    os.symlink("..", shapes / "circle" / "up")  # the dataset itself
    os.symlink("../..", shapes / "square" / "above")  # the folder holding it
    os.symlink(".", shapes / "square" / "here")
    ds = scan_images(str(shapes))
    assert ds.class_counts() == {"circle": 3, "square": 3}
    notice = next(n for n in ds.notices if "not followed" in n)
    assert notice.startswith("3 link(s)")
    assert "'circle/up' → '.'" in notice and "'square/here' → 'square'" in notice


def test_a_linked_file_of_another_class_is_not_counted_twice(shapes):
    square = sorted((shapes / "square").iterdir())[0]
    os.symlink(f"../square/{square.name}", shapes / "circle" / "looks_round.png")
    ds = scan_images(str(shapes))
    assert ds.class_counts() == {"circle": 3, "square": 3}
    assert "looks_round.png" not in _labels(ds)
    assert any(f"'circle/looks_round.png' → 'square/{square.name}'" in n for n in ds.notices)


def test_a_link_leading_outside_is_followed_with_the_class_of_its_folder(tmp_path, shapes):
    elsewhere = make_class_folders(tmp_path / "more", classes=("blob",), per_class=2)
    os.symlink(elsewhere / "blob", shapes / "circle" / "extra")
    ds = scan_images(str(shapes))
    assert ds.class_counts() == {"circle": 5, "square": 3}
    notice = next(n for n in ds.notices if "lead outside" in n)
    assert notice.startswith("1 link(s) lead outside the dataset's folder and were followed")
    assert f"'circle/extra' → '{elsewhere / 'blob'}'" in notice
    outside = [i.path for i in ds.items if "extra" in i.path]
    assert len(outside) == 2 and not any(ds.holds(p) for p in outside)
    assert all(ds.holds(i.path) for i in ds.items if "extra" not in i.path)


def test_a_dataset_reached_through_a_link_is_scanned_as_usual(tmp_path, shapes):
    os.symlink(shapes, tmp_path / "alias")
    ds = scan_images(str(tmp_path / "alias"))
    assert ds.class_counts() == {"circle": 3, "square": 3}
    assert not any("link" in n for n in ds.notices)
    assert all(ds.holds(i.path) for i in ds.items)


def test_one_inside_rule_for_links_csv_rows_and_bundles(tmp_path, shapes):
    """An image CSV's outside files were found by a plain path prefix, the walk's links and
    the bundle's samples with links resolved: a CSV row naming a link out of its folder was
    "inside" for the notice and outside for the bundle. One rule now (``_file_guard``)."""
    from automl_gui.core.data._file_guard import inside, within

    elsewhere = make_class_folders(tmp_path / "more", classes=("blob",), per_class=1)
    outside_file = next((elsewhere / "blob").iterdir())
    os.symlink(outside_file, shapes / "linked.png")
    rows = [f"circle/{p.name},circle" for p in sorted((shapes / "circle").iterdir())]
    rows += [f"square/{p.name},square" for p in sorted((shapes / "square").iterdir())]
    rows.append("linked.png,square")
    (shapes / "labels.csv").write_text("path,label\n" + "\n".join(rows) + "\n")
    ds = scan_images(str(shapes / "labels.csv"))
    linked = next(i.path for i in ds.items if i.path.endswith("linked.png"))
    assert not ds.holds(linked)
    notice = next(n for n in ds.notices if "outside its folder" in n)
    assert notice.startswith("1 images named in the CSV lie outside")
    assert "linked.png" in notice
    assert within("/a/b", "/a") and within("/a", "/a") and not within("/ab", "/a")
    assert within("/x", "/")
    assert not inside(str(shapes / "linked.png"), str(shapes))
    assert inside(str(shapes / "circle"), str(shapes))

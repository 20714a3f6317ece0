"""File links inside a dataset are kept, labelled by where the link is (issue 13, item 6).

Two ordinary layouts are made of file links pointing inside the dataset: a pool of files
linked into split/class folders, and git-annex / DataLad / DVC, whose class folders hold links
into a hidden cache (``.git/annex/objects``). The first fix of item 10 refused every link
into the dataset, which emptied both. Folder links into the dataset are still not followed
(``circle/sq -> ../square`` must not train squares as circles); a file link is dropped only
when its file is also reached another way, and a notice says so."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from image_factory import draw

from automl_gui.core.data.images import scan_images
from automl_gui.core.kinds import kind_for_path
from automl_gui.core.kinds.images import IMAGES

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")


def _pool(root: Path, n: int = 8) -> list[Path]:
    pool = root / "pool"
    pool.mkdir(parents=True)
    out = []
    for i in range(n):
        path = pool / f"{i}.png"
        draw("cat" if i % 2 else "dog", (16, 16), seed=i).save(path)
        out.append(path)
    return out


def test_a_pool_linked_into_split_folders_is_used(tmp_path):
    root = tmp_path / "ds"
    _pool(root)
    for i in range(8):
        split = "test" if i >= 6 else "train"
        cls = "cat" if i % 2 else "dog"
        (root / split / cls).mkdir(parents=True, exist_ok=True)
        os.symlink(f"../../pool/{i}.png", root / split / cls / f"{i}.png")
    ds = scan_images(str(root))
    assert len(ds) == 8
    assert ds.class_names == ["cat", "dog"]
    assert sum(i.split == "train" for i in ds.items) == 6
    assert sum(i.split == "test" for i in ds.items) == 2
    assert all(Path(i.path).parent.name == i.label for i in ds.items)  # the link's place
    assert all(ds.holds(i.path) for i in ds.items)
    assert kind_for_path(root) is IMAGES


def test_an_annex_of_links_into_a_hidden_cache_is_used(tmp_path):
    """git-annex: root/cat/a.png -> ../.git/annex/objects/<key>/<key>."""
    root = tmp_path / "ds"
    for i, path in enumerate(_pool(tmp_path / "src")):
        key = f"SHA256E-s1--{i:064d}.png"
        obj = root / ".git" / "annex" / "objects" / key[:2] / key
        obj.mkdir(parents=True)
        shutil.copy(path, obj / key)
        cls = root / ("cat" if i % 2 else "dog")
        cls.mkdir(exist_ok=True)
        os.symlink(os.path.relpath(obj / key, cls), cls / f"{i}.png")
    ds = scan_images(str(root))
    assert len(ds) == 8 and ds.class_counts() == {"cat": 4, "dog": 4}
    assert not ds.bad_files
    assert not any("link" in n for n in ds.notices)
    assert kind_for_path(root) is IMAGES


def test_a_hidden_link_is_still_hidden(tmp_path):
    root = tmp_path / "ds"
    pool = _pool(tmp_path / "src", 4)
    for i, path in enumerate(pool):
        cls = root / ("cat" if i % 2 else "dog")
        cls.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, cls / f"{i}.png")
    os.symlink("0.png", root / "dog" / ".again.png")
    ds = scan_images(str(root))
    assert len(ds) == 4 and ds.hidden_ignored == 1


def test_a_file_linked_twice_in_one_class_counts_once(tmp_path):
    root = tmp_path / "ds"
    pool = _pool(tmp_path / "src", 4)
    for i, path in enumerate(pool):
        cls = root / ("cat" if i % 2 else "dog")
        cls.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, cls / f"{i}.png")
    os.symlink("0.png", root / "dog" / "copy_of_0.png")
    (root / "dog" / "nested").mkdir()
    os.symlink("../0.png", root / "dog" / "nested" / "again.png")
    ds = scan_images(str(root))
    assert ds.class_counts() == {"cat": 2, "dog": 2}
    assert {Path(p).name for p in ds.paths("dog")} == {"0.png", "2.png"}
    assert any(n.startswith("2 file link(s)") and "counted once" in n for n in ds.notices)


def test_links_of_two_classes_to_one_file_keep_the_first(tmp_path):
    root = tmp_path / "ds"
    pool = _pool(root, 4)
    for cls in ("cat", "dog"):
        (root / "labelled" / cls).mkdir(parents=True)
    for i in range(4):
        cls = "cat" if i % 2 else "dog"
        os.symlink(f"../../pool/{i}.png", root / "labelled" / cls / f"{i}.png")
    os.symlink("../../pool/0.png", root / "labelled" / "cat" / "also_0.png")
    ds = scan_images(str(root / "labelled"))
    assert ds.class_counts() == {"cat": 3, "dog": 1}  # the first link by path: cat/also_0
    assert "0.png" not in {Path(p).name for p in ds.paths("dog")}
    notice = next(n for n in ds.notices if "another class" in n)
    assert notice.startswith("1 file link(s) lead to an image already in the dataset")
    assert "'dog/0.png' → 'cat/also_0.png' (class 'cat')" in notice
    assert pool  # the pool lies outside the scanned folder: links followed out of it

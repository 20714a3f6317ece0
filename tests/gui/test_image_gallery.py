"""ImageGallery: fast to fill, lazy thumbnails off the UI thread, stale requests dropped."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from image_factory import draw, make_class_folders, save, write_not_an_image, write_zero_bytes
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

from automl_gui.gui.widgets.image_gallery import (
    ImageGallery,
    ImagePreviewDialog,
    PathRole,
    StateRole,
    decode_thumbnail,
    loader,
)


@pytest.fixture
def gallery(qtbot):
    g = ImageGallery(thumb_size=64)
    qtbot.addWidget(g)
    g.resize(600, 400)
    g.show()
    qtbot.waitExposed(g)
    yield g
    loader().wait(10_000)


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gallery")
    make_class_folders(root, classes=["cat", "dog"], per_class=6, size=(90, 60))
    write_zero_bytes(root / "cat" / "empty.png")
    write_not_an_image(root / "dog" / "text.jpg")
    return root


def wait_loaded(qtbot, g: ImageGallery) -> None:
    qtbot.waitUntil(lambda: g.gallery_model().pending_count() == 0, timeout=10_000)


def states(g: ImageGallery, rows) -> list[str]:
    m = g.gallery_model()
    return [m.data(m.index(r), StateRole) for r in rows]


def test_fifty_thousand_items_set_fast_and_only_visible_rows_are_requested(qtbot, gallery):
    items = [(f"/nonexistent/img_{i:05d}.jpg", f"img {i}", f"tip {i}") for i in range(50_000)]
    start = time.perf_counter()
    gallery.set_items(items)
    qtbot.wait(1)  # let the view lay out and paint once
    elapsed = time.perf_counter() - start
    assert gallery.count() == 50_000
    assert elapsed < 6.0, (
        f"set_items + first paint took {elapsed:.2f} s"
    )  # generous: 2 shared cores
    model = gallery.gallery_model()
    # the first paint asks for thumbnails; on a busy machine it may come after wait(1)
    qtbot.waitUntil(lambda: bool(model.requested_rows), timeout=10_000)
    wait_loaded(qtbot, gallery)
    first, last = gallery.visible_rows()
    assert first == 0 and 0 < last < 200
    assert model.requested_rows, "the painted cells asked for thumbnails"
    assert model.requested_rows <= set(range(first, last + 1))
    # missing files end as "broken" tiles, not as errors
    assert set(states(gallery, sorted(model.requested_rows))) == {"broken"}
    idx = model.index(123)
    assert model.data(idx, Qt.ItemDataRole.DisplayRole) == "img 123"
    assert model.data(idx, Qt.ItemDataRole.ToolTipRole) == "tip 123"
    assert model.data(idx, PathRole) == "/nonexistent/img_00123.jpg"
    assert 123 not in model.requested_rows  # role queries above never decode

    # scroll to the end: the rows now visible are requested, nothing in between
    gallery.verticalScrollBar().setValue(gallery.verticalScrollBar().maximum())
    qtbot.wait(1)
    wait_loaded(qtbot, gallery)
    first, last = gallery.visible_rows()
    assert last == 49_999
    between = {r for r in model.requested_rows if 200 <= r < first}
    assert not between
    assert any(r >= first for r in model.requested_rows)


def test_thumbnails_decode_off_thread_with_placeholder_and_broken_tiles(
    qtbot, gallery, image_folder
):
    paths = sorted(str(p) for p in image_folder.rglob("*.*"))
    gallery.set_items([(p, Path(p).name, p) for p in paths])
    model = gallery.gallery_model()
    # before the pool delivers, a cell shows the placeholder
    assert states(gallery, [0]) == ["loading"]
    pix = model.data(model.index(0), Qt.ItemDataRole.DecorationRole)
    assert isinstance(pix, QPixmap) and pix.width() == 64
    with qtbot.waitSignal(model.thumbnail_ready, timeout=10_000):
        pass
    wait_loaded(qtbot, gallery)
    names = [Path(p).name for p in paths]
    by_name = dict(zip(names, states(gallery, range(len(paths))), strict=True))
    assert by_name["empty.png"] == "broken"
    assert by_name["text.jpg"] == "broken"
    good = [n for n in by_name if n not in ("empty.png", "text.jpg")]
    assert {by_name[n] for n in good} == {"ready"}
    row = names.index(good[0])
    thumb = model.data(model.index(row), Qt.ItemDataRole.DecorationRole)
    assert max(thumb.width(), thumb.height()) <= 64
    # the image itself, not a tile: its aspect ratio is kept
    assert thumb.width() != thumb.height() or thumb.width() < 64


def test_decode_thumbnail_scales_down_keeps_aspect_and_never_enlarges(tmp_path):
    big = save(draw("square", (300, 150)), tmp_path / "big.jpg", "jpg")
    small = save(draw("circle", (20, 30)), tmp_path / "small.png", "png")
    img = decode_thumbnail(str(big), 96)
    assert (img.width(), img.height()) == (96, 48)
    img = decode_thumbnail(str(small), 96)
    assert (img.width(), img.height()) == (20, 30)
    assert decode_thumbnail(str(write_zero_bytes(tmp_path / "z.png")), 96) is None


def test_requests_for_rows_scrolled_past_are_dropped(qtbot, gallery):
    gallery.set_items([(f"/nonexistent/{i}.png", str(i), "") for i in range(5_000)])
    qtbot.wait(1)  # lay out
    model = gallery.gallery_model()
    qtbot.waitUntil(lambda: not model._holding)  # the scroll to the top has settled
    # ask for many rows far apart (as a jump would), then scroll: only rows near the new view
    # stay pending; the others are marked cancelled and skipped by the decoder
    for r in range(1000, 1400):
        model.data(model.index(r), Qt.ItemDataRole.DecorationRole)
    tickets = [t for r, t in model._pending.items() if r >= 1000]
    assert len(tickets) == 400
    gallery.verticalScrollBar().setValue(gallery.verticalScrollBar().singleStep())
    first, last = gallery.visible_rows()
    margin = gallery._columns()
    assert all(first - margin <= r <= last + margin for r in model._pending)
    assert sum(t.cancelled for t in tickets) == 400
    wait_loaded(qtbot, gallery)


def test_pages_scrolled_past_are_never_decoded(qtbot, gallery, image_folder, tmp_path):
    sources = sorted(image_folder.rglob("*_*.*"))
    paths = []
    for i in range(400):  # distinct paths (links to a few files): every page is new work
        src = sources[i % len(sources)]
        link = tmp_path / f"{i:03d}{src.suffix}"
        os.link(src, link)
        paths.append(str(link))
    gallery.set_items([(p, str(i), "") for i, p in enumerate(paths)])
    gallery._settle.setInterval(60_000)  # the test says when scrolling has paused
    qtbot.wait(1)
    model = gallery.gallery_model()
    gallery._on_settled()
    wait_loaded(qtbot, gallery)
    bar = gallery.verticalScrollBar()
    passed = []
    for _ in range(5):  # five pages in quick succession: painted, but only deferred
        bar.setValue(bar.value() + bar.pageStep())
        gallery.viewport().repaint()
        passed.append(gallery.visible_rows())
        assert model._holding and model._deferred
        assert not set(model._pending) & set(model._deferred)
    before = set(model.requested_rows)
    gallery._on_settled()  # scrolling paused: the page in view is decoded, nothing else
    wait_loaded(qtbot, gallery)
    first, last = gallery.visible_rows()
    states_now = states(gallery, range(first, last + 1))
    assert set(states_now) == {"ready"}
    skipped_page = passed[1]
    assert skipped_page[0] in before
    row = skipped_page[0]
    assert model.data(model.index(row), StateRole) == "loading"  # never decoded


def test_selection_thumb_size_and_clear(qtbot, gallery, image_folder):
    paths = sorted(str(p) for p in image_folder.rglob("*_*.*"))[:5]
    gallery.set_items([(p, "x", "") for p in paths])
    model = gallery.gallery_model()
    sel = gallery.selectionModel()
    sel.select(model.index(3), sel.SelectionFlag.Select)
    sel.select(model.index(1), sel.SelectionFlag.Select)
    assert gallery.selected_paths() == [paths[1], paths[3]]
    wait_loaded(qtbot, gallery)
    old_grid = gallery.gridSize()
    gallery.set_thumb_size(128)
    assert gallery.thumb_size == 128
    assert gallery.gridSize().width() > old_grid.width()
    assert states(gallery, [0]) == ["loading"]  # decoded again at the new size
    qtbot.wait(1)
    wait_loaded(qtbot, gallery)
    assert states(gallery, [0]) == ["ready"]
    gallery.set_thumb_size(10_000)
    assert gallery.thumb_size == 256
    gallery.clear()
    assert gallery.count() == 0 and gallery.selected_paths() == []


def test_double_click_and_enter_emit_path_and_open_preview(qtbot, gallery, image_folder):
    paths = sorted(str(p) for p in image_folder.rglob("*_*.*"))[:3]
    gallery.set_items([(p, f"cat {i}", "Class: cat") for i, p in enumerate(paths)])
    gallery.preview_on_activate = False
    qtbot.wait(1)  # lay out
    rect = gallery.visualRect(gallery.gallery_model().index(1))
    with qtbot.waitSignal(gallery.activated_path, timeout=2000) as blocker:
        # a real double-click starts with a press (QTest's double-click alone does not)
        qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [paths[1]]
    gallery.setFocus()
    gallery.setCurrentIndex(gallery.gallery_model().index(2))
    with qtbot.waitSignal(gallery.activated_path, timeout=2000) as blocker:
        qtbot.keyClick(gallery, Qt.Key.Key_Return)
    assert blocker.args == [paths[2]]

    gallery.preview_on_activate = True
    with qtbot.waitSignal(gallery.activated_path, timeout=2000):
        qtbot.keyClick(gallery, Qt.Key.Key_Return)
    dialog = gallery.findChild(ImagePreviewDialog)
    assert dialog is not None and dialog.path == paths[2]
    qtbot.waitUntil(lambda: dialog.ok is not None, timeout=10_000)
    assert dialog.ok is True
    assert not dialog.image_label.pixmap().isNull()
    text = dialog.info_label.text()
    assert "cat 2" in text and "Class: cat" in text and " px" in text
    dialog.close()


def test_preview_of_unreadable_file_says_so(qtbot, tmp_path):
    path = write_not_an_image(tmp_path / "bad.jpg")
    dialog = ImagePreviewDialog(str(path), "bad")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000) as blocker:
        pass
    assert blocker.args == [False]
    assert "cannot be read" in dialog.image_label.toolTip()


def test_thumbnail_cache_is_bounded_by_count_and_bytes(qtbot, image_folder):
    from automl_gui.gui.widgets.image_gallery import GalleryModel

    paths = sorted(str(p) for p in image_folder.rglob("*_*.*"))
    model = GalleryModel(thumb_size=64)
    model.set_items([(p, "", "") for p in paths])
    model.cache_size = 5
    for r in range(len(paths)):
        model.data(model.index(r), Qt.ItemDataRole.DecorationRole)
    qtbot.waitUntil(lambda: model.pending_count() == 0, timeout=10_000)
    assert len(model._cache) == 5
    assert model._bytes == sum(p.width() * p.height() * 4 for p in model._cache.values() if p)
    model.cache_size, model.cache_bytes = 1000, 64 * 64 * 4 * 2  # room for about two
    model.data(model.index(0), Qt.ItemDataRole.DecorationRole)
    qtbot.waitUntil(lambda: model.pending_count() == 0, timeout=10_000)
    assert model._bytes <= model.cache_bytes and 1 <= len(model._cache) <= 3
    assert (paths[0], 64) in model._cache  # the newest stays


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_thumbnails_never_open_a_named_pipe_or_decode_a_pixel_bomb(tmp_path):
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    pipe = tmp_path / "pipe.png"
    os.mkfifo(pipe)
    assert decode_thumbnail(str(pipe), 64) is None  # returns: nothing reads the pipe
    bomb = tmp_path / "bomb.png"  # 13,000² pixels declared in a 1 KB file
    header = struct.pack(">IIBBBBB", 13_000, 13_000, 8, 0, 0, 0, 0)
    bomb.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )
    assert decode_thumbnail(str(bomb), 64) is None

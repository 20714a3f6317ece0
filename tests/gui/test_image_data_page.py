"""Image Data page: scan in the background, then chart, sizes, broken files and gallery (progress,
cancel and clearing, as for audio: test_files_data_page.py)."""

from __future__ import annotations

import pytest
from image_factory import (
    make_class_folders,
    make_csv_dataset,
    make_split_folders,
    write_hidden_and_other,
    write_not_an_image,
    write_truncated,
    write_zero_bytes,
)
from PySide6.QtCore import QSettings

from automl_gui.core.kinds.images import IMAGES
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.images import data as data_module
from automl_gui.gui.pages.images.data import ImageDataPage
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.image_gallery import loader

SMALL = {"size": (32, 32), "vary_size": True}


@pytest.fixture(autouse=True)
def tmp_settings(tmp_path):
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def state(qtbot):
    return AppState()


@pytest.fixture
def page(qtbot, state):
    p = ImageDataPage(state)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    yield p
    p.wait_idle()
    loader().wait(10_000)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """3 classes × 8 images, 3 broken files, 2 hidden and 2 non-image files."""
    root = make_class_folders(tmp_path_factory.mktemp("shapes") / "shapes", per_class=8, **SMALL)
    write_zero_bytes(root / "circle" / "zero.png")
    write_truncated(root / "square" / "cut.jpg")
    write_not_an_image(root / "triangle" / "text.jpg")
    write_hidden_and_other(root / "circle")
    return root


def load(qtbot, page: ImageDataPage, path) -> None:
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        page.load(str(path))
        assert page.is_busy and page.busy_box.isVisibleTo(page)
    assert not page.is_busy and not page.busy_box.isVisibleTo(page)


def test_load_fills_summary_chart_sizes_bad_files_and_gallery(qtbot, page, state, folder):
    load(qtbot, page, folder)
    ds = state.loaded(IMAGES)
    assert state.kind.name == "images" and ds is not None and len(ds) == 24
    assert page.stack.currentIndex() == 1
    info = page.info_label.text()
    assert "24 images" in info and "3 classes" in info and "one folder per class" in info
    assert "3 broken left out" in info
    # chart: one row per class with its count
    assert page.chart.labels == ["circle", "square", "triangle"]
    assert page.chart.totals() == [8, 8, 8]
    assert page.chart_heading.text() == "Images per class (3)"
    # sizes: smallest – largest and the median, each figure named; distinct sizes, modes
    stats = ds.size_stats()["width"]
    width = page.size_labels["width"].text()
    assert width == f"{stats['min']} – {stats['max']}\u00a0px, median\u00a0{stats['median']:g}"
    assert page.size_labels["distinct"].text() != "–"
    assert "RGB" in page.size_labels["modes"].text()
    assert page.size_labels["ignored"].text() == "2 hidden, 2 non-image"
    # bad files with reasons, counted in the tab title
    assert page.bad_model.rowCount() == 3
    rows = {page.bad_model.index(r, 0).data(): page.bad_model.index(r, 1).data() for r in range(3)}
    assert set(rows) == {"circle/zero.png", "square/cut.jpg", "triangle/text.jpg"}
    assert "empty" in rows["circle/zero.png"] and "truncated" in rows["square/cut.jpg"]
    assert "not an image" in rows["triangle/text.jpg"]
    assert page.tabs.tabText(1) == "Broken files (3)"
    # gallery: all classes first, captions are the classes
    assert page.class_list.count() == 4
    assert page.class_list.item(0).text() == "All classes (24)"
    assert page.gallery.count() == 24
    model = page.gallery.gallery_model()
    assert {model.item(r)[1] for r in range(24)} == {"circle", "square", "triangle"}
    assert "Class: circle" in model.item(0)[2]
    assert page.gallery_label.text() == "24 images of all classes"


def test_class_picker_and_chart_clicks_drive_the_gallery(qtbot, page, state, folder):
    load(qtbot, page, folder)
    page.class_list.setCurrentRow(2)
    assert page.gallery.count() == 8
    model = page.gallery.gallery_model()
    assert all(model.item(r)[1].startswith("square_") for r in range(8))
    assert page.chart.highlighted == "square"
    assert page.gallery_label.text() == "8 images of class “square”"
    page.chart.bar_clicked.emit("triangle")
    assert page.class_list.currentItem().text() == "triangle (8)"
    assert all("triangle" in model.item(r)[0] for r in range(page.gallery.count()))
    page.show_class(None)
    assert page.gallery.count() == 24
    # the slider sizes the thumbnails and is remembered
    page.size_slider.setValue(160)
    assert page.gallery.thumb_size == 160
    assert int(app_settings.current().value(data_module.KEY_THUMB_SIZE)) == 160


def test_split_folder_stacks_the_chart_and_filters_the_gallery(qtbot, page, state, tmp_path):
    root = make_split_folders(tmp_path / "split", counts={"train": 4, "val": 2, "test": 2}, **SMALL)
    load(qtbot, page, root)
    assert state.loaded(IMAGES).has_split
    assert [s.name for s in page.chart.series] == ["train", "validation", "test"]
    assert page.chart.totals() == [8, 8, 8]
    assert "train 12" in page.info_label.text() and "validation 6" in page.info_label.text()
    assert page.split_combo.isVisibleTo(page) and page.split_combo.count() == 4
    page.split_combo.setCurrentIndex(page.split_combo.findData("test"))
    assert page.gallery.count() == 6
    page.class_list.setCurrentRow(1)
    assert page.gallery.count() == 2
    assert page.gallery_label.text() == "2 images of class “circle” (test)"


def test_image_csv_loads_with_paths_relative_to_the_csv(qtbot, page, state, tmp_path):
    csv = make_csv_dataset(tmp_path / "csvset", classes=["a", "b"], per_class=3)
    load(qtbot, page, csv)
    assert state.loaded(IMAGES).layout == "csv" and len(state.loaded(IMAGES)) == 6
    assert "listed in a CSV" in page.info_label.text()
    model = page.gallery.gallery_model()
    assert model.item(0)[2].startswith("pictures/img_0_000.png\nClass: a")


def test_one_class_folder_shows_the_error_and_keeps_the_page_empty(qtbot, page, state, tmp_path):
    root = make_class_folders(tmp_path / "one", classes=["cat"], per_class=3, **SMALL)
    with qtbot.waitSignal(page.load_failed, timeout=30_000) as blocker:
        page.load(str(root))
    message, hint = blocker.args
    assert "one class" in message.lower() and hint
    assert page.banner.isVisibleTo(page) and page.banner.level == "error"
    assert message in page.banner.text and hint in page.banner.text
    assert state.loaded(IMAGES) is None and page.stack.currentIndex() == 0
    assert not page.is_busy


def test_failed_load_keeps_the_previous_dataset(qtbot, page, state, folder, tmp_path):
    load(qtbot, page, folder)
    empty = tmp_path / "nothing"
    empty.mkdir()
    with qtbot.waitSignal(page.load_failed, timeout=30_000):
        page.load(str(empty))
    assert state.loaded(IMAGES) is not None and len(state.loaded(IMAGES)) == 24
    assert "still loaded" in page.banner.text
    assert page.gallery.count() == 24


def test_drop_of_a_folder_loads_it_other_drops_go_to_the_window(qtbot, page, state, folder):
    assert not page.accept_drop(str(folder / "circle" / "circle_0000.png"))
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        assert page.accept_drop(str(folder))
    assert state.loaded(IMAGES) is not None


def test_bar_chart_labels_counts_clicks_and_scrolls_with_many_classes(qtbot):
    from PySide6.QtCore import QPoint, Qt

    from automl_gui.gui.widgets.bar_chart import HorizontalBarChart, scrolling

    chart = HorizontalBarChart()
    area = scrolling(chart)
    qtbot.addWidget(area)
    area.resize(360, 300)
    area.show()
    counts = {f"class_{i:03d}": i + 1 for i in range(200)}
    chart.set_counts(counts)
    assert chart.height() == 200 * chart.ROW + 4
    assert area.verticalScrollBar().maximum() > 0  # many classes scroll
    assert chart.totals()[:3] == [1, 2, 3]
    assert chart.row_tooltip(1).startswith("class_001: 2 (")
    with qtbot.waitSignal(chart.bar_clicked) as blocker:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(100, 2 * chart.ROW + 5))
    assert blocker.args == ["class_002"]
    with pytest.raises(ValueError):
        chart.set_data(["a", "b"], chart.series)
    chart.grab()  # paints without error


def test_distinct_sizes_name_a_most_common_size_only_when_one_repeats(page):
    """ "Distinct sizes: 120 (most common 78×91)" when every size occurred once: a size seen
    once is no more common than any other."""
    from types import SimpleNamespace

    def shown(count: int, distinct: int, common: list[int]) -> str:
        stats = {"count": count, "distinct_sizes": distinct, "most_common_size": common}
        page._show_sizes(SimpleNamespace(size_stats=lambda: stats))
        return page.size_labels["distinct"].text()

    assert shown(120, 120, [78, 91]) == "120 (each image its own size)"
    assert shown(120, 40, [64, 64]) == "40 (most common 64×64)"
    assert shown(120, 1, [32, 32]) == "1 (all 32×32)"

"""Audio Data page: background scan, counts, durations, broken files, and the selected clip's
plots and playback (no sound device needed). Progress, cancel and clearing, as for images:
test_files_data_page.py."""

from __future__ import annotations

import time

import numpy as np
import pytest
from audio_factory import (
    make_class_folders,
    make_split_folders,
    write_empty,
    write_text_as_audio,
    write_too_short,
)
from PySide6.QtCore import Qt

from automl_gui.core.base.units import format_duration
from automl_gui.core.data.audio import AudioDataset, AudioItem
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.preprocess.audio import auto_clip_seconds
from automl_gui.gui.format import format_rate
from automl_gui.gui.pages.audio.data import AudioDataPage
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets import clip_list

SMALL = {"seconds": (0.3, 0.9), "rates": (8000, 16000), "formats": ("wav", "flac", "ogg")}


@pytest.fixture
def state(qtbot):
    return AppState()


@pytest.fixture
def page(qtbot, state):
    p = AudioDataPage(state)
    qtbot.addWidget(p)
    p.resize(1100, 720)
    p.show()
    yield p
    p.wait_idle()  # joins the scan and clip-decoding workers


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """3 classes × 4 short clips, and 3 broken files."""
    root = make_class_folders(
        tmp_path_factory.mktemp("sounds") / "sounds", ("chirp", "noise", "tone"), 4, **SMALL
    )
    write_empty(root / "chirp" / "empty.wav")
    write_text_as_audio(root / "noise" / "page.mp3")
    write_too_short(root / "tone" / "blip.wav")
    return root


def load(qtbot, page: AudioDataPage, path) -> None:
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        page.load(str(path))
        assert page.is_busy and page.busy_box.isVisibleTo(page)
    assert not page.is_busy and not page.busy_box.isVisibleTo(page)


def wait_for_plots(qtbot, page: AudioDataPage) -> None:
    qtbot.waitUntil(
        lambda: bool(page.wave_view.curves) and page.clip_panel._worker is None, timeout=15_000
    )


def test_scan_shows_counts_durations_stats_and_broken_files(qtbot, page, state, folder):
    load(qtbot, page, folder)
    ds = state.loaded(AUDIO)
    assert state.kind.name == "audio" and ds is not None and len(ds) == 12
    assert page.stack.currentIndex() == 1
    info = page.info_label.text()
    assert "12 clips" in info and "3 classes" in info and "3 broken left out" in info
    assert page.chart.labels == ["chirp", "noise", "tone"] and page.chart.totals() == [4, 4, 4]
    assert page.chart_heading.text() == "Clips per class (3)"
    # the histogram holds every clip and marks the automatic clip length
    assert int(page.durations_plot.counts.sum()) == 12
    expected = auto_clip_seconds(ds.durations())
    assert page.durations_plot.marker.value() == pytest.approx(expected)
    assert f"Clip length {expected:g} s (automatic" in page.clip_length_label.text()
    stats = ds.duration_stats()
    assert (
        page.stat_labels["total"].text()
        == f"12 clips, {format_duration(stats['total'], 'words', unknown='–')}"
    )
    low, median, p95, high = (
        format_duration(stats[k], "precise", unknown="–") for k in ("min", "median", "p95", "max")
    )  # each figure named, not "0.40 s · 0.71 s · 0.88 s · 0.90 s"; wrapped between figures
    assert page.stat_labels["duration"].text().replace("\u00a0", " ") == (
        f"{low} – {high}, median {median}, 95% up to {p95}"
    )
    assert page.stat_labels["duration"].text().count(" ") == 4  # after "–" and the commas
    for rate in stats["sample_rates"]:
        assert format_rate(rate) in page.stat_labels["rates"].text()
    assert "mono" in page.stat_labels["channels"].text()
    assert "stereo" in page.stat_labels["channels"].text()
    # broken files with reasons, counted in the tab title
    assert page.tabs.tabText(1) == "Broken files (3)"
    rows = {
        page.bad_model.index(r, 0).data(): page.bad_model.index(r, 1).data()
        for r in range(page.bad_model.rowCount())
    }
    assert set(rows) == {"chirp/empty.wav", "noise/page.mp3", "tone/blip.wav"}
    assert "empty" in rows["chirp/empty.wav"] and "not audio" in rows["noise/page.mp3"]
    assert "too short" in rows["tone/blip.wav"]
    # the clip list: every clip, first one selected
    assert page.clip_model.rowCount() == 12
    assert page.clips_label.text() == "12 clips of all classes"
    assert page.selected_item() is page.clip_model.items[0]


def test_selecting_a_clip_draws_waveform_and_spectrogram(qtbot, page, state, folder):
    load(qtbot, page, folder)
    wait_for_plots(qtbot, page)
    page.select_clip(5)
    item = page.selected_item()
    assert item is page.clip_model.items[5]
    assert page.wave_view.curves == []  # cleared until the new clip is decoded
    wait_for_plots(qtbot, page)
    assert item.path.rsplit("/", 1)[1] in page.clip_panel.title.text()
    assert page.clip_model.facts(item) in page.clip_panel.title.text()
    assert page.clip_panel.drawn == item.path
    assert page.clip_panel.sample_rate == item.sample_rate  # the file's own rate
    assert page.wave_view.duration == pytest.approx(item.duration, abs=0.01)
    frames, bands = page.spec_view.shape
    assert bands == clip_list.N_MELS
    assert frames == pytest.approx(item.duration / (clip_list.HOP_MS / 1000), abs=4)
    assert page.spec_view.levels[1] - page.spec_view.levels[0] == pytest.approx(80.0)
    assert page.player_bar.button.clip_name == item.path


def test_latest_selection_wins_and_jobs_do_not_pile_up(qtbot, page, state, folder, monkeypatch):
    load(qtbot, page, folder)
    wait_for_plots(qtbot, page)
    calls: list[str] = []
    real = clip_list.load_clip_view

    def counting(path, *args, **kwargs):
        calls.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(clip_list, "load_clip_view", counting)
    for row in (1, 2, 3, 4, 7):  # as fast as arrow keys
        page.select_clip(row)
    last = page.selected_item()
    qtbot.waitUntil(lambda: bool(calls) and calls[-1] == last.path, timeout=15_000)
    wait_for_plots(qtbot, page)
    assert page.clip_panel.drawn == last.path
    assert page.wave_view.duration == pytest.approx(last.duration, abs=0.01)
    assert len(calls) <= 2  # the one running, then the latest: the middle ones are skipped


def test_arrow_keys_move_through_clips_and_space_plays(qtbot, page, state, folder):
    load(qtbot, page, folder)
    wait_for_plots(qtbot, page)
    with qtbot.waitActive(page):
        page.activateWindow()
    page.clip_table.setFocus()
    first = page.selected_item()
    qtbot.keyClick(page.clip_table, Qt.Key.Key_Down)
    assert page.selected_item() is not first
    assert page.clip_model.items.index(page.selected_item()) == 1
    player = page.player_bar.player
    if player.available:
        pytest.skip("this machine has an audio output")
    page.player_bar.status.setText("")
    with qtbot.waitSignal(player.error, timeout=2000) as blocker:
        qtbot.keyClick(page.clip_table, Qt.Key.Key_Space)
    assert blocker.args == [player.unavailable_reason]
    assert page.player_bar.status.text() == player.unavailable_reason
    page.player_bar.button.click()  # the button, too: a reason, no crash
    assert not player.playing


def test_class_picker_filters_clips_and_sorting_reorders(qtbot, page, state, folder):
    load(qtbot, page, folder)
    page.class_list.setCurrentRow(2)  # noise
    assert page.clip_model.rowCount() == 4
    assert {i.label for i in page.clip_model.items} == {"noise"}
    assert page.chart.highlighted == "noise"
    assert page.clips_label.text() == "4 clips of class “noise”"
    page.chart.bar_clicked.emit("tone")
    assert {i.label for i in page.clip_model.items} == {"tone"}
    page.show_class(None)
    page.clip_table.sortByColumn(2, Qt.SortOrder.DescendingOrder)  # duration
    durations = [i.duration for i in page.clip_model.items]
    assert durations == sorted(durations, reverse=True) and len(durations) == 12
    assert page.clip_model.index(0, 2).data() == f"{durations[0]:.2f} s"


def test_split_folder_stacks_the_chart_and_filters_by_split(qtbot, page, state, tmp_path):
    root = make_split_folders(
        tmp_path / "split", ("a", "b"), counts={"train": 3, "test": 2}, **SMALL
    )
    load(qtbot, page, root)
    assert [s.name for s in page.chart.series] == ["train", "test"]
    assert page.split_combo.isVisibleTo(page) and page.split_combo.count() == 3
    page.split_combo.setCurrentIndex(page.split_combo.findData("test"))
    assert page.clip_model.rowCount() == 4
    assert all(i.split == "test" for i in page.clip_model.items)
    assert page.clips_label.text() == "4 clips of all classes (test)"


def test_a_folder_without_audio_fails_with_a_message(qtbot, page, state, tmp_path):
    (tmp_path / "empty").mkdir()
    with qtbot.waitSignal(page.load_failed, timeout=30_000) as blocker:
        assert page.accept_drop(str(tmp_path / "empty"))
    message, hint = blocker.args
    assert message and hint and page.banner.level == "error"
    assert state.loaded(AUDIO) is None and page.stack.currentIndex() == 0
    assert not page.accept_drop(str(tmp_path / "not-a-folder.wav"))


def test_fifty_thousand_clips_list_quickly_and_a_missing_file_says_so(qtbot, page, state):
    rng = np.random.default_rng(0)
    labels = [f"class_{k}" for k in range(10)]
    items = [
        AudioItem(
            f"/nowhere/{labels[k % 10]}/clip_{k:05d}.wav",
            labels[k % 10],
            None,
            float(rng.uniform(0.5, 3.0)),
            16000,
            1,
            "WAV",
        )
        for k in range(50_000)
    ]
    ds = AudioDataset(
        root="/nowhere",
        layout="class_folders",
        items=items,
        class_names=labels,
        formats={"WAV": 50_000},
    )
    start = time.perf_counter()
    state.set_dataset(AUDIO, ds)
    page.class_list.setCurrentRow(3)
    page.show_class(None)
    elapsed = time.perf_counter() - start
    assert page.clip_model.rowCount() == 50_000
    assert int(page.durations_plot.counts.sum()) == 50_000
    assert elapsed < 15.0, (
        f"showing 50,000 clips took {elapsed:.1f} s"
    )  # a hang guard; speed: benchmarks
    page.clip_table.scrollToBottom()
    page.grab()  # paints only the visible rows
    # the files do not exist: the plots say so, nothing raises
    qtbot.waitUntil(lambda: page.clip_panel.drawn == items[0].path, timeout=15_000)
    assert page.wave_view.curves == []
    assert "clip_00000.wav" in page.wave_view.plot.plotItem.titleLabel.text


def test_the_clip_length_set_on_preprocess_moves_the_marker(qtbot, page, state, folder):
    load(qtbot, page, folder)
    state.settings(AUDIO).preprocess.clip_seconds = 0.5
    state.notify_preprocess_changed()
    assert page.durations_plot.marker.value() == pytest.approx(0.5)
    longer = sum(1 for d in state.loaded(AUDIO).durations() if d > 0.5)
    assert page.clip_length_label.text().startswith(
        f"Clip length 0.5 s (set on the Preprocess page): {longer} clip"
    )

"""Audio Evaluate page: metric cards, summary, confusion-matrix cells listed as clips, the most
confidently wrong clips, and the selected clip drawn and played.

The runs are real ``Run`` objects over generated clip files (tests/audio_factory.py) with
predictions the test chooses (so every count is known) and the report from
``evaluate_classification``; no model is trained.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from audio_factory import make_class_folders
from PySide6.QtCore import Qt

from automl_gui.core.evaluate.metrics import evaluate_classification
from automl_gui.core.jobs.run import Run
from automl_gui.core.train.result import TrainResult
from automl_gui.gui.pages.audio.evaluate import AudioEvaluatePage, clip_rows
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.audio_player import ClipPlayer

CLASSES = ("tone", "chirp", "noise")
PER_CLASS = 6
RATE = 8000


def audio_run(folder, *, mistakes: int = 2, seed: int = 1) -> Run:
    """Clips of 3 classes; the first ``mistakes`` clips of each class are predicted as the
    next class (confidence rising with the clip number), the others correctly."""
    make_class_folders(
        folder, CLASSES, PER_CLASS, seconds=(0.5, 0.9), rates=(8000, 16000), seed=seed
    )
    paths = [sorted(str(p) for p in (folder / c).iterdir()) for c in CLASSES]
    k = len(CLASSES)
    y = np.repeat(np.arange(k), PER_CLASS)
    i = np.tile(np.arange(PER_CLASS), k)
    guess = np.where(i < mistakes, (y + 1) % k, y)
    proba = np.full((len(y), k), 0.0)
    confidence = 0.5 + 0.05 * i + 0.01 * y  # all different, so the order is known
    proba[np.arange(len(y)), guess] = confidence
    proba += ((1 - confidence) / (k - 1))[:, None] * (proba == 0)
    frame = pd.DataFrame(
        {
            "path": [p for group in paths for p in group],
            "actual": [CLASSES[c] for c in y],
            "prediction": [CLASSES[c] for c in guess],
            "confidence": proba.max(axis=1),
        }
    )
    for j, name in enumerate(CLASSES):
        frame[f"probability_{name}"] = proba[:, j]
    history = {"loss": [1.0, 0.7, 0.5], "val_loss": [1.0, 0.8, 0.75]}
    return Run(
        model=None,
        metadata={
            "kind": "audio",
            "task": "multiclass",
            "class_names": list(CLASSES),
            "architecture": "cnn",
            "features": "log-mel",
            "sample_rate": RATE,
            "clip_seconds": 1.0,
        },
        report=evaluate_classification(y, proba, list(CLASSES)),
        history=history,
        result=TrainResult(
            history=history, best_epoch=2, epochs_run=3, stopped_reason="completed", seconds=12
        ),
        test_predictions=frame,
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return audio_run(tmp_path_factory.mktemp("clips"))


def _page(qtbot, run=None) -> tuple[AppState, AudioEvaluatePage]:
    state = AppState()
    page = AudioEvaluatePage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    page.resize(1280, 800)
    page.show()
    if run is not None:
        state.set_run(run)
    return state, page


def _wait_drawn(qtbot, browser) -> None:
    qtbot.waitUntil(lambda: browser.panel.drawn == browser.panel.path != "", timeout=20_000)


def test_cards_summary_and_confidently_wrong_clips(qtbot, run):
    state, page = _page(qtbot)
    assert page.cards.values() == {} and not page.save_button.isEnabled()
    assert "test clips" in page.summary.text()
    state.set_run(run)
    metrics = run.report["metrics"]
    values = page.cards.values()
    assert values["Accuracy"] == f"{metrics['accuracy']:.4f}" == "0.6667"
    assert "Top-3 accuracy" not in values
    assert page.save_button.isEnabled()

    summary = page.summary.text()
    assert "Test split: 18 clips never seen in training." in summary
    assert "a CNN trained from scratch on log-mel spectrograms of 1 s clips at 8 kHz" in summary
    assert "3 epochs in" in summary and "best epoch, 3" in summary

    # per class: 2 of each class's 6 clips went to the next class
    model = page.per_class_model
    assert [model.rows[r][0] for r in range(3)] == list(CLASSES)
    assert [model.rows[r][5] for r in range(3)] == ["chirp (2)", "noise (2)", "tone (2)"]

    # the 6 wrong clips, surest first, with actual / predicted / confidence columns
    assert page.tabs.currentIndex() == 1
    df = run.test_predictions
    wrong = df[df["actual"] != df["prediction"]].sort_values("confidence", ascending=False)
    browser = page.wrong_clips
    assert browser.count() == 6 and page.wrong_items == list(wrong["path"])
    cm = browser.list.clip_model
    assert cm.headers == ["clip", "actual", "predicted", "confidence"]
    first = wrong.iloc[0]
    assert [cm.columns[c][0] for c in range(4)] == [
        first["path"].rsplit("/", 1)[-1],
        first["actual"],
        first["prediction"],
        f"{100 * first['confidence']:.1f}%",
    ]
    assert first["path"] in cm.tips[0] and "most likely:" in cm.tips[0]
    assert page.wrong_heading.text() == "6 wrong test clips, surest first."
    # the surest mistake is selected and drawn as the model hears it (mono at 8 kHz)
    _wait_drawn(qtbot, browser)
    assert browser.panel.path == first["path"]
    seconds = sf.info(first["path"]).duration
    assert browser.panel.note.text().startswith(f"{seconds:.2f} s, mono at 8 kHz; ")
    # longer than the model's 1 s? then its centred second is shaded, else it is padded
    assert browser.panel.note.text().endswith("padded to 1 s for the model")
    assert browser.panel.window_region is None
    assert browser.panel.spectrogram.shape[1] == 64


def test_clicking_each_cell_lists_exactly_its_clips(qtbot, run):
    _, page = _page(qtbot, run)
    df = run.test_predictions
    for t, actual in enumerate(CLASSES):
        for p, predicted in enumerate(CLASSES):
            center = page.matrix.cell_rect(t, p).center()
            with qtbot.waitSignal(page.matrix.cell_clicked):
                qtbot.mouseClick(page.matrix, Qt.MouseButton.LeftButton, pos=center)
            rows = df[(df["actual"] == actual) & (df["prediction"] == predicted)]
            expected = list(rows.sort_values("confidence", ascending=False)["path"])
            count = run.report["confusion_matrix"][t][p]
            assert len(expected) == count == (4 if t == p else 2 if p == (t + 1) % 3 else 0)
            assert page.cell == (t, p) and page.tabs.currentIndex() == 0
            assert page.cell_clips.list.paths() == expected == page.cell_items
            heading = page.cell_heading.text()
            noun = "clip" if count == 1 else "clips"
            assert heading.startswith(f"{count} {noun}: actual {actual}, predicted {predicted}")
            if count:
                assert set(page.cell_clips.list.clip_model.columns[2]) == {predicted}
                assert page.cell_clips.panel.path == expected[0]
            else:
                assert page.cell_clips.panel.path == ""
    assert page.actual_combo.currentText() == "noise"


def test_play_without_an_audio_device_says_why(qtbot, run):
    _, page = _page(qtbot, run)
    page.show_cell(1, 1)
    browser = page.cell_clips
    player: ClipPlayer = browser.panel.player_bar.player
    _wait_drawn(qtbot, browser)
    browser.list.setFocus()
    if player.available:  # a machine with sound: playing starts, Space stops it again
        qtbot.keyClick(browser.list, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: player.playing, timeout=5000)
        player.stop()
        return
    with qtbot.waitSignal(player.error) as blocker:
        qtbot.keyClick(browser.list, Qt.Key.Key_Return)
    assert blocker.args[0] == player.unavailable_reason != ""
    assert browser.panel.player_bar.status.text() == player.unavailable_reason
    with qtbot.waitSignal(player.error):  # Space in the list plays too
        qtbot.keyClick(browser.list, Qt.Key.Key_Space)
    assert not player.playing


def test_arrow_keys_move_and_the_latest_clip_is_drawn(qtbot, run):
    _, page = _page(qtbot, run)
    page.show_cell(0, 0)
    browser = page.cell_clips
    browser.list.setFocus()
    for _ in range(3):
        qtbot.keyClick(browser.list, Qt.Key.Key_Down)
    assert browser.list.currentIndex().row() == 3
    expected = page.cell_items[3]
    assert browser.panel.path == expected
    _wait_drawn(qtbot, browser)
    assert browser.panel.drawn == expected
    assert browser.panel.title.text().startswith(f"<b>{expected.rsplit('/', 1)[-1]}</b>")
    assert "actual tone, predicted tone" in browser.panel.title.text()


def test_the_centred_part_the_model_hears_is_shaded(qtbot, tmp_path):
    from automl_gui.core.preprocess.audio import load_audio

    run = audio_run(tmp_path / "short", seed=6)
    run.metadata["clip_seconds"] = 0.25  # shorter than every clip
    _, page = _page(qtbot, run)
    page.show_cell(0, 0)
    panel = page.cell_clips.panel
    _wait_drawn(qtbot, page.cell_clips)
    n = len(load_audio(panel.path, RATE))  # as the model gets it: at 8 kHz
    start = (n - RATE // 4) // 2 / RATE
    assert panel.window_region.getRegion() == pytest.approx((start, start + 0.25))
    assert panel.note.text() == (
        f"{n / RATE:.2f} s, mono at 8 kHz; shaded: the centred 0.25 s the model hears"
    )
    page.show_cell(0, 1)  # another clip: one shaded region, not two
    _wait_drawn(qtbot, page.cell_clips)
    regions = [i for i in panel.waveform.plot.getPlotItem().items if i is panel.window_region]
    assert len(regions) == 1


def test_a_vanished_clip_says_it_cannot_be_read(qtbot, tmp_path):
    run = audio_run(tmp_path / "gone", seed=4)
    (tmp_path / "gone" / "noise").rename(tmp_path / "gone" / "moved")
    _, page = _page(qtbot, run)
    page.show_cell(2, 2)
    browser = page.cell_clips
    path = page.cell_items[0]
    assert browser.panel.path == path
    _wait_drawn(qtbot, browser)
    title = browser.panel.waveform.plot.getPlotItem().titleLabel.text
    assert "Could not read the clip" in title and "file not found" in title
    assert browser.panel.spectrogram.shape == (0, 0)
    page.show_cell(0, 0)  # the page goes on working
    _wait_drawn(qtbot, browser)
    assert browser.panel.spectrogram.shape[1] == 64


def test_clip_rows_helper():
    rows = pd.DataFrame(
        {
            "path": ["/c/a.wav"],
            "actual": ["tone"],
            "prediction": ["noise"],
            "confidence": [0.912],
            "probability_noise": [0.912],
            "probability_tone": [0.088],
        }
    )
    paths, columns, tips = clip_rows(rows, ["noise", "tone"])
    assert paths == ["/c/a.wav"] and columns == [["tone"], ["noise"], ["91.2%"]]
    assert tips == [
        "/c/a.wav\nactual tone, predicted noise (91.2%)\nmost likely: noise 91.2%, tone 8.8%"
    ]
    assert clip_rows(None, []) == ([], [[], [], []], [])


def test_fifty_thousand_clips_in_two_cells(qtbot):
    """A big binary test split (files need not exist: clips decode only when selected)."""
    rng = np.random.default_rng(7)
    n = 50_000
    y = rng.integers(0, 2, n)
    p1 = np.clip(0.25 + 0.5 * y + rng.normal(0, 0.2, n), 0.01, 0.99)
    frame = pd.DataFrame({"path": [f"/nowhere/{i:06d}.wav" for i in range(n)]})
    frame["actual"] = np.where(y == 1, "yes", "no")
    frame["prediction"] = np.where(p1 > 0.5, "yes", "no")
    frame["confidence"] = np.maximum(p1, 1 - p1)
    frame["probability_no"], frame["probability_yes"] = 1 - p1, p1
    proba = np.stack([1 - p1, p1], axis=1)
    run = Run(
        model=None,
        metadata={"kind": "audio", "task": "binary", "class_names": ["no", "yes"]},
        report=evaluate_classification(y, proba, ["no", "yes"]),
        history={},
        result=TrainResult(),
        test_predictions=frame,
    )
    _, page = _page(qtbot, run)
    wrong = run.confidently_wrong()
    assert page.wrong_items == list(wrong["path"]) and 0 < len(wrong) < 100
    page.show_cell(1, 1)
    count = run.report["confusion_matrix"][1][1]
    assert page.cell_clips.count() == count > 15_000
    confidence = page.cell_clips.list.clip_model.columns[3]
    assert confidence[0] == "99.0%" and confidence[-1] == "50.0%"
    _wait_drawn(qtbot, page.cell_clips)  # the missing file says so instead of failing
    assert (
        "Could not read the clip"
        in page.cell_clips.panel.waveform.plot.getPlotItem().titleLabel.text
    )

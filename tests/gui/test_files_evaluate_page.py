"""Image and audio Evaluate pages alike: another kind of run or a new dataset clears the page.
What only one kind's page shows stays in test_image_evaluate_page.py and
test_audio_evaluate_page.py (whose runs over generated files these tests borrow)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_audio_evaluate_page import audio_run  # tests/gui is on the path
from test_image_evaluate_page import fake_run

from automl_gui.core.jobs.run import Run
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES
from automl_gui.gui.pages.audio.evaluate import AudioEvaluatePage
from automl_gui.gui.pages.images.evaluate import ImageEvaluatePage
from automl_gui.gui.state import AppState


@dataclass(frozen=True)
class Evaluating:
    """What differs between the kinds' Evaluate pages."""

    page: type
    run: Callable[[Path], Run]  # a run over generated files in a folder
    cell_01: int  # its test files actually of class 0, predicted as class 1
    wrong: int  # its wrong test files
    other_kind: str  # a run of this kind belongs to another page
    cell_files: Callable[[object], int]  # the files listed for the selected cell
    wrong_files: Callable[[object], int]  # the most confidently wrong files listed
    cleared: Callable[[object], bool]  # more that a cleared page has let go of


EVALUATING = {
    IMAGES: Evaluating(
        page=ImageEvaluatePage,
        run=lambda folder: fake_run(folder, ("cat", "dog", "fox"), 9),
        cell_01=3,
        wrong=9,
        other_kind="tabular",
        cell_files=lambda page: page.cell_gallery.count(),
        wrong_files=lambda page: page.wrong_gallery.count(),
        cleared=lambda page: True,
    ),
    AUDIO: Evaluating(
        page=AudioEvaluatePage,
        run=audio_run,
        cell_01=2,
        wrong=6,
        other_kind="images",
        cell_files=lambda page: page.cell_clips.count(),
        wrong_files=lambda page: page.wrong_clips.count(),
        cleared=lambda page: page.cell_clips.panel.path == "",
    ),
}


@pytest.mark.parametrize("kind", list(EVALUATING), ids=str)
def test_another_kind_of_run_or_a_new_dataset_clears_the_page(qtbot, kind, tmp_path):
    table = EVALUATING[kind]
    run = table.run(tmp_path / "files")
    state = AppState()
    page = table.page(state)
    qtbot.addWidget(page, before_close_func=lambda w: getattr(w, "wait_idle", lambda: None)())
    page.resize(1280, 800)
    page.show()
    state.set_run(run)
    page.show_cell(0, 1)
    assert table.cell_files(page) == table.cell_01

    class OtherRun:  # a run of another kind belongs to that kind's page
        kind = table.other_kind
        report = run.report

    state.set_run(OtherRun())
    assert page.run is None and page.cards.values() == {}
    assert table.cell_files(page) == 0 and table.wrong_files(page) == 0
    assert table.cleared(page)
    assert page.stack.currentIndex() == 0 and not page.save_button.isEnabled()
    state.set_run(run)
    assert page.stack.currentIndex() == 1 and table.wrong_files(page) == table.wrong
    state.set_dataset(kind, None)
    assert page.run is None and page.matrix.matrix == []

"""Train page: the overfitting marker follows the latest finding (a dip the later epochs
took back leaves no marker behind)."""

from __future__ import annotations

from automl_gui.core.train.diagnostics import Diagnosis
from automl_gui.gui.pages.train import TrainPage
from automl_gui.gui.state import AppState


def test_overfitting_marker_is_removed_when_the_finding_goes_away(qtbot):
    page = TrainPage(AppState())
    qtbot.addWidget(page)
    page.plots.reset("multiclass")
    overfit = Diagnosis("overfitting", 7, "The model started to overfit.", ["Stop earlier."])
    page.show_diagnosis(overfit)
    assert page.plots.overfitting_epoch == 7
    assert "overfit" in page.diagnosis_banner.text
    page.show_diagnosis(None)  # validation loss fell again
    assert page.plots.overfitting_epoch is None and page.diagnosis_banner.isHidden()
    page.show_diagnosis(overfit)
    assert page.plots.overfitting_epoch == 7
    page.show_diagnosis(Diagnosis("underfitting", 0, "Still improving.", []))
    assert page.plots.overfitting_epoch is None
    assert page.diagnosis_banner.text.startswith("Still improving.")

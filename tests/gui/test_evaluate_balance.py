"""Issue 15, items 9 and 10: the Evaluate pages of every kind show balanced accuracy next to
accuracy (from one card list), the per-class table names the class each is most often mistaken
for without cutting its header at 1024 pixels, and the class-weights field defaults to Auto."""

from __future__ import annotations

import numpy as np
import pytest

from automl_gui.core.evaluate.metrics import evaluate_classification
from automl_gui.core.jobs.run import Run
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.train.result import TrainResult
from automl_gui.gui.pages.tabular.evaluate import EvaluatePage
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.metrics_view import PerClassTable
from automl_gui.gui.widgets.training_settings import TrainingSettingsForm


def _majority_run(report=None) -> Run:
    """8 "no" and 2 "yes" test rows, every one answered "no": accuracy 0.8, balanced 0.5."""
    y = np.array([0] * 8 + [1] * 2)
    report = report or evaluate_classification(y, np.tile([0.9, 0.1], (10, 1)), ["no", "yes"])
    history = {"loss": [0.6, 0.5], "val_loss": [0.6, 0.55]}
    return Run(
        model=None,
        metadata={"kind": "tabular", "task": "binary", "class_names": ["no", "yes"]},
        report=report,
        history=history,
        result=TrainResult(history=history, best_epoch=1, epochs_run=2, seconds=3.0),
        test_predictions=None,
    )


def test_the_table_page_shows_balanced_accuracy_next_to_accuracy(qtbot):
    page = EvaluatePage(AppState())
    qtbot.addWidget(page)
    page.show_run(_majority_run())
    values = page.cards.values()
    assert list(values)[:2] == ["Accuracy", "Balanced accuracy"]
    assert values["Accuracy"] == "0.8000" and values["Balanced accuracy"] == "0.5000"
    assert "Recall macro" not in values  # the same number as balanced accuracy
    rows = page.per_class_model.rows
    assert page.per_class_model.headers[-1] == "mistaken for"
    assert [r[0] for r in rows] == ["no", "yes"] and [r[-1] for r in rows] == ["", "no (2)"]


def test_the_summary_says_how_the_classes_were_weighted(qtbot):
    page = EvaluatePage(AppState())
    qtbot.addWidget(page)
    run = _majority_run()
    page.show_run(run)
    assert "weighted" not in page.summary.text()  # every row counted once
    run.result.class_weights = [0.625, 2.5]
    page.show_run(run)
    assert page.summary.text().endswith(
        "Classes weighted 'balanced': a 'yes' row counted 4.0× a 'no' row in training."
    )


def test_a_run_saved_before_balanced_accuracy_shows_it_from_its_confusion_matrix(qtbot):
    report = _majority_run().report
    report["metrics"].pop("balanced_accuracy")
    page = EvaluatePage(AppState())
    qtbot.addWidget(page)
    page.show_run(_majority_run(report))
    assert page.cards.values()["Balanced accuracy"] == "0.5000"


def test_the_image_page_shows_balanced_accuracy_too(qtbot, tmp_path):
    from test_image_evaluate_page import fake_run

    from automl_gui.gui.pages.images.evaluate import ImageEvaluatePage

    run = fake_run(tmp_path / "imgs", ("cat", "dog", "fox"), 8)
    page = ImageEvaluatePage(AppState())
    qtbot.addWidget(page)
    page.show_run(run)
    values = page.cards.values()
    assert list(values)[:2] == ["Accuracy", "Balanced accuracy"]
    cm = np.array(run.report["confusion_matrix"])
    expected = float(np.mean(np.diag(cm) / cm.sum(axis=1)))
    assert values["Balanced accuracy"] == f"{expected:.4f}"


def test_the_per_class_table_fits_a_narrow_pane_with_its_headers_whole(qtbot):
    """At 1024x700 the per-class tab is about 400 pixels wide: "most often mistaken for" was
    cut there. Every header now shows whole and no column runs past the pane."""
    names = ["hexagon_long_name_of_a_class", "circle", "square", "triangle"]
    k = len(names)
    y = np.repeat(np.arange(k), 6)
    pred = np.where(np.arange(len(y)) % 3 == 0, (y + 1) % k, y)
    table = PerClassTable("image")
    qtbot.addWidget(table)
    table.resize(400, 300)
    table.show()
    table.show_report(evaluate_classification(y, np.eye(k)[pred], names))
    qtbot.wait(10)
    header = table.horizontalHeader()
    widths = [header.sectionSize(i) for i in range(header.count())]
    assert sum(widths) <= table.viewport().width()
    fm = header.fontMetrics()
    for i, text in enumerate(table.rows_model.headers):
        assert widths[i] >= fm.horizontalAdvance(text), (text, widths[i])
    assert table.rows_model.rows[3][-1] == "hexagon_long_name_of_a_class (2)"
    assert table.rows_model.data(table.rows_model.index(3, 5), 3) == (  # the tooltip: whole
        "hexagon_long_name_of_a_class (2)"
    )


def test_the_class_weights_field_defaults_to_auto_and_keeps_a_chosen_none(qtbot):
    form = TrainingSettingsForm()
    qtbot.addWidget(form)
    form.show_config(TrainConfig())
    assert form.class_weight_combo.currentData() == "auto"
    assert form.class_weight_combo.currentText() == "Auto (balanced if imbalanced)"
    form.show_config(TrainConfig(class_weights="none"))
    training = TrainConfig()
    form.read_into(training)
    assert training.class_weights == "none"


@pytest.mark.parametrize("count", [1, 3])
def test_the_matrix_tooltip_counts_the_pages_examples(qtbot, count):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QMouseEvent

    from automl_gui.gui.widgets.confusion_matrix import ConfusionMatrixView

    view = ConfusionMatrixView(noun="image")
    qtbot.addWidget(view)
    view.resize(300, 300)
    view.set_matrix([[5, count], [0, 4]], ["cat", "dog"])
    centre = view.cell_rect(0, 1).center()
    event = QMouseEvent(
        QMouseEvent.Type.MouseMove,
        QPointF(centre),
        QPointF(view.mapToGlobal(QPoint(centre))),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    view.mouseMoveEvent(event)
    words = "1 image " if count == 1 else f"{count} images "
    assert f"true cat → predicted dog: {words}" in view.toolTip()


def test_a_model_no_better_than_chance_is_said_before_anything_else(qtbot):
    """Always answering "no" scores accuracy 0.8 here: the page says it is chance (balanced
    accuracy 0.5 with 2 classes) with what to try, not only the accuracy card."""
    page = EvaluatePage(AppState())
    qtbot.addWidget(page)
    page.show()
    page.show_run(_majority_run())
    banner = page.diagnosis_banner
    assert banner.active and "No better than chance" in banner.text
    y = np.array([0] * 8 + [1] * 2)
    page.show_run(_majority_run(evaluate_classification(y, np.eye(2)[y], ["no", "yes"])))
    assert not banner.active


def test_an_image_model_at_chance_is_said_on_its_page_too(qtbot, tmp_path):
    """Every image predicted as the next class (balanced accuracy 0 on 3 classes): the image
    Evaluate page says it, through the same rule as the table page."""
    from test_image_evaluate_page import fake_run

    from automl_gui.gui.pages.images.evaluate import ImageEvaluatePage

    page = ImageEvaluatePage(AppState())
    qtbot.addWidget(page)
    page.show()
    page.show_run(fake_run(tmp_path / "wrong", ("cat", "dog", "fox"), 6, wrong_every=1))
    assert page.diagnosis_banner.active
    assert "No better than chance" in page.diagnosis_banner.text
    page.show_run(fake_run(tmp_path / "right", ("cat", "dog", "fox"), 6, wrong_every=0))
    assert not page.diagnosis_banner.active

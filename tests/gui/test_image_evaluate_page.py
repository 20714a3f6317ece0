"""Image Evaluate page: metric cards, per-class table, confusion-matrix cells shown as images,
the most confidently wrong gallery, summary and report saving.

The runs are real ``Run`` objects over generated image files, with predictions the test
chooses (so every count below is known) and the report from ``evaluate_classification``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from image_factory import make_class_folders
from PySide6.QtCore import Qt

from automl_gui.core.evaluate.metrics import evaluate_classification
from automl_gui.core.jobs.run import CONFIDENTLY_WRONG, Run
from automl_gui.core.train.result import TrainResult
from automl_gui.gui.pages.images.evaluate import ImageEvaluatePage, gallery_items, percent
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.image_gallery import ImageGallery


def fake_run(folder, classes, per_class: int, *, wrong_every: int = 4, seed: int = 0) -> Run:
    """An Run over generated images: every ``wrong_every``-th image of a class (from
    its first; none for 0) is predicted as the next class, with its own confidence."""
    make_class_folders(folder, classes, per_class, size=(32, 32), vary_size=False, seed=seed)
    rng = np.random.default_rng(seed)
    k = len(classes)
    paths, y, proba = [], [], []
    for ci, label in enumerate(classes):
        for i, path in enumerate(sorted((folder / label).iterdir())):
            p = 0.3 * rng.dirichlet(np.ones(k))
            wrong = wrong_every > 0 and i % wrong_every == 0
            p[(ci + 1) % k if wrong else ci] += 0.7
            paths.append(str(path))
            y.append(ci)
            proba.append(p)
    proba = np.asarray(proba)
    names = list(classes)
    df = pd.DataFrame(
        {
            "path": paths,
            "actual": [names[i] for i in y],
            "prediction": [names[i] for i in proba.argmax(axis=1)],
            "confidence": proba.max(axis=1),
        }
    )
    for i, name in enumerate(names):
        df[f"probability_{name}"] = proba[:, i]
    history = {
        "loss": [1.0, 0.8, 0.6, 0.5, 0.45, 0.4],
        "val_loss": [1.1, 0.9, 0.7, 0.65, 0.6, 0.62],
    }
    return Run(
        model=None,
        metadata={
            "kind": "images",
            "task": "multiclass" if k > 2 else "binary",
            "class_names": names,
            "architecture": "resnet50",
            "image_size": 32,
            "training_result": {"fine_tuned_layers": 12},
        },
        report=evaluate_classification(y, proba, names),
        history=history,
        result=TrainResult(
            history=history, best_epoch=4, epochs_run=6, stopped_reason="early_stopping", seconds=75
        ),
        test_predictions=df,
        phases=[("head", 0), ("fine-tune", 4)],
    )


@pytest.fixture(scope="module")
def run3(tmp_path_factory):
    return fake_run(tmp_path_factory.mktemp("three"), ("cat", "dog", "fox"), 9)


def _page(qtbot, run=None) -> tuple[AppState, ImageEvaluatePage]:
    state = AppState()
    page = ImageEvaluatePage(state)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    if run is not None:
        state.set_run(run)
    return state, page


def test_cards_table_summary_and_confidently_wrong(qtbot, run3):
    state, page = _page(qtbot)
    assert page.cards.values() == {} and not page.save_button.isEnabled()
    state.set_run(run3)
    report = run3.report
    values = page.cards.values()
    assert values["Accuracy"] == f"{report['metrics']['accuracy']:.4f}"
    assert values["F1 macro"] == f"{report['metrics']['f1_macro']:.4f}"
    assert values["Log loss"] == f"{report['metrics']['log_loss']:.4f}"
    assert "Top-3 accuracy" not in values  # 3 classes: top-3 is always right, so not shown
    assert page.save_button.isEnabled()

    model = page.per_class_model
    assert model.rowCount() == 3
    assert [model.rows[i][0] for i in range(3)] == ["cat", "dog", "fox"]
    assert [model.rows[i][4] for i in range(3)] == [9, 9, 9]
    # every 4th image of a class is predicted as the next class: cat → dog 3 times
    assert model.rows[0][5] == "dog (3)" and model.rows[2][5] == "cat (3)"

    summary = page.summary.text()
    assert "27 images" in summary
    assert "ResNet50 at 32×32 px, top 12 layers fine-tuned" in summary
    assert "6 epochs in 1:15 (head 1–4, fine-tune 5–6), early stopping" in summary
    assert "best epoch, 5" in summary

    # the most confidently wrong gallery: all 9 wrong images, surest first
    wrong = run3.test_predictions[
        run3.test_predictions["actual"] != run3.test_predictions["prediction"]
    ]
    assert len(wrong) == 9 < CONFIDENTLY_WRONG
    assert page.wrong_gallery.count() == 9
    assert page.tabs.currentIndex() == 1
    expected = wrong.sort_values("confidence", ascending=False)
    assert [p for p, _, _ in page.wrong_items] == list(expected["path"])
    first = expected.iloc[0]
    assert page.wrong_items[0][1] == (
        f"{first['actual']} →\n{first['prediction']} {100 * first['confidence']:.1f}%"
    )
    assert first["path"] in page.wrong_items[0][2]
    assert "9 wrong test images" in page.wrong_heading.text()


def test_clicking_each_cell_shows_exactly_its_images(qtbot, run3):
    _, page = _page(qtbot, run3)
    df = run3.test_predictions
    names = run3.report["class_names"]
    for t in range(3):
        for p in range(3):
            count = run3.report["confusion_matrix"][t][p]
            center = page.matrix.cell_rect(t, p).center()
            with qtbot.waitSignal(page.matrix.cell_clicked):
                qtbot.mouseClick(page.matrix, Qt.MouseButton.LeftButton, pos=center)
            assert page.cell == (t, p) and page.tabs.currentIndex() == 0
            assert page.cell_gallery.count() == count == len(page.cell_items)
            rows = df[(df["actual"] == names[t]) & (df["prediction"] == names[p])]
            assert sorted(path for path, _, _ in page.cell_items) == sorted(rows["path"])
            noun = "image" if count == 1 else "images"
            assert page.cell_heading.text().startswith(
                f"{count} {noun}: actual {names[t]}, predicted {names[p]}"
            )
            confidences = [float(c.split()[-1].rstrip("%")) for _, c, _ in page.cell_items]
            assert confidences == sorted(confidences, reverse=True)
            assert all(c.startswith(f"{names[p]} ") for _, c, _ in page.cell_items)
            assert page.actual_combo.currentText() == names[t]
            assert page.predicted_combo.currentText() == names[p]


def test_keyboard_picks_a_cell_with_the_class_boxes(qtbot, run3):
    _, page = _page(qtbot, run3)
    page.actual_combo.setFocus()
    qtbot.keyClick(page.actual_combo, Qt.Key.Key_Down)  # cat → dog
    assert page.cell == (1, 0)
    page.predicted_combo.setFocus()
    qtbot.keyClick(page.predicted_combo, Qt.Key.Key_Down)
    qtbot.keyClick(page.predicted_combo, Qt.Key.Key_Down)  # → fox
    assert page.cell == (1, 2) and page.matrix.selected == (1, 2)
    assert page.cell_heading.text().startswith("3 images: actual dog, predicted fox")


def test_top3_card_for_many_classes_and_save_report(qtbot, tmp_path):
    run = fake_run(tmp_path / "five", ("a", "b", "c", "d", "e"), 4, wrong_every=2, seed=3)
    _, page = _page(qtbot, run)
    top = run.report["metrics"]["top_k_accuracy"]
    assert top is not None
    assert page.cards.values()["Top-3 accuracy"] == f"{top:.4f}"

    out = tmp_path / "report.json"
    assert page.save_report(str(out))
    assert json.loads(out.read_text()) == json.loads(json.dumps(run.report))
    assert page.banner.level == "success"
    assert not page.save_report(str(tmp_path / "missing" / "report.json"))
    assert page.banner.level == "error"


def test_a_perfect_run_has_no_wrong_gallery(qtbot, tmp_path):
    run = fake_run(tmp_path / "perfect", ("x", "y"), 3, wrong_every=0)
    _, page = _page(qtbot, run)
    assert page.wrong_gallery.count() == 0
    assert page.wrong_heading.text() == "No wrong predictions on the test split."
    assert page.tabs.currentIndex() == 2  # the per-class table instead


def test_fifty_thousand_test_images(qtbot):
    """A big test split (files need not exist: the gallery loads lazily) stays usable."""
    rng = np.random.default_rng(0)
    names = [f"class_{i:02d}" for i in range(10)]
    n = 50_000
    y = rng.integers(0, 10, n)
    proba = rng.dirichlet(np.ones(10) * 0.3, n)
    proba[np.arange(n), y] += 0.4
    proba /= proba.sum(axis=1, keepdims=True)
    df = pd.DataFrame(
        {
            "path": [f"/nowhere/{names[c]}/{i:06d}.png" for i, c in enumerate(y)],
            "actual": [names[c] for c in y],
            "prediction": [names[c] for c in proba.argmax(axis=1)],
            "confidence": proba.max(axis=1),
        }
    )
    for i, name in enumerate(names):
        df[f"probability_{name}"] = proba[:, i]
    run = Run(
        model=None,
        metadata={"kind": "images", "task": "multiclass", "architecture": "cnn"},
        report=evaluate_classification(y, proba, names),
        history={},
        result=TrainResult(),
        test_predictions=df,
    )
    _, page = _page(qtbot, run)
    assert page.wrong_gallery.count() == CONFIDENTLY_WRONG
    confidences = [float(c.split()[-1].rstrip("%")) for _, c, _ in page.wrong_items]
    assert confidences == sorted(confidences, reverse=True)
    page.show_cell(3, 3)
    assert page.cell_gallery.count() == run.report["confusion_matrix"][3][3] > 2000


def test_caption_helpers():
    # the Predict page's one format: a wrong answer at 0.996 no longer reads "100%"
    assert percent(0.974) == "97.4%" and percent(0.996) == "99.6%"
    assert percent(float("nan")) == "?" and percent(None) == "?"
    rows = pd.DataFrame(
        {
            "path": ["/a.png"],
            "actual": ["cat"],
            "prediction": ["dog"],
            "confidence": [0.9],
            "probability_cat": [0.1],
            "probability_dog": [0.9],
        }
    )
    [(path, caption, tip)] = gallery_items(rows, ["cat", "dog"], arrow=True)
    assert (path, caption) == ("/a.png", "cat →\ndog 90.0%")
    assert tip.endswith("most likely: dog 90.0%, cat 10.0%")
    assert gallery_items(rows, ["cat", "dog"], arrow=False)[0][1] == "dog 90.0%"


def test_a_long_true_class_never_hides_the_prediction(qtbot):
    """The mistakes' captions were one line elided in the middle to the thumbnail's width:
    "triangle → square 83%" showed as "triangle …quare 83%", the predicted class cut."""
    rows = pd.DataFrame(
        {
            "path": ["/a.png", "/b.png"],
            "actual": ["a_rather_long_true_class_name", "triangle"],
            "prediction": ["square", "square"],
            "confidence": [0.8312, 0.79],
        }
    )
    items = gallery_items(rows, ["square", "triangle"], arrow=True)
    gallery = ImageGallery(thumb_size=128)
    qtbot.addWidget(gallery)
    one_line = gallery.gridSize().height()
    gallery.set_items(items)
    assert gallery.gridSize().height() > one_line  # room for the second line
    delegate = gallery.itemDelegate()
    width = delegate.cell_size().width() - 6
    for (_path, caption, tip), predicted in zip(
        items, ["square 83.1%", "square 79.0%"], strict=True
    ):
        shown = delegate.shown_caption(caption, gallery.fontMetrics(), width)
        assert predicted in shown  # whole, on its own line
        assert "predicted square" in tip  # and the full text in the tooltip


def test_the_per_class_headers_show_whole_at_1024_pixels(qtbot, run3):
    """Beside the confusion matrix at a 1024-pixel window the per-class tab had ~400 px, less
    than its headers need with the app's padding: "mistaken for" showed as "staken"."""
    from automl_gui.core.base.resources import resource_path

    _, page = _page(qtbot)
    page.setStyleSheet(resource_path("style.qss").read_text(encoding="utf-8"))  # as the app
    page.resize(800, 600)  # the page at a 1024x700 window (beside the steps, in margins)
    page.show()
    page.state.set_run(run3)
    page.tabs.setCurrentWidget(page.per_class_table)
    table = page.per_class_table
    header = table.horizontalHeader()

    def whole() -> bool:
        return (
            all(
                header.sectionSize(i) >= header.sectionSizeFromContents(i).width()
                for i in range(header.count())
            )
            and sum(header.sectionSize(i) for i in range(header.count()))
            <= table.viewport().width()
        )

    qtbot.waitUntil(whole, timeout=2000)
    assert page.minimumSizeHint().width() <= 800  # nothing runs off the window's right
    assert page.matrix.width() >= 250  # and the matrix keeps a usable size

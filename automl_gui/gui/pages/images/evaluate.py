"""Image Evaluate page: how the trained image classifier did on the held-out test images.

Metric cards (accuracy, top-3 accuracy for more than 3 classes, F1, log loss...), a per-class
table, the confusion matrix (click a cell, or pick "actual"/"predicted" with the keyboard, to
see those test images in a gallery), the most confidently wrong test images, the training
summary and diagnosis, and "Save report…" (report.json) as on the tabular page.

Reads ``state.run`` when it is a ``core.images_pipeline.ImageRun`` (``run.kind == "images"``);
any other run clears the page.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from automl_gui.gui.dialogs.messages import Banner
from automl_gui.gui.pages._report import ReportSaving
from automl_gui.gui.pages.train import STOP_REASONS, format_seconds
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.confusion_matrix import ConfusionMatrixView
from automl_gui.gui.widgets.image_gallery import ImageGallery
from automl_gui.gui.widgets.metrics_view import MetricCards, RowsModel

# (caption, metric key, tooltip); cards whose value is None (top-3 for ≤ 3 classes, ROC AUC
# when a class is missing from the test split) are left out.
IMAGE_CARDS = (
    ("Accuracy", "accuracy", "Share of test images whose top prediction is right."),
    (
        "Top-3 accuracy",
        "top_k_accuracy",
        "Share of test images whose true class is among the model's 3 most likely classes.",
    ),
    ("F1 macro", "f1_macro", "F1 averaged over classes, each class counting equally."),
    ("Precision macro", "precision_macro", "Of the images predicted as a class, share right."),
    ("Recall macro", "recall_macro", "Of the images of a class, share found."),
    (
        "Log loss",
        "log_loss",
        "Cross-entropy of the predicted probabilities (lower is better; confident mistakes "
        "cost most).",
    ),
    ("ROC AUC", "roc_auc", "Ranking quality of the probabilities (1 is perfect, 0.5 chance)."),
)
ARCHITECTURE_NAMES = {
    "cnn": "a CNN trained from scratch",
    "resnet50": "ResNet50",
    "inceptionv3": "InceptionV3",
}
GALLERY_TIP = "Hover an image for its path and probabilities; double-click for a larger view."
TOP_PROBABILITIES = 3  # classes listed in an image's tooltip


def percent(value: Any) -> str:
    """'97%' for a probability; '?' when missing."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return "?"
    return "?" if math.isnan(f) else f"{100 * f:.0f}%"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def gallery_items(rows: Any, class_names: list[str], *, arrow: bool) -> list[tuple[str, str, str]]:
    """Gallery items ``(path, caption, tooltip)`` for test-prediction rows.

    Captions say "dog 87%" (``arrow`` False: the images share their true class) or
    "cat → dog 97%" (``arrow`` True); tooltips name the file and the most likely classes.
    """
    if rows is None or len(rows) == 0:
        return []
    import numpy as np

    paths = rows["path"].astype(str).tolist()
    actual = rows["actual"].astype(str).tolist()
    predicted = rows["prediction"].astype(str).tolist()
    confidence = rows["confidence"].to_numpy(dtype="float64", na_value=np.nan)
    columns = [f"probability_{c}" for c in class_names]
    if columns and all(c in rows.columns for c in columns):
        proba = rows[columns].to_numpy(dtype="float64", na_value=np.nan)
        order = np.argsort(-np.nan_to_num(proba, nan=-1.0), axis=1)[:, :TOP_PROBABILITIES]
    else:
        proba = order = None
    items = []
    for i, path in enumerate(paths):
        conf = percent(confidence[i])
        caption = f"{actual[i]} → {predicted[i]} {conf}" if arrow else f"{predicted[i]} {conf}"
        tip = f"{path}\nactual {actual[i]}, predicted {predicted[i]} ({conf})"
        if order is not None:
            top = ", ".join(f"{class_names[j]} {percent(proba[i, j])}" for j in order[i])
            tip += f"\nmost likely: {top}"
        items.append((path, caption, tip))
    return items


class ImageEvaluatePage(ReportSaving, QWidget):
    """Shows how the trained image model did on the held-out test images."""

    name = "evaluate"
    title = "Evaluate"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.run: Any = None
        self.cell: tuple[int, int] | None = None  # (actual, predicted) shown in the gallery
        self.cell_items: list[tuple[str, str, str]] = []
        self.wrong_items: list[tuple[str, str, str]] = []

        header = self._report_header("Evaluate")

        self.summary = QLabel("Train a model to see its results on held-out test images.")
        self.summary.setProperty("role", "muted")
        self.summary.setWordWrap(True)
        self.banner = Banner()
        self.diagnosis_banner = Banner()
        self.cards = MetricCards()

        # left: the confusion matrix
        self.matrix = ConfusionMatrixView()
        self.matrix.setToolTip("Click a cell to see its test images.")
        self.matrix.cell_clicked.connect(self.show_cell)
        matrix_box = QWidget()
        mb = QVBoxLayout(matrix_box)
        mb.setContentsMargins(0, 0, 0, 0)
        mb.addWidget(QLabel("<b>Confusion matrix</b> (click a cell to see its test images)"))
        mb.addWidget(self.matrix, 1)

        # right: tabs with the cell's images, the confident mistakes, the per-class table
        self.actual_combo = QComboBox()
        self.actual_combo.setToolTip("True class of the images to show")
        self.predicted_combo = QComboBox()
        self.predicted_combo.setToolTip("Predicted class of the images to show")
        for combo in (self.actual_combo, self.predicted_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.activated.connect(self._combo_activated)
        picker = QHBoxLayout()
        picker.setContentsMargins(0, 0, 0, 0)
        for text, combo in (("Actual", self.actual_combo), ("predicted", self.predicted_combo)):
            label = QLabel(text)
            label.setBuddy(combo)
            picker.addWidget(label)
            picker.addWidget(combo)
        picker.addStretch(1)
        self.cell_heading = QLabel()
        self.cell_heading.setWordWrap(True)
        self.cell_gallery = ImageGallery()
        self.cell_gallery.setToolTip(GALLERY_TIP)
        cell_box = QWidget()
        cb = QVBoxLayout(cell_box)
        cb.setContentsMargins(4, 4, 4, 4)
        cb.addLayout(picker)
        cb.addWidget(self.cell_heading)
        cb.addWidget(self.cell_gallery, 1)

        self.wrong_heading = QLabel()
        self.wrong_heading.setWordWrap(True)
        self.wrong_gallery = ImageGallery(thumb_size=128)  # room for "true → predicted NN%"
        self.wrong_gallery.setToolTip(GALLERY_TIP)
        wrong_box = QWidget()
        wb = QVBoxLayout(wrong_box)
        wb.setContentsMargins(4, 4, 4, 4)
        wb.addWidget(self.wrong_heading)
        wb.addWidget(self.wrong_gallery, 1)

        self.per_class_model = RowsModel()
        self.per_class_table = QTableView()
        self.per_class_table.setModel(self.per_class_model)
        self.per_class_table.setAlternatingRowColors(True)
        self.per_class_table.horizontalHeader().setStretchLastSection(True)
        self.per_class_table.setToolTip(
            "Precision: of the images predicted as the class, share right. Recall: of the "
            "class's images, share found. Support: test images of the class."
        )

        self.tabs = QTabWidget()
        self.tabs.addTab(cell_box, "Images")
        self.tabs.addTab(wrong_box, "Most confidently wrong")
        self.tabs.addTab(self.per_class_table, "Per class")
        self.tabs.setTabToolTip(0, "The test images of one confusion-matrix cell")
        self.tabs.setTabToolTip(1, "Wrong predictions the model was surest about")
        self.tabs.setTabToolTip(2, "Precision, recall and F1 of each class")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(matrix_box)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)

        self.stack = QStackedWidget()
        self.empty = QLabel("No results yet.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(split)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.summary)
        layout.addWidget(self.banner)
        layout.addWidget(self.diagnosis_banner)
        layout.addWidget(self.cards)
        layout.addWidget(self.stack, 1)

        state.run_finished.connect(self.show_run)
        state.dataset_changed.connect(lambda: self.show_run())
        if state.run is not None:
            self.show_run()

    # -- showing a run ------------------------------------------------------------------------
    def show_run(self, run: Any = None) -> None:
        """Show ``run`` (default: ``state.run``) if it is an image run; else clear the page."""
        run = run if run is not None else self.state.run
        if run is not None and getattr(run, "kind", None) != "images":
            run = None
        self.run = run
        self.diagnosis_banner.dismiss()
        self.banner.dismiss()
        self.save_button.setEnabled(run is not None)
        self.cell = None
        self.cell_items, self.wrong_items = [], []
        self.cell_gallery.clear()
        self.wrong_gallery.clear()
        if run is None:
            self.cards.set_metrics([])
            self.matrix.clear()
            self.per_class_model.set_rows([], [])
            for combo in (self.actual_combo, self.predicted_combo):
                combo.clear()
            self.summary.setText("Train a model to see its results on held-out test images.")
            self.stack.setCurrentWidget(self.empty)
            return
        report = run.report
        names = self.class_names()
        metrics = report.get("metrics", {})
        self.cards.set_metrics(
            [
                (cap, metrics.get(key), tip)
                for cap, key, tip in IMAGE_CARDS
                if metrics.get(key) is not None
            ]
        )
        self.summary.setText(self._summary_text(run))
        if run.diagnosis is not None:
            bullets = "\n".join(f"• {r}" for r in run.diagnosis.remedies)
            level = "warning" if run.diagnosis.kind == "overfitting" else "info"
            self.diagnosis_banner.show_message(run.diagnosis.message, bullets, level)
        if run.notices:
            self.banner.show_message(" ".join(run.notices), "", "info")
        matrix = report.get("confusion_matrix", [])
        self.matrix.set_matrix(matrix, names)
        self._fill_per_class(report, matrix, names)
        for combo in (self.actual_combo, self.predicted_combo):
            combo.clear()
            combo.addItems(names)
        self.cell_heading.setText(
            "Click a cell of the confusion matrix, or pick an actual and a predicted class."
        )
        self._show_confidently_wrong()
        self.tabs.setCurrentIndex(1 if self.wrong_items else 2)
        self.stack.setCurrentIndex(1)

    def class_names(self) -> list[str]:
        return [str(c) for c in (self.run.report.get("class_names", []) if self.run else [])]

    def _summary_text(self, run: Any) -> str:
        meta = run.metadata or {}
        result = run.result
        n = run.report.get("n_samples", len(run.test_predictions))
        parts = [f"Test split: {plural(n, 'image')} never seen in training."]
        arch = str(meta.get("architecture", ""))
        if arch:
            model = ARCHITECTURE_NAMES.get(arch, arch)
            size = meta.get("image_size")
            if isinstance(size, (list, tuple)) and len(size) == 2:
                model += f" at {size[0]}×{size[1]} px"
            elif isinstance(size, int) and size > 0:
                model += f" at {size}×{size} px"
            layers = (meta.get("training_result") or {}).get("fine_tuned_layers")
            if isinstance(layers, int) and layers > 0:
                model += f", top {plural(layers, 'layer')} fine-tuned"
            parts.append(f"Model: {model}.")
        epochs = getattr(result, "epochs_run", 0) or len(run.history.get("loss") or [])
        training = f"Training: {plural(epochs, 'epoch')}"
        seconds = getattr(result, "seconds", 0.0)
        if seconds and seconds > 0:
            training += f" in {format_seconds(seconds)}"
        phases = [(str(p), int(start)) for p, start in (run.phases or [])]
        if len(phases) > 1:
            spans = []
            for i, (phase, start) in enumerate(phases):
                end = min(phases[i + 1][1], epochs) if i + 1 < len(phases) else epochs
                if end - start > 1:
                    spans.append(f"{phase} {start + 1}–{end}")
                elif end - start == 1:
                    spans.append(f"{phase} {end}")
            if spans:
                training += f" ({', '.join(spans)})"
        reason = getattr(result, "stopped_reason", "")
        if reason:
            training += f", {STOP_REASONS.get(reason, reason)}"
        parts.append(training + ".")
        best = getattr(result, "best_epoch", -1)
        if isinstance(best, int) and best >= 0:  # counted over all phases
            parts.append(f"Weights from the best epoch, {best + 1}.")
        return " ".join(parts)

    def _fill_per_class(self, report: dict[str, Any], matrix: list[list[int]], names: list[str]):
        rows = []
        for i, p in enumerate(report.get("per_class", [])):
            confused = ""
            if i < len(matrix):
                wrong = [(n, j) for j, n in enumerate(matrix[i]) if j != i and n > 0]
                if wrong:
                    n, j = max(wrong)
                    confused = f"{names[j]} ({n:,})"
            rows.append(
                [str(p["class"]), p["precision"], p["recall"], p["f1"], int(p["support"]), confused]
            )
        self.per_class_model.set_rows(
            ["class", "precision", "recall", "F1", "support", "most often mistaken for"], rows
        )
        self.per_class_table.resizeColumnsToContents()

    def _show_confidently_wrong(self) -> None:
        run = self.run
        df = run.test_predictions
        n_wrong = int((df["actual"].astype(str) != df["prediction"].astype(str)).sum())
        rows = run.confidently_wrong()
        self.wrong_items = gallery_items(rows, self.class_names(), arrow=True)
        self.wrong_gallery.set_items(self.wrong_items)
        if n_wrong == 0:
            text = "No wrong predictions on the test split."
        elif len(self.wrong_items) < n_wrong:
            text = (
                f"The {len(self.wrong_items):,} most confidently wrong of "
                f"{plural(n_wrong, 'wrong test image')}, surest first: true → predicted, "
                "confidence."
            )
        else:
            text = (
                f"{plural(n_wrong, 'wrong test image')}, surest first: true → predicted, "
                "confidence."
            )
        self.wrong_heading.setText(text)

    # -- one confusion-matrix cell ------------------------------------------------------------
    def show_cell(self, actual_idx: int, predicted_idx: int) -> None:
        """Show the test images whose true class is ``actual_idx`` and prediction
        ``predicted_idx`` in the Images tab, most confident first."""
        run = self.run
        names = self.class_names()
        if run is None or not (0 <= actual_idx < len(names) and 0 <= predicted_idx < len(names)):
            return
        actual, predicted = names[actual_idx], names[predicted_idx]
        df = run.test_predictions
        rows = df[
            (df["actual"].astype(str) == actual) & (df["prediction"].astype(str) == predicted)
        ]
        rows = rows.sort_values("confidence", ascending=False, kind="stable")
        self.cell = (actual_idx, predicted_idx)
        self.cell_items = gallery_items(rows, names, arrow=False)
        self.cell_gallery.set_items(self.cell_items)
        self.matrix.selected = self.cell
        self.matrix.update()
        self.actual_combo.setCurrentIndex(actual_idx)
        self.predicted_combo.setCurrentIndex(predicted_idx)
        verdict = "correct" if actual_idx == predicted_idx else "wrong"
        heading = f"{plural(len(rows), 'image')}: actual {actual}, predicted {predicted}"
        if len(rows):
            heading += f" ({verdict}; captions: prediction and confidence, surest first)"
        self.cell_heading.setText(heading)
        self.tabs.setCurrentIndex(0)

    def _combo_activated(self, _index: int) -> None:
        a, p = self.actual_combo.currentIndex(), self.predicted_combo.currentIndex()
        if a >= 0 and p >= 0:
            self.show_cell(a, p)

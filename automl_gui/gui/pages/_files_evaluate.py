"""The Evaluate page of a classifier of files (images, audio clips), shared by both kinds.

Metric cards (accuracy and balanced accuracy, top-3 accuracy for more than 3 classes, F1, log
loss...) and a per-class table with the class each is most often mistaken for (both
``widgets/metrics_view``, shared with the table's Evaluate page), the confusion matrix (click a cell, or
pick "actual"/"predicted" with the keyboard, to see those test files), the most confidently
wrong test files, the training summary and diagnosis, and "Save report…" (report.json).
Beside them, the trust tabs every Evaluate page shares (``pages/_trust_tabs.py``:
Calibration, Threshold for two classes, Subgroups by subfolder or a CSV of per-file
attributes).

What varies between kinds is how a set of test files is shown (a gallery of thumbnails, a
list of playable clips) and how the model is described; subclasses supply those through
:meth:`FilesEvaluatePage._make_view`, :meth:`_show_rows` and :meth:`_model_details`.
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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.base.units import format_duration
from automl_gui.core.kinds import DataKind
from automl_gui.gui.format import plural, probability
from automl_gui.gui.pages._continued_summary import continued_html, continued_sentence
from automl_gui.gui.pages._report import ReportSaving, refit_text, was_refit
from automl_gui.gui.pages._train_summary import STOP_REASONS
from automl_gui.gui.pages._trust_slices import FileGroups
from automl_gui.gui.pages._trust_tabs import TRUST_MARGINS, TrustViews
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import Banner
from automl_gui.gui.widgets.confusion_matrix import ConfusionMatrixView
from automl_gui.gui.widgets.metrics_view import MetricCards, PerClassTable, class_weights_text
from automl_gui.gui.widgets.page_layout import page_column

ARCHITECTURE_NAMES = {
    "cnn": "a CNN trained from scratch",
    "resnet50": "ResNet50",
    "inceptionv3": "InceptionV3",
}
TOP_PROBABILITIES = 3  # classes listed in a file's tooltip


def percent(value: Any) -> str:
    """A probability in the Predict page's one format ("97.4%"); '?' when missing."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return "?"
    return "?" if math.isnan(f) else probability(f)


def top_classes(rows: Any, class_names: list[str]) -> list[str]:
    """Per row, "most likely: dog 87.0%, cat 13.0%" from its ``probability_<class>`` columns (all
    rows vectorized at once; empty strings when the columns are missing)."""
    import numpy as np

    columns = [f"probability_{c}" for c in class_names]
    if not columns or not all(c in rows.columns for c in columns):
        return [""] * len(rows)
    proba = rows[columns].to_numpy(dtype="float64", na_value=np.nan)
    order = np.argsort(-np.nan_to_num(proba, nan=-1.0), axis=1)[:, :TOP_PROBABILITIES]
    # "87.0%" per class and row, made once per distinct value (50,000 rows stay quick)
    pct = np.where(np.isnan(proba), -1, np.rint(1000 * np.nan_to_num(proba))).astype(int)
    texts = {v: "?" if v < 0 else probability(v / 1000) for v in np.unique(pct).tolist()}
    top = np.take_along_axis(pct, order, axis=1).tolist()
    return [
        "most likely: "
        + ", ".join(f"{class_names[j]} {texts[v]}" for j, v in zip(o, t, strict=True))
        for o, t in zip(order.tolist(), top, strict=True)
    ]


def prediction_columns(rows: Any, class_names: list[str]) -> tuple[list[str], ...]:
    """(paths, actual, predicted, confidence as "97.4%", most likely classes): one list per
    column of test-prediction ``rows``, a string per row."""
    import numpy as np

    confidence = rows["confidence"].to_numpy(dtype="float64", na_value=np.nan)
    return (
        rows["path"].astype(str).tolist(),
        rows["actual"].astype(str).tolist(),
        rows["prediction"].astype(str).tolist(),
        [percent(c) for c in confidence],
        top_classes(rows, class_names),
    )


def prediction_items(
    rows: Any, class_names: list[str], *, arrow: bool
) -> list[tuple[str, str, str]]:
    """Items ``(path, caption, tooltip)`` for test-prediction rows.

    Captions say "dog 87.0%" (``arrow`` False: the files share their true class) or
    "cat →\ndog 97.4%" (``arrow`` True: two lines, so a long true class never hides the
    prediction); tooltips name the file and the most likely classes.
    """
    if rows is None or len(rows) == 0:
        return []
    paths, actual, predicted, confidence, likely = prediction_columns(rows, class_names)
    items = []
    for i, path in enumerate(paths):
        conf = confidence[i]
        caption = f"{actual[i]} →\n{predicted[i]} {conf}" if arrow else f"{predicted[i]} {conf}"
        tip = f"{path}\nactual {actual[i]}, predicted {predicted[i]} ({conf})"
        if likely[i]:
            tip += f"\n{likely[i]}"
        items.append((path, caption, tip))
    return items


def _tab_box(top: QHBoxLayout | None, heading: QLabel, view: QWidget) -> QWidget:
    """A tab's content: an optional row of controls, a wrapped heading, the view below."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(4, 4, 4, 4)
    if top is not None:
        layout.addLayout(top)
    heading.setWordWrap(True)
    layout.addWidget(heading)
    layout.addWidget(view, 1)
    return box


class FilesEvaluatePage(ReportSaving, QWidget):
    """How the trained classifier did on its held-out test files (base of the image and audio
    Evaluate pages).

    Subclasses set ``kind`` (the ``run.kind`` they show), ``noun`` ("image", "clip"),
    ``items_tab`` (the title of the cell's tab), ``cell_hint`` / ``wrong_hint`` (how the
    listed files are captioned) and implement the three view hooks.
    """

    name = "evaluate"
    title = "Evaluate"
    kind: DataKind
    noun = "file"
    items_tab = "Files"
    cell_hint = "surest first"
    wrong_hint = "surest first"
    architecture_names = ARCHITECTURE_NAMES  # metadata "architecture" → words

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.run: Any = None
        self.cell: tuple[int, int] | None = None  # (actual, predicted) shown in the cell view
        self.cell_items: list[Any] = []
        self.wrong_items: list[Any] = []
        noun = self.noun

        header = self._report_header("Evaluate")

        self.summary = QLabel(self._empty_text())
        self.summary.setProperty("role", "muted")
        self.summary.setWordWrap(True)
        # a continued run's before → after figures, as a small table (hidden otherwise)
        self.continued = QLabel()
        self.continued.setProperty("role", "muted")
        self.continued.setTextFormat(Qt.TextFormat.RichText)
        self.continued.hide()
        self.banner = Banner()
        self.diagnosis_banner = Banner()
        self.cards = MetricCards()

        # left: the confusion matrix
        self.matrix = ConfusionMatrixView(noun=noun)
        self.matrix.setToolTip(f"Click a cell to see its test {noun}s.")
        self.matrix.cell_clicked.connect(self.show_cell)
        matrix_box = QWidget()
        mb = QVBoxLayout(matrix_box)
        mb.setContentsMargins(0, 0, 0, 0)
        mb.addWidget(QLabel(f"<b>Confusion matrix</b> (click a cell to see its test {noun}s)"))
        mb.addWidget(self.matrix, 1)

        # right: tabs with the cell's files, the confident mistakes, the per-class table
        self.actual_combo = QComboBox()
        self.actual_combo.setToolTip(f"True class of the {noun}s to show")
        self.predicted_combo = QComboBox()
        self.predicted_combo.setToolTip(f"Predicted class of the {noun}s to show")
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
        self.cell_heading, self.cell_view = QLabel(), self._make_view(wrong=False)
        self.wrong_heading, self.wrong_view = QLabel(), self._make_view(wrong=True)
        cell_box = _tab_box(picker, self.cell_heading, self.cell_view)
        wrong_box = _tab_box(None, self.wrong_heading, self.wrong_view)

        self.per_class_table = PerClassTable(noun)
        self.per_class_model = self.per_class_table.rows_model

        self.tabs = QTabWidget()
        self.tabs.addTab(cell_box, self.items_tab)
        self.tabs.addTab(wrong_box, "Most confidently wrong")
        self.tabs.addTab(self.per_class_table, "Per class")
        self.tabs.setTabToolTip(0, f"The test {noun}s of one confusion-matrix cell")
        self.tabs.setTabToolTip(1, "Wrong predictions the model was surest about")
        self.tabs.setTabToolTip(2, "Precision, recall and F1 of each class")
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(matrix_box)
        self.split.addWidget(self.tabs)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 3)

        self.stack = QStackedWidget()
        self.empty = QLabel("No results yet.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.split)
        self.trust = TrustViews(
            state, self.stack, noun, FileGroups(lambda: state.loaded(self.kind))
        )

        column = page_column(
            self,
            header,
            self.summary,
            self.continued,
            self.banner,
            self.diagnosis_banner,
            self.cards,
            self.trust.tabs,
            margins=False,
        )
        column.setContentsMargins(TRUST_MARGINS)

        state.run_finished.connect(self.show_run)
        state.dataset_changed.connect(lambda: self.show_run())
        if state.run is not None:
            self.show_run()

    # -- what subclasses supply ---------------------------------------------------------------
    def _make_view(self, *, wrong: bool) -> QWidget:
        """The widget that shows a set of test files (``wrong``: the confident mistakes)."""
        raise NotImplementedError

    def _show_rows(self, view: QWidget, rows: Any, *, arrow: bool) -> list[Any]:
        """Show test-prediction ``rows`` (DataFrame, in order; None clears) in ``view`` and
        return one item per row. ``arrow``: the rows' true classes differ (say "a → b")."""
        raise NotImplementedError

    def _model_details(self, meta: dict[str, Any]) -> str:
        """What follows the architecture's name in the summary ("at 224×224 px")."""
        return ""

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Stop the trust tabs' workers (the window calls this on close)."""
        return self.trust.wait_idle(msecs)

    def _empty_text(self) -> str:
        return f"Train a model to see its results on held-out test {self.noun}s."

    # -- showing a run ------------------------------------------------------------------------
    def show_run(self, run: Any = None) -> None:
        """Show ``run`` (default: ``state.run``) if it is of this page's kind; else clear."""
        run = run if run is not None else self.state.run
        if run is not None and str(getattr(run, "kind", None)) != self.kind.name:
            run = None
        self.run = run
        self.trust.show_run(run)
        self.diagnosis_banner.dismiss()
        self.banner.dismiss()
        self.save_button.setEnabled(run is not None)
        self.cell = None
        self.cell_items = self._show_rows(self.cell_view, None, arrow=False)
        self.wrong_items = self._show_rows(self.wrong_view, None, arrow=True)
        if run is None:
            self.cards.set_metrics([])
            self.matrix.clear()
            self.per_class_table.clear_rows()
            for combo in (self.actual_combo, self.predicted_combo):
                combo.clear()
            self.summary.setText(self._empty_text())
            self.continued.hide()
            self.stack.setCurrentWidget(self.empty)
            return
        report = run.report
        names = self.class_names()
        self.cards.show_report(report, self.noun)
        self.summary.setText(self._summary_text(run))
        self.continued.setText(continued_html(run))
        self.continued.setVisible(bool(self.continued.text()))
        self._show_verdict(run)
        if run.notices:
            self.banner.show_message(" ".join(run.notices), "", "info")
        matrix = report.get("confusion_matrix", [])
        self.matrix.set_matrix(matrix, names)
        self.per_class_table.show_report(report)
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
        parts = [f"Test split: {plural(n, self.noun)} never seen in training."]
        arch = str(meta.get("architecture", ""))
        if arch:
            model = self.architecture_names.get(arch, arch)
            details = self._model_details(meta)
            if details:
                model += f" {details}"
            layers = (meta.get("training_result") or {}).get("fine_tuned_layers")
            if isinstance(layers, int) and layers > 0:
                model += f", top {plural(layers, 'layer')} fine-tuned"
            parts.append(f"Model: {model}.")
        epochs = getattr(result, "epochs_run", 0) or len(run.history.get("loss") or [])
        training = f"Training: {plural(epochs, 'epoch')}"
        seconds = getattr(result, "seconds", 0.0)
        if seconds and seconds > 0:
            training += f" in {format_duration(seconds, unknown='?')}"
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
        if isinstance(best, int) and best >= 0 and not was_refit(run):  # over all phases
            parts.append(f"Weights from the best epoch, {best + 1}.")
        parts += filter(None, (class_weights_text(run, self.noun), refit_text(run, self.noun)))
        parts.append(continued_sentence(run))
        return " ".join(p for p in parts if p)

    def _show_confidently_wrong(self) -> None:
        df = self.run.test_predictions
        n_wrong = int((df["actual"].astype(str) != df["prediction"].astype(str)).sum())
        self.wrong_items = self._show_rows(
            self.wrong_view, self.run.confidently_wrong(), arrow=True
        )
        wrong = f"wrong test {self.noun}"
        if n_wrong == 0:
            text = "No wrong predictions on the test split."
        elif len(self.wrong_items) < n_wrong:
            text = (
                f"The {len(self.wrong_items):,} most confidently wrong of "
                f"{plural(n_wrong, wrong)}, {self.wrong_hint}."
            )
        else:
            text = f"{plural(n_wrong, wrong)}, {self.wrong_hint}."
        self.wrong_heading.setText(text)

    # -- one confusion-matrix cell ------------------------------------------------------------
    def show_cell(self, actual_idx: int, predicted_idx: int) -> None:
        """Show the test files whose true class is ``actual_idx`` and prediction
        ``predicted_idx`` in the first tab, most confident first."""
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
        self.cell_items = self._show_rows(self.cell_view, rows, arrow=False)
        self.matrix.selected = self.cell
        self.matrix.update()
        self.actual_combo.setCurrentIndex(actual_idx)
        self.predicted_combo.setCurrentIndex(predicted_idx)
        verdict = "correct" if actual_idx == predicted_idx else "wrong"
        heading = f"{plural(len(rows), self.noun)}: actual {actual}, predicted {predicted}"
        if len(rows):
            heading += f" ({verdict}; {self.cell_hint})"
        self.cell_heading.setText(heading)
        self.tabs.setCurrentIndex(0)

    def _combo_activated(self, _index: int) -> None:
        a, p = self.actual_combo.currentIndex(), self.predicted_combo.currentIndex()
        if a >= 0 and p >= 0:
            self.show_cell(a, p)

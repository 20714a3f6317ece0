"""Evaluate page: the test-split report of the finished run.

Classification: metric cards (accuracy next to balanced accuracy), per-class table (with the
class each is most often mistaken for; both shared with the file kinds' page), confusion
matrix (click a cell to list those test rows), ROC curve for binary tasks. Regression: metric cards, predicted-vs-actual and residual
plots. Plus the training summary and diagnosis, and "Save report…" (report.json).

Beside these results, the trust tabs every Evaluate page shares (``pages/_trust_tabs.py``:
Calibration, Threshold, Subgroups by any column of the loaded table) and the table's own
explanations (``pages/_trust_explain.py``: Importance, Explain rows; double-click a listed
row to explain it).
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.base.units import format_duration
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.project._records import mlp_words, network_words
from automl_gui.gui.pages._continued_summary import continued_html, continued_sentence
from automl_gui.gui.pages._report import ReportSaving, refit_text, was_refit
from automl_gui.gui.pages._train_summary import STOP_REASONS
from automl_gui.gui.pages._trust_explain import ExplainRowsTab, ImportanceTab
from automl_gui.gui.pages._trust_slices import TableGroups
from automl_gui.gui.pages._trust_tabs import TRUST_MARGINS, TrustViews
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import Banner
from automl_gui.gui.widgets.confusion_matrix import ConfusionMatrixView
from automl_gui.gui.widgets.dataframe_model import DataFrameModel
from automl_gui.gui.widgets.frame_table import FrameTable
from automl_gui.gui.widgets.live_plots import TRAIN_COLOR, VAL_COLOR
from automl_gui.gui.widgets.metrics_view import MetricCards, PerClassTable, class_weights_text
from automl_gui.gui.widgets.page_layout import page_column
from automl_gui.plots.style import AXIS_COLOR, style_plot


def _plot(title: str, xlabel: str, ylabel: str) -> pg.PlotWidget:
    w = pg.PlotWidget(background="w")
    style_plot(w.getPlotItem(), title, xlabel, ylabel)
    return w


class EvaluatePage(ReportSaving, QWidget):
    """Shows how the trained model did on the held-out test split."""

    name = "evaluate"
    title = "Evaluate"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.run: Any = None

        header = self._report_header("Evaluate")

        self.summary = QLabel("Train a model to see its results on held-out test data.")
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

        # classification view
        self.matrix = ConfusionMatrixView()
        self.matrix.cell_clicked.connect(self.show_cell_rows)
        matrix_box = QWidget()
        mb = QVBoxLayout(matrix_box)
        mb.setContentsMargins(0, 0, 0, 0)
        mb.addWidget(QLabel("<b>Confusion matrix</b> (click a cell to list its test rows)"))
        mb.addWidget(self.matrix, 1)
        self.per_class_table = PerClassTable("row")
        self.per_class_model = self.per_class_table.rows_model
        self.errors_label = QLabel("Click a cell of the confusion matrix.")
        self.errors_model = DataFrameModel()
        self.errors_table = FrameTable()  # a wide table's columns fitted as they show
        self.errors_table.setModel(self.errors_model)
        errors_box = QWidget()
        eb = QVBoxLayout(errors_box)
        eb.setContentsMargins(0, 0, 0, 0)
        eb.addWidget(self.errors_label)
        eb.addWidget(self.errors_table, 1)
        self.roc_plot = _plot("ROC curve (test split)", "false positive rate", "true positive rate")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.per_class_table, "Per class")
        self.tabs.addTab(errors_box, "Rows")
        self.tabs.addTab(self.roc_plot, "ROC curve")
        cls_split = QSplitter(Qt.Orientation.Horizontal)
        cls_split.addWidget(matrix_box)
        cls_split.addWidget(self.tabs)
        cls_split.setStretchFactor(0, 2)
        cls_split.setStretchFactor(1, 3)

        # regression view
        self.scatter_plot = _plot("Predicted vs actual (test split)", "actual", "predicted")
        self.residual_plot = _plot("Residuals", "predicted", "actual − predicted")
        reg_split = QSplitter(Qt.Orientation.Horizontal)
        reg_split.addWidget(self.scatter_plot)
        reg_split.addWidget(self.residual_plot)

        self.stack = QStackedWidget()
        self.empty = QLabel("No results yet.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(cls_split)
        self.stack.addWidget(reg_split)
        self.errors_table.doubleClicked.connect(self._explain_listed_row)
        self.errors_table.setToolTip("Double-click a row to see what moved its answer")
        self.trust = TrustViews(
            state,
            self.stack,
            "row",
            TableGroups(lambda: state.loaded(TABULAR)),
        )
        self.importance = ImportanceTab(self.trust.jobs)
        self.explain_rows = ExplainRowsTab(self.trust.jobs, lambda: state.loaded(TABULAR))
        self.trust.add_tab(self.importance, "Importance", "Which columns the model relies on")
        self.trust.add_tab(
            self.explain_rows, "Explain rows", "Why the model answered one test row as it did"
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

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Stop the trust tabs' workers (the window calls this on close)."""
        return self.trust.wait_idle(msecs)

    # -- showing a run ------------------------------------------------------------------------
    def show_run(self, run: Any = None) -> None:
        """Show ``run`` (default: ``state.run``); clears the page when there is none."""
        run = run if run is not None else self.state.run
        self.run = run
        self.trust.show_run(run)
        self.diagnosis_banner.dismiss()
        self.banner.dismiss()
        self.save_button.setEnabled(run is not None)
        if run is None:
            self.cards.set_metrics([])
            self.matrix.clear()
            self.summary.setText("Train a model to see its results on held-out test data.")
            self.continued.hide()
            self.stack.setCurrentWidget(self.empty)
            return
        report = run.report
        self.summary.setText(self._summary_text(run))
        self.continued.setText(continued_html(run))
        self.continued.setVisible(bool(self.continued.text()))
        self._show_verdict(run)
        if getattr(run, "notices", None):  # e.g. a continued run's categories it cannot learn
            self.banner.show_message(" ".join(run.notices), "", "info")
        if report.get("task") == "regression":
            self._show_regression(report)
        else:
            self._show_classification(report)

    def _summary_text(self, run: Any) -> str:
        r = run.result
        reason = STOP_REASONS.get(r.stopped_reason, r.stopped_reason)
        n = run.report.get("n_samples", 0)
        weights = "" if was_refit(run) else f"; weights from the best epoch, {r.best_epoch + 1}"
        model = ", ".join(
            filter(None, (mlp_words(run.metadata), network_words(run.metadata.get("model") or {})))
        )
        text = (
            f"Test split: {n:,} rows never seen in training. Model: {model}. "
            f"Training: {r.epochs_run} epochs in "
            f"{format_duration(r.seconds, unknown='?')} ({reason}){weights}."
        )
        more = (class_weights_text(run, "row"), refit_text(run, "row"), continued_sentence(run))
        return " ".join((text, *filter(None, more)))

    def _show_classification(self, report: dict[str, Any]) -> None:
        m = report.get("metrics", {})
        self.cards.show_report(report, "row")
        self.per_class_table.show_report(report)
        self.matrix.set_matrix(report.get("confusion_matrix", []), report.get("class_names", []))
        self.errors_model.set_frame(None)
        self.errors_label.setText("Click a cell of the confusion matrix to list its test rows.")
        roc = report.get("roc")
        self.roc_plot.clear()
        self.tabs.setTabVisible(2, roc is not None)
        if roc is not None:
            pts = [
                (f, t)
                for f, t in zip(roc["fpr"], roc["tpr"], strict=False)
                if f is not None and t is not None
            ]
            self.roc_plot.plot([0, 1], [0, 1], pen=pg.mkPen("#868e96", style=Qt.PenStyle.DashLine))
            self.roc_plot.plot(
                [p[0] for p in pts], [p[1] for p in pts], pen=pg.mkPen(TRAIN_COLOR, width=2)
            )
            auc = m.get("roc_auc")
            if auc is not None:
                self.roc_plot.getPlotItem().setTitle(
                    f"ROC curve (test split), AUC {auc:.3f}", color=AXIS_COLOR, size="11pt"
                )
        self.tabs.setCurrentIndex(0)
        self.stack.setCurrentIndex(1)

    def _show_regression(self, report: dict[str, Any]) -> None:
        self.cards.show_report(report, "row")
        samples = report.get("samples", {})
        pairs = [
            (a, p)
            for a, p in zip(samples.get("actual", []), samples.get("predicted", []), strict=False)
            if a is not None and p is not None
        ]
        actual = [a for a, _ in pairs]
        predicted = [p for _, p in pairs]
        self.scatter_plot.clear()
        self.residual_plot.clear()
        if pairs:
            lo, hi = min(actual + predicted), max(actual + predicted)
            self.scatter_plot.plot(
                [lo, hi], [lo, hi], pen=pg.mkPen("#868e96", width=1.5, style=Qt.PenStyle.DashLine)
            )
            self._scatter(self.scatter_plot, actual, predicted)
            self.residual_plot.addItem(
                pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#868e96", style=Qt.PenStyle.DashLine))
            )
            self._scatter(self.residual_plot, predicted, [a - p for a, p in pairs])
        self.stack.setCurrentIndex(2)

    @staticmethod
    def _scatter(plot: pg.PlotWidget, xs: list[float], ys: list[float]) -> None:
        plot.plot(
            xs,
            ys,
            pen=None,
            symbol="o",
            symbolSize=7,
            symbolBrush=pg.mkBrush(VAL_COLOR + "99"),
            symbolPen=None,
        )

    # -- errors table ------------------------------------------------------------------------
    def show_cell_rows(self, true_idx: int, pred_idx: int) -> None:
        """List the test rows whose true class is ``true_idx`` and prediction ``pred_idx``."""
        run = self.run
        if run is None or run.test_predictions is None:
            return
        names = [str(c) for c in run.report.get("class_names", [])]
        if not (0 <= true_idx < len(names) and 0 <= pred_idx < len(names)):
            return
        from automl_gui.core.export.bundle import answer_column

        df = run.test_predictions  # a user's own "actual" column is kept: ask which is ours
        actual, predicted = answer_column(df, "actual"), answer_column(df, "prediction")
        mask = (df[actual].astype(str) == names[true_idx]) & (
            df[predicted].astype(str) == names[pred_idx]
        )
        rows = df[mask]
        self.errors_model.set_frame(rows)
        kind = "correct" if true_idx == pred_idx else "misclassified"
        self.errors_label.setText(
            f"{len(rows):,} test rows ({kind}): true <b>{names[true_idx]}</b>, "
            f"predicted <b>{names[pred_idx]}</b>"
        )
        self.errors_table.resizeColumnsToContents()
        self.tabs.setCurrentIndex(1)

    def _explain_listed_row(self, index: Any) -> None:
        """Explain the listed test row double-clicked (in the Explain rows tab)."""
        rows, run = self.errors_model.frame, self.run
        if rows is None or run is None or not index.isValid():
            return
        label = rows.index[index.row()]
        position = run.test_predictions.index.get_loc(label)
        if isinstance(position, int):
            self.trust.tabs.setCurrentWidget(self.explain_rows)
            self.explain_rows.select_row(position)

    def shown_rows(self) -> Any:
        """The DataFrame the rows table currently shows (tests)."""
        return self.errors_model.frame

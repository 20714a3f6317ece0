"""The Predict page's trust parts: whether the data predicted on still looks like the
training data (drift), and for a table model, what moved the selected row's answer.

Drift (``core.trust.drift.predict_with_drift``) is worked out in the prediction's own
worker, in the same pass: a table per column, files and texts on the model's embedding (the
kind's own prediction runs once with a model that also hands over the embeddings). A :class:`DriftStrip` under the buttons names what drifted (and
categories the model never saw, said there only: :func:`said_by_drift` takes them out of the
page's notices), with the figures a click away ("Details"); a muted line says the data was
compared and nothing drifted, or that the model was saved without a reference (before drift
was recorded).

A table row's contributions are ``core.trust.tables.row_contributions`` (sampling Shapley
values over the user's columns, the bundle's sample rows as background), one row at a time
in a worker; selecting rows quickly keeps only the last one asked for
(:class:`ContributionsPanel`, :class:`PredictTrust`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from automl_gui.gui.pages._predict_files import MediaKind
from automl_gui.gui.widgets.bar_chart import scrolling
from automl_gui.gui.widgets.dataframe_model import DataFrameModel
from automl_gui.gui.widgets.frame_table import FrameTable
from automl_gui.gui.widgets.importance_chart import ImportanceChart
from automl_gui.gui.workers import JobWorker

#: the drift figures shown under the strip: the report's column → (header, format); the
#: report's own names and figures are what ``drift.csv`` holds
DETAIL_COLUMNS = {
    "feature": ("Compared", "text"),
    "drifted": ("Drifted", "yes"),
    "test": ("Test", "text"),
    "score": ("Score", "figure"),  # named by the report's "statistic" ("PSI")
    "p_value": ("p-value", "p"),
    "missing_train": ("Missing in training", "percent"),
    "missing_new": ("Missing now", "percent"),
    "unseen": ("Rows with new categories", "count"),
    "unseen_values": ("New categories", "text"),
    "far": ("Far from training", "count"),
    "items": ("Compared items", "count"),
    "expected_share": ("Expected far", "percent"),
}
DETAILS_HEIGHT = 170  # px of the details table
RETRAIN = "The model may be less accurate on this data; retrain it with recent data."
NO_REFERENCE = (
    "Drift not checked: this model was saved without a summary of its training data "
    "(models trained from now on have one)."
)
ROW_DELAY_MS = 150  # a row selected this long is explained (arrowing through rows is not)
TABLE_SHARE = 0.62  # of the width, for a table model's answers beside the contributions


class DriftStrip(QFrame):
    """A warning strip naming what drifted, "Details" showing the figures, ✕ dismissing it;
    or a muted line (checking, no reference)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: Any = None
        self.bar = QFrame()
        self.bar.setObjectName("banner")
        self.bar.setProperty("banner", "warning")
        icon = QLabel()
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(18, 18)
        )
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton("Details")
        self.details_button.setCheckable(True)
        self.details_button.setToolTip("Show the figures per column (or for the embedding)")
        self.details_button.toggled.connect(self._toggle_details)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss this message")
        close.clicked.connect(self.clear)
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(6, 4, 4, 4)
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)
        row.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.method = QLabel()
        self.method.setProperty("role", "muted")
        self.method.setWordWrap(True)
        self.details_model = DataFrameModel()
        self.details = FrameTable()
        self.details.setModel(self.details_model)
        self.note = QLabel()
        self.note.setProperty("role", "muted")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for widget in (self.bar, self.method, self.details, self.note):
            layout.addWidget(widget)
            widget.hide()
        self.hide()

    @property
    def shown_text(self) -> str:
        """What the strip says (the warning, or the muted line)."""
        if self.bar.isVisibleTo(self):
            return self.text.text()
        return self.note.text() if self.note.isVisibleTo(self) else ""

    def show_report(self, report: Any) -> None:
        """A report: the warning when something drifted or holds categories the model never
        saw, else a muted line saying the data was compared and nothing drifted."""
        self.clear()
        if report is None:
            return
        if not report.drifted and not _unseen(report):
            n = len(report.table) if report.table is not None else 0
            if report.subject == "embeddings":  # files: the share far from training
                said = report.summary()
                if said.startswith("No drift: "):
                    said = "nothing drifted; " + said[len("No drift: ") :]
                self.show_note(f"Compared with the training data: {said}")
            else:
                self.show_note(
                    f"Compared with the training data: nothing drifted ({n:,} {report.subject})."
                )
            return
        self.report = report
        self.text.setText(f"Drift: {report.summary(figures=False)} {RETRAIN}")
        self.method.setText(" ".join([report.method, *report.notes]).strip())
        self.details_model.set_frame(details_frame(report.table))
        self.bar.show()
        self.show()

    def show_note(self, text: str) -> None:
        """A muted line instead of the warning (checking…, no reference)."""
        self.clear()
        self.note.setText(text)
        self.note.show()
        self.show()

    def clear(self) -> None:
        self.report = None
        self.details_button.setChecked(False)
        for widget in (self.bar, self.method, self.details, self.note):
            widget.hide()
        self.details_model.set_frame(None)
        self.hide()

    def _toggle_details(self, on: bool) -> None:
        self.details_button.setText("Hide details" if on else "Details")
        self.method.setVisible(on and bool(self.method.text()))
        self.details.setVisible(on)
        if on:
            self.details.resizeColumnsToContents()
            view = self.details  # as tall as its rows (one for files), up to DETAILS_HEIGHT
            rows = self.details_model.rowCount()
            height = view.horizontalHeader().height() + 2 * view.frameWidth()
            height += rows * view.verticalHeader().defaultSectionSize()
            height += view.horizontalScrollBar().sizeHint().height()
            view.setFixedHeight(min(DETAILS_HEIGHT, height))


def _unseen(report: Any) -> dict[str, Any]:
    try:
        return dict(report.unseen)
    except Exception:  # noqa: BLE001 - a files' report has no categories
        return {}


def said_by_drift(notices: list[str], problems: list[dict[str, Any]], report: Any) -> list[str]:
    """``notices`` without the lines the drift strip says already: a column's line whose only
    problem is categories the model never saw, when the drift report names that column."""
    unseen = set(_unseen(report)) if report is not None else set()
    only_unseen = {
        str(p.get("column"))
        for p in problems or []
        if int(p.get("unseen") or 0)
        and not any(int(p.get(k) or 0) for k in ("not_numbers", "infinite", "far_outside"))
    }
    dropped = {f"Column '{c}':" for c in only_unseen & unseen}
    return [n for n in notices if not any(str(n).startswith(d) for d in dropped)]


def details_frame(table: Any) -> Any:
    """The report's figures in words a reader knows ("p < 0.001", "2.5%", "yes"); at most
    one row per used column, so vectorized formatting is quick."""
    import numpy as np
    import pandas as pd

    shown = {}
    for column, (header, style) in DETAIL_COLUMNS.items():
        if column not in table.columns:
            continue
        values = table[column]
        if column == "score" and "statistic" in table.columns:
            names = {str(v) for v in table["statistic"].dropna()}
            if len(names) == 1 and len(next(iter(names))) <= 12:  # "PSI"; a long one: tooltip
                header = next(iter(names))
        if style == "yes":
            shown[header] = np.where(values.astype(bool), "yes", "")
        elif style == "percent":
            shown[header] = values.map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
        elif style == "p":
            shown[header] = values.map(
                lambda v: "" if pd.isna(v) else "< 0.001" if v < 0.001 else f"{v:.3f}"
            )
        elif style == "figure":
            shown[header] = values.map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
        elif style == "count":
            shown[header] = values.map(lambda v: "" if pd.isna(v) else f"{int(v):,}")
        else:
            shown[header] = values.astype(str)
    return pd.DataFrame(shown)


class ContributionsPanel(QWidget):
    """One table row's contributions: a sentence and signed bars (blue up, orange down)."""

    PROMPT = "Select a row to see how each of its columns moved the answer."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.words = QLabel(self.PROMPT)
        self.words.setWordWrap(True)
        self.chart = ImportanceChart()
        self.chart.setMinimumWidth(200)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(self.words)
        layout.addWidget(scrolling(self.chart), 1)

    def clear(self) -> None:
        self.words.setText(self.PROMPT)
        self.chart.clear()

    def show_busy(self, row: int) -> None:
        self.words.setText(f"Working out what moved the answer of row {row + 1:,}…")

    def show_contributions(
        self,
        row: int,
        contributions: Any,
        task: str,
        values: Any = None,
        drift: Any = None,
    ) -> None:
        """The first row of ``row_contributions``' answer, largest effects first; ``values``
        (the row, a Series) names each bar with the column's value ("monthly_charges =
        59.14"), as the Evaluate page does."""
        from automl_gui.gui.pages._trust_explain import shown_value

        first = contributions.iloc[0]
        prefix = "contribution_"
        drifted = set(drift.drifted) if drift is not None else set()
        unseen = set(_unseen(drift)) if drift is not None else set()
        pairs, tips = [], {}
        for c in contributions.columns:
            if str(c).startswith(prefix):
                column = str(c)[len(prefix) :]
                name = column
                if values is not None and column in values.index:
                    name = f"{column} = {shown_value(values[column])}"
                if column in unseen or column in drifted:
                    # a push from a value unlike the training data: not to be trusted
                    name += " ⚠"
                    tips[name] = (
                        f"{column} holds categories the model never saw"
                        if column in unseen
                        else f"{column} differs from the training data (drift)"
                    ) + ": its push is an extrapolation, not to be trusted"
                pairs.append((name, float(first[c])))
        pairs.sort(key=lambda p: -abs(p[1]))
        self.chart.set_bars(
            [n for n, _ in pairs],
            [v for _, v in pairs],
            signed_colors=True,
            tips=[tips.get(n, "") for n, _ in pairs],
        )
        words = contribution_words(row, first, task)
        if tips:
            words += " ⚠: a column unlike the training data (see the drift line above)."
        self.words.setText(words)


def contribution_words(row: int, first: Any, task: str) -> str:
    """ "Row 3 (predicted yes): from the average P(yes), 41.0%, over typical rows, its
    columns move the answer to P(yes) = 87.2%. Blue bars pushed it up, orange down."."""
    predicted = first["prediction"]
    base, output = float(first["base"]), float(first["output"])
    if task == "regression":
        start, what = f"the average prediction {base:,.4g}", f"the predicted value {output:,.4g}"
    else:
        start, what = f"the average P({predicted}), {base:.1%},", f"P({predicted}) = {output:.1%}"
    return (
        f"Row {row + 1:,} (predicted {predicted}): starting from {start} over typical rows, "
        f"its columns move the answer to {what}. Blue bars pushed it up, orange down."
    )


def has_reference(bundle: Any) -> bool:
    """Whether ``bundle`` was saved with a summary of its training data."""
    from automl_gui.core.trust.drift import DRIFT_KEY

    return bool((getattr(bundle, "metadata", None) or {}).get(DRIFT_KEY))


@dataclass(frozen=True)
class DriftingMedia(MediaKind):
    """A file model's :class:`MediaKind` whose ``predict`` also works out the drift (the
    kind's own prediction runs once, with a model that also hands over the embeddings) and
    leaves the report in ``sink`` under the prediction's ``generation`` (the worker thread
    writes it before the answers reach the window; the window reads it then)."""

    sink: dict[int, Any] = field(default_factory=dict, compare=False)
    generation: int = 0

    def predict(self, bundle: Any, paths: list[str], on_event: Any, cancel: Any) -> Any:
        from automl_gui.core.trust.drift import predict_with_drift

        frame, report = predict_with_drift(bundle, paths, on_event=on_event, cancel=cancel)
        self.sink[self.generation] = report
        return frame


class PredictTrust:
    """Mixin of the Predict page: drift after each prediction, a table row's contributions.

    The page supplies ``bundle``, ``predictions``, ``table``, ``split`` and
    ``predictions_ready``; it calls :meth:`_init_trust` once its widgets exist,
    :meth:`_show_drift` with a table's report and :meth:`_stop_trust` when the model or the
    answers change (and before each prediction). It comes before ``FilesPredicting`` among
    the page's bases: its :meth:`media` answers files and compares them in one pass.
    """

    def _init_trust(self) -> None:
        self._drift_sink: dict[int, Any] = {}  # prediction generation → a files' report
        self.drift_strip = DriftStrip()
        self.contributions = ContributionsPanel()
        self.contributions.hide()
        self.contributions_worker: JobWorker | None = None
        self._asked_row = -1  # the row whose contributions are wanted
        self._trust_generation = 0  # answers for older predictions are dropped
        self._row_timer = QTimer(self)
        self._row_timer.setSingleShot(True)
        self._row_timer.setInterval(ROW_DELAY_MS)
        self._row_timer.timeout.connect(self._explain_asked_row)
        # a row the user picked: current AND selected (focus alone makes a row current; a
        # click or selectRow sets the current row before or after selecting it)
        selection = self.table.selectionModel()
        selection.currentRowChanged.connect(lambda *_: self._picked_row())
        selection.selectionChanged.connect(lambda *_: self._picked_row())

    # -- files: answered and compared in one pass ------------------------------------------
    def media(self) -> MediaKind | None:
        """``FilesPredicting.media``; for a model with a drift reference, an adapter whose
        ``predict`` also compares the files with the training data while answering them
        (``predict_with_drift``: one pass, in the prediction's worker)."""
        media = super().media()  # type: ignore[misc]
        if media is None or not has_reference(self.bundle):
            return media
        return DriftingMedia(media.kind, media.words, self._drift_sink, self._trust_generation)

    def predict_files(self, paths: list[str]) -> None:
        """``FilesPredicting.predict_files`` for a new prediction: what showed goes."""
        self._stop_trust()  # a new generation: the adapter made next files its report here
        super().predict_files(paths)  # type: ignore[misc]

    predict_images = predict_files  # the names the tests and the window know
    predict_clips = predict_files

    def _after_predictions(self, _frame: Any) -> None:
        """``predictions_ready``: a file model's answers show, and its drift with them."""
        if self.media() is not None:
            self._show_drift(self._drift_sink.pop(self._trust_generation, None))

    def _split_for_contributions(self) -> None:
        """A table model's answers take the width until a row is selected (the panel would
        only say "select a row"); then they share it with the row's contributions."""
        self.contributions.hide()

    def _open_contributions(self) -> None:
        """The selected row's contributions beside the answers."""
        split = self.split
        if self.contributions.isVisible():
            return
        self.contributions.show()
        total = max(sum(split.sizes()), split.width())
        sizes = [0] * split.count()
        sizes[0] = int(total * TABLE_SHARE)
        sizes[split.indexOf(self.contributions)] = total - sizes[0]
        split.setSizes(sizes)

    # -- drift ------------------------------------------------------------------------------
    def _show_drift(self, report: Any) -> None:
        """After a prediction: the warning, nothing, or the no-reference note."""
        if report is None and not has_reference(self.bundle):
            self.drift_strip.show_note(NO_REFERENCE)
        else:
            self.drift_strip.show_report(report)

    # -- a table row's contributions --------------------------------------------------------
    def _shows_contributions(self) -> bool:
        return self.bundle is not None and self.media() is None and self.predictions is not None

    def _picked_row(self) -> None:
        selection = self.table.selectionModel()
        row = selection.currentIndex().row()
        if row >= 0 and row != self._asked_row and selection.isRowSelected(row, QModelIndex()):
            self._row_selected(row)

    def _row_selected(self, row: int) -> None:
        if not self._shows_contributions() or row < 0:
            return
        self._asked_row = row
        self._open_contributions()
        self.contributions.show_busy(row)
        self._row_timer.start()

    def _explain_asked_row(self) -> None:
        if self.contributions_worker is not None:  # the last row asked goes next
            self.contributions_worker.cancel()
            return
        row, frame, bundle = self._asked_row, self.predictions, self.bundle
        if row < 0 or frame is None or row >= len(frame):
            return
        generation = self._trust_generation
        record = frame.iloc[[row]]

        def job(on_event: Any, cancel: Any) -> Any:
            from automl_gui.core.trust.tables import row_contributions

            # background None: the bundle's own sample rows (training-like rows)
            return row_contributions(bundle, record, None, seed=0, cancel=cancel)

        worker = JobWorker(job, self)
        worker.finished.connect(lambda result: self._contributions_done(generation, row, result))
        worker.failed.connect(
            lambda message, _hint: self._contributions_failed(generation, message)
        )
        worker.done.connect(self._contributions_worker_done)
        self.contributions_worker = worker
        worker.start()

    def _contributions_done(self, generation: int, row: int, result: Any) -> None:
        if generation != self._trust_generation or result is None or not len(result):
            return
        if row == self._asked_row:
            frame = self.predictions
            values = frame.iloc[row] if frame is not None and row < len(frame) else None
            self.contributions.show_contributions(
                row, result, str(self.bundle.task), values, self.drift_strip.report
            )

    def _contributions_failed(self, generation: int, message: str) -> None:
        if generation == self._trust_generation:
            self.contributions.words.setText(f"Could not work out the contributions: {message}")

    def _contributions_worker_done(self) -> None:
        self.contributions_worker = None
        shown = self.contributions.words.text()
        if self._asked_row >= 0 and shown.startswith("Working out"):
            self._explain_asked_row()  # a newer row was asked meanwhile

    # -- lifetime ---------------------------------------------------------------------------
    def _stop_trust(self) -> None:
        """The answers or the model changed: drop what is under way and what is shown."""
        self._trust_generation += 1
        self._asked_row = -1
        self._row_timer.stop()
        self._drift_sink.clear()
        if self.contributions_worker is not None:
            self.contributions_worker.cancel()
        self.drift_strip.clear()
        self.contributions.clear()

    def _trust_idle(self, msecs: int) -> bool:
        worker = self.contributions_worker
        return worker is None or worker.wait(msecs)

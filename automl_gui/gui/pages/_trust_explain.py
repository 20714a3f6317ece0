"""The table Evaluate page's explanation tabs: which columns the model relies on (Importance)
and why it answered one test row as it did (Explain rows).

Importance is ``core.trust.tables.permutation_importance`` on the run's test rows (their
columns and the true answers under the target's name), computed in a worker with progress
and Cancel; it starts by itself when the tab is opened on a small test split (under
:data:`AUTO_ROWS` rows) and is kept per run while the window is open. A row's contributions are
``core.trust.tables.row_contributions`` (sampling Shapley values over the user's columns,
with the test rows as background), one row at a time in a worker: picking another row while
one is worked out starts the new one and drops the old one's answer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from automl_gui.gui.pages._trust_data import decided
from automl_gui.gui.widgets.bar_chart import scrolling
from automl_gui.gui.widgets.dataframe_model import DataFrameModel
from automl_gui.gui.widgets.frame_table import FrameTable
from automl_gui.gui.widgets.importance_chart import ImportanceChart
from automl_gui.gui.widgets.page_layout import BusyRow

AUTO_ROWS = 2000  # test splits this small get their importance when the tab is opened
REPEATS = 5
BACKGROUND_ROWS = 100  # test rows the contributions compare a row against


def _answers_of(df: Any) -> set[str]:
    from automl_gui.gui.pages._trust_slices import _answer_columns

    return _answer_columns(df)


def feature_rows(run: Any) -> Any:
    """The run's test rows as the model takes them (its answer columns left out)."""
    df = run.test_predictions
    answers = _answers_of(df)
    return df[[c for c in df.columns if str(c) not in answers]].reset_index(drop=True)


def rows_with_target(run: Any) -> Any:
    """The test rows with the true answers under the target's name (what importance scores)."""
    from automl_gui.core.export.bundle import answer_column

    df = run.test_predictions
    frame = feature_rows(run)
    metadata = run.metadata or {}
    target = str(metadata.get("target") or (metadata.get("preprocess") or {}).get("target"))
    frame[target] = df[answer_column(df, "actual")].to_numpy()
    return frame


def sentence(text: str) -> str:
    """``text`` ending with a full stop ("" stays "")."""
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def shown_value(value: Any) -> str:
    """A row's value as the chart names it: numbers in 4 significant figures, missing "–"."""
    if isinstance(value, float | np.floating):
        return "–" if np.isnan(value) else f"{float(value):.4g}"
    return "–" if value is None or value is pd.NA else str(value)


def answers_first(df: Any, ids: Any = None) -> Any:
    """The test rows with an identifying column (``ids``, a Series in the rows' order) first,
    then the model's answers (actual, prediction, probabilities to 3 decimals) and the rest."""
    answers = [c for c in df.columns if str(c) in _answers_of(df)]
    shown = df[answers + [c for c in df.columns if c not in answers]].reset_index(drop=True)
    for c in answers:
        if str(c).startswith("probability_") and pd.api.types.is_float_dtype(shown[c]):
            shown[c] = shown[c].round(3)
    if ids is not None and str(ids.name) not in map(str, shown.columns):
        shown.insert(0, str(ids.name), np.asarray(ids))
    return shown


def id_column(run: Any, table: Any) -> Any:
    """The loaded table's identifying column for ``run``'s test rows (a Series in their order):
    a column the model does not take whose values are all different ("customer_id"), names
    ending in "id" first; None when there is none or the table is not the run's."""
    df = getattr(table, "df", None)
    preprocess = (getattr(run, "metadata", None) or {}).get("preprocess") or {}
    if df is None or not preprocess or not len(df):
        return None
    taken = set(map(str, run.test_predictions.columns))
    candidates = [c for c in df.columns if str(c) not in taken]
    candidates.sort(key=lambda c: not str(c).lower().replace("_", "").endswith("id"))
    for c in candidates[:20]:
        if df[c].is_unique and df[c].notna().all():
            try:
                from automl_gui.core.trust._data import test_rows

                positions = test_rows(df, preprocess, run.task, expected=run.test_predictions)
            except Exception:  # noqa: BLE001 - another table: no id shown
                return None
            return df[c].iloc[positions].reset_index(drop=True).rename(str(c))
    return None


class ImportanceBase(QWidget):
    """A tab ranking what a run's model relies on as bars (``ImportanceChart``), worked out in
    the trust tabs' worker with progress and Stop and kept per run while the window is open:
    the table's Importance and the text page's Important words. A subclass gives its words
    (button, tooltip, busy row), ``_work(run)`` (the worker's callable) and ``_show``."""

    BUTTON = TOOLTIP = BUSY = STOP = ""

    def __init__(self, jobs: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.run: Any = None
        self._kept: dict[int, tuple[Any, Any]] = {}  # id(run) → (run, its answer)
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.compute_button = QPushButton(self.BUTTON)
        self.compute_button.setToolTip(self.TOOLTIP)
        self.compute_button.clicked.connect(self.compute)
        self.busy = BusyRow(self.BUSY, self.STOP, 160)
        self.chart = ImportanceChart()
        top = QHBoxLayout()
        top.addWidget(self.words, 1)
        top.addWidget(self.compute_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.busy)
        layout.addWidget(scrolling(self.chart), 1)

    def kept_answer(self, run: Any) -> Any:
        """``run``'s answer worked out earlier in this window, or None."""
        kept = self._kept.get(id(run))
        return kept[1] if kept is not None and kept[0] is run else None

    def compute(self) -> None:
        run = self.run
        if run is None:
            return
        work = self._work(run)
        self.compute_button.setEnabled(False)
        self.jobs.start(
            work,
            lambda result, r=run: self._finished(r, result),
            self,
            on_failed=self._failed,
            events=True,
        )

    def _work(self, run: Any) -> Any:
        """The worker's ``work(on_event, cancel)`` for ``run`` (read what it needs here)."""
        raise NotImplementedError

    def _failed(self, message: str, hint: str) -> None:
        self.compute_button.setEnabled(True)
        self.words.setText(f"{message} {hint}".strip())

    def _finished(self, run: Any, answer: Any) -> None:
        self.compute_button.setEnabled(True)
        self._kept = {k: v for k, v in self._kept.items() if v[0] is not run}
        self._kept[id(run)] = (run, answer)
        if run is self.run:
            self._show(answer)

    def _show(self, answer: Any) -> None:
        raise NotImplementedError


class ImportanceTab(ImportanceBase):
    """Permutation importance as bars with ± std whiskers, most important on top."""

    BUTTON = "&Compute importance"
    TOOLTIP = (
        "Shuffle each column of the test rows in turn and measure how much worse the "
        "model does: the columns it relies on most lose the most"
    )
    BUSY, STOP = "Shuffling each column in turn", "Stop working out the importance"

    def __init__(self, jobs: Any, parent: QWidget | None = None) -> None:
        super().__init__(jobs, parent)
        self._auto = False  # compute when the tab shows (a small test split not yet done)

    def show_run(self, run: Any) -> bool:
        self.run = run
        if run is None or run.test_predictions is None or not len(run.test_predictions):
            return False
        self._auto = False
        kept = self.kept_answer(run)
        if kept is not None:
            self._show(kept)
            return True
        self.chart.clear()
        self.compute_button.setEnabled(True)
        n = len(run.test_predictions)
        self.words.setText(
            "Which columns the model relies on: each column of the test rows is shuffled in "
            f"turn and the drop in its test score measured ({REPEATS} repeats)."
        )
        self._auto = n < AUTO_ROWS  # worked out when the tab is first looked at
        if self._auto and self.isVisible():
            self._auto = False
            self.compute()
        return True

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """A small test split's importance starts when the tab is first shown (not for every
        run shown: it takes seconds of the computer's time)."""
        super().showEvent(event)
        if self._auto and self.run is not None:
            self._auto = False
            self.compute()

    def _work(self, run: Any) -> Any:
        bundle, frame = run.bundle, rows_with_target(run)

        def work(on_event: Any, cancel: Any) -> Any:
            from automl_gui.core.trust.tables import permutation_importance

            return permutation_importance(
                bundle, frame, repeats=REPEATS, seed=0, on_event=on_event, cancel=cancel
            )

        return work

    def _show(self, importance: Any) -> None:
        self.compute_button.setEnabled(False)  # worked out for this run (the same again)
        method = sentence(str(importance.attrs.get("method") or ""))
        ordered = importance.sort_values("importance", ascending=False, kind="stable")
        self.chart.set_bars(
            ordered["feature"].astype(str).tolist(),
            ordered["importance"].astype(float).tolist(),
            ordered["std"].astype(float).tolist() if "std" in ordered else None,
        )
        regression = getattr(self.run, "task", "") == "regression"
        score = (
            "R² (how much of the spread of the answers the model explains)"
            if regression
            else "log loss (how far the model's probabilities are from the real answers)"
        )
        self.words.setText(
            (method + " " if method else "")
            + f"The score is {score}. Longer bars: columns the model relies on more; "
            "whiskers: ± the spread over repeats. Grey bars, whose whisker reaches zero, and "
            "bars below zero (shuffling the column did not hurt) are columns the model does "
            "not need: differences this small are chance."
        )


class ExplainRowsTab(QWidget):
    """The test rows; selecting one shows how each of its columns moved the answer."""

    def __init__(self, jobs: Any, table: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self._table = table or (lambda: None)  # the loaded table (its id column is shown)
        self._ids: tuple[Any, Any] | None = None  # (run, its test rows' ids or None)
        self.run: Any = None
        self._features: Any = None  # the run's test rows as the model takes them
        self._background: Any = None  # the rows a row's answer is compared against
        self.rows_model = DataFrameModel()
        self.rows_table = FrameTable()
        self.rows_table.setModel(self.rows_model)
        self.rows_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rows_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.rows_table.setToolTip("Select a test row (↑/↓) to see what moved its answer")
        self.words = QLabel("Select a test row to see how each of its columns moved the answer.")
        self.words.setWordWrap(True)
        self.busy = BusyRow("Working out the row's contributions", "Stop", 120)
        self.chart = ImportanceChart()
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(4, 0, 0, 0)
        rl.addWidget(self.busy)
        rl.addWidget(scrolling(self.chart), 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.rows_table)
        split.addWidget(right)
        split.setStretchFactor(0, 9)  # the list ~45 %: an id, the answers and some values
        split.setStretchFactor(1, 11)
        split.setSizes([450, 550])
        self.split = split
        self.right = right
        right.hide()  # until a row is selected: the list takes the width
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.words)
        layout.addWidget(split, 1)
        self.rows_table.selectionModel().currentRowChanged.connect(
            lambda current, _old: self.explain(current.row())
        )

    def show_run(self, run: Any) -> bool:
        self.run = run
        self._features = self._background = None
        self.rows_model.set_frame(None)
        self.chart.clear()
        self.right.hide()
        if run is None or run.test_predictions is None or not len(run.test_predictions):
            return False
        self.words.setText("Select a test row to see how each of its columns moved the answer.")
        if self.isVisible():
            self._fill()
        return True

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """The rows are listed when the tab is first shown for a run (a copy of the test
        split: tens of milliseconds on a large one, not spent for every run shown)."""
        super().showEvent(event)
        if self.run is not None and self._features is None:
            self._fill()

    def _fill(self) -> None:
        run = self.run
        # the answers as the model decides them now (a stored threshold applied)
        if self._ids is None or self._ids[0] is not run:
            self._ids = (run, id_column(run, self._table()))
        self.rows_model.set_frame(answers_first(decided(run), self._ids[1]))
        self.rows_table.resizeColumnsToContents()
        self._features = feature_rows(run)  # once per run: a row is explained from these
        self._background = self._features.sample(
            min(BACKGROUND_ROWS, len(self._features)), random_state=0
        )

    def threshold_changed(self, run: Any) -> None:
        """``run``'s threshold changed: the listed predictions follow it."""
        if run is self.run and self._features is not None:
            current = self.rows_table.currentIndex().row()
            self._fill()
            if current >= 0:
                self.select_row(current)

    def select_row(self, position: int) -> None:
        """Select the test row at ``position`` (its contributions follow)."""
        if self.run is not None and self._features is None:
            self._fill()
        index = self.rows_model.index(position, 0)
        self.rows_table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.rows_table.scrollTo(index)

    def explain(self, position: int) -> None:
        """Work out the contributions of the test row at ``position`` (in a worker)."""
        run = self.run
        if run is None or position < 0 or self._features is None:
            return
        features, background = self._features, self._background
        if position >= len(features):
            return
        row = features.iloc[[position]]
        bundle = run.bundle

        def work(_on_event: Any, cancel: Any) -> Any:
            from automl_gui.core.trust.tables import row_contributions

            return row_contributions(bundle, row, background, seed=0, cancel=cancel)

        self.words.setText(f"Working out what moved the answer of test row {position + 1:,}…")
        self.right.show()
        self.jobs.start(
            work, lambda result, r=run, p=position: self._finished(r, p, result), self, events=True
        )

    def _finished(self, run: Any, position: int, contributions: Any) -> None:
        if run is not self.run or contributions is None or not len(contributions):
            return
        first = contributions.iloc[0]
        prefix = "contribution_"
        values = self._features.iloc[position]
        pairs = []
        for c in contributions.columns:
            if str(c).startswith(prefix):
                name = str(c)[len(prefix) :]
                pairs.append((f"{name} = {shown_value(values.get(name))}", float(first[c])))
        pairs.sort(key=lambda p: -abs(p[1]))
        self.chart.set_bars([name for name, _ in pairs], [v for _, v in pairs], signed_colors=True)
        method = sentence(str(contributions.attrs.get("method") or ""))
        self.words.setText(f"{self._sentence(run, position, first)} {method}".strip())

    @staticmethod
    def _sentence(run: Any, position: int, row: Any) -> str:
        from automl_gui.core.export.bundle import answer_column

        df = run.test_predictions
        actual = df[answer_column(df, "actual")].iloc[position]
        predicted = row["prediction"]
        base, output = float(row["base"]), float(row["output"])
        if run.task == "regression":
            what = f"the predicted value {output:,.4g}"
            start = f"the average prediction {base:,.4g}"
        else:
            what = f"P({predicted}) = {output:.1%}"
            start = f"the average P({predicted}), {base:.1%}"
        return (
            f"Test row {position + 1:,} (actual {actual}, predicted {predicted}): starting from "
            f"{start} over typical rows, its columns move the answer to {what}. Blue bars "
            "pushed it up, orange down."
        )

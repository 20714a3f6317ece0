"""The text Evaluate page's "Important words" tab: the words the model relies on most over the
test texts, as bars (mean weight ± its spread) with the class each pushes towards.

The kind's own ``explain`` (``core.trust.words.explain_texts``: leave-one-out word erasure on
up to 500 test texts, evenly spread) runs in the trust tabs' worker with progress and Stop;
it starts by itself when the tab is shown for a run, and its answer is kept per run while the
window is open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from automl_gui.gui.widgets.bar_chart import scrolling
from automl_gui.gui.widgets.importance_chart import ImportanceChart
from automl_gui.gui.widgets.page_layout import BusyRow

SHOWN_WORDS = 40  # bars in the chart (the rest are in the CSV the command line writes)
TITLE = "Important words"
TIP = "The words the model relies on most over the test texts"


class WordsTab(QWidget):
    """Global word importance for a text run's test texts."""

    def __init__(
        self,
        jobs: Any,
        texts_of: Callable[[Any], Callable[[], list[str]]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.texts_of = texts_of  # run → a reader of its test texts (called in the worker)
        self.run: Any = None
        self.explanation: Any = None
        self._kept: dict[int, tuple[Any, Any]] = {}  # id(run) → (run, Explanation)
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.compute_button = QPushButton("&Weigh the words")
        self.compute_button.setToolTip(
            "Remove each word of the test texts in turn and measure how much the predicted "
            "class's probability falls: the words the model relies on fall most"
        )
        self.compute_button.clicked.connect(self.compute)
        self.busy = BusyRow("Removing each word in turn", "Stop weighing the words", 160)
        self.busy.cancel_button.setText("Stop")
        self.chart = ImportanceChart()
        top = QHBoxLayout()
        top.addWidget(self.words, 1)
        top.addWidget(self.compute_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.busy)
        layout.addWidget(scrolling(self.chart), 1)

    def show_run(self, run: Any) -> bool:
        """Show ``run``'s important words (worked out now unless kept); False for a run
        without test predictions."""
        self.run = run
        if run is None or run.test_predictions is None or not len(run.test_predictions):
            return False
        kept = self._kept.get(id(run))
        if kept is not None and kept[0] is run:
            self._show(kept[1])
            return True
        self.chart.clear()
        self.explanation = None
        self.words.setText(
            "Which words the model relies on: each word of the test texts is removed in turn "
            "and the fall of the predicted class's probability measured."
        )
        self.compute()
        return True

    def compute(self) -> None:
        run = self.run
        if run is None:
            return
        read = self.texts_of(run)
        bundle = run.bundle

        def work(on_event: Any, cancel: Any) -> Any:
            texts = read()
            if not texts:
                from automl_gui.core.base.errors import DataError

                raise DataError(
                    "The test texts are not available.",
                    "Open the dataset the model was trained on to weigh its words.",
                )
            kind = bundle.kind
            return kind.explain(bundle, kind.typed(texts), on_event=on_event, cancel=cancel)

        self.compute_button.setEnabled(False)
        self.jobs.start(
            work,
            lambda result, r=run: self._finished(r, result),
            self,
            on_failed=self._failed,
            events=True,
        )

    def _failed(self, message: str, hint: str) -> None:
        self.compute_button.setEnabled(True)
        self.words.setText(f"{message} {hint}".strip())

    def _finished(self, run: Any, explanation: Any) -> None:
        self.compute_button.setEnabled(True)
        self._kept = {k: v for k, v in self._kept.items() if v[0] is not run}
        self._kept[id(run)] = (run, explanation)
        if run is self.run:
            self._show(explanation)

    def _show(self, explanation: Any) -> None:
        self.explanation = explanation
        table = explanation.importance
        if table is None or not len(table):
            self.chart.clear()
            self.words.setText(explanation.method + " No word is used often enough to rank.")
            return
        top = table.head(SHOWN_WORDS)
        towards = top["pushes_towards"].astype(str).tolist()
        labels = [
            f"{w} → {c}" if c else str(w)
            for w, c in zip(top["feature"].astype(str), towards, strict=True)
        ]
        tips = [
            f"used {n:,} times; " + (f"pushes towards {c}" if c else "pushes no class up")
            for n, c in zip(top["count"].astype(int), towards, strict=True)
        ]
        self.chart.set_bars(
            labels,
            top["importance"].astype(float).tolist(),
            top["std"].astype(float).tolist(),
            tips=tips,
        )
        shown = (
            f"The {len(top):,} most important of {len(table):,} words. "
            if len(table) > len(top)
            else ""
        )
        self.words.setText(
            f"{explanation.method} {shown}Longer bars: words whose removal moves the answer "
            "more; whiskers: ± the spread over their uses; → the class a word pushes towards."
            + "".join(f" {n}" for n in explanation.notes)
        )

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

from PySide6.QtWidgets import QWidget

from automl_gui.gui.pages._trust_explain import ImportanceBase

SHOWN_WORDS = 40  # bars in the chart (the rest are in the CSV the command line writes)
TITLE = "Important words"
TIP = "The words the model relies on most over the test texts"


class WordsTab(ImportanceBase):
    """Global word importance for a text run's test texts."""

    BUTTON = "&Weigh the words"
    TOOLTIP = (
        "Remove each word of the test texts in turn and measure how much the predicted "
        "class's probability falls: the words the model relies on fall most"
    )
    BUSY, STOP = "Removing each word in turn", "Stop weighing the words"

    def __init__(
        self,
        jobs: Any,
        texts_of: Callable[[Any], Callable[[], list[str]]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(jobs, parent)
        self.texts_of = texts_of  # run → a reader of its test texts (called in the worker)
        self.explanation: Any = None
        self.busy.cancel_button.setText("Stop")

    def show_run(self, run: Any) -> bool:
        """Show ``run``'s important words (worked out now unless kept); False for a run
        without test predictions."""
        self.run = run
        if run is None or run.test_predictions is None or not len(run.test_predictions):
            return False
        kept = self.kept_answer(run)
        if kept is not None:
            self._show(kept)
            return True
        self.chart.clear()
        self.explanation = None
        self.words.setText(
            "Which words the model relies on: each word of the test texts is removed in turn "
            "and the fall of the predicted class's probability measured."
        )
        self.compute()
        return True

    def _work(self, run: Any) -> Any:
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

        return work

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

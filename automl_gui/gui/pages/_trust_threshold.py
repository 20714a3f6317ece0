"""The Evaluate pages' Threshold tab (binary classifiers): choose the probability at which the
positive class is predicted, and store it with the model.

The curve is ``core.trust.thresholds.threshold_curve`` over the run's test predictions,
worked out in a worker once per run shown (sklearn's precision–recall points plus a grid:
~30 ms on 50,000 rows, but importing scikit-learn the first time takes a second or two);
"Use this threshold" writes ``metadata["threshold"]`` with ``set_threshold`` and "Reset to
0.5" removes it (``clear_threshold``). Either marks the project changed, so the next save
writes the run again and the chosen value is there after reopening.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from automl_gui.gui.pages._trust_data import binary_scores
from automl_gui.gui.widgets.threshold_view import DEFAULT, ThresholdView


class ThresholdTab(QWidget):
    """:class:`ThresholdView` over the current run; ``changed()`` is called after the run's
    stored threshold changed."""

    def __init__(
        self, jobs: Any, changed: Callable[[Any], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.jobs = jobs  # the trust tabs' TrustJobs
        self._changed = changed
        self.run: Any = None
        self.stored = QLabel()
        self.stored.setWordWrap(True)
        self.view = ThresholdView()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stored)
        layout.addWidget(self.view, 1)
        self.view.use_clicked.connect(self.use)
        self.view.reset_clicked.connect(self.reset)

    def show_run(self, run: Any) -> bool:
        """Show ``run``'s threshold (its curve worked out in a worker); False unless it is a
        binary classifier with test probabilities (the tab is then hidden)."""
        self.run = None
        scores = binary_scores(run) if run is not None else None
        if scores is None or len(scores[1]) == 0:
            return False
        positive, y01, p = scores
        self.run = run
        self.view.curve = None
        self.view.setEnabled(False)
        self.stored.setText("Working out precision and recall at each threshold…")

        def work() -> Any:
            from automl_gui.core.trust.thresholds import threshold_curve

            return threshold_curve(y01, p)

        self.jobs.start(work, lambda curve, r=run: self._curve_ready(r, positive, curve), self)
        return True

    def _curve_ready(self, run: Any, positive: str, curve: Any) -> None:
        if run is not self.run:
            return
        stored = self._stored()
        value = float(stored.get("value", DEFAULT)) if stored else DEFAULT
        self.view.set_curve(curve, positive, value)
        if stored:
            self.view.set_value(value, str(stored.get("chosen") or "by hand"))
        self.view.setEnabled(True)
        self._say()

    def _stored(self) -> dict[str, Any]:
        chosen = (self.run.metadata or {}).get("threshold") if self.run is not None else None
        return chosen if isinstance(chosen, dict) else {}

    def _say(self) -> None:
        from automl_gui.core.trust.thresholds import threshold_words

        if self._stored():
            text = threshold_words(self.run.metadata)
        else:
            text = (
                f"No threshold stored: the model predicts {self.view.positive!r} when it is "
                "the more likely class (probability at least 0.5)."
            )
        self.stored.setText(
            f"<b>{text}</b> The Results tab's figures stay those of the most likely class."
        )
        self.view.reset_button.setEnabled(bool(self._stored()))

    def use(self, value: float, chosen: str) -> None:
        """Store ``value`` as the run's threshold (``chosen``: how it was picked)."""
        if self.run is None or self.view.curve is None:
            return
        from automl_gui.core.trust.thresholds import set_threshold

        at = self.view.row(value)
        set_threshold(
            self.run.metadata,
            value,
            chosen,
            positive=self.view.positive,
            precision=at["precision"],
            recall=at["recall"],
        )
        self._say()
        self._changed(self.run)

    def reset(self) -> None:
        """Forget the run's threshold: the most likely class wins again."""
        if self.run is None or self.view.curve is None:
            return
        from automl_gui.core.trust.thresholds import clear_threshold

        clear_threshold(self.run.metadata)
        self.view.set_value(DEFAULT)
        self._say()
        self._changed(self.run)
